"""The writes every store shares: each checks its records with the rules (``archive.rules``)
and hands what passes to the implementation's storage step (``_store_statements``,
``_store_revisions``, ``_store_withdrawal``, ``_store_people``, ``_store_sources``), inside
one transaction. A single write is the bulk write of one statement or one revision, so the
rules that check an import check a correction too.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager

from archive.citation_ids import mint_citation_id, normalise_citation_id
from archive.dates import now_utc
from archive.records import Person, Revision, Source, Statement, StatementContent
from archive.rules import (
    check_new_statements,
    check_references,
    check_revisions,
    check_withdrawal,
    new_records,
)

_UNREAD_SPEAKER = Person("", "")  # a new statement's speaker is checked by ID, never read


class CheckedWrites:
    """The ``ArchiveStore`` transaction and writes of statements, people and sources, over an
    implementation's steps; it keeps ``_lock`` (an RLock), ``_depth`` (0), ``_changed`` (an
    empty set) and ``listeners``."""

    @contextmanager
    def transaction(self) -> Iterator:
        """All writes inside commit together or not at all. Nested calls join the outer one;
        the listeners hear of the changed statements once the outermost one commits."""
        with self._lock:
            if self._depth == 0:
                self._begin()
                self._changed = set()
            self._depth += 1
            try:
                yield self
            except BaseException:
                self._depth -= 1
                if self._depth == 0:
                    self._rollback()
                    self._changed = set()
                raise
            self._depth -= 1
            if self._depth == 0:
                self._commit()
                changed, self._changed = self._changed, set()
                if changed:
                    for listener in list(self.listeners):
                        listener(self, changed)

    def add_statement(self, content: StatementContent, *, statement_id: str | None = None,
                      reason: str = "first archived", created_at: str | None = None) -> str:
        """``statement_id`` is given only when restoring an ID minted before (seed
        collection, export); otherwise a fresh one is minted."""
        content.validate()
        created_at = created_at or now_utc()
        with self.transaction():
            if statement_id is None:
                statement_id = mint_citation_id()
                while self.has_statement(statement_id):
                    statement_id = mint_citation_id()
            else:
                statement_id = normalise_citation_id(statement_id)
            first = Revision(1, content, "", reason, created_at)
            self.insert_statements([Statement(statement_id, "active", first, (first,),
                                              _UNREAD_SPEAKER, created_at)])
        return statement_id

    def insert_statements(self, statements: Iterable[Statement]) -> list[str]:
        """Runs in (or joins) one transaction; returns the IDs in the order given."""
        statements = list(statements)
        ids = [statement.statement_id for statement in statements]
        with self.transaction():
            check_new_statements(statements, self.existing_statement_ids(ids))
            check_references(self, [(statement.statement_id, revision.content)
                                    for statement in statements
                                    for revision in statement.revisions], ids)
            self._store_statements(statements)
        return ids

    def revise_statement(self, statement_id: str, content: StatementContent, reason: str,
                         *, created_at: str | None = None) -> int:
        return self._append_revisions([(statement_id, Revision(0, content, "", reason,
                                                               created_at or ""))])[-1]

    def append_revisions(self, additions: Iterable[tuple[str, Revision]]) -> int:
        return len(self._append_revisions(list(additions)))

    def _append_revisions(self, additions: list[tuple[str, Revision]]) -> list[int]:
        """Check the additions, store them numbered; returns their numbers."""
        if not additions:
            return []
        with self.transaction():
            current = self.get_statements({statement_id for statement_id, _ in additions})
            numbered = check_revisions(current, additions, now_utc())
            check_references(self, [(statement_id, revision.content)
                                    for statement_id, revision in numbered])
            self._store_revisions(numbered)
        return [revision.revision for _, revision in numbered]

    def withdraw_statement(self, statement_id: str, reason: str, *,
                           withdrawn_at: str | None = None) -> None:
        with self.transaction():
            current = self.get_statement(statement_id)
            check_withdrawal(current, reason)
            self._store_withdrawal(current.statement_id, reason, withdrawn_at or now_utc())

    def insert_people(self, people: Iterable[Person]) -> int:
        """Add the people not stored yet; stored ones are left as they are."""
        people = [person.validate() for person in people]
        with self.transaction():
            new = new_records(people, "person_id", self.person_ids())
            self._store_people(new)
        return len(new)

    def insert_sources(self, sources: Iterable[Source]) -> int:
        """Add the sources not stored yet; stored ones are left as they are."""
        sources = [source.validate() for source in sources]
        with self.transaction():
            new = new_records(sources, "source_id", self.source_ids())
            self._store_sources(new)
        return len(new)

    # -- the implementation's steps: a transaction's start (which refuses a read-only store),
    # -- its undoing and its commit; and the storage steps, inside the transaction, each
    # -- with its log entries and journal: what is written once the rules have passed
    def _begin(self) -> None:
        raise NotImplementedError

    def _rollback(self) -> None:
        raise NotImplementedError

    def _commit(self) -> None:
        raise NotImplementedError

    def _store_statements(self, statements: Sequence[Statement]) -> None:
        raise NotImplementedError

    def _store_revisions(self, numbered: Sequence[tuple[str, Revision]]) -> None:
        raise NotImplementedError

    def _store_withdrawal(self, statement_id: str, reason: str, withdrawn_at: str) -> None:
        raise NotImplementedError

    def _store_people(self, people: Sequence[Person]) -> None:
        raise NotImplementedError

    def _store_sources(self, sources: Sequence[Source]) -> None:
        raise NotImplementedError
