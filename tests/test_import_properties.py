"""Property tests: whatever a file holds, an importer gives records, problems or ImportFileError."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from archive.export import EXPORT_FORMAT
from archive.importers import ImportFileError, ImportOptions, import_file, read_file
from archive.lifecycle import open_store

SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
MAPPED = ImportOptions(mapping={"text": "t", "speaker": "s", "posted_at": "d", "platform_id": "i",
                                "lang": "l", "in_reply_to": "r"}, constants={"platform": "x"})

scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True),
                    st.text(max_size=40))
json_values = st.recursive(scalars, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=8), inner, max_size=4)), max_leaves=12)
date_texts = st.one_of(st.text(max_size=30), st.sampled_from([
    "2021-09-25T09:22:34Z", "Sat Feb 18 19:45:15 +0000 2023", "2015", "2024-13-45", "31.02.2020",
    "2021-09-25T09:22:34", "in 2015", "", "9999-12-31T23:59:59+14:00", "0001-01-01T00:00:00Z"]))
records = st.fixed_dictionaries({}, optional={
    "t": st.one_of(st.text(max_size=60), scalars), "s": st.one_of(
        st.text(max_size=20), st.sampled_from(["@sama", "_x", "Erika Muster", "", "sam-altman"])),
    "d": st.one_of(date_texts, scalars), "i": st.one_of(st.text(max_size=6), st.integers(0, 30)),
    "l": st.one_of(st.sampled_from(["de", "en", "und", "xx-yy", ""]), st.text(max_size=5)),
    "r": st.one_of(st.integers(0, 30).map(str), st.just("")),
    "extra": json_values,
})


def attempt(name: str, data: bytes, options: ImportOptions, *, store: bool = False) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / name
        path.write_bytes(data)
        try:
            if store:
                with open_store(Path(folder) / "data") as opened:
                    report = import_file(opened, path, options)
                    assert report.stored == (not report.problems)
                    assert opened.count_statements() == (report.added if report.stored else 0)
            else:
                read_file(path, options)
        except ImportFileError as error:
            assert error.problems and all(problem.strip() for problem in error.problems)


@SETTINGS
@given(st.binary(max_size=400), st.sampled_from(["x-archive", "jsonl", "csv", "verbatim", ""]))
def test_arbitrary_bytes(data, format_name):
    attempt("input.data", data, ImportOptions(format_name=format_name, speaker="someone"))


@SETTINGS
@given(st.lists(st.one_of(records.map(json.dumps), json_values.map(json.dumps), st.text(max_size=30)),
                min_size=1, max_size=8))
def test_jsonl_lines(lines):
    attempt("input.jsonl", "\n".join(lines).encode("utf-8", "surrogatepass"), MAPPED, store=True)


@SETTINGS
@given(st.lists(st.lists(st.text(max_size=15), min_size=0, max_size=7), min_size=1, max_size=8),
       st.sampled_from([",", ";", "\t"]))
def test_csv_rows(rows, delimiter):
    header = delimiter.join(["t", "s", "d", "i", "l", "r"])
    body = "\n".join(delimiter.join(cell.replace("\x00", "") for cell in row) for row in rows)
    attempt("input.csv", (header + "\n" + body).encode("utf-8", "surrogatepass"), MAPPED, store=True)


tweets = st.fixed_dictionaries({}, optional={
    "id_str": st.one_of(st.integers(0, 20).map(str), scalars),
    "full_text": st.one_of(st.text(max_size=40), scalars),
    "created_at": date_texts, "lang": st.sampled_from(["en", "und", "qme", "", "x y"]),
    "in_reply_to_status_id_str": st.one_of(st.integers(0, 20).map(str), scalars),
    "in_reply_to_screen_name": st.text(max_size=10),
    "entities": json_values, "edit_info": st.one_of(json_values, st.fixed_dictionaries({
        "edit": st.fixed_dictionaries({"initialTweetId": st.integers(0, 20).map(str)})})),
})


@SETTINGS
@given(st.lists(st.one_of(tweets.map(lambda t: {"tweet": t}), tweets, json_values), max_size=8),
       st.sampled_from(["tweets", "tweet", "like"]))
def test_x_archive_parts(elements, name):
    text = f"window.YTD.{name}.part0 = " + json.dumps(elements)
    attempt("tweets.js", text.encode("utf-8", "surrogatepass"), ImportOptions(speaker="owner"), store=True)


@SETTINGS
@given(st.lists(st.one_of(json_values, st.fixed_dictionaries({
    "record": st.sampled_from(["person", "source", "statement", "other"])}, optional={
    "person_id": st.text(max_size=8), "name": st.text(max_size=8), "source_id": st.text(max_size=8),
    "title": st.text(max_size=8), "statement_id": st.text(max_size=10), "status": st.text(max_size=8),
    "created_at": st.text(max_size=8), "revisions": json_values})), max_size=6))
def test_verbatim_records(records_list):
    lines = [json.dumps({"format": EXPORT_FORMAT, "version": 1})] + [json.dumps(r) for r in records_list]
    attempt("export.jsonl", "\n".join(lines).encode("utf-8", "surrogatepass"), ImportOptions(), store=True)
