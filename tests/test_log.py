"""The tamper-evident log: every write logs, verify recomputes the log from the records, a
checkpoint exposes rewritten history, the API's proofs check out with the JSON alone, and
export, import and backup carry the log. Tampering is done as an attacker would: plain
sqlite3 on the archive file."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from archive.backup import back_up_archive
from archive.data_dir import archive_path
from archive.export import export_to_file
from archive.integrity import find_log_problems, verify_archive
from archive.lifecycle import init_archive, open_store
from archive.log import LogError, leaf_of, parse_head, read_head, verify_statement_proof
from archive.records import (
    InvalidRecordError,
    Person,
    Revision,
    Source,
    Statement,
    StatementContent,
    hash_text,
)
from archive.stores.sqlite import SQLiteStore
from web import create_app

ALTMAN = "EGYN-534B"
SEED_LOG_SIZE = 12  # 5 people, 1 source, 6 statements of one revision each


def sample(text: str = "Ein Satz.", **changes) -> StatementContent:
    return StatementContent("sam-altman", text, lang="de", **changes)


def head_of(data_dir: Path) -> dict:
    with open_store(data_dir) as store:
        head = read_head(store).to_dict()
    del head["at"]
    return head


# -- every write logs, in its own transaction ---------------------------------------------

def test_the_seed_gives_the_same_head_everywhere_and_after_migration(tmp_path):
    heads = []
    for name in ("one", "two"):
        init_archive(tmp_path / name)
        heads.append(head_of(tmp_path / name))
    assert heads[0] == heads[1] and heads[0]["size"] == SEED_LOG_SIZE
    # an archive stored before the log existed: the migration builds the same log
    with sqlite3.connect(archive_path(tmp_path / "two")) as raw:
        raw.execute("DROP TABLE log")
        raw.execute("PRAGMA user_version=2")
    assert head_of(tmp_path / "two") == heads[0]
    init_archive(tmp_path / "two")  # loading the seed again logs nothing
    assert head_of(tmp_path / "two") == heads[0]


def test_single_writes_log_what_changed(store):
    size = store.log_size()
    statement_id = store.add_statement(sample(), created_at="2026-12-01T10:00:00+00:00")
    store.revise_statement(statement_id, sample("Ein anderer Satz."), "typo",
                           created_at="2026-12-01T11:00:00+00:00")
    store.withdraw_statement(statement_id, "not theirs", withdrawn_at="2026-12-01T12:00:00+00:00")
    altman = store.get_person("sam-altman")
    store.put_person(altman)  # unchanged: nothing to log
    store.put_person(Person("sam-altman", "Samuel Altman", altman.handles))
    store.put_source(Source("press-2026", "A press release"))
    store.put_source(Source("press-2026", "A press release"))  # unchanged
    entries = [json.loads(text) for _, text, _ in store.iter_log()][size:]
    assert [entry["type"] for entry in entries] == [
        "revision", "revision", "withdrawal", "person", "source"]
    first, second, withdrawal, person, source = entries
    assert first == {
        "type": "revision", "statement_id": statement_id, "revision": 1,
        "text_sha256": hash_text("Ein Satz."), "reason": "first archived",
        "created_at": "2026-12-01T10:00:00+00:00",
        "statement_created_at": "2026-12-01T10:00:00+00:00",
        "content": {"person_id": "sam-altman", "lang": "de"}}
    assert second["revision"] == 2 and second["reason"] == "typo"
    assert "statement_created_at" not in second
    assert withdrawal == {"type": "withdrawal", "statement_id": statement_id,
                          "reason": "not theirs", "withdrawn_at": "2026-12-01T12:00:00+00:00"}
    assert person["person"]["name"] == "Samuel Altman"
    assert source == {"type": "source", "source": {"source_id": "press-2026",
                                                  "title": "A press release"}}
    assert verify_archive(store) == []


def test_entries_are_canonical_json(store):
    store.add_statement(sample("Fu\u0308hrung\r\nneu", venue="Café"))
    _, text, leaf = list(store.iter_log())[-1]
    assert text == json.dumps(json.loads(text), sort_keys=True, separators=(",", ":"),
                              ensure_ascii=False)
    assert "Café" in text and json.loads(text)["text_sha256"] == hash_text("Führung\nneu")
    assert leaf == leaf_of(text)


def test_bulk_writes_log_in_order(empty_store):
    store = empty_store
    assert store.insert_people([Person("a", "A"), Person("b", "B"), Person("a", "A again")]) == 2
    assert store.insert_people([Person("a", "A")]) == 0
    assert store.insert_sources([Source("s", "S"), Source("s", "S")]) == 1
    content = StatementContent("a", "Eins.")
    statement = Statement("EGYN-534B", "withdrawn", Revision(1, content, "", "r1", "t1"),
                          (Revision(1, content, "", "r1", "t1"),), Person("a", "A"), "t0",
                          "why", "t2")
    other = Statement("FGPN-RXWX", "active", Revision(1, content, "", "r1", "t1"),
                      (Revision(1, content, "", "r1", "t1"),), Person("a", "A"), "t0")
    store.insert_statements([statement, other])
    store.append_revisions([("FGPN-RXWX", Revision(0, content.with_changes(text="Zwei."), "",
                                                   "fix", "t3"))])
    labels = [(entry["type"], entry.get("statement_id") or entry.get("person", {}).get("person_id")
               or entry["source"]["source_id"], entry.get("revision"))
              for entry in (json.loads(text) for _, text, _ in store.iter_log())]
    assert labels == [("person", "a", None), ("person", "b", None), ("source", "s", None),
                      ("revision", "EGYN-534B", 1), ("withdrawal", "EGYN-534B", None),
                      ("revision", "FGPN-RXWX", 1), ("revision", "FGPN-RXWX", 2)]
    assert verify_archive(store) == []


def test_a_write_that_fails_leaves_no_entry(store):
    size = store.log_size()
    with pytest.raises(InvalidRecordError):
        with store.transaction():
            store.add_statement(sample())
            store.add_statement(sample(in_reply_to="FGPN-RXWY"))
    assert store.log_size() == size


# -- verify: the attacker's edits with sqlite3 ----------------------------------------------

FORGERIES = {
    "text and its hash": [
        "UPDATE revisions SET text = 'Gefälscht.', text_sha256 = '{digest}'"
        " WHERE statement_id = 'EGYN-534B'",
        "UPDATE statements SET text_sha256 = '{digest}' WHERE statement_id = 'EGYN-534B'"],
    "speaker": [
        "UPDATE revisions SET content = json_set(content, '$.person_id', 'greg-brockman')"
        " WHERE statement_id = 'EGYN-534B'",
        "UPDATE statements SET person_id = 'greg-brockman' WHERE statement_id = 'EGYN-534B'"],
    "date": ["UPDATE revisions SET content = json_set(content, '$.posted_at.value', '2020-01-01')"
             " WHERE statement_id = 'EGYN-534B'"],
    "url": ["UPDATE revisions SET content = json_set(content, '$.url', 'https://evil.example/')"
            " WHERE statement_id = 'EGYN-534B'"],
    "revision 1 deleted": ["DELETE FROM revisions WHERE statement_id = 'EGYN-534B'"
                           " AND revision = 1"],
    "person renamed": ["UPDATE people SET name = 'Somebody Else' WHERE person_id = 'sam-altman'"],
    "log entry rewritten, leaf recomputed": [
        "UPDATE log SET entry = replace(entry, 'first archived', 'made up')"
        " WHERE subject = 'EGYN-534B'"],
}


@pytest.mark.parametrize("forgery", FORGERIES)
def test_verify_fails_on_each_forgery_and_names_the_entry(runner, data_dir, forgery):
    assert runner.invoke(args=["verify"]).exit_code == 0
    with open_store(data_dir) as store:
        altman_entry = next(index for index, text, _ in store.iter_log()
                            if json.loads(text).get("statement_id") == ALTMAN)
    digest = hash_text("Gefälscht.")
    with sqlite3.connect(archive_path(data_dir)) as raw:
        for sql in FORGERIES[forgery]:
            raw.execute(sql.format(digest=digest))
        if "leaf" in forgery:
            raw.create_function("leaf", 1, lambda text: leaf_of(text))
            raw.execute("UPDATE log SET leaf_hash = leaf(entry)")
    result = runner.invoke(args=["verify"])
    assert result.exit_code == 1, result.output
    expected = "log entry 1 (person sam-altman)" if forgery == "person renamed" else (
        f"log entry {altman_entry} (statement {ALTMAN} revision 1)")
    assert f"first: {expected}" in result.output


def forge_revision_one_everywhere(data_dir: Path) -> None:
    """Revision 1's words rewritten, with their hash, the log entry and its leaf hash."""
    digest = hash_text("Gefälscht.")
    with sqlite3.connect(archive_path(data_dir)) as raw:
        raw.execute("UPDATE revisions SET text = 'Gefälscht.', text_sha256 = ?"
                    " WHERE statement_id = ? AND revision = 1", (digest, ALTMAN))
        index, text = raw.execute("SELECT leaf_index, entry FROM log WHERE subject = ?"
                                  " AND revision = 1", (ALTMAN,)).fetchone()
        entry = json.loads(text)
        entry["text_sha256"] = digest
        forged = json.dumps(entry, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        raw.execute("UPDATE log SET entry = ?, leaf_hash = ? WHERE leaf_index = ?",
                    (forged, leaf_of(forged), index))


REWRITES = {
    "text rewritten everywhere": None,
    "an entry removed": "DELETE FROM log WHERE leaf_index = 3",
    "two entries swapped": "UPDATE log SET leaf_index = -leaf_index WHERE leaf_index IN (1, 2);"
                           "UPDATE log SET leaf_index = 3 + leaf_index WHERE leaf_index IN (-1, -2)",
}


@pytest.mark.parametrize("rewrite", REWRITES)
def test_a_full_recompute_of_history_fails_against_a_checkpoint(runner, data_dir, rewrite):
    checkpoint = data_dir.parent / "checkpoint.json"
    assert runner.invoke(args=["checkpoint", "--output", str(checkpoint)]).exit_code == 0
    with open_store(data_dir) as store:  # history goes on after the checkpoint
        store.revise_statement(ALTMAN, store.get_statement(ALTMAN).content.with_changes(
            venue="Berkeley"), "venue added")
    assert runner.invoke(args=["reindex"]).exit_code == 0
    ok = runner.invoke(args=["verify", "--checkpoint", str(checkpoint)])
    assert ok.exit_code == 0, ok.output
    assert f"extends the checkpoint at {SEED_LOG_SIZE}" in ok.output
    if REWRITES[rewrite] is None:
        forge_revision_one_everywhere(data_dir)
        plain = runner.invoke(args=["verify"])
        assert plain.exit_code == 0, plain.output  # consistent within the file
    else:
        with sqlite3.connect(archive_path(data_dir)) as raw:
            for sql in REWRITES[rewrite].split(";"):
                raw.execute(sql)
            if rewrite == "an entry removed":  # renumber, as a careful forger would
                raw.execute("UPDATE log SET leaf_index = leaf_index - 1 WHERE leaf_index > 3")
    result = runner.invoke(args=["verify", "--checkpoint", str(checkpoint)])
    assert result.exit_code == 1, result.output
    assert "first: checkpoint:" in result.output


def test_verify_refuses_a_checkpoint_from_a_longer_log(runner, data_dir):
    checkpoint = data_dir.parent / "checkpoint.json"
    checkpoint.write_text(json.dumps({"size": 999, "root": "00" * 32, "at": ""}))
    result = runner.invoke(args=["verify", "--checkpoint", str(checkpoint)])
    assert result.exit_code == 1 and "fewer than the checkpoint's 999" in result.output
    checkpoint.write_text("{not json")
    result = runner.invoke(args=["verify", "--checkpoint", str(checkpoint)])
    assert result.exit_code == 1 and "is not JSON" in result.output


# -- the API and a third party's check --------------------------------------------------------

def test_head_answers_uncached_and_matches_the_checkpoint_command(client, runner):
    response = client.get("/api/log/head")
    assert response.status_code == 200
    assert "no-store" in response.headers["Cache-Control"]
    assert "ETag" not in response.headers
    printed = json.loads(runner.invoke(args=["checkpoint"]).output)
    assert {k: response.get_json()[k] for k in ("size", "root")} == {
        k: printed[k] for k in ("size", "root")}
    assert response.get_json()["size"] == SEED_LOG_SIZE
    page = client.get("/help").get_data(as_text=True)
    assert printed["root"] in page and f"{SEED_LOG_SIZE} entries" in page


@pytest.mark.parametrize("query", ["", "?first=", "?first=x", "?first=0", "?first=13",
                                   "?first=5&second=4", "?first=1&second=99", "?first=-1"])
def test_bad_consistency_sizes_answer_400(client, query):
    response = client.get(f"/api/log/consistency{query}")
    assert response.status_code == 400
    error = response.get_json()["error"]
    assert error["status"] == 400 and "Parameter" in error["message"]


def test_a_third_party_checks_a_citation_with_the_json_alone(app, client, runner, tmp_path):
    checkpoint = client.get("/api/log/head").get_json()
    (tmp_path / "checkpoint.json").write_text(json.dumps(checkpoint))
    with app.app_context():
        from web.resources import get_store
        store = get_store()
        store.revise_statement(ALTMAN, store.get_statement(ALTMAN).content.with_changes(
            venue="Berkeley"), "venue added")
    proof = client.get(f"/api/statements/{ALTMAN.lower()}/proof")
    assert proof.status_code == 200 and "no-store" in proof.headers["Cache-Control"]
    answer = proof.get_json()
    assert [item["revision"] for item in answer["entries"]] == [1, 2]
    assert answer["head"]["size"] == SEED_LOG_SIZE + 1
    extension = client.get(f"/api/log/consistency?first={checkpoint['size']}"
                           f"&second={answer['head']['size']}").get_json()
    (tmp_path / "proof.json").write_text(json.dumps(answer))
    (tmp_path / "consistency.json").write_text(json.dumps(extension))
    words = client.get(f"/api/statements/{ALTMAN}@1").get_json()["text"]
    (tmp_path / "words.txt").write_text(words, encoding="utf-8")
    args = ["verify-proof", str(tmp_path / "proof.json"), "--checkpoint",
            str(tmp_path / "checkpoint.json"), "--consistency", str(tmp_path / "consistency.json")]
    result = runner.invoke(args=[*args, "--text", str(tmp_path / "words.txt")])
    assert result.exit_code == 0, result.output
    assert f"statement {ALTMAN} revision 2) is in the log at 13 entries" in result.output
    assert "the text is that of a logged revision" in result.output
    # any change to what the archive answered fails the check
    (tmp_path / "words.txt").write_text(words + " Nicht.", encoding="utf-8")
    assert runner.invoke(args=[*args, "--text", str(tmp_path / "words.txt")]).exit_code == 1
    forged = json.loads(json.dumps(answer))
    forged["entries"][0]["entry"] = forged["entries"][0]["entry"].replace("first", "last")
    with pytest.raises(LogError, match="is not in the log"):
        verify_statement_proof(forged, parse_head(checkpoint), extension)
    other_root = dict(checkpoint, root="00" * 32)
    with pytest.raises(LogError, match="does not extend the checkpoint"):
        verify_statement_proof(answer, parse_head(other_root), extension)
    with pytest.raises(LogError, match="consistency proof"):
        verify_statement_proof(answer, parse_head(checkpoint), None)


def test_proof_of_unknown_and_withdrawn_statements(client, app):
    assert client.get("/api/statements/FGPN-RXWY/proof").status_code == 404
    with app.app_context():
        from web.resources import get_store
        get_store().withdraw_statement(ALTMAN, "test")
    gone = client.get(f"/api/statements/{ALTMAN}/proof")
    assert gone.status_code == 410 and gone.get_json()["tombstone"]["statement_id"] == ALTMAN


# -- export, import, backup ------------------------------------------------------------------

def changed_archive(data_dir: Path) -> dict:
    init_archive(data_dir)
    with open_store(data_dir) as store:
        store.revise_statement(ALTMAN, store.get_statement(ALTMAN).content.with_changes(
            venue="Berkeley"), "venue added")
        store.withdraw_statement("M53G-3GCT", "duplicate")
        store.put_person(Person("ilya", "Ilya"))
        store.put_person(Person("ilya", "Ilya Sutskever", ("@ilyasut",)))
    return head_of(data_dir)


@pytest.mark.parametrize("load_seed", [True, False])
def test_an_export_restores_the_same_head_in_an_empty_data_directory(tmp_path, load_seed):
    original = changed_archive(tmp_path / "old")
    export = tmp_path / "archive.jsonl"
    with open_store(tmp_path / "old") as store:
        export_to_file(store, export)
    lines = export.read_text(encoding="utf-8").splitlines()
    header = json.loads(lines[0])
    assert header["version"] == 2 and header["log"] == original
    assert sum('"record": "log"' in line for line in lines) == original["size"]
    runner = create_app({"TESTING": True, "DATA_DIR": str(tmp_path / "new"),
                         "LOAD_SEED": load_seed}).test_cli_runner()
    result = runner.invoke(args=["import", str(export)])
    assert result.exit_code == 0, result.output
    assert head_of(tmp_path / "new") == original
    with open_store(tmp_path / "new") as store:
        assert verify_archive(store) == []


def test_an_old_export_without_a_log_still_imports_and_is_logged(tmp_path):
    changed_archive(tmp_path / "old")
    export = tmp_path / "archive.jsonl"
    with open_store(tmp_path / "old") as store:
        export_to_file(store, export)
    lines = export.read_text(encoding="utf-8").splitlines()
    header = json.loads(lines[0])
    header["version"] = 1
    del header["log"], header["counts"]["log"]
    old = [json.dumps(header)] + [line for line in lines[1:] if '"record": "log"' not in line]
    export.write_text("\n".join(old) + "\n", encoding="utf-8")
    runner = create_app({"TESTING": True, "DATA_DIR": str(tmp_path / "new")}).test_cli_runner()
    assert runner.invoke(args=["import", str(export)]).exit_code == 0
    with open_store(tmp_path / "new") as store:
        assert store.count_statements(include_withdrawn=True) == 6
        assert store.log_size() > 0 and find_log_problems(store) == []


def test_an_export_whose_log_was_altered_is_refused(tmp_path):
    changed_archive(tmp_path / "old")
    export = tmp_path / "archive.jsonl"
    with open_store(tmp_path / "old") as store:
        export_to_file(store, export)
    text = export.read_text(encoding="utf-8").replace("venue added", "venue invented")
    export.write_text(text, encoding="utf-8")
    runner = create_app({"TESTING": True, "DATA_DIR": str(tmp_path / "new")}).test_cli_runner()
    result = runner.invoke(args=["import", str(export)])
    assert result.exit_code == 1
    assert "log" in result.output and "nothing stored" in result.output.lower()


def test_backup_carries_the_log(tmp_path):
    original = changed_archive(tmp_path / "old")
    report = back_up_archive(tmp_path / "old", tmp_path / "backup")
    restored = tmp_path / "restored"
    restored.mkdir()
    (restored / "archive.sqlite3").write_bytes((report.destination / "archive.sqlite3").read_bytes())
    assert head_of(restored) == original
    header = json.loads((report.destination / "archive.jsonl").read_text().splitlines()[0])
    assert header["log"] == original


def test_backup_of_an_archive_stored_before_the_log_migrates_the_copy(tmp_path):
    init_archive(tmp_path / "old")
    with sqlite3.connect(archive_path(tmp_path / "old")) as raw:
        raw.execute("DROP TABLE log")
        raw.execute("PRAGMA user_version=2")
    report = back_up_archive(tmp_path / "old", tmp_path / "backup")
    with SQLiteStore(report.destination / "archive.sqlite3") as copy:
        assert copy.schema_version == 3 and copy.log_size() == SEED_LOG_SIZE
