"""What an archive store is: the ``ArchiveStore`` protocol every implementation follows, and
the errors they raise.

A store keeps people, sources, statements with every revision, the journal of changed
statement IDs (which the search index follows) and the tamper-evident log, and writes them
in transactions. It checks every write against the domain rules (``archive.rules``: what a
valid revision is, what a withdrawal does) before it stores anything. The implementations
live in ``archive.stores``: ``sqlite`` (the archive in one file, the record of truth) and
``memory`` (the same behaviour in dictionaries, for fast tests of the rules). Code outside
``archive.stores`` names only this protocol, so another database fits behind it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Protocol

from archive.records import Person, Revision, Source, Statement, StatementContent

# The version of the archive's layout this software writes; an export names it.
SCHEMA_VERSION = 3
# The links whose targets ``find_linking_statements`` looks up.
LINKS = ("in_reply_to", "reported_by")


class StoreError(Exception):
    """Base of the store's errors."""


class StatementNotFoundError(StoreError, LookupError):
    """No statement has this ID."""


class RevisionNotFoundError(StoreError, LookupError):
    """The statement exists but has no such revision."""


class PersonNotFoundError(StoreError, LookupError):
    """No person has this ID."""


class StoreWriteError(StoreError):
    """A write could not be made (read-only or full disk, locked database)."""


class ArchiveMissingError(StoreError):
    """There is no archive to open read-only at this place (it was never created)."""


ChangeListener = Callable[["ArchiveStore", set[str]], None]


class ArchiveStore(Protocol):
    """The archive's record of truth. Reads return records (``archive.records``); writes take
    records, check them against ``archive.rules`` and raise ``InvalidRecordError`` for what
    the rules refuse, ``StoreWriteError`` for what the medium refuses."""

    readonly: bool
    """True when every write is refused (opened read-only, or on a read-only medium)."""

    listeners: list[ChangeListener]
    """Called after each commit with the store and the IDs of the statements it changed (the
    search index follows the archive so); a failed transaction reaches no listener."""

    # -- lifecycle -----------------------------------------------------------------------
    @property
    def location(self) -> str:
        """What the archive is, the same for every store opened on it (a resolved file path,
        a database address); caches of derived data (the log's tree) are keyed by it."""

    @property
    def schema_version(self) -> int:
        """The version of the stored layout; 0 before ``migrate`` created it."""

    def is_initialised(self) -> bool:
        """Whether the archive has been created (``migrate`` has run on it)."""

    def migrate(self) -> int:
        """Create the archive or bring its layout forward to ``SCHEMA_VERSION``, once even
        when several processes start together; returns the version. Refuses a newer one."""

    def close(self) -> None:
        """Release the store's connection; the store is not used after."""

    def __enter__(self) -> ArchiveStore: ...

    def __exit__(self, *exc) -> None: ...

    def transaction(self) -> AbstractContextManager[ArchiveStore]:
        """All writes inside commit together or not at all; nested calls join the outer one.
        Listeners are called once the outermost one has committed."""

    def read_snapshot(self) -> AbstractContextManager[ArchiveStore]:
        """Reads inside see one consistent state, however many queries they take; writers
        (other processes) are not blocked."""

    def copy_to(self, folder: Path) -> ArchiveStore:
        """Write a consistent copy of the archive, taken while others read and write, into
        the existing empty ``folder`` as this implementation keeps an archive (a file, a
        dump); return a writable store on the copy, migrated, whose ``close`` flushes it to
        the medium. Raises StoreError when the copy cannot be made."""

    # -- people and sources --------------------------------------------------------------
    def put_person(self, person: Person) -> Person:
        """Insert or update a person (logged when it changes anything); the statements that
        name them count as changed, so the index re-reads them."""

    def get_person(self, person_id: str) -> Person:
        """The person; PersonNotFoundError when there is none."""

    def list_people(self) -> list[tuple[Person, int]]:
        """Every person with their number of active statements: named ones first, by name."""

    def person_ids(self) -> set[str]:
        """Every stored person ID."""

    def insert_people(self, people: Iterable[Person]) -> int:
        """Add (and log) the people not stored yet, leaving stored ones as they are; returns
        how many were added."""

    def put_source(self, source: Source) -> Source:
        """Insert or update a source (logged when it changes anything)."""

    def get_source(self, source_id: str) -> Source | None:
        """The source, or None."""

    def list_sources(self) -> list[Source]:
        """Every source, by ID."""

    def source_ids(self) -> set[str]:
        """Every stored source ID."""

    def insert_sources(self, sources: Iterable[Source]) -> int:
        """Add (and log) the sources not stored yet; returns how many were added."""

    # -- statements: writes --------------------------------------------------------------
    def add_statement(self, content: StatementContent, *, statement_id: str | None = None,
                      reason: str = "first archived", created_at: str | None = None) -> str:
        """Store a new statement as revision 1 and return its citation ID: a fresh one, or
        ``statement_id`` when restoring one minted before (refused when taken)."""

    def revise_statement(self, statement_id: str, content: StatementContent, reason: str,
                         *, created_at: str | None = None) -> int:
        """Add a correction as the next revision and return its number; the old revisions
        stay readable. ``archive.rules.check_revisions`` says what is refused."""

    def withdraw_statement(self, statement_id: str, reason: str, *,
                           withdrawn_at: str | None = None) -> None:
        """Leave a tombstone: the ID keeps answering with its words and the reason, and is
        never reused (``archive.rules.check_withdrawal``)."""

    def insert_statements(self, statements: Iterable[Statement]) -> list[str]:
        """Store whole statements — IDs, every revision, status, tombstone — as given, for
        import and restore (``archive.rules.check_new_statements``); returns the IDs."""

    def append_revisions(self, additions: Iterable[tuple[str, Revision]]) -> int:
        """Add revisions to stored, active statements, each continuing its statement's
        numbering, under the same rules as ``revise_statement``; returns the count."""

    # -- statements: reads ---------------------------------------------------------------
    def has_statement(self, statement_id: str) -> bool:
        """Whether a statement (withdrawn ones too) has this ID."""

    def existing_statement_ids(self, candidates: Iterable[str]) -> list[str]:
        """Those of ``candidates`` that are stored, sorted."""

    def get_statement(self, statement_id: str, revision: int | None = None) -> Statement:
        """The statement (withdrawn ones too) at its current or the given revision;
        StatementNotFoundError, RevisionNotFoundError."""

    def get_statements(self, statement_ids: Iterable[str]) -> dict[str, Statement]:
        """Several statements at their current revision, read in batches; those not stored
        are left out."""

    def iter_statements(self, *, include_withdrawn: bool = True,
                        person_id: str | None = None, batch: int = 2000) -> Iterator[Statement]:
        """Every statement (of one person) at its current revision, in ID order."""

    def withdrawn_statements(self, *, limit: int = 500) -> list[Statement]:
        """The ``limit`` most recently withdrawn statements, the latest withdrawal first (IDs
        ascending within one time)."""

    def statements_by_person(self, person_id: str, *, limit: int = 1000) -> list[Statement]:
        """A person's statements (withdrawn ones included), newest first."""

    def find_linking_statements(self, statement_id: str, link: str) -> list[str]:
        """Active statements whose current revision points here by ``link`` (one of
        ``LINKS``), oldest first."""

    def speaker_coverage(self, person_ids: Iterable[str]) -> tuple[int, str | None, str | None]:
        """How many active statements these people have, and the IDs of their earliest and
        latest dated one (None when none is dated)."""

    def count_statements(self, *, include_withdrawn: bool = False) -> int:
        """The number of (active) statements."""

    def find_by_platform_id(self, platform: str, platform_id: str) -> str | None:
        """The statement stored for a post of a platform, if any."""

    def find_by_platform_ids(self, platform: str, platform_ids: Iterable[str]) -> dict[str, str]:
        """platform_id -> statement_id for those of ``platform_ids`` that are stored."""

    def find_by_text_hashes(self, person_id: str, digests: Iterable[str]) -> dict[str, str]:
        """text hash -> the lowest statement ID among a speaker's statements with that
        current text (how an import matches a record without a platform ID)."""

    def current_hashes(self) -> dict[str, str]:
        """statement_id -> text hash of the current revision, active statements only."""

    def last_change(self) -> int:
        """The number of the latest journal entry (0 when none)."""

    def changed_since(self, seq: int) -> set[str]:
        """The statement IDs journalled after entry ``seq``."""

    # -- the log -------------------------------------------------------------------------
    def replace_log(self, entries: Iterable[str]) -> None:
        """Put the given entries (canonical JSON texts, in order) in place of the log, inside
        the caller's transaction: only for restoring an export's log."""

    def log_size(self) -> int:
        """The number of entries."""

    def log_leaf_hash(self, index: int) -> bytes | None:
        """The stored leaf hash of entry ``index``, or None."""

    def log_leaf_hashes(self, start: int, end: int) -> Iterator[bytes]:
        """The stored leaf hashes of entries ``start`` to ``end - 1``, in order."""

    def iter_log(self) -> Iterator[tuple[int, str, bytes]]:
        """(index, entry text, stored leaf hash) of every entry, in order."""

    def log_entries_about(self, statement_id: str, size: int) -> list[tuple[int, str]]:
        """(index, entry text) of a statement's revisions and withdrawal among the first
        ``size`` entries."""

    # -- integrity -----------------------------------------------------------------------
    def find_hash_mismatches(self) -> list[str]:
        """One line per revision whose stored text no longer hashes to its stored hash, and
        per statement whose current hash differs from its current revision's."""

    def find_broken_statements(self) -> list[str]:
        """One line per statement whose revisions are not numbered 1 to its current one, or
        whose speaker or platform ID differs from its current revision's."""

    def find_broken_links(self) -> list[str]:
        """One line per link (reply, report, translation) of a current revision to a
        statement that is not stored."""

    def iter_revision_rows(self) -> Iterator[tuple[str, int, str, str, str, str, str | None]]:
        """Every revision as stored: (statement_id, revision, text, content JSON without the
        text, reason, created_at, the statement's created_at), by statement and revision."""

    def iter_statement_states(self) -> Iterator[tuple[str, str, str, str]]:
        """(statement_id, status, withdrawn_reason, withdrawn_at) of every statement, by ID."""
