"""Bad files are refused with one line per problem, no traceback, and the archive unchanged."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from archive.importers.files import MAX_LINE_BYTES
from tests.import_helpers import DATA, run_import, snapshot

MAPPING = ["--map", "platform_id=tweet_id", "--map", "speaker=who", "--map", "posted_at=when",
           "--map", "text=body", "--set", "platform=x"]

# (hand-made file, words the message must hold)
BROKEN = [
    ("empty.jsonl", "empty.jsonl: the file is empty"),
    ("truncated.jsonl", "truncated.jsonl line 2: not JSON"),
    ("truncated.jsonl.gz", "gzip stream is damaged or cut short"),
    ("latin1.csv", "latin1.csv line 2: not UTF-8"),
    ("missing-column.csv", "no column 'who' (mapped to speaker)"),
    ("header-only.csv", "a header row but no records"),
    ("ragged.csv", "ragged.csv line 3: 3 cells, but the header has 4"),
    ("bad-date.jsonl", "bad-date.jsonl line 2: posted_at: cannot read 'the day after the storm'"),
    ("bad-lang.jsonl", "is not a BCP 47 language tag"),
    ("not-objects.jsonl", "not-objects.jsonl line 3: expected a JSON object, found int"),
    ("empty-text.jsonl", "empty-text.jsonl line 2: text: a statement needs its words"),
    ("duplicate-id.jsonl", "line 2: same platform ID as line 1 but different content"),
    ("unknown-format.txt", "unknown format; give --format"),
    ("truncated-tweets.js", "the file ends before its list is closed"),
    ("not-a-list-tweets.js", "expected a list after the assignment"),
    ("likes-not-tweets.js", "holds window.YTD.like, not tweets"),
    ("export-future-version.jsonl", "export format version 99"),
]


def assert_refused(result, data_dir: Path, before: str, *messages: str) -> None:
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output and result.exception is None or isinstance(
        result.exception, SystemExit)
    for message in messages:
        assert message in result.output
    assert snapshot(data_dir) == before


@pytest.mark.parametrize("name, message", BROKEN, ids=[name for name, _ in BROKEN])
def test_broken_file_is_refused_and_changes_nothing(runner, data_dir, name, message):
    before = snapshot(data_dir)
    tabular = not (name.endswith(".js") or name.startswith("export-"))
    options = MAPPING if tabular else ["--speaker", "someone"] if name.endswith(".js") else []
    result = run_import(runner, DATA / name, *options)
    assert_refused(result, data_dir, before, message)


def test_every_bad_record_is_reported_not_just_the_first(runner, data_dir):
    before = snapshot(data_dir)
    result = run_import(runner, DATA / "not-objects.jsonl", *MAPPING)
    assert_refused(result, data_dir, before, "line 2: expected a JSON object, found list",
                   "line 3: expected a JSON object, found int")


def test_a_mapped_key_no_record_has_is_reported(runner, data_dir, tmp_path):
    path = tmp_path / "typo.jsonl"
    path.write_text('{"tweet_id": "1", "who": "ann", "body": "ok", "when": "2020"}\n', encoding="utf-8")
    before = snapshot(data_dir)
    result = run_import(runner, path, *MAPPING, "--map", "lang=language")
    assert_refused(result, data_dir, before,
                   "typo.jsonl all lines: no record has the key 'language' (mapped to lang)")


def test_missing_file_and_folder_as_jsonl(runner, data_dir, tmp_path):
    before = snapshot(data_dir)
    assert_refused(run_import(runner, tmp_path / "nowhere.jsonl"), data_dir, before, "no such file")
    assert_refused(run_import(runner, tmp_path, "--format", "jsonl"), data_dir, before,
                   "a folder can only be imported as an X archive")


def test_a_line_longer_than_the_bound_is_skipped_unread(runner, data_dir, tmp_path):
    path = tmp_path / "huge-line.jsonl"
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(json.dumps({"tweet_id": "1", "who": "ann", "body": "ok", "when": "2020"}) + "\n")
        handle.write('{"tweet_id": "2", "who": "ann", "body": "' + "x" * (MAX_LINE_BYTES + 10) + '"}\n')
        handle.write(json.dumps({"tweet_id": "3", "who": "ann", "body": "ok too"}) + "\n")
    before = snapshot(data_dir)
    result = run_import(runner, path, *MAPPING)
    assert_refused(result, data_dir, before, "huge-line.jsonl line 2: longer than 4 MiB")
    assert "line 3" not in result.output


def test_a_huge_line_in_a_csv_stops_the_file(runner, data_dir, tmp_path):
    path = tmp_path / "huge.csv"
    with open(path, "w", encoding="utf-8") as handle:
        handle.write("tweet_id,who,when,body\n1,ann,2020-01-01," + "y" * (MAX_LINE_BYTES + 1) + "\n")
    before = snapshot(data_dir)
    assert_refused(run_import(runner, path, *MAPPING), data_dir, before, "huge.csv line 2: longer than")


@pytest.mark.slow
def test_a_two_gigabyte_line_in_a_gzip_file(runner, data_dir, tmp_path):
    path = tmp_path / "two-gigabytes.jsonl.gz"
    chunk = b"z" * (16 * 1024 * 1024)
    with gzip.open(path, "wb", compresslevel=1) as handle:
        handle.write(b'{"tweet_id": "1", "who": "ann", "body": "')
        for _ in range(128):
            handle.write(chunk)
        handle.write(b'"}\n')
    before = snapshot(data_dir)
    assert_refused(run_import(runner, path, *MAPPING), data_dir, before,
                   "two-gigabytes.jsonl.gz line 1: longer than 4 MiB")


def test_bad_verbatim_export_lines(runner, data_dir, tmp_path):
    export = runner.invoke(args=["export", "--output", str(tmp_path / "export.jsonl")])
    assert export.exit_code == 0
    lines = (tmp_path / "export.jsonl").read_text(encoding="utf-8").splitlines()
    statement = next(i for i, line in enumerate(lines) if '"record": "statement"' in line)
    tampered = json.loads(lines[statement])
    tampered["revisions"][0]["content"]["text"] += " (geändert)"
    lines[statement] = json.dumps(tampered, ensure_ascii=False)
    lines.append('{"record": "alien"}')
    path = tmp_path / "tampered.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    before = snapshot(data_dir)
    assert_refused(run_import(runner, path), data_dir, before,
                   f"tampered.jsonl line {statement + 1}: revision 1: text_sha256 does not match",
                   f"tampered.jsonl line {len(lines)}: unknown record type 'alien'")
    headless = tmp_path / "headless.jsonl"
    headless.write_text("\n".join(lines[1:]) + "\n", encoding="utf-8")
    assert_refused(run_import(runner, headless, "--format", "verbatim"), data_dir, before,
                   "not a Verbatim export header")
