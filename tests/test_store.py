"""The store's contract: revisions, tombstones, atomic writes, the rules of archive.rules, the
log and imports through the protocol — every test here runs against both implementations
(SQLiteStore and MemoryStore) unless it is marked ``sqlite_only``: the file, its WAL and
migrations, tampering with the file, and SQLite's query plans."""

from __future__ import annotations

import inspect
import io
import sqlite3
import threading

import pytest

from archive.export import export_archive
from archive.importers import ImportOptions, import_file
from archive.integrity import verify_archive
from archive.lifecycle import open_store
from archive.log import consistency, read_head, statement_proof, verify_statement_proof
from archive.records import (
    InvalidRecordError,
    Person,
    PlatformDeletion,
    Revision,
    StatementContent,
    hash_text,
)
from archive.seed import load_seed
from archive.store import (
    SCHEMA_VERSION,
    ArchiveStore,
    PersonNotFoundError,
    RevisionNotFoundError,
    StatementNotFoundError,
    StoreError,
)
from archive.stores.memory import MemoryStore
from archive.stores.sqlite import SQLiteStore
from tests.bulk_statements import bulk_records, write_jsonl

ALTMAN = "EGYN-534B"
STORES = ("sqlite", "memory")
SEED_LOG_SIZE, SEED_ROOT_START = 12, "9d268ddd"


@pytest.fixture(params=STORES)
def empty_store(request, tmp_path):
    """A migrated store with nothing in it, of each implementation."""
    if request.param == "memory":
        if request.node.get_closest_marker("sqlite_only"):
            pytest.skip("tests a capability of SQLiteStore alone")
        with MemoryStore() as opened:
            opened.migrate()
            yield opened
        return
    with open_store(tmp_path / "empty") as opened:
        yield opened


@pytest.fixture
def store(empty_store):
    """A store of each implementation with the seed collection loaded."""
    load_seed(empty_store)
    return empty_store


def add_sample(store: ArchiveStore, text: str = "Erster Satz.\n\nZweiter Absatz.") -> str:
    store.put_person(Person("tester", "Test Person"))
    return store.add_statement(StatementContent(person_id="tester", text=text, lang="de"))


@pytest.mark.sqlite_only
def test_schema_is_versioned_and_wal(store):
    assert store.schema_version == SCHEMA_VERSION
    with sqlite3.connect(store.path) as raw:
        assert raw.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


@pytest.mark.sqlite_only
def test_newer_schema_is_refused(tmp_path):
    path = tmp_path / "archive.sqlite3"
    with sqlite3.connect(path) as raw:
        raw.execute(f"PRAGMA user_version={SCHEMA_VERSION + 1}")
    with SQLiteStore(path) as store, pytest.raises(StoreError, match="newer than this software"):
        store.migrate()


def test_revision_keeps_the_old_text_readable(store):
    original = store.get_statement(ALTMAN)
    corrected = original.content.with_changes(text=original.text.replace(":))", ":)"))
    number = store.revise_statement(ALTMAN, corrected, "typo in the emoticon")
    assert number == 2
    current = store.get_statement(ALTMAN)
    assert current.revision.revision == 2 and current.text.endswith(":)")
    assert current.revision.reason == "typo in the emoticon"
    first = store.get_statement(ALTMAN, revision=1)
    assert first.text == original.text and first.revision.text_sha256 == original.revision.text_sha256
    assert [r.revision for r in current.revisions] == [1, 2]
    assert current.revision.text_sha256 == hash_text(current.text) != first.revision.text_sha256
    with pytest.raises(RevisionNotFoundError):
        store.get_statement(ALTMAN, revision=3)


def test_metadata_correction_is_a_revision_too(store):
    original = store.get_statement(ALTMAN)
    store.revise_statement(ALTMAN, original.content.with_changes(url="https://x.com/sama/status/1"),
                           "original address found")
    current = store.get_statement(ALTMAN)
    assert current.text == original.text and current.content.url.startswith("https://x.com/")
    assert store.get_statement(ALTMAN, 1).content.url == ""


def test_revision_needs_a_reason_and_a_change(store):
    content = store.get_statement(ALTMAN).content
    with pytest.raises(InvalidRecordError, match="changes nothing"):
        store.revise_statement(ALTMAN, content, "no change")
    with pytest.raises(InvalidRecordError, match="reason"):
        store.revise_statement(ALTMAN, content.with_changes(text="x"), " ")


def test_a_revision_that_changes_nothing_is_refused_in_bulk_too(store):
    content = store.get_statement(ALTMAN).content
    with pytest.raises(InvalidRecordError, match="changes nothing"):
        store.append_revisions([(ALTMAN, Revision(0, content, "", "no change", ""))])
    moved = content.with_changes(url="https://x.com/sama/status/1")
    with pytest.raises(InvalidRecordError, match="changes nothing"):
        store.append_revisions([(ALTMAN, Revision(0, moved, "", "address found", "")),
                                (ALTMAN, Revision(0, moved, "", "the same again", ""))])
    assert store.get_statement(ALTMAN).revision.revision == 1
    assert store.append_revisions([(ALTMAN, Revision(0, moved, "", "address found", ""))]) == 1
    assert store.get_statement(ALTMAN).content.url == moved.url


def test_withdrawal_leaves_a_tombstone_and_the_id_is_never_reused(store):
    store.withdraw_statement(ALTMAN, "attributed to the wrong account")
    tomb = store.get_statement(ALTMAN)
    assert tomb.is_withdrawn and tomb.withdrawn_reason == "attributed to the wrong account"
    assert tomb.text  # the words stay readable for anyone who cited them
    assert ALTMAN not in store.current_hashes()
    with pytest.raises(InvalidRecordError, match="already taken"):
        store.add_statement(tomb.content, statement_id=ALTMAN)
    with pytest.raises(InvalidRecordError, match="withdrawn"):
        store.revise_statement(ALTMAN, tomb.content.with_changes(text="neu"), "retry")


def test_withdrawn_statements_are_listed_latest_withdrawal_first(store):
    assert store.withdrawn_statements() == []
    first, second, third = (add_sample(store, f"Satz {n}.") for n in range(3))
    store.withdraw_statement(second, "second", withdrawn_at="2026-01-02T00:00:00+00:00")
    store.withdraw_statement(first, "first", withdrawn_at="2026-01-01T00:00:00+00:00")
    store.withdraw_statement(third, "third", withdrawn_at="2026-01-03T00:00:00+00:00")
    listed = store.withdrawn_statements()
    assert [s.statement_id for s in listed] == [third, second, first]
    assert all(s.is_withdrawn and s.withdrawn_reason for s in listed)
    assert [s.statement_id for s in store.withdrawn_statements(limit=1)] == [third]


def test_failed_batch_leaves_the_database_unchanged(store):
    before = store.count_statements()
    changes = store.last_change()
    with pytest.raises(InvalidRecordError, match="no person"):
        with store.transaction():
            add_sample(store)
            store.add_statement(StatementContent(person_id="nobody", text="Hallo"))
    assert store.count_statements() == before
    assert store.last_change() == changes
    with pytest.raises(PersonNotFoundError):
        store.get_person("tester")


def test_failed_write_does_not_reach_listeners(store):
    seen = []
    store.listeners.append(lambda _store, ids: seen.append(set(ids)))
    with pytest.raises(RuntimeError):
        with store.transaction():
            add_sample(store)
            raise RuntimeError("crash in the middle of a batch")
    assert seen == []
    statement_id = add_sample(store, "Ein anderer Text.")
    assert seen == [{statement_id}]


def test_broken_references_are_refused(store):
    store.put_person(Person("tester", "Test Person"))
    with pytest.raises(InvalidRecordError, match="in_reply_to"):
        store.add_statement(StatementContent(person_id="tester", text="Antwort", in_reply_to="M53G-3GCX"))
    with pytest.raises(InvalidRecordError, match="kind"):
        StatementContent(person_id="tester", text="x", kind="rumour").validate()


def test_text_is_stored_in_canonical_form(empty_store):
    decomposed = "Fu\u0308hrungskra\u0308fte\r\nzweite Zeile"
    statement_id = add_sample(empty_store, decomposed)
    stored = empty_store.get_statement(statement_id)
    assert stored.text == "Führungskräfte\nzweite Zeile"
    assert stored.revision.text_sha256 == hash_text(decomposed)


@pytest.mark.sqlite_only
def test_verify_detects_a_tampered_row(store):
    assert verify_archive(store) == []
    with sqlite3.connect(store.path) as raw:
        raw.execute("UPDATE revisions SET text = replace(text, 'Freund', 'Feind') WHERE statement_id = ?",
                    (ALTMAN,))
    problems = verify_archive(store)
    assert problems[0].startswith(f"{ALTMAN}@1")
    assert problems[1:] == [f"log entry 7 (statement {ALTMAN} revision 1): the stored statement"
                            f" {ALTMAN} revision 1 differs from its entry"]


def test_unknown_statement(store):
    with pytest.raises(StatementNotFoundError):
        store.get_statement("FGPN-RXWY")


@pytest.mark.sqlite_only
def test_platform_id_lookups_use_the_index_not_a_scan(empty_store):
    """An import looks up every chunk's platform IDs: with a scan of the whole table each time
    a million-statement import took quadratic time. Counted in SQLite VM steps, not seconds."""
    store = empty_store
    store.put_person(Person("tester", "Test Person"))
    with store.transaction():
        for number in range(3_000):
            store.add_statement(StatementContent(person_id="tester", text=f"Post number {number}.",
                                                 platform="x", platform_id=f"id-{number}"))
    steps = 0

    def count() -> int:
        nonlocal steps
        steps += 1
        return 0

    store._db.set_progress_handler(count, 10)
    try:
        found = store.find_by_platform_ids("x", [f"id-{number}" for number in range(0, 3_000, 300)])
        single = store.find_by_platform_id("x", "id-42")
    finally:
        store._db.set_progress_handler(None, 0)
    assert len(found) == 10 and single == store.find_by_platform_ids("x", ["id-42"])["id-42"]
    assert steps < 100  # ten index searches and one; a scan of 3,000 rows takes thousands


@pytest.mark.sqlite_only
def test_a_new_archive_opens_while_another_process_is_creating_it(tmp_path):
    """A server's workers start together: one creates the tables while the next opens the
    file, and switching a new file to WAL cannot wait on SQLite's busy handler."""
    path = tmp_path / "archive.sqlite3"
    creator = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    creator.execute("BEGIN IMMEDIATE")
    creator.execute("CREATE TABLE first_writer (x)")
    finishing = threading.Timer(0.5, lambda: creator.execute("COMMIT"))
    finishing.start()
    try:
        with SQLiteStore(path) as store:
            assert store.migrate() == SCHEMA_VERSION
    finally:
        finishing.join()
        creator.close()
    with sqlite3.connect(path) as raw:
        assert raw.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


# -- the contract beyond single writes -----------------------------------------------------

def test_every_method_of_the_protocol_is_implemented(empty_store):
    wanted = {name for name in vars(ArchiveStore) if not name.startswith("_")}
    wanted |= set(inspect.get_annotations(ArchiveStore))
    assert {name for name in wanted if not hasattr(empty_store, name)} == set()


def test_the_seed_has_the_same_log_and_export_in_every_store(store, tmp_path):
    head = read_head(store)
    assert (head.size, head.root[:8]) == (SEED_LOG_SIZE, SEED_ROOT_START)
    assert verify_archive(store) == []
    exported = io.StringIO()
    export_archive(store, exported)
    with open_store(tmp_path / "reference") as reference:
        load_seed(reference)
        expected = io.StringIO()
        export_archive(reference, expected)
    assert exported.getvalue() == expected.getvalue()


def test_imports_go_through_the_protocol(empty_store, tmp_path):
    options = ImportOptions(mapping={"text": "t", "speaker": "s", "posted_at": "d",
                                     "platform_id": "i", "lang": "l"},
                            constants={"platform": "bulk"})
    records = bulk_records(30)
    first = import_file(empty_store, write_jsonl(tmp_path / "first.jsonl", records), options)
    assert (first.stored, first.added, first.rejected) == (True, 30, 0)
    again = import_file(empty_store, write_jsonl(tmp_path / "again.jsonl", records), options)
    assert (again.added, again.revised, again.unchanged) == (0, 0, 30)
    records[4] = {**records[4], "t": records[4]["t"] + " (corrected)"}
    changed = import_file(empty_store, write_jsonl(tmp_path / "changed.jsonl", records), options)
    assert (changed.added, changed.revised, changed.revisions_added) == (0, 1, 1)
    statement = empty_store.get_statement(empty_store.find_by_platform_id("bulk", records[4]["i"]))
    assert statement.text.endswith("(corrected)") and statement.revision.revision == 2
    assert verify_archive(empty_store) == []


def test_x_archive_fields_are_stored_and_read_back(empty_store):
    empty_store.put_person(Person("tester", "Test Person"))
    deleted = PlatformDeletion("2024-05-01", "day", "account")
    statement_id = empty_store.add_statement(StatementContent(
        person_id="tester", text="A long post, cut…", platform="x", platform_id="77",
        text_truncated=True, deleted_on_platform=deleted))
    stored = empty_store.get_statement(statement_id)
    assert stored.content.text_truncated and stored.content.deleted_on_platform == deleted
    whole = stored.content.with_changes(text="A long post, cut here and whole.",
                                        text_truncated=False)
    assert empty_store.revise_statement(statement_id, whole, "the whole text") == 2
    assert not empty_store.get_statement(statement_id).content.text_truncated
    assert empty_store.get_statement(statement_id, 1).content.text_truncated


def test_a_failed_bulk_write_leaves_the_store_and_its_log_unchanged(store):
    size, changes = store.log_size(), store.last_change()
    content = store.get_statement(ALTMAN).content
    with pytest.raises(InvalidRecordError, match="no statement"):
        store.append_revisions([(ALTMAN, Revision(0, content.with_changes(url="https://a.b/"), "",
                                                  "address", "")),
                                (ALTMAN, Revision(0, content.with_changes(
                                    in_reply_to="FGPN-RXWY"), "", "reply", ""))])
    assert (store.log_size(), store.last_change()) == (size, changes)
    assert store.get_statement(ALTMAN).revision.revision == 1


def test_proofs_of_a_corrected_statement_check_against_an_earlier_head(store):
    checkpoint = read_head(store)
    original = store.get_statement(ALTMAN)
    store.revise_statement(ALTMAN, original.content.with_changes(text=original.text + " (sic)"),
                           "added the note")
    store.withdraw_statement(ALTMAN, "attributed to the wrong account")
    proof = statement_proof(store, ALTMAN)
    assert [entry["type"] for entry in proof["entries"]] == ["revision", "revision", "withdrawal"]
    lines = verify_statement_proof(proof, checkpoint, consistency(store, checkpoint.size),
                                   text=original.text)
    assert lines[0] == (f"the log at {checkpoint.size + 2} entries extends the checkpoint at"
                        f" {checkpoint.size}")


def test_a_bundle_loads_once_and_a_second_source_is_a_revision(store):
    """The bundle rules (archive.importers.bundle) over each store: new words are one new
    statement, the same bundle again changes nothing, and the same words from a second
    source are a revision of that statement, not a second statement."""
    from archive.importers.bundle import load_bundle
    from tests.test_bundle import ANNA, bundle

    first = load_bundle(store, bundle(ANNA), "first")
    assert first.stored and [outcome for _id, outcome in first.outcomes] == ["added"]
    assert [outcome for _id, outcome in load_bundle(store, bundle(ANNA), "again").outcomes] == ["unchanged"]
    radio = [{"source_id": "radio", "title": "Radiobericht", "url": "https://example.org/radio"}]
    second = load_bundle(store, bundle(ANNA, sources=radio), "radio")
    assert [outcome for _id, outcome in second.outcomes] == ["source added"]
    (statement,) = store.iter_statements(person_id="anna-beispiel")
    assert [ref.source_id for ref in statement.content.sources] == ["stadt-bruecke", "radio"]
    assert statement.revision.revision == 2
