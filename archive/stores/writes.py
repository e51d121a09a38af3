"""What every store's writes share: a single write is the bulk write of one statement or one
revision, so the rules (``archive.rules``) that check an import check a correction too.

``StatementWrites`` is a base of each ``ArchiveStore`` implementation, which adds the bulk
writes themselves (``insert_statements`` and ``_store_revisions``).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from archive.citation_ids import mint_citation_id, normalise_citation_id
from archive.dates import now_utc
from archive.records import Person, Revision, Statement, StatementContent
from archive.rules import check_references, check_revisions

_UNREAD_SPEAKER = Person("", "")  # a new statement's speaker is checked by ID, never read


class StatementWrites:
    """``add_statement``, ``revise_statement`` and ``append_revisions`` over the bulk writes."""

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

    def _store_revisions(self, numbered: Sequence[tuple[str, Revision]]) -> None:
        """Write checked, numbered revisions with their log entries and journal, inside the
        caller's transaction."""
        raise NotImplementedError
