"""Importing JSONL and CSV through --map/--set only: both real corpora, idempotence, revisions, speakers."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from archive.lifecycle import open_store
from tests.import_helpers import (
    GERMAN,
    GERMAN_MAP,
    TRUMP,
    TRUMP_MAP,
    need,
    run_import,
    snapshot,
    subset,
)


def imported(data_dir: Path, person_id: str | None = None) -> list:
    with open_store(data_dir) as store:
        return [s for s in store.iter_statements(person_id=person_id) if s.content.platform_id]


def test_german_subset_imports_through_map_only(runner, data_dir, tmp_path):
    path = subset(GERMAN, tmp_path / "de.jsonl.gz", 2000)
    result = run_import(runner, path, *GERMAN_MAP)
    assert result.exit_code == 0, result.output
    assert "added 2000, revised 0, unchanged 0, rejected 0" in result.output
    statements = imported(data_dir)
    assert len(statements) == 2000
    merz = [s for s in statements if s.content.platform_id == "1441694609176989698"][0]
    assert merz.speaker.handles == ("@_FriedrichMerz",) and merz.speaker.person_id == "friedrichmerz"
    assert merz.text.startswith("„Es geht bei dieser Richtungswahl")
    assert (merz.content.lang, merz.content.platform) == ("de", "x")
    assert merz.content.posted_at.value == "2021-09-25T09:22:34+00:00"


def test_trump_subset_imports_and_entities_are_decoded_once(runner, data_dir, tmp_path):
    path = subset(TRUMP, tmp_path / "trump.jsonl.gz", 2000)
    result = run_import(runner, path, *TRUMP_MAP)
    assert result.exit_code == 0, result.output
    statements = imported(data_dir, "realdonaldtrump")
    assert len(statements) == 2000
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        raw = {row["id"]: row["text"] for row in map(json.loads, handle)}
    escaped = [s for s in statements if "&amp;" in raw[s.content.platform_id]]
    assert escaped, "the subset should hold texts with &amp;"
    for statement in escaped:
        assert statement.text == raw[statement.content.platform_id].replace("&amp;", "&").replace(
            "&gt;", ">").replace("&lt;", "<")


def test_reimport_adds_nothing_and_changed_text_becomes_a_revision(runner, data_dir, tmp_path):
    first = subset(GERMAN, tmp_path / "de.jsonl.gz", 300)
    assert run_import(runner, first, *GERMAN_MAP).exit_code == 0
    before = snapshot(data_dir)
    again = run_import(runner, first, *GERMAN_MAP)
    assert "added 0, revised 0, unchanged 300, rejected 0" in again.output
    assert snapshot(data_dir) == before

    with gzip.open(first, "rt", encoding="utf-8") as handle:
        rows = [json.loads(line) for line in handle]
    rows[5]["full_text"] = rows[5]["full_text"] + " [korrigiert]"
    changed = tmp_path / "de-changed.jsonl"
    changed.write_text("".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows), encoding="utf-8")
    result = run_import(runner, changed, *GERMAN_MAP)
    assert result.exit_code == 0, result.output
    assert "added 0, revised 1, unchanged 299" in result.output
    with open_store(data_dir) as store:
        statement = store.get_statement(store.find_by_platform_id("x", rows[5]["status_id"]))
    assert [r.revision for r in statement.revisions] == [1, 2]
    assert statement.revisions[0].content.text == rows[5]["full_text"].removesuffix(" [korrigiert]")
    assert statement.text.endswith("[korrigiert]")
    assert statement.revisions[1].reason.startswith("re-imported from ")
    assert "text changed" in statement.revisions[1].reason
    # Both sources are cited after the correction.
    assert len(statement.content.sources) == 2


def test_a_withdrawn_statement_is_left_alone_on_reimport(runner, data_dir, tmp_path):
    path = tmp_path / "one.jsonl"
    path.write_text('{"text": "Erste Fassung.", "speaker": "ann", "platform": "blog", "platform_id": "7"}\n',
                    encoding="utf-8")
    assert run_import(runner, path).exit_code == 0
    with open_store(data_dir) as store:
        statement_id = store.find_by_platform_id("blog", "7")
        store.withdraw_statement(statement_id, "not said by ann")
    path.write_text('{"text": "Zweite Fassung.", "speaker": "ann", "platform": "blog", "platform_id": "7"}\n',
                    encoding="utf-8")
    result = run_import(runner, path)
    assert result.exit_code == 0 and "withdrawn and left alone 1" in result.output
    with open_store(data_dir) as store:
        statement = store.get_statement(statement_id)
    assert statement.is_withdrawn and statement.text == "Erste Fassung." and len(statement.revisions) == 1


def test_csv_with_mapping_constants_and_default_timezone(runner, data_dir, tmp_path):
    path = tmp_path / "letters.csv"
    path.write_text(
        "Absender;Datum;Inhalt;Nummer\n"
        "Erika Beispiel;2024-08-05 14:30;\"Erster Absatz.\n\nZweiter Absatz; mit Semikolon.\";A-1\n"
        "@sama;5 August 2024;=SUM(A1:A2) bleibt Text;A-2\n", encoding="utf-8")
    result = run_import(runner, path, "--map", "speaker=Absender", "--map", "posted_at=Datum",
                        "--map", "text=Inhalt", "--map", "platform_id=Nummer", "--set", "platform=letters",
                        "--set", "kind=letter", "--set", "lang=de", "--default-timezone", "Europe/Berlin")
    assert result.exit_code == 0, result.output
    with open_store(data_dir) as store:
        erika = store.get_statement(store.find_by_platform_id("letters", "A-1"))
        sama = store.get_statement(store.find_by_platform_id("letters", "A-2"))
    assert erika.text == "Erster Absatz.\n\nZweiter Absatz; mit Semikolon."
    assert erika.speaker.name == "Erika Beispiel" and erika.speaker.handles == ()
    assert erika.content.posted_at.value == "2024-08-05T14:30+02:00"
    assert erika.content.posted_at.timezone == "Europe/Berlin"
    assert sama.speaker.person_id == "sam-altman"  # a stored handle names the stored person
    assert sama.text == "=SUM(A1:A2) bleibt Text"  # verbatim in; only exports neutralise
    assert (sama.content.posted_at.value, sama.content.posted_at.precision) == ("2024-08-05", "day")


def test_records_without_platform_id_match_by_speaker_and_text(runner, data_dir, tmp_path):
    path = tmp_path / "quotes.jsonl"
    path.write_text('{"text": "Ein Satz.", "speaker": "Jemand Bekanntes"}\n'
                    '{"text": "Noch ein Satz.", "speaker": "Jemand Bekanntes"}\n', encoding="utf-8")
    assert "added 2" in run_import(runner, path).output
    again = run_import(runner, path)
    assert "added 0, revised 0, unchanged 2" in again.output


def test_skip_invalid_stores_the_valid_and_writes_rejects(runner, data_dir, tmp_path):
    path = tmp_path / "mixed.jsonl"
    path.write_text(
        '{"id": "1", "who": "ann", "body": "gut"}\n'
        '{"id": "2", "who": "ann", "body": "schlecht", "when": "im Frühling irgendwann"}\n'
        'kein JSON\n'
        '{"id": "4", "who": "ann", "body": "auch gut"}\n', encoding="utf-8")
    mapping = ["--map", "platform_id=id", "--map", "speaker=who", "--map", "text=body",
               "--map", "posted_at=when", "--set", "platform=x"]
    before = snapshot(data_dir)
    refused = run_import(runner, path, *mapping)
    assert refused.exit_code != 0
    assert "mixed.jsonl line 2: posted_at" in refused.output
    assert "mixed.jsonl line 3: not JSON" in refused.output
    assert "line 1:" not in refused.output  # a key absent from some records is an empty field
    assert snapshot(data_dir) == before

    rejects = tmp_path / "rejects.jsonl"
    result = run_import(runner, path, *mapping, "--skip-invalid", "--rejects", str(rejects))
    assert result.exit_code == 0, result.output
    assert "added 2, revised 0, unchanged 0, rejected 2" in result.output
    lines = [json.loads(line) for line in rejects.read_text(encoding="utf-8").splitlines()]
    assert [line["location"] for line in lines] == ["line 2", "line 3"]
    assert lines[1]["record"] == "kein JSON" and "not JSON" in lines[1]["reason"]


@pytest.mark.parametrize("options, message", [
    (["--map", "colour=full_text"], "unknown field 'colour'"),
    (["--map", "text"], "expected FIELD=VALUE"),
    (["--map", "lang=x", "--set", "lang=de"], "given by both"),
    (["--default-timezone", "Mars/Olympus"], "unknown time zone"),
])
def test_bad_options_are_usage_errors(runner, data_dir, tmp_path, options, message):
    path = need(GERMAN)
    result = run_import(runner, path, *options)
    assert result.exit_code == 2 and message in result.output


@pytest.mark.slow
def test_both_full_corpora_import_and_reimport_adds_nothing(runner, data_dir):
    german = run_import(runner, need(GERMAN), *GERMAN_MAP)
    assert german.exit_code == 0 and "added 20838, revised 0, unchanged 0, rejected 0" in german.output
    trump = run_import(runner, need(TRUMP), *TRUMP_MAP)
    assert trump.exit_code == 0 and "added 20761, revised 0, unchanged 0, rejected 0" in trump.output
    again = run_import(runner, GERMAN, *GERMAN_MAP)
    assert "added 0, revised 0, unchanged 20838" in again.output
    verify = runner.invoke(args=["verify"])
    assert verify.exit_code == 0 and "OK: 41605 statements" in verify.output
