"""The in-memory implementation of ``ArchiveStore``: the archive in dictionaries, for fast
tests of the domain rules and of the code above the store.

It behaves as ``SQLiteStore`` does — the same rules (``archive.rules``), the same records
back, the same log entries and journal — but keeps nothing when the process ends. A
transaction saves the dictionaries at its start and puts them back when it fails.
"""

from __future__ import annotations

import itertools
import json
import threading
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path

from archive.log import (
    encode_entry,
    entry_key,
    leaf_of,
    person_entry,
    revision_entry,
    source_entry,
    statement_entries,
    withdrawal_entry,
)
from archive.records import (
    Person,
    Revision,
    Source,
    Statement,
    StatementContent,
    canonical_text,
    hash_text,
)
from archive.rules import (
    check_text_hash,
)
from archive.store import (
    LINKS,
    SCHEMA_VERSION,
    ChangeListener,
    PersonNotFoundError,
    RevisionNotFoundError,
    StatementNotFoundError,
    StoreError,
    StoreWriteError,
)
from archive.stores.writes import CheckedWrites

_numbers = itertools.count(1)
_UNREAD_SPEAKER = Person("", "")  # stored statements' speakers are read from ``people``


@dataclass
class _State:
    """Everything the store holds; a transaction copies it (the records in it are frozen)."""

    people: dict[str, Person]
    sources: dict[str, Source]
    statements: dict[str, Statement]  # each with its stored revisions, speaker unread
    changes: list[str]
    log: list[tuple[str, bytes]]  # (entry text, leaf hash)
    schema_version: int = 0

    def copy(self) -> _State:
        return _State(dict(self.people), dict(self.sources), dict(self.statements),
                      list(self.changes), list(self.log), self.schema_version)


def _stored_revision(statement_id: str, revision: Revision) -> Revision:
    """The revision as a store keeps it: canonical text, its hash, content read back."""
    digest = check_text_hash(statement_id, revision)
    data = revision.content.to_dict()
    data["text"] = canonical_text(revision.content.text)
    return Revision(revision.revision, StatementContent.from_dict(data), digest, revision.reason,
                    revision.created_at)


def _sort_key(statement: Statement) -> str:
    return statement.revisions[-1].content.posted_at.sort_key()


class MemoryStore(CheckedWrites):
    """An archive that lives as long as the object."""

    def __init__(self, *, readonly: bool = False):
        self.readonly = readonly
        self.listeners: list[ChangeListener] = []
        self._state = _State({}, {}, {}, [], [])
        self._saved: _State | None = None
        self._location = f"memory:{next(_numbers)}"
        self._lock = threading.RLock()
        self._depth = 0
        self._changed: set[str] = set()

    # -- lifecycle --------------------------------------------------------
    @property
    def location(self) -> str:
        return self._location

    @property
    def schema_version(self) -> int:
        return self._state.schema_version

    def is_initialised(self) -> bool:
        return self._state.schema_version > 0

    def migrate(self) -> int:
        if self._state.schema_version > SCHEMA_VERSION:
            raise StoreError(f"{self._location} has schema version"
                             f" {self._state.schema_version}, newer than this software"
                             f" ({SCHEMA_VERSION})")
        self._state.schema_version = SCHEMA_VERSION
        return SCHEMA_VERSION

    def close(self) -> None:
        pass

    def __enter__(self) -> MemoryStore:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # transaction() is CheckedWrites', over these three steps
    def _begin(self) -> None:
        if self.readonly:
            raise StoreWriteError(f"cannot write to {self._location}: it is open read-only")
        self._saved = self._state.copy()

    def _rollback(self) -> None:
        self._state, self._saved = self._saved, None

    def _commit(self) -> None:
        self._saved = None

    @contextmanager
    def read_snapshot(self) -> Iterator[MemoryStore]:
        with self._lock:
            yield self

    def copy_to(self, folder: Path) -> MemoryStore:
        """An archive in memory keeps no files: the copy is another store, and ``folder``
        stays empty."""
        with self._lock:
            copy = MemoryStore()
            copy._state = self._state.copy()
        copy.migrate()
        return copy

    def _require_transaction(self) -> None:
        if self._depth == 0:
            raise StoreError("writes must run inside the store's transaction()")

    def _mark_changed(self, statement_ids: Iterable[str]) -> None:
        for statement_id in statement_ids:
            self._changed.add(statement_id)
            self._state.changes.append(statement_id)

    # -- people and sources ----------------------------------------------
    def put_person(self, person: Person) -> Person:
        person.validate()
        with self.transaction():
            if self._state.people.get(person.person_id) != person:
                self._state.people[person.person_id] = person
                self._log([person_entry(person)])
                self._mark_changed(
                    statement_id for statement_id, statement in sorted(self._state.statements.items())
                    if statement.revisions[-1].content.person_id == person.person_id)
        return person

    def get_person(self, person_id: str) -> Person:
        try:
            return self._state.people[person_id]
        except KeyError:
            raise PersonNotFoundError(person_id) from None

    def list_people(self) -> list[tuple[Person, int]]:
        counts: dict[str, int] = {}
        for statement in self._state.statements.values():
            if not statement.is_withdrawn:
                person_id = statement.revisions[-1].content.person_id
                counts[person_id] = counts.get(person_id, 0) + 1
        people = sorted(self._state.people.values(),
                        key=lambda p: (p.unnamed, p.name, p.person_id))
        return [(person, counts.get(person.person_id, 0)) for person in people]

    def person_ids(self) -> set[str]:
        return set(self._state.people)

    def _store_people(self, people: Sequence[Person]) -> None:
        self._state.people.update((person.person_id, person) for person in people)
        self._log(person_entry(person) for person in people)

    def put_source(self, source: Source) -> Source:
        source.validate()
        with self.transaction():
            if self._state.sources.get(source.source_id) != source:
                self._state.sources[source.source_id] = source
                self._log([source_entry(source)])
        return source

    def get_source(self, source_id: str) -> Source | None:
        return self._state.sources.get(source_id)

    def list_sources(self) -> list[Source]:
        return sorted(self._state.sources.values(), key=lambda source: source.source_id)

    def source_ids(self) -> set[str]:
        return set(self._state.sources)

    def _store_sources(self, sources: Sequence[Source]) -> None:
        self._state.sources.update((source.source_id, source) for source in sources)
        self._log(source_entry(source) for source in sources)

    # -- statements: writes (checked by archive.rules in CheckedWrites)
    def _store_withdrawal(self, statement_id: str, reason: str, withdrawn_at: str) -> None:
        self._state.statements[statement_id] = replace(
            self._state.statements[statement_id], status="withdrawn", withdrawn_reason=reason,
            withdrawn_at=withdrawn_at)
        self._log([withdrawal_entry(statement_id, reason, withdrawn_at)])
        self._mark_changed([statement_id])

    def _store_statements(self, statements: Sequence[Statement]) -> None:
        entries = []
        for statement in statements:
            revisions = tuple(_stored_revision(statement.statement_id, revision)
                              for revision in statement.revisions)
            entries.extend(statement_entries(statement, [r.text_sha256 for r in revisions]))
            self._state.statements[statement.statement_id] = Statement(
                statement.statement_id, statement.status, revisions[-1], revisions,
                _UNREAD_SPEAKER, statement.created_at, statement.withdrawn_reason,
                statement.withdrawn_at)
        self._log(entries)
        self._mark_changed(statement.statement_id for statement in statements)

    def _store_revisions(self, numbered: Sequence[tuple[str, Revision]]) -> None:
        entries = []
        for statement_id, revision in numbered:
            stored_revision = _stored_revision(statement_id, revision)
            entries.append(revision_entry(statement_id, revision.revision, revision.content,
                                          stored_revision.text_sha256, revision.reason,
                                          revision.created_at, ""))
            stored = self._state.statements[statement_id]
            self._state.statements[statement_id] = replace(
                stored, revision=stored_revision, revisions=(*stored.revisions, stored_revision))
        self._log(entries)
        self._mark_changed(dict.fromkeys(statement_id for statement_id, _ in numbered))

    # -- statements: reads -----------------------------------------------
    def has_statement(self, statement_id: str) -> bool:
        return statement_id in self._state.statements

    def existing_statement_ids(self, candidates: Iterable[str]) -> list[str]:
        return sorted(set(candidates) & self._state.statements.keys())

    def _read(self, stored: Statement, revision: int | None = None) -> Statement:
        wanted = stored.revisions[-1].revision if revision is None else revision
        chosen = next((r for r in stored.revisions if r.revision == wanted), None)
        if chosen is None:
            raise RevisionNotFoundError(f"{stored.statement_id} has no revision {wanted}")
        return replace(stored, revision=chosen,
                       speaker=self.get_person(chosen.content.person_id))

    def get_statement(self, statement_id: str, revision: int | None = None) -> Statement:
        stored = self._state.statements.get(statement_id)
        if stored is None:
            raise StatementNotFoundError(statement_id)
        return self._read(stored, revision)

    def get_statements(self, statement_ids: Iterable[str]) -> dict[str, Statement]:
        return {statement_id: self._read(self._state.statements[statement_id])
                for statement_id in sorted(set(statement_ids))
                if statement_id in self._state.statements}

    def _current(self, *, include_withdrawn: bool = True) -> list[Statement]:
        return [statement for _, statement in sorted(self._state.statements.items())
                if include_withdrawn or not statement.is_withdrawn]

    def iter_statements(self, *, include_withdrawn: bool = True,
                        person_id: str | None = None, batch: int = 2000) -> Iterator[Statement]:
        for statement in self._current(include_withdrawn=include_withdrawn):
            if person_id is None or statement.revisions[-1].content.person_id == person_id:
                yield self._read(statement)

    def withdrawn_statements(self, *, limit: int = 500) -> list[Statement]:
        gone = [statement for statement in self._current() if statement.is_withdrawn]
        gone.sort(key=lambda statement: statement.withdrawn_at, reverse=True)  # stable: IDs ascending
        return [self._read(statement) for statement in gone[:limit]]

    def statements_by_person(self, person_id: str, *, limit: int = 1000) -> list[Statement]:
        mine = [statement for statement in self._current()
                if statement.revisions[-1].content.person_id == person_id]
        mine.sort(key=_sort_key, reverse=True)  # stable: IDs ascending within a date
        return [self._read(statement) for statement in mine[:limit]]

    def find_linking_statements(self, statement_id: str, link: str) -> list[str]:
        if link not in LINKS:
            raise ValueError(f"link must be one of {LINKS}")
        found = [statement for statement in self._current(include_withdrawn=False)
                 if statement_id and getattr(statement.revisions[-1].content, link) == statement_id]
        found.sort(key=_sort_key)
        return [statement.statement_id for statement in found]

    def speaker_coverage(self, person_ids: Iterable[str]) -> tuple[int, str | None, str | None]:
        person_ids = set(person_ids)
        theirs = [statement for statement in self._current(include_withdrawn=False)
                  if statement.revisions[-1].content.person_id in person_ids]
        dated = sorted((_sort_key(s), s.statement_id) for s in theirs if _sort_key(s))
        return (len(theirs), dated[0][1] if dated else None, dated[-1][1] if dated else None)

    def count_statements(self, *, include_withdrawn: bool = False) -> int:
        return len(self._current(include_withdrawn=include_withdrawn))

    def find_by_platform_id(self, platform: str, platform_id: str) -> str | None:
        return self.find_by_platform_ids(platform, [platform_id]).get(platform_id)

    def find_by_platform_ids(self, platform: str, platform_ids: Iterable[str]) -> dict[str, str]:
        wanted = set(platform_ids) - {""}
        found = {}
        for statement in self._current():
            content = statement.revisions[-1].content
            if content.platform == platform and content.platform_id in wanted:
                found[content.platform_id] = statement.statement_id
        return found

    def find_by_text_hashes(self, person_id: str, digests: Iterable[str]) -> dict[str, str]:
        wanted = set(digests)
        found: dict[str, str] = {}
        for statement in self._current():  # in ID order: the lowest ID is met first
            current = statement.revisions[-1]
            if current.content.person_id == person_id and current.text_sha256 in wanted:
                found.setdefault(current.text_sha256, statement.statement_id)
        return found

    def current_hashes(self) -> dict[str, str]:
        return {statement.statement_id: statement.revisions[-1].text_sha256
                for statement in self._current(include_withdrawn=False)}

    def last_change(self) -> int:
        return len(self._state.changes)

    def changed_since(self, seq: int) -> set[str]:
        return set(self._state.changes[seq:])

    # -- the log -----------------------------------------------------------
    def _log(self, entries: Iterable[dict]) -> None:
        self._require_transaction()
        for entry in entries:
            text = encode_entry(entry)
            self._state.log.append((text, leaf_of(text)))

    def replace_log(self, entries: Iterable[str]) -> None:
        self._require_transaction()
        self._state.log = [(text, leaf_of(text)) for text in entries]

    def log_size(self) -> int:
        return len(self._state.log)

    def log_leaf_hash(self, index: int) -> bytes | None:
        return self._state.log[index][1] if 0 <= index < len(self._state.log) else None

    def log_leaf_hashes(self, start: int, end: int) -> Iterator[bytes]:
        for _, leaf in self._state.log[start:end]:
            yield leaf

    def iter_log(self) -> Iterator[tuple[int, str, bytes]]:
        for index, (text, leaf) in enumerate(list(self._state.log)):
            yield index, text, leaf

    def log_entries_about(self, statement_id: str, size: int) -> list[tuple[int, str]]:
        found = []
        for index, (text, _) in enumerate(self._state.log[:size]):
            kind, subject, _ = entry_key(json.loads(text))
            if subject == statement_id and kind in ("revision", "withdrawal"):
                found.append((index, text))
        return found

    # -- integrity -------------------------------------------------------
    def find_hash_mismatches(self) -> list[str]:
        problems = []
        for statement in self._current():
            for revision in statement.revisions:
                actual = hash_text(revision.content.text)
                if actual != revision.text_sha256:
                    problems.append(f"{statement.statement_id}@{revision.revision}: text hashes"
                                    f" to {actual[:12]}…, stored {revision.text_sha256[:12]}…")
        return problems

    def find_broken_statements(self) -> list[str]:
        # Revisions are numbered on and the current one is the last: nothing to break here.
        return []

    def find_broken_links(self) -> list[str]:
        problems = []
        for name in ("in_reply_to", "reported_by", "translation_of"):
            for statement in self._current():
                target = getattr(statement.revisions[-1].content, name)
                if target and target not in self._state.statements:
                    problems.append(f"{statement.statement_id}: {name} points to missing {target}")
        return problems

    def iter_revision_rows(self) -> Iterator[tuple[str, int, str, str, str, str, str | None]]:
        for statement in self._current():
            for revision in statement.revisions:
                data = revision.content.to_dict()
                text = data.pop("text")
                yield (statement.statement_id, revision.revision, text,
                       json.dumps(data, ensure_ascii=False, sort_keys=True), revision.reason,
                       revision.created_at, statement.created_at)

    def iter_statement_states(self) -> Iterator[tuple[str, str, str, str]]:
        for statement in self._current():
            yield (statement.statement_id, statement.status, statement.withdrawn_reason,
                   statement.withdrawn_at)
