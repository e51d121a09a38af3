"""Source bundles: import (told or detected), idempotency, the verbatim check, citation IDs,
a second source, and the seed collection loaded as a bundle."""

from __future__ import annotations

import json

import pytest

from archive.citation_ids import compute_check_character
from archive.data_dir import SEED_FILE
from archive.importers.files import detect_format
from archive.lifecycle import init_archive, open_store

ARTICLE = ("Stadt plant neue Brücke\n\nDie Bürgermeisterin sprach am Montag im Rat. „Wir bauen"
           " die Brücke bis 2027“, sagte Anna Beispiel.\n\nDer Kämmerer warnte: „Das Geld reicht"
           " nicht für alles.“\n")


def bundle(*statements: dict, sources: list | None = None, people: list | None = None) -> dict:
    return {
        "format": "verbatim-bundle", "version": 1,
        "people": people if people is not None else [
            {"person_id": "anna-beispiel", "name": "Anna Beispiel"},
            {"person_id": "kaemmerer", "name": "Unnamed treasurer", "unnamed": True}],
        "sources": sources if sources is not None else [
            {"source_id": "stadt-bruecke", "title": "Stadt plant neue Brücke", "lang": "de",
             "url": "https://example.org/bruecke", "text": ARTICLE}],
        "statements": list(statements),
    }


ANNA = {"person_id": "anna-beispiel", "text": "Wir bauen die Brücke bis 2027", "kind": "remark",
        "lang": "de"}
TREASURER = {"person_id": "kaemmerer", "text": "Das Geld reicht nicht für alles.",
             "kind": "remark", "lang": "de"}


def write(tmp_path, data: dict, name: str = "bundle.json"):
    path = tmp_path / name
    path.write_text(json.dumps(data, ensure_ascii=False, indent=2), encoding="utf-8")
    return path


def state(data_dir):
    with open_store(data_dir) as store:
        return (store.count_statements(include_withdrawn=True), len(store.list_sources()),
                len(store.list_people()), store.log_size())


def valid_id(body: str) -> str:
    return f"{body[:4]}-{body[4:]}{compute_check_character(body)}"


def test_a_bundle_is_detected_and_imported_idempotently(runner, data_dir, tmp_path):
    path = write(tmp_path, bundle(ANNA, TREASURER))
    assert detect_format(path) == "bundle"
    first = runner.invoke(args=["import", str(path)])
    assert first.exit_code == 0, first.output
    assert "(bundle): added 2, revised 0, unchanged 0, rejected 0" in first.output
    after_first = state(data_dir)
    second = runner.invoke(args=["import", str(path), "--format", "bundle"])
    assert second.exit_code == 0, second.output
    assert "added 0, revised 0, unchanged 2" in second.output
    assert state(data_dir) == after_first
    with open_store(data_dir) as store:
        anna = next(store.iter_statements(person_id="anna-beispiel"))
        assert [ref.source_id for ref in anna.content.sources] == ["stadt-bruecke"]
        assert anna.revision.reason == "first archived from Stadt plant neue Brücke"
        assert store.get_person("kaemmerer").unnamed
        assert store.get_source("stadt-bruecke").url == "https://example.org/bruecke"


def test_the_seed_file_is_a_bundle(tmp_path):
    assert detect_format(SEED_FILE) == "bundle"


def test_importing_the_seed_file_changes_nothing(runner, data_dir):
    before = state(data_dir)
    result = runner.invoke(args=["import", str(SEED_FILE)])
    assert result.exit_code == 0, result.output
    assert "added 0, revised 0, unchanged 6" in result.output
    assert state(data_dir) == before


def test_the_seed_records_are_the_same_in_every_data_directory(tmp_path):
    records = []
    for name in ("one", "two"):
        init_archive(tmp_path / name)
        with open_store(tmp_path / name) as store:
            records.append(([s.to_dict() for s in store.iter_statements()],
                            [r for r in store.iter_revision_rows()],
                            [entry for _, entry, _ in store.iter_log()]))
    assert records[0] == records[1]
    seed = json.loads(SEED_FILE.read_text(encoding="utf-8"))
    stored = {item["statement_id"]: item for item in records[0][0]}
    for item in seed["statements"]:
        assert stored[item["statement_id"]]["text"] == item["text"]
        assert stored[item["statement_id"]]["created_at"] == item["archived_at"]
        assert stored[item["statement_id"]]["revisions"][0]["reason"] == (
            "first archived from the seed collection")
    assert not any(source.startswith("import-") for source in
                   (s["sources"][0]["source_id"] for s in records[0][0]))


def test_words_not_in_the_bundles_source_text_are_refused(runner, data_dir, tmp_path):
    before = state(data_dir)
    wrong = dict(TREASURER, text="Das Geld reicht für alles.")
    result = runner.invoke(args=["import", str(write(tmp_path, bundle(ANNA, wrong)))])
    assert result.exit_code == 1
    assert ("statements[2]: text: not found verbatim in the text of source 'stadt-bruecke'"
            in result.output)
    assert "'Das Geld reicht nicht für alles.'" in result.output
    assert "nothing stored" in result.output.lower()
    assert state(data_dir) == before


def test_citation_ids_are_kept_checked_and_never_clash(runner, data_dir, tmp_path):
    given = valid_id("QQQQQQQ")
    ok = runner.invoke(args=["import", str(write(tmp_path, bundle(dict(ANNA, statement_id=given))))])
    assert ok.exit_code == 0, ok.output
    with open_store(data_dir) as store:
        assert store.get_statement(given).text == ANNA["text"]
    before = state(data_dir)
    bad_check = runner.invoke(args=["import", str(write(
        tmp_path, bundle(dict(TREASURER, statement_id="EGYN-534C")), "bad.json"))])
    assert bad_check.exit_code == 1
    assert "statements[1] (EGYN-534C): statement_id: check character does not match" in bad_check.output
    clash = runner.invoke(args=["import", str(write(
        tmp_path, bundle(dict(TREASURER, statement_id="EGYN-534B")), "clash.json"))])
    assert clash.exit_code == 1
    assert "statement_id: EGYN-534B is taken by another statement" in clash.output
    twice = runner.invoke(args=["import", str(write(tmp_path, bundle(
        dict(TREASURER, statement_id=valid_id("RRRRRRR")),
        dict(TREASURER, text="Das Geld reicht nicht", statement_id=valid_id("RRRRRRR"))),
        "twice.json"))])
    assert twice.exit_code == 1 and "twice in the bundle" in twice.output
    assert state(data_dir) == before


def test_the_same_words_from_a_second_source_are_one_statement(runner, data_dir, tmp_path):
    runner.invoke(args=["import", str(write(tmp_path, bundle(ANNA)))])
    second_source = [{"source_id": "radio", "title": "Radiobericht", "url": "https://example.org/radio"}]
    result = runner.invoke(args=["import", str(write(tmp_path, bundle(ANNA, sources=second_source),
                                                     "radio.json"))])
    assert result.exit_code == 0, result.output
    assert "added 0, revised 1, unchanged 0" in result.output
    with open_store(data_dir) as store:
        statements = list(store.iter_statements(person_id="anna-beispiel"))
        assert len(statements) == 1
        statement = statements[0]
    assert [ref.source_id for ref in statement.content.sources] == ["stadt-bruecke", "radio"]
    assert statement.revision.revision == 2
    assert statement.revision.reason == "the same words from a further source: Radiobericht (radio)"
    again = runner.invoke(args=["import", str(tmp_path / "radio.json")])
    assert "added 0, revised 0, unchanged 1" in again.output


def test_a_source_with_a_stored_url_is_the_stored_source(runner, data_dir, tmp_path):
    runner.invoke(args=["import", str(write(tmp_path, bundle(ANNA)))])
    renamed = [{"source_id": "other-id", "title": "Same article", "url": "https://example.org/bruecke"}]
    result = runner.invoke(args=["import", str(write(tmp_path, bundle(TREASURER, sources=renamed),
                                                     "renamed.json"))])
    assert result.exit_code == 0, result.output
    with open_store(data_dir) as store:
        assert store.get_source("other-id") is None
        treasurer = next(store.iter_statements(person_id="kaemmerer"))
        assert [ref.source_id for ref in treasurer.content.sources] == ["stadt-bruecke"]


@pytest.mark.parametrize(("change", "message"), [
    ({"person_id": "nobody"}, "statements[1]: person_id: no person 'nobody'"),
    ({"kind": "tweet"}, "statements[1]: kind: 'tweet' is not one of"),
    ({"text": ""}, "statements[1]: text: a statement needs its words"),
    ({"in_reply_to": "EGYN-534C"}, "statements[1]: in_reply_to: check character does not match"),
    ({"sources": [{"source_id": "elsewhere"}]}, "statements[1]: sources: no source 'elsewhere'"),
    ({"colour": "blue"}, "statements[1]: unknown statement field(s): colour"),
])
def test_a_bad_statement_is_named_and_nothing_is_stored(runner, data_dir, tmp_path, change, message):
    before = state(data_dir)
    result = runner.invoke(args=["import", str(write(tmp_path, bundle(TREASURER, dict(ANNA, **change)))),
                                 "--format", "bundle"])
    assert result.exit_code == 1
    assert message.replace("statements[1]", "statements[2]") in result.output
    assert state(data_dir) == before


def test_a_file_that_is_no_bundle_is_refused(runner, data_dir, tmp_path):
    path = tmp_path / "other.json"
    path.write_text('{\n "format": "something-else", "version": 1\n}', encoding="utf-8")
    result = runner.invoke(args=["import", str(path), "--format", "bundle"])
    assert result.exit_code == 1 and "not a source bundle" in result.output
    newer = write(tmp_path, dict(bundle(ANNA), version=2), "newer.json")
    result = runner.invoke(args=["import", str(newer)])
    assert result.exit_code == 1 and "bundle version 2" in result.output


def test_links_to_earlier_statements_of_the_bundle(runner, data_dir, tmp_path):
    reply = dict(TREASURER, in_reply_to="#1")
    result = runner.invoke(args=["import", str(write(tmp_path, bundle(ANNA, reply)))])
    assert result.exit_code == 0, result.output
    with open_store(data_dir) as store:
        anna = next(store.iter_statements(person_id="anna-beispiel"))
        treasurer = next(store.iter_statements(person_id="kaemmerer"))
    assert treasurer.content.in_reply_to == anna.statement_id
    forward = runner.invoke(args=["import", str(write(
        tmp_path, bundle(dict(ANNA, in_reply_to="#2", text="Wir bauen die Brücke")), "f.json"))])
    assert forward.exit_code == 1
    assert "in_reply_to: #2 is not a statement stored earlier in this bundle" in forward.output


def test_skip_invalid_stores_the_valid_statements(runner, data_dir, tmp_path):
    path = write(tmp_path, bundle(ANNA, dict(TREASURER, kind="tweet")))
    result = runner.invoke(args=["import", str(path), "--skip-invalid"])
    assert result.exit_code == 0, result.output
    assert "added 1, revised 0, unchanged 0, rejected 1" in result.output
