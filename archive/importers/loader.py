"""Storing what an importer read: match it against the archive, link replies, write it in one transaction.

A candidate matches a stored statement by platform and platform ID, or,
without a platform ID, by speaker and text hash. A match whose words and
metadata are unchanged is left alone; a changed one gets new revisions
(never an overwrite); the rest are added with fresh citation IDs. With any
problem the whole import is rolled back unless ``skip_invalid`` is set.

Candidates are stored a chunk at a time as the importer reads them, all
inside the one transaction, so a big file is never in memory at once. What
crosses chunks: the speakers, a fingerprint per matching key (to tell a
repeated record from a conflicting one), and the replies whose parent has
not been seen yet — they wait for the end, when every parent of the file is
stored, and are linked then.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from itertools import islice

from archive.citation_ids import mint_citation_id
from archive.dates import now_utc
from archive.importers.mapping import ImportOptions
from archive.importers.records import Candidate, ParsedFile, RecordProblem
from archive.importers.speakers import SpeakerResolver
from archive.records import (
    InvalidRecordError,
    Revision,
    Statement,
)
from archive.rules import fingerprint, match_key, rematch
from archive.store import ArchiveStore


@dataclass
class ImportReport:
    """What an import did, or would have done before it was rolled back."""

    path: str
    format_name: str
    read: int = 0
    added: int = 0
    revised: int = 0
    revisions_added: int = 0
    unchanged: int = 0
    withdrawn_left_alone: int = 0
    kept_archive_times: int = 0
    new_people: int = 0
    problems: list[RecordProblem] = field(default_factory=list)
    stored: bool = False
    seconds: float = 0.0

    @property
    def rejected(self) -> int:
        return len(self.problems)

    def summary(self) -> str:
        verb = "Imported" if self.stored else "Nothing stored from"
        text = (f"{verb} {self.path} ({self.format_name}): added {self.added}, revised"
                f" {self.revised}, unchanged {self.unchanged}, rejected {self.rejected}")
        if self.withdrawn_left_alone:
            text += f", withdrawn and left alone {self.withdrawn_left_alone}"
        if self.kept_archive_times:
            text += (f" ({self.kept_archive_times} identical but archived here at other times;"
                     " their local archive times are kept)")
        if self.new_people:
            text += f"; new people {self.new_people}"
        return text + f"; {self.seconds:.2f} s"


class RollbackError(Exception):
    """Raised inside the import transaction to undo it; never escapes the loader."""


CHUNK_SIZE = 5_000


def run_in_one_transaction(store: ArchiveStore, parsed: ParsedFile, options: ImportOptions, path_label: str,
                           apply: Callable[[ArchiveStore, ParsedFile, ImportReport, ImportOptions], None],
                           report: ImportReport | None = None) -> ImportReport:
    """Apply ``parsed`` to the store in one transaction and report it (in ``report``, when
    given). Nothing is stored when there is any problem (the importer's or ``apply``'s
    own), unless ``options.skip_invalid``. ``apply`` may consume candidates the importer is
    still reading: the importer's count and problems are complete once it returns."""
    started = time.monotonic()
    report = report or ImportReport(path_label, parsed.format_name)
    try:
        with store.transaction():
            try:
                apply(store, parsed, report, options)
            finally:
                report.read = parsed.records_read
                report.problems = list(parsed.problems) + report.problems
            if report.problems and not options.skip_invalid:
                raise RollbackError
            report.stored = True
    except RollbackError:
        report.stored = False
    except InvalidRecordError as error:
        report.problems.append(RecordProblem(path_label, f"could not store: {error}"))
        report.stored = False
    if not report.stored:
        report.added = report.revised = report.revisions_added = report.new_people = 0
    report.seconds = time.monotonic() - started
    return report


def load_parsed(store: ArchiveStore, parsed: ParsedFile, options: ImportOptions,
                path_label: str) -> ImportReport:
    """Store the candidates of ``parsed`` (matched, revised or added), all or nothing."""
    return run_in_one_transaction(store, parsed, options, path_label, _load)


def _load(store: ArchiveStore, parsed: ParsedFile, report: ImportReport, options: ImportOptions) -> None:
    source = parsed.source
    if source is not None:
        store.insert_sources([source])
    loader = _ChunkLoader(store, report, source.title if source else report.path,
                          allow_speaker_change="speaker-change" in options.allow)
    waiting: list[tuple[Candidate, tuple]] = []
    for chunk in _chunks(parsed.candidates, CHUNK_SIZE):
        waiting.extend(loader.store(loader.accept(chunk), final=False))
    loader.store(waiting, final=True)


def _chunks(candidates: Iterable[Candidate], size: int) -> Iterator[list[Candidate]]:
    iterator = iter(candidates)
    while chunk := list(islice(iterator, size)):
        yield chunk


class _ChunkLoader:
    """The state one import keeps from chunk to chunk."""

    def __init__(self, store: ArchiveStore, report: ImportReport, title: str, *,
                 allow_speaker_change: bool = False):
        self.store_ = store
        self.allow_speaker_change = allow_speaker_change
        self.report = report
        self.title = title
        self.directory = SpeakerResolver([person for person, _ in store.list_people()])
        self.people_stored = 0
        # matching key -> (where it was first read, fingerprint of its content)
        self.seen: dict[tuple, tuple[str, int]] = {}
        self.now = now_utc()

    def accept(self, chunk: list[Candidate]) -> list[tuple[Candidate, tuple]]:
        """Speakers resolved and matching keys made; repeats inside the file settled here."""
        report = self.report
        accepted = []
        for candidate in chunk:
            try:
                person_id = self.directory.resolve(candidate.speaker)
            except ValueError as error:
                report.problems.append(RecordProblem(candidate.location, str(error), candidate.raw))
                continue
            candidate.versions = [(replace(content, person_id=person_id), reason)
                                  for content, reason in candidate.versions]
            key = match_key(candidate.content)
            mark = fingerprint(candidate.content)
            earlier = self.seen.get(key)
            if earlier is not None:
                if earlier[1] != mark:
                    what = "platform ID" if key[0] == "platform" else "text"
                    report.problems.append(RecordProblem(
                        candidate.location,
                        f"same {what} as {earlier[0]} but different content", candidate.raw))
                else:
                    report.unchanged += 1
                continue
            self.seen[key] = (candidate.location, mark)
            accepted.append((candidate, key))
        return accepted

    def store(self, accepted: list[tuple[Candidate, tuple]], *, final: bool) -> list[tuple[Candidate, tuple]]:
        """Match, link and write one chunk; returns the replies that wait for a parent
        later in the file (none when ``final``)."""
        store, report, directory = self.store_, self.report, self.directory
        if len(directory.new_people) > self.people_stored:
            store.insert_people(directory.new_people[self.people_stored:])
            self.people_stored = len(directory.new_people)
            report.new_people = self.people_stored
        if not accepted:
            return []

        # Which candidates are already archived (or stored by an earlier chunk).
        stored_ids = self._stored_ids([key for _, key in accepted])
        keys = {key for _, key in accepted}

        # Replies: to a statement of this chunk, of the archive or of an earlier chunk;
        # else, before the end, the reply waits (with any reply to it) for a later chunk.
        parent_of = {key: self._parent_key(candidate) for candidate, key in accepted
                     if candidate.reply_to}
        parent_ids = self._stored_ids(sorted(set(parent_of.values()) - keys))
        waiting: list[tuple[Candidate, tuple]] = []
        if not final:
            waiting_keys: set[tuple] = set()
            while True:
                held = [(candidate, key) for candidate, key in accepted
                        if key in parent_of and key not in waiting_keys
                        and parent_of[key] not in parent_ids
                        and (parent_of[key] not in keys or parent_of[key] in waiting_keys)]
                if not held:
                    break
                waiting.extend(held)
                waiting_keys.update(key for _, key in held)
            if waiting:
                accepted = [(candidate, key) for candidate, key in accepted if key not in waiting_keys]

        assigned = self._assign_ids([key for _, key in accepted], stored_ids)
        for candidate, key in accepted:
            if not candidate.reply_to:
                continue
            parent = assigned.get(parent_of[key]) or parent_ids.get(parent_of[key])
            if parent == assigned[key]:
                parent = None
            candidate.versions = [
                (replace(content, in_reply_to=parent, in_reply_to_external="") if parent else
                 replace(content, in_reply_to_external=content.in_reply_to_external
                         or candidate.reply_fallback), reason)
                for content, reason in candidate.versions]
        self._write(accepted, assigned, stored_ids)
        return waiting

    @staticmethod
    def _parent_key(candidate: Candidate) -> tuple:
        return ("platform", candidate.content.platform, candidate.reply_to)

    def _stored_ids(self, keys: list[tuple]) -> dict[tuple, str]:
        store = self.store_
        by_platform: dict[str, list[str]] = {}
        by_hash: dict[str, list[str]] = {}
        for key in keys:
            (by_platform if key[0] == "platform" else by_hash).setdefault(key[1], []).append(key[2])
        stored_ids: dict[tuple, str] = {}
        for platform, ids in by_platform.items():
            for platform_id, statement_id in store.find_by_platform_ids(platform, ids).items():
                stored_ids[("platform", platform, platform_id)] = statement_id
        for person_id, digests in by_hash.items():
            for digest, statement_id in store.find_by_text_hashes(person_id, digests).items():
                stored_ids[("hash", person_id, digest)] = statement_id
        return stored_ids

    def _assign_ids(self, keys: list[tuple], stored_ids: dict[tuple, str]) -> dict[tuple, str]:
        """The stored ID of each key, or a fresh citation ID no statement has."""
        assigned = {key: stored_ids[key] for key in keys if key in stored_ids}
        fresh = [key for key in keys if key not in stored_ids]
        while fresh:
            minted = {key: mint_citation_id() for key in fresh}
            taken = set(self.store_.existing_statement_ids(minted.values()))
            used: set[str] = set()
            retry = []
            for key, statement_id in minted.items():
                if statement_id in taken or statement_id in used:
                    retry.append(key)
                else:
                    used.add(statement_id)
                    assigned[key] = statement_id
            fresh = retry
        return assigned

    def _write(self, accepted: list[tuple[Candidate, tuple]], assigned: dict[tuple, str],
               stored_ids: dict[tuple, str]) -> None:
        store, report, directory, title, now = (self.store_, self.report, self.directory,
                                                self.title, self.now)
        existing = store.get_statements(stored_ids.values())
        new_statements: list[Statement] = []
        additions: list[tuple[str, Revision]] = []
        for candidate, key in accepted:
            statement_id = assigned[key]
            if key not in stored_ids:
                revisions = tuple(
                    Revision(number, content, "", reason or f"first archived from {title}", now)
                    for number, (content, reason) in enumerate(candidate.versions, start=1))
                new_statements.append(Statement(
                    statement_id, "active", revisions[-1], revisions,
                    directory.person(candidate.content.person_id), now))
                continue
            plan = rematch(existing[statement_id], candidate.versions, title, now,
                           ("speaker-change",) if self.allow_speaker_change else ())
            if plan.outcome == "unchanged":
                report.unchanged += 1
            elif plan.outcome == "withdrawn":
                report.withdrawn_left_alone += 1
            elif plan.outcome == "refused":
                report.problems.append(RecordProblem(candidate.location, plan.refusal,
                                                     candidate.raw))
            else:
                additions.extend((statement_id, revision) for revision in plan.revisions)
                report.revised += 1
        store.insert_statements(new_statements)
        report.added += len(new_statements)
        report.revisions_added += store.append_revisions(additions)
