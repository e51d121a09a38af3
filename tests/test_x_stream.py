"""The streaming reader of X part files: the same elements as reading the whole file, bounded
memory, and clear errors (file, line, element) with nothing stored."""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from archive.importers import x_stream
from archive.importers.mapping import ImportOptions
from archive.importers.records import ImportFileError
from archive.importers.x_archive import parse_x_archive
from archive.importers.x_stream import PartReader
from tests.import_helpers import X_SAMPLE, need, run_import, snapshot
from tests.test_import_x_archive import by_platform_id
from tests.x_archive_builder import export_files, long_post, note, part_text, post, write_folder

START = datetime(2022, 1, 1, tzinfo=UTC)


def read_all(path: Path) -> tuple[str, list]:
    with PartReader(lambda: open(path, "rb"), path.name, path.stat().st_size) as part:
        return part.name, [element for _, element in part]


def many_posts(count: int) -> list[dict]:
    return [post(str(10_000 + number), f"post number {number} on topic {number % 7}",
                 START + timedelta(minutes=number)) for number in range(1, count + 1)]


@pytest.mark.parametrize("chunk", [1, 7, 100, 4096])
def test_chunk_boundaries_do_not_change_what_is_read(monkeypatch, chunk):
    text = need(X_SAMPLE).read_text(encoding="utf-8")
    expected = json.loads(text.split("=", 1)[1])
    monkeypatch.setattr(x_stream, "CHUNK_CHARS", chunk)
    assert read_all(X_SAMPLE) == ("tweets", expected)


def test_memory_holds_a_chunk_and_an_element_not_the_file(monkeypatch, tmp_path):
    path = tmp_path / "tweets.js"
    path.write_text(part_text("tweets", [{"tweet": tweet} for tweet in many_posts(3000)]), encoding="utf-8")
    monkeypatch.setattr(x_stream, "CHUNK_CHARS", 4096)
    largest = 0
    with PartReader(lambda: open(path, "rb"), path.name) as part:
        for _ in part:
            largest = max(largest, len(part._buffer))
    assert path.stat().st_size > 100 * largest
    assert largest < 3 * 4096


@pytest.mark.parametrize("where", ["before the first element", "between elements", "before the end"])
def test_a_long_run_of_white_space_is_dropped_as_it_is_read(monkeypatch, tmp_path, where):
    """A part padded with megabytes of white space (a zip of such parts expands to gigabytes)
    is read in a buffer of a chunk, not held whole; line numbers still count its breaks."""
    padding = " \n" * 2_000_000
    elements = [json.dumps({"tweet": tweet}) for tweet in many_posts(3)]
    body = {"before the first element": padding + ",".join(elements),
            "between elements": elements[0] + "," + padding + ",".join(elements[1:]),
            "before the end": ",".join(elements) + padding}[where]
    path = tmp_path / "tweets.js"
    path.write_text("window.YTD.tweets.part0 = [" + body + "]", encoding="utf-8")
    monkeypatch.setattr(x_stream, "CHUNK_CHARS", 4096)
    largest, read = 0, []
    with PartReader(lambda: open(path, "rb"), path.name) as part:
        for _, element in part:
            read.append(element)
            largest = max(largest, len(part._buffer))
    assert read == [json.loads(element) for element in elements]
    assert largest < 3 * 4096
    broken = tmp_path / "broken.js"
    broken.write_text("window.YTD.tweets.part0 = [" + elements[0] + padding + "x]", encoding="utf-8")
    with pytest.raises(ImportFileError, match="line 2000001"):
        read_all(broken)


def test_numbers_strings_and_escapes_split_across_chunks(monkeypatch, tmp_path):
    elements = [12345678901234567890, "a \\u00e9 \u00e9 \"quoted\" \U0001f600 text",
                [1.5e10, True, None], {"k": "v"}]
    path = tmp_path / "tweets.js"
    path.write_text("window.YTD.tweets.part0 = " + json.dumps(elements), encoding="utf-8")
    for chunk in (1, 2, 3, 5):
        monkeypatch.setattr(x_stream, "CHUNK_CHARS", chunk)
        assert read_all(path)[1] == elements


def refused(runner, data_dir, path: Path, *messages: str) -> None:
    before = snapshot(data_dir)
    result = run_import(runner, path)
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    for message in messages:
        assert message in result.output, result.output
    assert snapshot(data_dir) == before


def big_export(tmp_path: Path, count: int = 6000) -> tuple[Path, str]:
    folder = write_folder(tmp_path / "x", export_files(tweets=many_posts(count)))
    tweets = folder / "data" / "tweets.js"
    return tweets, tweets.read_text(encoding="utf-8")


def test_a_file_cut_short_deep_inside_names_file_line_and_element(runner, data_dir, tmp_path):
    tweets, text = big_export(tmp_path)
    cut = text.index('"post number 5500 ') + 5
    tweets.write_text(text[:cut], encoding="utf-8")
    line = text.count("\n", 0, cut) + 1
    refused(runner, data_dir, tweets.parent.parent,
            f"tweets.js line {line}: element 5500 is incomplete; the file ends before its list is"
            " closed (cut short?)")


def test_a_broken_element_in_the_middle_names_its_line(runner, data_dir, tmp_path):
    tweets, text = big_export(tmp_path)
    broken = text.index('"post number 4321 ')
    tweets.write_text(text[:broken - 2] + ";" + text[broken - 1:], encoding="utf-8")
    line = text.count("\n", 0, broken) + 1
    refused(runner, data_dir, tweets.parent.parent, f"data/tweets.js line {line}: element 4321 is not JSON")


def test_a_byte_that_is_not_utf8_deep_inside(runner, data_dir, tmp_path):
    tweets, text = big_export(tmp_path)
    position = text.index("post number 3000 ")
    data = text.encode("utf-8")
    index = len(text[:position].encode("utf-8"))
    tweets.write_bytes(data[:index] + b"\xff" + data[index + 1:])
    refused(runner, data_dir, tweets.parent.parent,
            f"not UTF-8 (byte 0xff on line {text.count(chr(10), 0, position) + 1})")


def test_junk_after_the_list_and_a_cut_gzip(runner, data_dir, tmp_path):
    tweets, text = big_export(tmp_path)
    tweets.write_text(text + "\nwindow.other = 1", encoding="utf-8")
    refused(runner, data_dir, tweets.parent.parent, "unexpected 'w' after the list's end")
    packed = gzip.compress(text.encode("utf-8"))
    gz = tmp_path / "tweets.js.gz"
    gz.write_bytes(packed[: len(packed) // 2])
    refused(runner, data_dir, gz, "tweets.js.gz: the gzip stream is damaged or cut short")


def test_posts_are_read_as_they_are_stored_across_chunks(runner, data_dir, tmp_path):
    """6,000 posts: an edit chain from the first to the last element, a reply to a post far
    later in the file, and a long post whose note matches, all across the loader's chunks."""
    tweets = many_posts(6000)
    chain = ["10001", "16000"]
    tweets[0]["edit_info"] = {"initial": {"editTweetIds": chain}}
    tweets[-1]["edit_info"] = {"edit": {"initialTweetId": "10001",
                                        "editControlInitial": {"editTweetIds": chain}}}
    tweets[1].update(in_reply_to_status_id_str="15999", in_reply_to_screen_name="exGenesis")
    whole = "A long thought about streaming parsers and memory. " * 8
    tweets[5499] = long_post("15500", whole, START + timedelta(minutes=5500))
    folder = write_folder(tmp_path / "x", export_files(
        tweets=tweets, notes=[note("1", whole, START + timedelta(minutes=5500))]))

    parsed = parse_x_archive(folder, ImportOptions())
    assert isinstance(parsed.candidates, Iterator) and parsed.records_read == 0

    result = run_import(runner, folder)
    assert result.exit_code == 0, result.output
    assert "added 5999, revised 0, unchanged 0, rejected 0" in result.output
    posts = by_platform_id(data_dir)
    assert [r.content.text for r in posts["10001"].revisions] == [
        "post number 1 on topic 1", "post number 6000 on topic 1"]
    assert posts["10002"].content.in_reply_to == posts["15999"].statement_id
    assert posts["15500"].text == whole and not posts["15500"].content.text_truncated


def test_a_part_that_holds_other_data_is_refused(tmp_path):
    folder = write_folder(tmp_path / "x", export_files(tweets=many_posts(2)))
    (folder / "data" / "deleted-tweets.js").write_text(part_text("like", []), encoding="utf-8")
    with pytest.raises(ImportFileError, match="deleted-tweets.js: holds window.YTD.like, not deleted_tweets"):
        parse_x_archive(folder, ImportOptions())


def test_a_damaged_zip_member_is_refused_naming_it(runner, data_dir, tmp_path):
    import zipfile

    _, text = big_export(tmp_path)
    bundle = tmp_path / "twitter.zip"
    with zipfile.ZipFile(bundle, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("data/tweets.js", text)
    data = bytearray(bundle.read_bytes())
    middle = len(data) // 2
    data[middle:middle + 64] = bytes(64)  # zeros in the middle of the compressed stream
    bundle.write_bytes(bytes(data))
    # zlib or the JSON after it notices first; either way the member is named
    refused(runner, data_dir, bundle, "data/tweets.js")


def test_a_file_ending_inside_a_utf8_character(runner, data_dir, tmp_path):
    path = tmp_path / "tweets.js"
    path.write_bytes("window.YTD.tweets.part0 = [\n\"é".encode()[:-1])
    refused(runner, data_dir, path, "tweets.js: not UTF-8 (byte 0xc3 on line 2)")
