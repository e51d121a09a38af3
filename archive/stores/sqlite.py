"""The SQLite implementation of ``ArchiveStore``: the archive in one file, the record of
truth — and the only place with SQL.

One ``SQLiteStore`` wraps one connection to ``archive.sqlite3`` (WAL mode). Every
public write runs in a transaction; ``transaction()`` groups several writes
(an import batch) into one. The writes are checked by ``archive.rules`` in
``CheckedWrites`` (``archive.stores.writes``); this module stores what passes.
Revisions are append-only: a correction adds a row, a withdrawal marks the
statement and keeps every revision readable.
Code that must follow writes (the search index) registers a listener that
is called with the changed statement IDs after each commit. Every write that
changes what the archive says also appends its entries to the log table
(``archive.log`` makes them) in the same transaction.
"""

from __future__ import annotations

import json
import os
import sqlite3
import threading
import time
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote

from archive.data_dir import ARCHIVE_FILE
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
    InvalidRecordError,
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
    ArchiveMissingError,
    ChangeListener,
    PersonNotFoundError,
    RevisionNotFoundError,
    StatementNotFoundError,
    StoreError,
    StoreWriteError,
)
from archive.stores.writes import CheckedWrites

LOG_SCHEMA_VERSION = 3  # the version that adds the log, built from the stored records
BUSY_TIMEOUT_MS = 30_000

_MIGRATIONS: dict[int, str] = {
    1: """
    CREATE TABLE people (
        person_id   TEXT PRIMARY KEY,
        name        TEXT NOT NULL,
        handles     TEXT NOT NULL DEFAULT '[]',
        aliases     TEXT NOT NULL DEFAULT '[]',
        description TEXT NOT NULL DEFAULT '',
        unnamed     INTEGER NOT NULL DEFAULT 0
    );
    CREATE TABLE sources (
        source_id    TEXT PRIMARY KEY,
        title        TEXT NOT NULL,
        lang         TEXT NOT NULL DEFAULT '',
        publisher    TEXT NOT NULL DEFAULT '',
        url          TEXT NOT NULL DEFAULT '',
        retrieved_at TEXT NOT NULL DEFAULT '',
        description  TEXT NOT NULL DEFAULT ''
    );
    CREATE TABLE statements (
        statement_id     TEXT PRIMARY KEY,
        status           TEXT NOT NULL CHECK (status IN ('active', 'withdrawn')),
        current_revision INTEGER NOT NULL,
        person_id        TEXT NOT NULL REFERENCES people(person_id),
        platform         TEXT NOT NULL DEFAULT '',
        platform_id      TEXT NOT NULL DEFAULT '',
        text_sha256      TEXT NOT NULL,
        sort_key         TEXT NOT NULL DEFAULT '',
        created_at       TEXT NOT NULL,
        withdrawn_reason TEXT NOT NULL DEFAULT '',
        withdrawn_at     TEXT NOT NULL DEFAULT ''
    );
    CREATE UNIQUE INDEX statements_platform_id ON statements(platform, platform_id)
        WHERE platform_id != '';
    CREATE INDEX statements_person ON statements(person_id, sort_key);
    CREATE INDEX statements_hash ON statements(person_id, text_sha256);
    CREATE TABLE revisions (
        statement_id TEXT NOT NULL REFERENCES statements(statement_id),
        revision     INTEGER NOT NULL,
        text         TEXT NOT NULL,
        text_sha256  TEXT NOT NULL,
        content      TEXT NOT NULL,
        reason       TEXT NOT NULL,
        created_at   TEXT NOT NULL,
        PRIMARY KEY (statement_id, revision)
    ) WITHOUT ROWID;
    CREATE TABLE changes (
        seq          INTEGER PRIMARY KEY AUTOINCREMENT,
        statement_id TEXT NOT NULL
    );
    """,
    2: """
    CREATE INDEX revisions_in_reply_to ON revisions(json_extract(content, '$.in_reply_to'))
        WHERE json_extract(content, '$.in_reply_to') != '';
    CREATE INDEX revisions_reported_by ON revisions(json_extract(content, '$.reported_by'))
        WHERE json_extract(content, '$.reported_by') != '';
    """,
    3: """
    CREATE TABLE log (
        leaf_index INTEGER PRIMARY KEY,
        type       TEXT NOT NULL,
        subject    TEXT NOT NULL,
        revision   INTEGER NOT NULL DEFAULT 0,
        entry      TEXT NOT NULL,
        leaf_hash  BLOB NOT NULL
    );
    CREATE INDEX log_subject ON log(subject, type);
    """,
}
# One column list per table, in the order the row readers below expect.
_PEOPLE = "person_id, name, handles, aliases, description, unnamed"
_SOURCES = "source_id, title, lang, publisher, url, retrieved_at, description"
_HEADS = "statement_id, status, current_revision, created_at, withdrawn_reason, withdrawn_at"
_STATEMENTS = ("statement_id, status, current_revision, person_id, platform, platform_id,"
               " text_sha256, sort_key, created_at, withdrawn_reason, withdrawn_at")
_REVISIONS = "statement_id, revision, text, text_sha256, content, reason, created_at"


def _marks(values) -> str:
    return ",".join("?" * len(values))


class SQLiteStore(CheckedWrites):
    """The archive in one SQLite file."""

    def __init__(self, path: str | Path, *, readonly: bool = False):
        self.path = Path(path)
        self.readonly = readonly
        if not readonly:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self._db = self._connect(readonly)
        except sqlite3.OperationalError as error:
            if readonly and not self.path.exists():
                raise ArchiveMissingError(f"no archive at {self.path}") from error
            if readonly or not self.path.exists() or os.access(self.path.parent, os.W_OK):
                raise StoreError(f"cannot open {self.path}: {error}") from error
            # A read-only folder or medium: the archive stays readable, and every write
            # is refused with StoreWriteError naming the file.
            self.readonly = True
            self._db = self._connect(True)
        self._lock = threading.RLock()
        self._depth = 0
        self._changed: set[str] = set()
        self.listeners: list[ChangeListener] = []
        self._flush_on_close = False

    def _connect(self, readonly: bool) -> sqlite3.Connection:
        if not readonly:
            return self._open(self.path, uri=False, wal=True)
        uri = f"file:{quote(str(self.path))}?mode=ro"
        try:
            return self._open(uri)
        except sqlite3.OperationalError:
            # Without write access to its folder SQLite cannot make the WAL's shared index;
            # when no write-ahead log is pending, nothing can change the file, so it is
            # read as immutable.
            wal = self.path.with_name(self.path.name + "-wal")
            if os.access(self.path.parent, os.W_OK) or (wal.exists() and wal.stat().st_size):
                raise
            return self._open(uri + "&immutable=1")

    @staticmethod
    def _open(target: str | Path, *, uri: bool = True, wal: bool = False) -> sqlite3.Connection:
        db = sqlite3.connect(target, uri=uri, isolation_level=None, check_same_thread=False,
                             timeout=BUSY_TIMEOUT_MS / 1000)
        try:
            if wal:
                SQLiteStore._switch_to_wal(db)
            db.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
            db.execute("PRAGMA foreign_keys=ON")
            db.execute("PRAGMA synchronous=NORMAL")
            db.execute("PRAGMA user_version").fetchone()  # fails here if it cannot be read
        except BaseException:
            db.close()
            raise
        return db

    @staticmethod
    def _switch_to_wal(db: sqlite3.Connection) -> None:
        """Put a new archive into WAL mode. The switch needs the file to itself and SQLite
        answers "database is locked" at once, without waiting, while another process (a
        server's other worker starting together) is creating the tables: so it is tried
        again until the busy timeout."""
        deadline = time.monotonic() + BUSY_TIMEOUT_MS / 1000
        while True:
            try:
                if db.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
                    db.execute("PRAGMA journal_mode=WAL")
                return
            except sqlite3.OperationalError as error:
                if "locked" not in str(error) or time.monotonic() > deadline:
                    raise
                time.sleep(0.02)

    # -- lifecycle --------------------------------------------------------
    def close(self) -> None:
        self._db.close()
        if self._flush_on_close:
            descriptor = os.open(self.path, os.O_RDONLY)
            try:
                os.fsync(descriptor)
            finally:
                os.close(descriptor)

    def __enter__(self) -> SQLiteStore:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    @property
    def location(self) -> str:
        return str(self.path.resolve())

    @property
    def schema_version(self) -> int:
        return self._db.execute("PRAGMA user_version").fetchone()[0]

    def is_initialised(self) -> bool:
        return self.schema_version > 0

    def migrate(self) -> int:
        """Bring the schema forward to SCHEMA_VERSION; returns the version.

        The version is read under the write lock, so that processes starting
        together on a new archive (a server's workers) migrate it once.
        """
        if self.schema_version == SCHEMA_VERSION:
            return SCHEMA_VERSION
        with self.transaction():
            current = self.schema_version
            if current > SCHEMA_VERSION:
                raise StoreError(f"{self.path} has schema version {current},"
                                 f" newer than this software ({SCHEMA_VERSION})")
            for version in range(current + 1, SCHEMA_VERSION + 1):
                for statement in _MIGRATIONS[version].split(";"):
                    if statement.strip():
                        self._db.execute(statement)
                if version == LOG_SCHEMA_VERSION:
                    self._build_log()
                self._db.execute(f"PRAGMA user_version={version}")
        return self.schema_version

    # transaction() is CheckedWrites', over these three steps
    def _begin(self) -> None:
        if self.readonly:
            raise StoreWriteError(f"cannot write to {self.path}: it is open read-only"
                                  " (a read-only file, folder or medium)")
        try:
            self._db.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as error:
            raise StoreWriteError(f"cannot write to {self.path}: {error}") from error

    def _rollback(self) -> None:
        # SQLite has already rolled back after some errors (a full disk)
        if self._db.in_transaction:
            self._db.execute("ROLLBACK")

    def _commit(self) -> None:
        try:
            self._db.execute("COMMIT")
        except sqlite3.OperationalError as error:
            self._rollback()
            raise StoreWriteError(f"cannot write to {self.path}: {error}") from error

    def _write(self, sql: str, params: Iterable = ()) -> sqlite3.Cursor:
        if self._depth == 0:
            raise StoreError("writes must run inside the store's transaction()")
        try:
            return self._db.execute(sql, tuple(params))
        except sqlite3.IntegrityError as error:
            raise InvalidRecordError(str(error)) from error
        except sqlite3.OperationalError as error:
            raise StoreWriteError(f"cannot write to {self.path}: {error}") from error

    def _write_many(self, sql: str, rows: list[tuple]) -> sqlite3.Cursor:
        if self._depth == 0:
            raise StoreError("writes must run inside the store's transaction()")
        try:
            return self._db.executemany(sql, rows)
        except sqlite3.IntegrityError as error:
            raise InvalidRecordError(str(error)) from error
        except sqlite3.OperationalError as error:
            raise StoreWriteError(f"cannot write to {self.path}: {error}") from error

    def _mark_changed(self, statement_id: str) -> None:
        self._changed.add(statement_id)
        self._write("INSERT INTO changes (statement_id) VALUES (?)", (statement_id,))

    # -- people and sources ----------------------------------------------
    def put_person(self, person: Person) -> Person:
        """Insert or update a person; statements that name them are re-indexed."""
        person.validate()
        with self.transaction():
            self._write(
                f"INSERT INTO people ({_PEOPLE}) VALUES (?, ?, ?, ?, ?, ?)"
                " ON CONFLICT(person_id) DO UPDATE SET"
                " name=excluded.name, handles=excluded.handles, aliases=excluded.aliases,"
                " description=excluded.description, unnamed=excluded.unnamed"
                " WHERE (name, handles, aliases, description, unnamed) IS NOT"
                " (excluded.name, excluded.handles, excluded.aliases, excluded.description,"
                " excluded.unnamed)",
                (person.person_id, person.name, json.dumps(list(person.handles)),
                 json.dumps(list(person.aliases)), person.description, int(person.unnamed)),
            )
            if self._db.execute("SELECT changes()").fetchone()[0]:
                self._log([person_entry(person)])
                for (statement_id,) in self._db.execute(
                    "SELECT statement_id FROM statements WHERE person_id = ?", (person.person_id,)
                ).fetchall():
                    self._mark_changed(statement_id)
        return person

    @staticmethod
    def _person_from_row(row: tuple) -> Person:
        person_id, name, handles, aliases, description, unnamed = row
        return Person(person_id, name, tuple(json.loads(handles)), tuple(json.loads(aliases)),
                      description, bool(unnamed))

    def get_person(self, person_id: str) -> Person:
        row = self._db.execute(
            f"SELECT {_PEOPLE} FROM people WHERE person_id = ?", (person_id,)).fetchone()
        if row is None:
            raise PersonNotFoundError(person_id)
        return self._person_from_row(row)

    def list_people(self) -> list[tuple[Person, int]]:
        """Every person with their number of active statements, by name."""
        rows = self._db.execute(
            f"SELECT {', '.join('p.' + column for column in _PEOPLE.split(', '))},"
            " (SELECT count(*) FROM statements s WHERE s.person_id = p.person_id"
            "  AND s.status = 'active') FROM people p ORDER BY p.unnamed, p.name, p.person_id"
        ).fetchall()
        return [(self._person_from_row(row[:6]), row[6]) for row in rows]

    def put_source(self, source: Source) -> Source:
        source.validate()
        with self.transaction():
            self._write(
                f"INSERT INTO sources ({_SOURCES}) VALUES (?, ?, ?, ?, ?, ?, ?)"
                " ON CONFLICT(source_id) DO UPDATE SET"
                " title=excluded.title, lang=excluded.lang, publisher=excluded.publisher,"
                " url=excluded.url, retrieved_at=excluded.retrieved_at,"
                " description=excluded.description"
                " WHERE (title, lang, publisher, url, retrieved_at, description) IS NOT"
                " (excluded.title, excluded.lang, excluded.publisher, excluded.url,"
                " excluded.retrieved_at, excluded.description)",
                (source.source_id, source.title, source.lang, source.publisher, source.url,
                 source.retrieved_at, source.description),
            )
            if self._db.execute("SELECT changes()").fetchone()[0]:
                self._log([source_entry(source)])
        return source

    def get_source(self, source_id: str) -> Source | None:
        row = self._db.execute(
            f"SELECT {_SOURCES} FROM sources WHERE source_id = ?", (source_id,)).fetchone()
        return Source(*row) if row else None

    def list_sources(self) -> list[Source]:
        return [Source(*row) for row in self._db.execute(
            f"SELECT {_SOURCES} FROM sources ORDER BY source_id")]

    # -- statements: writes (checked by archive.rules in CheckedWrites)
    def _store_withdrawal(self, statement_id: str, reason: str, withdrawn_at: str) -> None:
        self._write(
            "UPDATE statements SET status = 'withdrawn', withdrawn_reason = ?,"
            " withdrawn_at = ? WHERE statement_id = ?", (reason, withdrawn_at, statement_id))
        self._log([withdrawal_entry(statement_id, reason, withdrawn_at)])
        self._mark_changed(statement_id)

    # -- statements: reads -----------------------------------------------
    def has_statement(self, statement_id: str) -> bool:
        return self._db.execute("SELECT 1 FROM statements WHERE statement_id = ?",
                                (statement_id,)).fetchone() is not None

    def existing_statement_ids(self, candidates: Iterable[str]) -> list[str]:
        found: list[str] = []
        for chunk in self._chunks(sorted(set(candidates))):
            found.extend(row[0] for row in self._db.execute(
                f"SELECT statement_id FROM statements WHERE statement_id IN ({_marks(chunk)})"
                " ORDER BY statement_id", chunk))
        return found

    @staticmethod
    def _revision_from_row(row: tuple) -> Revision:
        revision, text, digest, content_json, reason, created_at = row
        data = json.loads(content_json)
        data["text"] = text
        return Revision(revision, StatementContent.from_dict(data), digest, reason, created_at)

    def get_statement(self, statement_id: str, revision: int | None = None) -> Statement:
        """The statement (withdrawn ones too) at its current or the given revision."""
        head = self._db.execute(
            f"SELECT {_HEADS} FROM statements WHERE statement_id = ?", (statement_id,)).fetchone()
        if head is None:
            raise StatementNotFoundError(statement_id)
        rows = self._db.execute(
            f"SELECT {_REVISIONS} FROM revisions WHERE statement_id = ? ORDER BY revision",
            (statement_id,)).fetchall()
        revisions = tuple(self._revision_from_row(row[1:]) for row in rows)
        return self._assemble(head, revisions, revision)

    def _assemble(self, head: tuple, revisions: tuple[Revision, ...], revision: int | None,
                  people: dict[str, Person] | None = None) -> Statement:
        statement_id, status, current, created_at, withdrawn_reason, withdrawn_at = head
        wanted = current if revision is None else revision
        chosen = next((r for r in revisions if r.revision == wanted), None)
        if chosen is None:
            raise RevisionNotFoundError(f"{statement_id} has no revision {wanted}")
        person_id = chosen.content.person_id
        speaker = people[person_id] if people and person_id in people else self.get_person(person_id)
        return Statement(statement_id, status, chosen, revisions, speaker, created_at,
                         withdrawn_reason, withdrawn_at)

    def iter_statements(self, *, include_withdrawn: bool = True,
                        person_id: str | None = None, batch: int = 2000) -> Iterator[Statement]:
        """Every statement at its current revision, in ID order, read in batches."""
        people = {person.person_id: person for person, _ in self.list_people()}
        where = [] if include_withdrawn else ["status = 'active'"]
        params: list = []
        if person_id is not None:
            where.append("person_id = ?")
            params.append(person_id)
        after = ""
        while True:
            clause = " AND ".join(where + ["statement_id > ?"])
            heads = self._db.execute(
                f"SELECT {_HEADS} FROM statements WHERE {clause} ORDER BY statement_id LIMIT ?",
                (*params, after, batch)).fetchall()
            if not heads:
                return
            first, last = heads[0][0], heads[-1][0]
            grouped: dict[str, list[Revision]] = {}
            for row in self._db.execute(
                f"SELECT {_REVISIONS} FROM revisions WHERE statement_id BETWEEN ? AND ?"
                " ORDER BY statement_id, revision", (first, last)):
                grouped.setdefault(row[0], []).append(self._revision_from_row(row[1:]))
            for head in heads:
                yield self._assemble(head, tuple(grouped[head[0]]), None, people)
            after = last

    def withdrawn_statements(self, *, limit: int = 500) -> list[Statement]:
        """The most recently withdrawn statements, the latest withdrawal first."""
        ids = [row[0] for row in self._db.execute(
            "SELECT statement_id FROM statements WHERE status = 'withdrawn'"
            " ORDER BY withdrawn_at DESC, statement_id LIMIT ?", (limit,))]
        found = self.get_statements(ids)
        return [found[statement_id] for statement_id in ids if statement_id in found]

    def statements_by_person(self, person_id: str, *, limit: int = 1000) -> list[Statement]:
        """A person's statements (withdrawn ones included), newest first."""
        ids = [row[0] for row in self._db.execute(
            "SELECT statement_id FROM statements WHERE person_id = ?"
            " ORDER BY sort_key DESC, statement_id LIMIT ?", (person_id, limit))]
        found = self.get_statements(ids)
        return [found[statement_id] for statement_id in ids]

    def find_linking_statements(self, statement_id: str, link: str) -> list[str]:
        """Active statements whose current revision points here by ``link``
        (``in_reply_to``: the replies; ``reported_by``: what this statement reports)."""
        if link not in LINKS:
            raise ValueError(f"link must be one of {LINKS}")
        expression = f"json_extract(r.content, '$.{link}')"
        return [row[0] for row in self._db.execute(
            "SELECT s.statement_id FROM revisions r JOIN statements s"
            " ON s.statement_id = r.statement_id AND s.current_revision = r.revision"
            f" WHERE {expression} = ? AND {expression} != '' AND s.status = 'active'"
            " ORDER BY s.sort_key, s.statement_id", (statement_id,))]

    def speaker_coverage(self, person_ids: Iterable[str]) -> tuple[int, str | None, str | None]:
        """How many active statements these people have, and the IDs of the earliest and the
        latest dated one (None when none is dated)."""
        person_ids = sorted(set(person_ids))
        if not person_ids:
            return 0, None, None
        marks = _marks(person_ids)
        where = f"person_id IN ({marks}) AND status = 'active'"
        count = self._db.execute(f"SELECT count(*) FROM statements WHERE {where}",
                                 person_ids).fetchone()[0]
        ends = []
        for order in ("ASC", "DESC"):
            row = self._db.execute(
                f"SELECT statement_id FROM statements WHERE {where} AND sort_key != ''"
                f" ORDER BY sort_key {order}, statement_id {order} LIMIT 1", person_ids).fetchone()
            ends.append(row[0] if row else None)
        return count, ends[0], ends[1]

    def count_statements(self, *, include_withdrawn: bool = False) -> int:
        where = "" if include_withdrawn else " WHERE status = 'active'"
        return self._db.execute(f"SELECT count(*) FROM statements{where}").fetchone()[0]

    def find_by_platform_id(self, platform: str, platform_id: str) -> str | None:
        row = self._db.execute(
            # platform_id != '' lets SQLite use the partial index statements_platform_id
            "SELECT statement_id FROM statements WHERE platform = ? AND platform_id != ''"
            " AND platform_id = ?", (platform, platform_id)).fetchone()
        return row[0] if row else None

    def current_hashes(self) -> dict[str, str]:
        """statement_id -> text hash of the current revision, active statements only."""
        return dict(self._db.execute(
            "SELECT statement_id, text_sha256 FROM statements WHERE status = 'active'"))

    def last_change(self) -> int:
        return self._db.execute("SELECT coalesce(max(seq), 0) FROM changes").fetchone()[0]

    def changed_since(self, seq: int) -> set[str]:
        return {row[0] for row in self._db.execute(
            "SELECT DISTINCT statement_id FROM changes WHERE seq > ?", (seq,))}

    # -- the log -----------------------------------------------------------
    def _log(self, entries: Iterable[dict]) -> None:
        """Append entries to the log, inside the caller's transaction."""
        start = self.log_size()
        rows = []
        for offset, entry in enumerate(entries):
            text = encode_entry(entry)
            rows.append((start + offset, *entry_key(entry), text, leaf_of(text)))
        if rows:
            self._write_many("INSERT INTO log (leaf_index, type, subject, revision, entry,"
                             " leaf_hash) VALUES (?, ?, ?, ?, ?, ?)", rows)

    def _build_log(self) -> None:
        """The log of an archive stored before there was one, in this order: every person,
        then every source, in the order they were stored; then every statement by creation
        time (in the order stored within the same time), each with its revisions in order
        and its withdrawal. An archive holding the seed collection, loaded in its file's
        order, so gets the same log as one that loaded the seed with the log in place."""
        people = {person.person_id: person for person, _ in self.list_people()}
        self._log(person_entry(people[person_id]) for (person_id,) in self._db.execute(
            "SELECT person_id FROM people ORDER BY rowid").fetchall())
        sources = {source.source_id: source for source in self.list_sources()}
        self._log(source_entry(sources[source_id]) for (source_id,) in self._db.execute(
            "SELECT source_id FROM sources ORDER BY rowid").fetchall())
        ids = [row[0] for row in self._db.execute(
            "SELECT statement_id FROM statements ORDER BY created_at, rowid")]
        for chunk in self._chunks(ids):
            found = self.get_statements(chunk)
            entries = []
            for statement_id in chunk:
                statement = found[statement_id]
                entries.extend(statement_entries(
                    statement, [hash_text(r.content.text) for r in statement.revisions]))
            self._log(entries)

    def replace_log(self, entries: Iterable[str]) -> None:
        """Put the given entries (canonical JSON texts, in order) in place of the log: only
        for restoring an export into an archive that had no log before this transaction."""
        if self._depth == 0:
            raise StoreError("writes must run inside the store's transaction()")
        self._write("DELETE FROM log")
        self._write_many(
            "INSERT INTO log (leaf_index, type, subject, revision, entry, leaf_hash)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            [(index, *entry_key(json.loads(text)), text, leaf_of(text))
             for index, text in enumerate(entries)])

    def log_size(self) -> int:
        """The number of entries (one past the last index)."""
        return self._db.execute("SELECT coalesce(max(leaf_index) + 1, 0) FROM log").fetchone()[0]

    def log_leaf_hash(self, index: int) -> bytes | None:
        row = self._db.execute("SELECT leaf_hash FROM log WHERE leaf_index = ?",
                               (index,)).fetchone()
        return bytes(row[0]) if row else None

    def log_leaf_hashes(self, start: int, end: int) -> Iterator[bytes]:
        """The stored leaf hashes of entries start to end - 1, in order."""
        for (leaf,) in self._db.execute(
                "SELECT leaf_hash FROM log WHERE leaf_index >= ? AND leaf_index < ?"
                " ORDER BY leaf_index", (start, end)):
            yield bytes(leaf)

    def iter_log(self) -> Iterator[tuple[int, str, bytes]]:
        """(index, entry text, stored leaf hash) of every entry, in order."""
        for index, text, leaf in self._db.execute(
                "SELECT leaf_index, entry, leaf_hash FROM log ORDER BY leaf_index"):
            yield index, text, bytes(leaf)

    def log_entries_about(self, statement_id: str, size: int) -> list[tuple[int, str]]:
        """(index, entry text) of a statement's revisions and withdrawal among the first
        ``size`` entries."""
        return self._db.execute(
            "SELECT leaf_index, entry FROM log WHERE subject = ? AND type IN"
            " ('revision', 'withdrawal') AND leaf_index < ? ORDER BY leaf_index",
            (statement_id, size)).fetchall()

    # -- integrity -------------------------------------------------------
    def find_hash_mismatches(self) -> list[str]:
        """Re-hash every stored revision; one line per revision whose text no
        longer matches its hash, and per statement whose current hash is off."""
        problems = []
        for statement_id, revision, text, digest in self._db.execute(
            "SELECT statement_id, revision, text, text_sha256 FROM revisions"
            " ORDER BY statement_id, revision"):
            actual = hash_text(text)
            if actual != digest:
                problems.append(
                    f"{statement_id}@{revision}: text hashes to {actual[:12]}…, stored {digest[:12]}…")
        for statement_id, digest in self._db.execute(
            "SELECT s.statement_id, s.text_sha256 FROM statements s JOIN revisions r"
            " ON r.statement_id = s.statement_id AND r.revision = s.current_revision"
            " WHERE r.text_sha256 != s.text_sha256"):
            problems.append(f"{statement_id}: current hash {digest[:12]}… differs from its revision")
        return problems

    def find_broken_statements(self) -> list[str]:
        """One line per statement whose revisions are not numbered 1 to its current one, or
        whose summary row (speaker, platform ID, hash) differs from its current revision."""
        problems = [f"{statement_id}: has {count} revision(s) numbered {low} to {high},"
                    f" not 1 to {current}"
                    for statement_id, current, count, low, high in self._db.execute(
                        "SELECT s.statement_id, s.current_revision, count(r.revision),"
                        " min(r.revision), max(r.revision) FROM statements s LEFT JOIN"
                        " revisions r ON r.statement_id = s.statement_id GROUP BY s.statement_id"
                        " HAVING count(r.revision) != s.current_revision OR min(r.revision) != 1"
                        " OR max(r.revision) != s.current_revision ORDER BY s.statement_id")]
        for (statement_id,) in self._db.execute(
                "SELECT s.statement_id FROM statements s JOIN revisions r"
                " ON r.statement_id = s.statement_id AND r.revision = s.current_revision"
                " WHERE s.person_id IS NOT json_extract(r.content, '$.person_id')"
                " OR s.platform IS NOT json_extract(r.content, '$.platform')"
                " OR s.platform_id IS NOT json_extract(r.content, '$.platform_id')"
                " ORDER BY s.statement_id"):
            problems.append(f"{statement_id}: its speaker or platform ID differs from its"
                            " current revision")
        return problems

    def find_broken_links(self) -> list[str]:
        """One line per link (reply, report, translation) of a current revision to a
        statement that is not stored."""
        problems = []
        for name in ("in_reply_to", "reported_by", "translation_of"):
            expression = f"json_extract(r.content, '$.{name}')"
            for statement_id, target in self._db.execute(
                    f"SELECT s.statement_id, {expression} FROM statements s JOIN revisions r"
                    " ON r.statement_id = s.statement_id AND r.revision = s.current_revision"
                    f" WHERE coalesce({expression}, '') != '' AND {expression} NOT IN"
                    " (SELECT statement_id FROM statements) ORDER BY s.statement_id"):
                problems.append(f"{statement_id}: {name} points to missing {target}")
        return problems

    def iter_revision_rows(self) -> Iterator[tuple[str, int, str, str, str, str, str | None]]:
        """Every stored revision as stored: (statement_id, revision, text, content JSON,
        reason, created_at, the statement's created_at), by statement and revision."""
        yield from self._db.execute(
            "SELECT r.statement_id, r.revision, r.text, r.content, r.reason, r.created_at,"
            " s.created_at FROM revisions r LEFT JOIN statements s"
            " ON s.statement_id = r.statement_id ORDER BY r.statement_id, r.revision")

    def iter_statement_states(self) -> Iterator[tuple[str, str, str, str]]:
        """(statement_id, status, withdrawn_reason, withdrawn_at) of every statement."""
        yield from self._db.execute(
            "SELECT statement_id, status, withdrawn_reason, withdrawn_at FROM statements"
            " ORDER BY statement_id")

    def copy_to(self, folder: Path) -> SQLiteStore:
        """The copy is ``archive.sqlite3`` in ``folder``, made with SQLite's online backup,
        which copies one consistent state while others keep reading and writing."""
        destination = Path(folder) / ARCHIVE_FILE
        try:
            target = sqlite3.connect(destination)
            try:
                self._db.backup(target)
            finally:
                target.close()
            copy = SQLiteStore(destination)
        except sqlite3.Error as error:
            raise StoreError(f"cannot copy the archive: {error}") from error
        copy._flush_on_close = True
        try:
            copy.migrate()  # a source not yet opened for writing since an upgrade
        except BaseException:
            copy.close()
            raise
        return copy

    # -- bulk reads and writes for import and restore ----------------------
    # An import of tens of thousands of records cannot afford two queries per
    # record: these read and write in chunks, inside the caller's transaction.
    _CHUNK = 500

    def _chunks(self, values: list) -> Iterator[list]:
        for start in range(0, len(values), self._CHUNK):
            yield values[start:start + self._CHUNK]

    def person_ids(self) -> set[str]:
        return {row[0] for row in self._db.execute("SELECT person_id FROM people")}

    def source_ids(self) -> set[str]:
        return {row[0] for row in self._db.execute("SELECT source_id FROM sources")}

    def find_by_platform_ids(self, platform: str, platform_ids: Iterable[str]) -> dict[str, str]:
        """platform_id -> statement_id for those of ``platform_ids`` that are stored."""
        found: dict[str, str] = {}
        for chunk in self._chunks(sorted(set(platform_ids))):
            marks = _marks(chunk)
            found.update(self._db.execute(
                "SELECT platform_id, statement_id FROM statements WHERE platform = ?"
                f" AND platform_id != '' AND platform_id IN ({marks})", (platform, *chunk)))
        return found

    def find_by_text_hashes(self, person_id: str, digests: Iterable[str]) -> dict[str, str]:
        """text hash -> statement_id (the lowest ID) for a speaker's stored statements."""
        found: dict[str, str] = {}
        for chunk in self._chunks(sorted(set(digests))):
            marks = _marks(chunk)
            for digest, statement_id in self._db.execute(
                "SELECT text_sha256, min(statement_id) FROM statements WHERE person_id = ?"
                f" AND text_sha256 IN ({marks}) GROUP BY text_sha256", (person_id, *chunk)):
                found[digest] = statement_id
        return found

    def get_statements(self, statement_ids: Iterable[str]) -> dict[str, Statement]:
        """Several statements at their current revision, read in chunks (the ones not
        stored are left out): three queries per chunk instead of three per statement."""
        people: dict[str, Person] = {}
        found: dict[str, Statement] = {}
        for chunk in self._chunks(sorted(set(statement_ids))):
            marks = _marks(chunk)
            heads = self._db.execute(
                f"SELECT {_HEADS} FROM statements WHERE statement_id IN ({marks})", chunk).fetchall()
            grouped: dict[str, list[Revision]] = {}
            for row in self._db.execute(
                f"SELECT {_REVISIONS} FROM revisions WHERE statement_id IN ({marks})"
                " ORDER BY statement_id, revision",
                chunk):
                grouped.setdefault(row[0], []).append(self._revision_from_row(row[1:]))
            wanted = {revision.content.person_id for revisions in grouped.values()
                      for revision in revisions} - people.keys()
            people.update(self._people_by_id(wanted))
            for head in heads:
                found[head[0]] = self._assemble(head, tuple(grouped[head[0]]), None, people)
        return found

    def _people_by_id(self, person_ids: Iterable[str]) -> dict[str, Person]:
        found: dict[str, Person] = {}
        for chunk in self._chunks(sorted(set(person_ids))):
            marks = _marks(chunk)
            for row in self._db.execute(
                f"SELECT {_PEOPLE} FROM people WHERE person_id IN ({marks})", chunk):
                found[row[0]] = self._person_from_row(row)
        return found

    @staticmethod
    def _revision_row(statement_id: str, revision: Revision) -> tuple:
        digest = check_text_hash(statement_id, revision)
        data = revision.content.to_dict()
        del data["text"]
        return (statement_id, revision.revision, canonical_text(revision.content.text), digest,
                json.dumps(data, ensure_ascii=False, sort_keys=True), revision.reason,
                revision.created_at)

    def _store_statements(self, statements: Sequence[Statement]) -> None:
        ids = [statement.statement_id for statement in statements]
        revision_rows = []
        statement_rows = []
        entries = []
        for statement in statements:
            rows = [self._revision_row(statement.statement_id, revision)
                    for revision in statement.revisions]
            revision_rows.extend(rows)
            entries.extend(statement_entries(statement, [row[3] for row in rows]))
            current = statement.revisions[-1].content
            statement_rows.append((
                statement.statement_id, statement.status, len(rows), current.person_id,
                current.platform, current.platform_id, rows[-1][3],
                current.posted_at.sort_key(), statement.created_at,
                statement.withdrawn_reason, statement.withdrawn_at))
        self._write_many(
            f"INSERT INTO statements ({_STATEMENTS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            statement_rows)
        self._write_many(
            f"INSERT INTO revisions ({_REVISIONS}) VALUES (?, ?, ?, ?, ?, ?, ?)", revision_rows)
        self._log(entries)
        self._write_many("INSERT INTO changes (statement_id) VALUES (?)",
                         [(statement_id,) for statement_id in ids])
        self._changed.update(ids)

    def _store_revisions(self, numbered: Sequence[tuple[str, Revision]]) -> None:
        revision_rows, updates, entries = [], {}, []
        for statement_id, revision in numbered:
            row = self._revision_row(statement_id, revision)
            revision_rows.append(row)
            entries.append(revision_entry(statement_id, revision.revision, revision.content,
                                          row[3], revision.reason, revision.created_at, ""))
            content = revision.content
            updates[statement_id] = (revision.revision, content.person_id, content.platform,
                                     content.platform_id, row[3], content.posted_at.sort_key(),
                                     statement_id)
        self._write_many(
            f"INSERT INTO revisions ({_REVISIONS}) VALUES (?, ?, ?, ?, ?, ?, ?)", revision_rows)
        self._write_many(
            "UPDATE statements SET current_revision = ?, person_id = ?, platform = ?,"
            " platform_id = ?, text_sha256 = ?, sort_key = ? WHERE statement_id = ?",
            list(updates.values()))
        self._log(entries)
        self._write_many("INSERT INTO changes (statement_id) VALUES (?)",
                         [(statement_id,) for statement_id in updates])
        self._changed.update(updates)

    def _store_people(self, people: Sequence[Person]) -> None:
        self._write_many(
            f"INSERT INTO people ({_PEOPLE}) VALUES (?, ?, ?, ?, ?, ?)",
            [(p.person_id, p.name, json.dumps(list(p.handles)), json.dumps(list(p.aliases)),
              p.description, int(p.unnamed)) for p in people])
        self._log(person_entry(person) for person in people)

    def _store_sources(self, sources: Sequence[Source]) -> None:
        self._write_many(
            f"INSERT INTO sources ({_SOURCES}) VALUES (?, ?, ?, ?, ?, ?, ?)",
            [(s.source_id, s.title, s.lang, s.publisher, s.url, s.retrieved_at,
              s.description) for s in sources])
        self._log(source_entry(source) for source in sources)

    @contextmanager
    def read_snapshot(self) -> Iterator[SQLiteStore]:
        """Reads inside see one consistent state of the archive, however many
        queries they take (a WAL read transaction); writers are not blocked."""
        with self._lock:
            if self._depth:
                yield self
                return
            self._db.execute("BEGIN")
            try:
                self._db.execute("SELECT count(*) FROM statements").fetchone()
                yield self
            finally:
                self._db.execute("COMMIT")
