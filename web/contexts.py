"""What each page shows, gathered once and rendered twice: as HTML by ``web.pages`` and as
JSON by ``web.api``, so a page never shows what its JSON twin lacks (Datasette's pattern: one
context per view, one renderer per format)."""

from __future__ import annotations

from dataclasses import dataclass

from archive.records import Person, Source, SourceRef, Statement
from archive.rules import REFERENCES
from archive.store import LINKS, ArchiveStore
from web.lookup import Lookup, find_speaker


@dataclass(frozen=True)
class StatementContext:
    """A statement's permalink: the statement at its reference, the stored statements it
    points to (by link name), those that reply to it and those it reports, its sources."""

    lookup: Lookup
    linked: dict[str, Statement]
    replies: list[Statement]
    reported_here: list[Statement]
    sources: list[tuple[SourceRef, Source | None]]

    @property
    def statement(self) -> Statement:
        return self.lookup.statement


def statement_context(lookup: Lookup, store: ArchiveStore) -> StatementContext:
    found = lookup.statement
    linked = {}
    for name in REFERENCES:
        target = getattr(found.content, name)
        if target and store.has_statement(target):
            linked[name] = store.get_statement(target)
    linking = {}
    for name in LINKS:
        ids = store.find_linking_statements(found.statement_id, name)  # in date order
        loaded = store.get_statements(ids)
        linking[name] = [loaded[statement_id] for statement_id in ids if statement_id in loaded]
    return StatementContext(
        lookup=lookup, linked=linked, replies=linking["in_reply_to"],
        reported_here=linking["reported_by"],
        sources=[(ref, store.get_source(ref.source_id)) for ref in found.content.sources])


@dataclass(frozen=True)
class SpeakerContext:
    """A speaker's page: the person and their statements, newest first, withdrawn ones
    included (shown as tombstones, without their words)."""

    person: Person
    statements: list[Statement]

    @property
    def live_count(self) -> int:
        return sum(1 for statement in self.statements if not statement.is_withdrawn)


def speaker_context(person_id: str, store: ArchiveStore) -> SpeakerContext:
    """The speaker's page; ApiError 404 for an unknown person."""
    return SpeakerContext(find_speaker(person_id), store.statements_by_person(person_id))
