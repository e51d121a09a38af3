"""Export: the whole archive as versioned JSONL that restores exactly, and the CSV/JSONL statement writers."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from archive.export import (
    EXPORT_FORMAT,
    neutralise_cell,
    write_statements_csv,
    write_statements_jsonl,
)
from archive.lifecycle import open_store
from archive.records import Person, StatementContent
from tests.import_helpers import GERMAN, GERMAN_MAP, TRUMP, TRUMP_MAP, X_SAMPLE, need, run_import, subset
from web import create_app

ALTMAN = "EGYN-534B"


def empty_runner(data_dir: Path):
    """A CLI on a data directory that stays empty (no seed loaded on start)."""
    app = create_app({"TESTING": True, "DATA_DIR": str(data_dir), "SECRET_KEY": "t", "LOAD_SEED": False})
    return app.test_cli_runner()


def export_text(runner, path: Path) -> str:
    result = runner.invoke(args=["export", "--output", str(path)])
    assert result.exit_code == 0, result.output
    return path.read_text(encoding="utf-8")


def round_trip(runner, tmp_path: Path) -> tuple[str, str]:
    original = export_text(runner, tmp_path / "first.jsonl")
    target = empty_runner(tmp_path / "restored")
    result = target.invoke(args=["import", str(tmp_path / "first.jsonl")])
    assert result.exit_code == 0, result.output
    return original, export_text(target, tmp_path / "second.jsonl")


def test_export_has_header_people_sources_statements_in_order(runner, tmp_path):
    lines = [json.loads(line) for line in export_text(runner, tmp_path / "e.jsonl").splitlines()]
    header = lines[0]
    assert header["format"] == EXPORT_FORMAT and header["version"] == 2
    kinds = [line["record"] for line in lines[1:]]
    assert kinds == sorted(kinds, key=["person", "source", "statement", "log"].index)
    assert header["counts"] == {k: kinds.count({"people": "person"}.get(k, k.rstrip("s")))
                                for k in ("people", "sources", "statements", "log")}
    ids = [line["statement_id"] for line in lines if line.get("record") == "statement"]
    assert ids == sorted(ids)


def test_seed_round_trip_with_revisions_and_tombstone_is_exact(runner, store, tmp_path):
    current = store.get_statement(ALTMAN)
    store.revise_statement(ALTMAN, current.content.with_changes(text=current.text + " (ergänzt)"),
                           "the article printed a longer quote")
    store.withdraw_statement("M53G-3GCT", "attributed to the wrong account")
    store.put_person(Person("speaker-with-handle", "Someone", ("@someone",), ("S.",), "a person"))
    original, restored = round_trip(runner, tmp_path)
    assert restored == original
    with open_store(tmp_path / "restored") as copy:
        altman = copy.get_statement(ALTMAN)
        assert [r.reason for r in altman.revisions][1] == "the article printed a longer quote"
        assert altman.revisions[0].text_sha256 == current.revision.text_sha256
        withdrawn = copy.get_statement("M53G-3GCT")
        assert withdrawn.is_withdrawn and withdrawn.withdrawn_reason == "attributed to the wrong account"


def test_round_trip_of_5000_imported_tweets_is_exact(runner, tmp_path):
    german = subset(GERMAN, tmp_path / "de.jsonl.gz", 2500)
    trump = subset(TRUMP, tmp_path / "trump.jsonl.gz", 2500)
    assert run_import(runner, german, *GERMAN_MAP).exit_code == 0
    assert run_import(runner, trump, *TRUMP_MAP).exit_code == 0
    assert run_import(runner, need(X_SAMPLE)).exit_code == 0
    original, restored = round_trip(runner, tmp_path)
    assert original.count('"record": "statement"') == 5000 + 7 + 6
    assert restored == original


def test_export_is_deterministic_and_reimport_into_the_same_archive_changes_nothing(runner, tmp_path):
    first = export_text(runner, tmp_path / "a.jsonl")
    again = runner.invoke(args=["import", str(tmp_path / "a.jsonl")])
    assert again.exit_code == 0 and "added 0, revised 0, unchanged 6" in again.output
    assert export_text(runner, tmp_path / "b.jsonl") == first


def test_restore_into_a_fresh_data_dir_with_its_own_seed(runner, tmp_path):
    original = export_text(runner, tmp_path / "a.jsonl")
    other = create_app({"TESTING": True, "DATA_DIR": str(tmp_path / "other"), "SECRET_KEY": "t"})
    result = other.test_cli_runner().invoke(args=["import", str(tmp_path / "a.jsonl")])
    assert result.exit_code == 0, result.output
    assert "unchanged 6" in result.output
    restored = export_text(other.test_cli_runner(), tmp_path / "b.jsonl")
    # Same words, revisions and hashes; only the local archive times of the seed differ.
    strip = [json.dumps({k: v for k, v in json.loads(line).items() if k != "created_at"} | {
        "revisions": [{k: v for k, v in r.items() if k != "created_at"}
                      for r in json.loads(line).get("revisions", [])]}) for line in original.splitlines()]
    strip_restored = [json.dumps({k: v for k, v in json.loads(line).items() if k != "created_at"} | {
        "revisions": [{k: v for k, v in r.items() if k != "created_at"}
                      for r in json.loads(line).get("revisions", [])]}) for line in restored.splitlines()]
    assert strip == strip_restored


def test_restore_continues_a_statement_revised_since_and_refuses_a_conflict(runner, store, tmp_path):
    before = export_text(runner, tmp_path / "before.jsonl")
    current = store.get_statement(ALTMAN)
    store.revise_statement(ALTMAN, current.content.with_changes(lang="de-DE"), "tag the region")
    after = tmp_path / "after.jsonl"
    export_text(runner, after)
    target = empty_runner(tmp_path / "copy")
    (tmp_path / "before-copy.jsonl").write_text(before, encoding="utf-8")
    assert target.invoke(args=["import", str(tmp_path / "before-copy.jsonl")]).exit_code == 0
    result = target.invoke(args=["import", str(after)])
    assert result.exit_code == 0 and "revised 1" in result.output
    with open_store(tmp_path / "copy") as copy:
        assert copy.get_statement(ALTMAN).content.lang == "de-DE"
        copy.revise_statement(ALTMAN, copy.get_statement(ALTMAN).content.with_changes(lang="de"),
                              "a different correction")
    store.revise_statement(ALTMAN, store.get_statement(ALTMAN).content.with_changes(venue="X"), "venue")
    export_text(runner, after)
    conflict = target.invoke(args=["import", str(after)])
    assert conflict.exit_code == 1
    assert f"{ALTMAN} differs from the stored statement" in conflict.output


def test_export_to_stdout(runner):
    result = runner.invoke(args=["export"])
    assert result.exit_code == 0
    assert json.loads(result.stdout.splitlines()[0])["format"] == EXPORT_FORMAT


@pytest.mark.parametrize("value, expected", [
    ("=HYPERLINK(\"http://x\")", "'=HYPERLINK(\"http://x\")"), ("+1", "'+1"), ("-2+3", "'-2+3"),
    ("@SUM(A1)", "'@SUM(A1)"), ("\tx", "'\tx"), ("\rx", "'\rx"), ("plain", "plain"), ("", ""),
    ("a=b", "a=b"),
])
def test_neutralise_cell(value, expected):
    assert neutralise_cell(value) == expected


def test_statement_csv_neutralises_formulas_and_round_trips_text(store):
    store.put_person(Person("hostile", "=cmd|' /C calc'!A0", ("@evil",)))
    statement_id = store.add_statement(StatementContent(
        person_id="hostile", text="-1+1 \"quoted\"\nnew line, comma", lang="en"))
    statements = [store.get_statement(statement_id), store.get_statement(ALTMAN)]
    buffer = io.StringIO(newline="")
    assert write_statements_csv(statements, buffer) == 2
    rows = list(csv.DictReader(io.StringIO(buffer.getvalue(), newline="")))
    assert rows[0]["speaker"] == "'=cmd|' /C calc'!A0"
    assert rows[0]["handles"] == "'@evil"
    assert rows[0]["text"] == "'-1+1 \"quoted\"\nnew line, comma"
    assert rows[1]["statement_id"] == ALTMAN and rows[1]["text"] == statements[1].text
    for row in rows:
        assert not any(cell.startswith(("=", "+", "-", "@", "\t", "\r")) for cell in row.values())


def test_statement_jsonl_is_the_api_shape(store):
    buffer = io.StringIO()
    statements = [store.get_statement(ALTMAN)]
    assert write_statements_jsonl(iter(statements), buffer) == 1
    assert json.loads(buffer.getvalue()) == statements[0].to_dict()
