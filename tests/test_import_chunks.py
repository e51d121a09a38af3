"""Big files are stored a chunk at a time inside the one import transaction: replies find
parents in earlier and later chunks, repeats across chunks are told from conflicts, a bad
record in the last chunk leaves nothing of the earlier ones, and re-importing adds nothing.
The chunk size is set to 3 here so that an eleven-line file spans four chunks."""

from __future__ import annotations

import json

import pytest

from archive.importers import loader
from archive.lifecycle import open_store
from tests.import_helpers import run_import, snapshot


@pytest.fixture(autouse=True)
def small_chunks(monkeypatch):
    monkeypatch.setattr(loader, "CHUNK_SIZE", 3)


def tweet(number: int, text: str, reply_to: int | None = None) -> dict:
    record = {"id": f"90{number:02d}", "who": "chunkwriter", "text": text,
              "at": f"2024-08-{number:02d}T10:00:00Z"}
    if reply_to is not None:
        record["parent"] = f"90{reply_to:02d}"
    return record


PLAIN_MAP = ["--map", "text=text", "--map", "speaker=who", "--map", "posted_at=at",
             "--map", "platform_id=id", "--set", "platform=x", "--set", "lang=en"]
MAP = PLAIN_MAP + ["--map", "in_reply_to=parent"]


def write(path, records) -> None:
    path.write_text("".join(json.dumps(record) + "\n" for record in records), encoding="utf-8")


def by_platform_id(data_dir) -> dict:
    with open_store(data_dir) as store:
        return {statement.content.platform_id: statement for statement in store.iter_statements()
                if statement.content.platform_id.startswith("90")}


def test_replies_link_to_parents_in_earlier_and_later_chunks(runner, data_dir, tmp_path):
    records = [
        tweet(1, "a reply to a post four chunks later", reply_to=11),   # chunk 1, parent in chunk 4
        tweet(2, "the parent of a reply in the next chunk"),
        tweet(3, "a reply to a post outside the file", reply_to=99),
        tweet(4, "a reply to line 2, one chunk back", reply_to=2),       # chunk 2
        tweet(5, "a reply to a reply that waits", reply_to=1),           # its parent waits too
        tweet(6, "a reply to itself", reply_to=6),
        tweet(7, "plain"), tweet(8, "plain too"), tweet(9, "and another"),  # chunk 3
        tweet(10, "a reply in the same chunk as its parent", reply_to=11),  # chunk 4
        tweet(11, "the late parent"),
    ]
    path = tmp_path / "replies.jsonl"
    write(path, records)
    result = run_import(runner, path, *MAP)
    assert result.exit_code == 0, result.output
    assert "added 11" in result.output
    stored = by_platform_id(data_dir)
    assert len(stored) == 11

    def parent_of(number: int) -> str:
        return stored[f"90{number:02d}"].content.in_reply_to

    assert parent_of(1) == stored["9011"].statement_id
    assert parent_of(4) == stored["9002"].statement_id
    assert parent_of(5) == stored["9001"].statement_id
    assert parent_of(10) == stored["9011"].statement_id
    assert parent_of(6) == "" and parent_of(3) == ""
    assert stored["9003"].content.in_reply_to_external == "https://x.com/i/status/9099"
    assert stored["9001"].content.in_reply_to_external == ""
    before = snapshot(data_dir)
    again = run_import(runner, path, *MAP)
    assert again.exit_code == 0 and "added 0" in again.output and "unchanged 11" in again.output
    assert snapshot(data_dir) == before


def test_repeats_across_chunks_are_unchanged_and_conflicts_name_the_first_line(runner, data_dir,
                                                                               tmp_path):
    records = [tweet(number, f"post {number}") for number in range(1, 8)]
    records.append(tweet(2, "post 2"))                   # line 8 repeats line 2 exactly
    path = tmp_path / "repeats.jsonl"
    write(path, records)
    result = run_import(runner, path, *PLAIN_MAP)
    assert result.exit_code == 0, result.output
    assert "added 7" in result.output and "unchanged 1" in result.output

    conflicting = records + [tweet(3, "post 3, but other words")]   # line 9 conflicts with line 3
    path = tmp_path / "conflict.jsonl"
    write(path, conflicting)
    before = snapshot(data_dir)
    result = run_import(runner, path, *PLAIN_MAP)
    assert result.exit_code != 0
    assert "line 9: same platform ID as line 3 but different content" in result.output
    assert snapshot(data_dir) == before


def test_a_bad_record_in_the_last_chunk_stores_nothing_of_the_earlier_ones(runner, data_dir,
                                                                         tmp_path):
    before = snapshot(data_dir)
    path = tmp_path / "late-error.jsonl"
    records = [tweet(number, f"fine {number}") for number in range(1, 10)]
    write(path, records)
    with path.open("a", encoding="utf-8") as handle:
        handle.write('{"id": "9010", "who": "chunkwriter", "text": "no date", "at": "2023-13-45"}\n')
    result = run_import(runner, path, *PLAIN_MAP)
    assert result.exit_code != 0
    assert "line 10" in result.output and "Nothing stored" in result.output
    assert snapshot(data_dir) == before
    skipped = run_import(runner, path, *PLAIN_MAP, "--skip-invalid")
    assert skipped.exit_code == 0, skipped.output
    assert "added 9" in skipped.output and "rejected 1" in skipped.output
    assert (tmp_path / "late-error.jsonl.rejects.jsonl").is_file()  # beside the test, never in the project
