"""Property tests: whatever a file holds, an importer gives records, problems or ImportFileError."""

from __future__ import annotations

import csv
import io
import json
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, event, example, given, settings
from hypothesis import strategies as st

from archive.export import EXPORT_FORMAT
from archive.importers import ImportFileError, ImportOptions, import_file, read_file
from archive.integrity import verify_archive
from archive.lifecycle import open_store
from archive.records import hash_text

SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
MAPPED = ImportOptions(mapping={"text": "t", "speaker": "s", "posted_at": "d", "platform_id": "i",
                                "lang": "l", "in_reply_to": "r"}, constants={"platform": "x"})
# Keeping the valid records of a mixed file reaches the loader far more often.
SKIPPING = ImportOptions(mapping=MAPPED.mapping, constants=MAPPED.constants, skip_invalid=True)

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
    """Read (and with ``store``, import into an empty archive) a file holding ``data``."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / name
        path.write_bytes(data)
        try:
            if store:
                with open_store(Path(folder) / "data") as opened:
                    report = import_file(opened, path, options)
                    assert report.stored == (options.skip_invalid or not report.problems)
                    event(f"stored some: {report.stored and report.added > 0}")
                    assert opened.count_statements(include_withdrawn=True) == (
                        report.added if report.stored else 0)
                    # Whatever was stored is consistent: hashes and links check out.
                    assert verify_archive(opened) == []
            else:
                read_file(path, options)
        except ImportFileError as error:
            assert error.problems and all(problem.strip() for problem in error.problems)


@SETTINGS
@given(st.binary(max_size=400), st.sampled_from(["x-archive", "jsonl", "csv", "verbatim", ""]))
def test_arbitrary_bytes(data, format_name):
    attempt("input.data", data, ImportOptions(format_name=format_name, speaker="someone"))


words = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), min_size=1, max_size=40)
valid_dates = st.sampled_from(["2021-09-25T09:22:34Z", "2015", "5 August 2024", "2024-08",
                               "2021-09-25T09:22:34+02:00", ""])
valid_records = st.fixed_dictionaries({
    "t": words, "s": st.sampled_from(["@sama", "_x", "Erika Muster", "sam-altman", "ann"]),
    "d": valid_dates, "i": st.integers(0, 12).map(str), "l": st.sampled_from(["de", "en", ""]),
    "r": st.one_of(st.integers(0, 12).map(str), st.just(""))})


@SETTINGS
@given(st.lists(st.one_of(valid_records.map(json.dumps), valid_records.map(json.dumps),
                          records.map(json.dumps), json_values.map(json.dumps), st.text(max_size=30)),
                min_size=1, max_size=8))
def test_jsonl_lines(lines):
    for options in (MAPPED, SKIPPING):
        attempt("input.jsonl", "\n".join(lines).encode("utf-8", "surrogatepass"), options, store=True)


valid_rows = valid_records.map(lambda r: [r["t"], r["s"], r["d"], r["i"], r["l"], r["r"]])


@SETTINGS
@given(st.lists(st.one_of(valid_rows, valid_rows, st.lists(st.text(max_size=15), min_size=0, max_size=7)),
                min_size=1, max_size=8),
       st.sampled_from([",", ";", "\t"]))
def test_csv_rows(rows, delimiter):
    header = delimiter.join(["t", "s", "d", "i", "l", "r"])
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter).writerows(rows)
    body = buffer.getvalue()
    for options in (MAPPED, SKIPPING):
        attempt("input.csv", (header + "\n" + body).encode("utf-8", "surrogatepass"), options, store=True)


tweets = st.fixed_dictionaries({}, optional={
    "id_str": st.one_of(st.integers(0, 20).map(str), scalars),
    "full_text": st.one_of(st.text(max_size=40), scalars),
    "created_at": date_texts, "lang": st.sampled_from(["en", "und", "qme", "", "x y"]),
    "in_reply_to_status_id_str": st.one_of(st.integers(0, 20).map(str), scalars),
    "in_reply_to_screen_name": st.text(max_size=10),
    "entities": json_values, "edit_info": st.one_of(json_values, st.fixed_dictionaries({
        "edit": st.fixed_dictionaries({"initialTweetId": st.integers(0, 20).map(str)})})),
})


valid_tweets = st.fixed_dictionaries({
    "id_str": st.integers(0, 12).map(str), "full_text": words,
    "created_at": st.sampled_from(["Sat Feb 18 19:45:15 +0000 2023", "2023-02-18T19:45:15Z"]),
    "lang": st.sampled_from(["en", "und", "de"]),
    "entities": st.just({"urls": [{"url": "https://t.co/abc", "expanded_url": "https://example.org"}]}),
}, optional={"in_reply_to_status_id_str": st.integers(0, 12).map(str),
             "edit_info": st.fixed_dictionaries({"edit": st.fixed_dictionaries({
                 "initialTweetId": st.integers(0, 12).map(str),
                 "editControlInitial": st.fixed_dictionaries({"editTweetIds": st.lists(
                     st.integers(0, 12).map(str), max_size=3)})})})})


@SETTINGS
@example([{"tweet": {"id_str": "1", "full_text": "a", "edit_info": {"initial": {"editTweetIds": 5}}}},
          {"id_str": "2", "full_text": "b",
           "edit_info": {"edit": {"editControlInitial": {"editTweetIds": 7}}}},
          {"tweet": {"id_str": {"x": 1}, "full_text": ["a"], "entities": {"urls": [5, {"url": 3}]}}}],
         "tweets")
@given(st.lists(st.one_of(valid_tweets.map(lambda t: {"tweet": t}), valid_tweets,
                          tweets.map(lambda t: {"tweet": t}), tweets, json_values), max_size=8),
       st.sampled_from(["tweets", "tweet", "like"]))
def test_x_archive_parts(elements, name):
    text = f"window.YTD.{name}.part0 = " + json.dumps(elements)
    for skip in (False, True):
        attempt("tweets.js", text.encode("utf-8", "surrogatepass"),
                ImportOptions(speaker="owner", skip_invalid=skip), store=True)


def with_true_hashes(items: list[dict]) -> list[dict]:
    """Most revisions carry the right hash, so restores get past the hash check."""
    for item in items:
        if "text_sha256" not in item:
            item["text_sha256"] = hash_text(item["content"]["text"])
    return items


content_dicts = st.fixed_dictionaries({"person_id": st.sampled_from(["sam-altman", "nobody", ""]),
                                      "text": st.text(max_size=20)}, optional={
    "kind": st.one_of(st.sampled_from(["post", "reply"]), json_values),
    "posted_at": st.one_of(json_values, st.fixed_dictionaries({
        "value": date_texts, "precision": st.sampled_from(["second", "day", "year", "unknown", "x"])})),
    "sources": json_values, "in_reply_to": st.sampled_from(["EGYN-534B", "AAAA-AAAA", ""]),
    "lang": json_values})
revisions = st.lists(st.fixed_dictionaries({"content": content_dicts}, optional={
    "revision": st.one_of(st.integers(0, 3), json_values), "reason": json_values,
    "created_at": json_values, "text_sha256": st.one_of(json_values, st.text(max_size=64))}),
    max_size=3).map(with_true_hashes)
field_values = st.one_of(json_values, st.text(max_size=10))


@SETTINGS
@given(st.lists(st.one_of(json_values, st.fixed_dictionaries({
    "record": st.sampled_from(["person", "source", "statement", "other"])}, optional={
    "person_id": field_values, "name": field_values, "handles": json_values,
    "source_id": field_values, "title": field_values,
    "statement_id": st.one_of(st.sampled_from(["EGYN-534B", "egyn534b", "EGYN-534C"]), field_values),
    "status": st.one_of(st.sampled_from(["active", "withdrawn"]), field_values),
    "created_at": field_values, "revisions": st.one_of(revisions, json_values)})), max_size=6))
@example([{"record": "person", "person_id": "a", "name": 5},
          {"record": "source", "source_id": "s", "title": 7},
          {"record": "statement", "statement_id": "EGYN-534B", "status": "active", "created_at": "x",
           "revisions": [{"revision": "abc", "content": [1, 2], "text_sha256": "", "reason": "r"}]}])
def test_verbatim_records(records_list):
    lines = [json.dumps({"format": EXPORT_FORMAT, "version": 1})] + [json.dumps(r) for r in records_list]
    for skip in (False, True):
        attempt("export.jsonl", "\n".join(lines).encode("utf-8", "surrogatepass"),
                ImportOptions(skip_invalid=skip), store=True)
