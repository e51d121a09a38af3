"""Keeping the index equal to the archive: the commit listener, batches, drift, rebuild,
the CLI commands (init, reindex, verify) and the app's start."""

from __future__ import annotations

import multiprocessing
import shutil
import sqlite3

import pytest

from archive.data_dir import archive_path, index_path
from archive.lifecycle import open_store
from archive.records import Person, StatementContent
from index import service
from index.engines.whoosh import indexer
from index.engines.whoosh.directory import get_index_directory
from index.engines.whoosh.engine import WhooshEngine
from web import create_app


def search_ids(store, data_dir, query):
    return [hit.statement_id for hit in service.search(WhooshEngine(data_dir), query, store=store,
                                                      per_page=100).hits]


def test_the_app_builds_the_index_on_first_start(app, data_dir):
    assert WhooshEngine(data_dir).is_built()
    with open_store(data_dir) as store:
        assert WhooshEngine(data_dir).drift(store) == []


def test_an_archive_without_an_index_gets_one_at_start(app, data_dir):
    shutil.rmtree(index_path(data_dir))
    assert not WhooshEngine(data_dir).is_built()
    restarted = create_app({"TESTING": True, "DATA_DIR": str(data_dir), "SECRET_KEY": "test"})
    assert not WhooshEngine(data_dir).is_built()  # a command does not touch the index at start
    assert restarted.test_client().get("/api/speakers").status_code == 200
    with open_store(data_dir) as store:
        assert search_ids(store, data_dir, "Auszeit Brockman") == ["M53G-3GCT"]


def test_search_without_an_index_answers_with_a_notice(store, data_dir):
    page = service.search(WhooshEngine(data_dir), "Auszeit", store=store)
    assert page.total == 0 and "being built" in page.notices[0]


def test_a_big_transaction_is_indexed_in_one_writer_commit(store, data_dir, monkeypatch):
    WhooshEngine(data_dir).follow(store)
    commits = []
    from index.engines.whoosh import indexer

    original = indexer._write
    monkeypatch.setattr(indexer, "_write", lambda *a, **k: commits.append(k["size"]) or original(*a, **k))
    store.put_person(Person("tester", "Tess Tester"))
    with store.transaction():
        for number in range(300):
            store.add_statement(StatementContent(person_id="tester", lang="en",
                                                 text=f"Batch statement number {number} zebrafinch"))
    assert commits == [300]  # the whole batch at once
    assert service.search(WhooshEngine(data_dir), "zebrafinch", store=store).total == 300


def test_a_missed_change_is_picked_up_by_the_next_write(store, data_dir):
    WhooshEngine(data_dir).follow(store)
    with open_store(data_dir) as unattached:  # a writer that does not follow the index
        missed = unattached.add_statement(StatementContent(person_id="sam-altman", lang="en",
                                                           text="A quiet capybara"))
    assert WhooshEngine(data_dir).drift(store) == [
        f"index: {missed} is missing from the search index"]
    store.add_statement(StatementContent(person_id="sam-altman", lang="en", text="A loud heron"))
    assert search_ids(store, data_dir, "capybara") == [missed]
    assert WhooshEngine(data_dir).drift(store) == []


def test_drift_names_missing_extra_and_stale_statements(store, data_dir):
    WhooshEngine(data_dir).follow(store)
    with sqlite3.connect(archive_path(data_dir)) as raw:
        raw.execute("UPDATE statements SET status = 'withdrawn' WHERE statement_id = 'N5NT-5ZJF'")
        raw.execute("UPDATE statements SET text_sha256 = 'ab' || text_sha256"
                    " WHERE statement_id = 'M53G-3GCT'")
    problems = WhooshEngine(data_dir).drift(store)
    assert "index: N5NT-5ZJF is in the search index but not an active statement" in problems
    assert any(line.startswith("index: M53G-3GCT is indexed with an old text") for line in problems)
    shutil.rmtree(index_path(data_dir))
    assert WhooshEngine(data_dir).drift(store) == [
        "index: there is no search index (run: flask --app web reindex)"]


def test_rebuild_switches_to_a_complete_new_generation(store, data_dir):
    WhooshEngine(data_dir).follow(store)
    directory = get_index_directory(data_dir)
    before = directory.live_generation()[0]
    assert WhooshEngine(data_dir).rebuild(store) == 6
    after = directory.live_generation()[0]
    assert after != before and not before.exists()
    assert search_ids(store, data_dir, "Musk") == ["MJF5-GVT6"]


def _hold_lock(data_dir, ready, release):
    directory = get_index_directory(data_dir)
    with directory.write_lock():
        ready.set()
        release.wait(20)


def test_searches_never_wait_for_the_writer_and_a_busy_lock_loses_nothing(store, data_dir, monkeypatch):
    WhooshEngine(data_dir).follow(store)
    context = multiprocessing.get_context("fork")
    ready, release = context.Event(), context.Event()
    holder = context.Process(target=_hold_lock, args=(data_dir, ready, release))
    holder.start()
    try:
        assert ready.wait(10)
        assert search_ids(store, data_dir, "Musk") == ["MJF5-GVT6"]  # the lock does not block
        from index.engines.whoosh import directory as directory_module

        monkeypatch.setattr(directory_module, "WRITE_LOCK_TIMEOUT", 0.2)
        added = store.add_statement(StatementContent(person_id="sam-altman", lang="en",
                                                     text="An unseen okapi"))
        assert search_ids(store, data_dir, "okapi") == []  # not yet: the index was busy
    finally:
        release.set()
        holder.join(10)
    store.add_statement(StatementContent(person_id="sam-altman", lang="en", text="Another write"))
    assert search_ids(store, data_dir, "okapi") == [added]


def test_cli_reindex_and_verify_report_and_repair_drift(runner, data_dir):
    assert runner.invoke(args=["init"]).exit_code == 0
    ok = runner.invoke(args=["verify"])
    assert ok.exit_code == 0 and "search index matches" in ok.output
    with open_store(data_dir) as unattached:
        missed = unattached.add_statement(StatementContent(person_id="sam-altman", lang="en",
                                                           text="Unindexed words"))
    drift = runner.invoke(args=["verify"])
    assert drift.exit_code == 1 and f"index: {missed} is missing from the search index" in drift.output
    repaired = runner.invoke(args=["reindex"])
    assert repaired.exit_code == 0 and "7 statements" in repaired.output
    assert runner.invoke(args=["verify"]).exit_code == 0


def test_init_leaves_a_built_index(tmp_path):
    data_dir = tmp_path / "fresh"
    app = create_app({"TESTING": True, "DATA_DIR": str(data_dir), "LOAD_SEED": False,
                      "SECRET_KEY": "test"})
    assert not WhooshEngine(data_dir).is_built()
    result = app.test_cli_runner().invoke(args=["init"])
    assert result.exit_code == 0, result.output
    assert WhooshEngine(data_dir).is_built()


@pytest.mark.parametrize("statement_id", ["FGPN-RXWX"])
def test_remove_statement_takes_it_out_of_the_index(store, data_dir, statement_id):
    WhooshEngine(data_dir).follow(store)
    indexer.remove_statement(store, statement_id, data_dir)
    assert statement_id not in search_ids(store, data_dir, "OpenAI")
    assert WhooshEngine(data_dir).drift(store) == [
        f"index: {statement_id} is missing from the search index"]


def test_an_indexing_fault_after_a_commit_keeps_the_write_and_shows_as_drift(store, data_dir, monkeypatch):
    from index.engines.whoosh import indexer

    WhooshEngine(data_dir).follow(store)
    store.put_person(Person("tester", "Tess Tester"))

    def broken(*args, **kwargs):
        raise RuntimeError("indexing fault")

    monkeypatch.setattr(indexer, "_write", broken)
    statement_id = store.add_statement(StatementContent(person_id="tester", lang="en", text="Kept anyway"))
    assert store.get_statement(statement_id).text == "Kept anyway"
    monkeypatch.undo()
    assert WhooshEngine(data_dir).drift(store) == [
        f"index: {statement_id} is missing from the search index"]
    WhooshEngine(data_dir).rebuild(store)
    assert WhooshEngine(data_dir).drift(store) == []
