"""Turning what a visitor typed into a statement or a speaker: canonical redirects, near misses,
tombstones, 404s."""

from __future__ import annotations

from dataclasses import dataclass

from archive.citation_ids import (
    CitationRef,
    InvalidCitationIdError,
    near_miss_candidates,
    parse_citation_ref,
)
from archive.records import Person, Statement, split_sentences
from archive.store import PersonNotFoundError, RevisionNotFoundError, StatementNotFoundError
from web.errors import ApiError
from web.resources import get_store


@dataclass
class Lookup:
    ref: CitationRef
    statement: Statement
    canonical: str  # the canonical spelling of the reference


def suggest_statement_id(typed: str) -> str | None:
    """The one stored ID a typo away from ``typed``, if exactly one exists."""
    found = get_store().existing_statement_ids(near_miss_candidates(typed.split("@")[0].split("/")[0]))
    return found[0] if len(found) == 1 else None


def not_found(typed: str, reason: str) -> ApiError:
    suggestion = suggest_statement_id(typed)
    message = f"No statement {typed.strip()[:60]!r}: {reason}."
    if suggestion:
        message += f" Did you mean {suggestion}?"
    return ApiError(404, message, suggestion=suggestion)


def find_statement(typed: str) -> Lookup:
    """Resolve ``ID``, ``ID@rev``, ``ID/pN``, ``ID/pN.sM``; raise ApiError 404 or 410."""
    try:
        ref = parse_citation_ref(typed)
    except InvalidCitationIdError as error:
        raise not_found(typed, str(error)) from None
    store = get_store()
    try:
        statement = store.get_statement(ref.statement_id, ref.revision)
    except StatementNotFoundError:
        raise not_found(typed, "no statement has this ID") from None
    except RevisionNotFoundError:
        current = store.get_statement(ref.statement_id).revisions[-1].revision
        raise ApiError(404, f"{ref.statement_id} has revisions 1 to {current}, not {ref.revision}.",
                       suggestion=ref.statement_id) from None
    if ref.paragraph is not None:
        paragraphs = statement.paragraphs()
        if ref.paragraph > len(paragraphs):
            raise ApiError(404, f"{ref.statement_id} has {len(paragraphs)} paragraph(s), "
                                f"not {ref.paragraph}.", suggestion=ref.statement_id)
        if ref.sentence is not None:
            sentences = split_sentences(paragraphs[ref.paragraph - 1])
            if ref.sentence > len(sentences):
                raise ApiError(404, f"Paragraph {ref.paragraph} of {ref.statement_id} has "
                                    f"{len(sentences)} sentence(s), not {ref.sentence}.",
                               suggestion=f"{ref.statement_id}/p{ref.paragraph}")
    return Lookup(ref, statement, str(ref))


def gone(lookup: Lookup) -> ApiError:
    statement = lookup.statement
    return ApiError(410, f"{statement.statement_id} was withdrawn on {statement.withdrawn_at}: "
                         f"{statement.withdrawn_reason}",
                    extra={"tombstone": {
                        "statement_id": statement.statement_id,
                        "withdrawn_at": statement.withdrawn_at,
                        "withdrawn_reason": statement.withdrawn_reason,
                        "revisions": [{"revision": r.revision, "text_sha256": r.text_sha256,
                                       "reason": r.reason, "created_at": r.created_at}
                                      for r in statement.revisions]}})


def find_speaker(person_id: str) -> Person:
    """The stored person with this ID; ApiError 404 otherwise."""
    try:
        return get_store().get_person(person_id)
    except PersonNotFoundError:
        raise ApiError(404, f"No speaker {person_id[:60]!r}.") from None
