"""Property tests with hostile input, extending the parser and importer property tests: the
citation-ID parser, what a visitor can put in a URL, queries through the web layer, and hostile
texts through import, storage and CSV export."""

from __future__ import annotations

import csv
import io
import json
import tempfile
from pathlib import Path
from urllib.parse import quote, urlencode

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from archive.citation_ids import (
    ALPHABET,
    CitationRef,
    InvalidCitationIdError,
    compact_citation_id,
    has_valid_check,
    near_miss_candidates,
    normalise_citation_id,
    parse_citation_ref,
)
from archive.export import iter_statements_csv
from archive.importers import ImportOptions, import_file
from archive.lifecycle import open_store
from archive.records import canonical_text, hash_text
from tests.hostile_records import (
    FORMULA,
    IMG,
    JS_URL,
    RLO,
    SCRIPT,
    ZERO_WIDTH,
    build_hostile_archive,
    find_injections,
)
from web import create_app

NO_FIXTURE_CHECK = [HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
HOSTILE_PIECES = [SCRIPT, IMG, JS_URL, RLO, ZERO_WIDTH, FORMULA, "\u2066", "\u2069", "\r\n", "\r",
                  "\u2028", "\u0085", "&amp;", "&lt;", "%00", "%2F", "..", "@", "/", "\\", "\t",
                  "=", "+", "-", "'", '"', "e\u0301", "ﬁ", "İ", "ß", "𝔘", "😀"]
hostile_text = st.lists(st.one_of(st.sampled_from(HOSTILE_PIECES), st.text(max_size=8)),
                        max_size=12).map("".join)
id_like = st.lists(st.one_of(st.sampled_from(list(ALPHABET) + list("01ILOilo -_.@/ps\u2010")),
                             st.sampled_from(["@1", "@0", "/p1", "/p2.s1", "/P0", "@999999", " "])),
                   max_size=16).map("".join)


# -- the citation-ID parser ------------------------------------------------------------

@settings(max_examples=600, deadline=None)
@given(st.one_of(st.text(max_size=40), id_like, hostile_text))
@example("EGYN-534B@1/p2.s1")
@example("egyn 534b")
@example("EGYN-534B/p٣")  # a non-ASCII digit
def test_reference_parser_raises_only_its_own_error_and_round_trips(typed):
    try:
        ref = parse_citation_ref(typed)
    except InvalidCitationIdError as error:
        assert str(error)  # always says why
        return
    assert isinstance(ref, CitationRef)
    assert normalise_citation_id(ref.statement_id) == ref.statement_id
    assert has_valid_check(compact_citation_id(ref.statement_id))
    assert parse_citation_ref(str(ref)) == ref  # the canonical form reads back the same


@settings(max_examples=400, deadline=None)
@given(st.one_of(st.text(max_size=30), id_like))
def test_near_misses_are_valid_ids_and_never_raise(typed):
    for candidate in near_miss_candidates(typed):
        assert normalise_citation_id(candidate) == candidate


# -- the web layer ------------------------------------------------------------------

@pytest.fixture(scope="module")
def hostile_client(tmp_path_factory):
    hostile = build_hostile_archive(tmp_path_factory.mktemp("properties") / "data")
    app = create_app({"TESTING": True, "DATA_DIR": str(hostile.data_dir), "SECRET_KEY": "t"})
    return app.test_client()


@settings(max_examples=250, deadline=None, suppress_health_check=NO_FIXTURE_CHECK)
@given(st.one_of(id_like, hostile_text, st.text(max_size=30)))
def test_any_typed_reference_is_answered_without_a_server_error(hostile_client, typed):
    quoted = quote(typed, safe="")
    for path in (f"/s/{quoted}", f"/api/statements/{quoted}", f"/api/statements/{quoted}/citation",
                 f"/speakers/{quoted}"):
        response = hostile_client.get(path)
        assert response.status_code in (200, 301, 304, 308, 400, 404, 405, 410), (path, response.status_code)
        if response.mimetype == "text/html":
            assert find_injections(response.get_data(as_text=True)) == []
        elif response.status_code >= 400:
            assert set(response.get_json()["error"]) == {"status", "code", "message"}


QUERY_PIECES = st.sampled_from(HOSTILE_PIECES + ["Zauberwort", "speaker:", "date:", " OR ", " NOT ",
                                                 "(", ")", '"', "*", "~", "[2020 TO", "]", "Auszeit"])


@settings(max_examples=120, deadline=None, suppress_health_check=NO_FIXTURE_CHECK)
@given(st.lists(st.one_of(QUERY_PIECES, st.text(max_size=6)), max_size=10).map("".join),
       st.sampled_from(["", "hostile-person", IMG, SCRIPT]), st.sampled_from(["", "2024", IMG]))
def test_any_query_and_filter_is_a_page_or_a_400_never_markup(hostile_client, query, speaker, date):
    params = urlencode({"q": query, "speaker": speaker, "from": date})
    page = hostile_client.get(f"/search?{params}")
    assert page.status_code in (200, 400)
    assert find_injections(page.get_data(as_text=True)) == []
    api = hostile_client.get(f"/api/search?{params}")
    assert api.status_code in (200, 400)
    if api.status_code == 200:
        assert api.get_json()["query"] == query
        for result in api.get_json()["results"]:
            unmarked = result["snippet_html"].replace("<mark>", "").replace("</mark>", "")
            assert not set(unmarked) & set("<>")


# -- importers: hostile texts are stored exactly, and exported as text ---------------------------

texts = hostile_text.filter(lambda text: text.strip() and "\x00" not in text)


@settings(max_examples=120, deadline=None)
@given(st.lists(st.tuples(texts, hostile_text.map(lambda name: name.strip()).filter(bool)),
                min_size=1, max_size=6, unique_by=lambda pair: pair[0]),
       st.sampled_from(["jsonl", "csv"]))
@example([('<script>alert("xss")</script> „quoted“ ""twice""', "@a")], "csv")  # "" in a cell
@example([("one\r\r\ntwo\r", "@a")], "csv")  # a bare CR before a CRLF is a line break too
def test_hostile_texts_and_names_are_stored_exactly_and_exported_as_text(records, file_format):
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"hostile.{file_format}"
        rows = [{"t": text, "s": name, "i": str(number)} for number, (text, name) in enumerate(records)]
        if file_format == "jsonl":
            path.write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8",
                            errors="surrogatepass")
        else:
            with open(path, "w", encoding="utf-8", newline="", errors="surrogatepass") as handle:
                writer = csv.DictWriter(handle, ["t", "s", "i"])
                writer.writeheader()
                writer.writerows(rows)
        options = ImportOptions(mapping={"text": "t", "speaker": "s", "platform_id": "i"},
                                constants={"platform": "web"}, skip_invalid=True)
        with open_store(Path(folder) / "data") as store:
            try:
                report = import_file(store, path, options)
            except Exception as error:  # noqa: BLE001 - the property is which errors
                raise AssertionError(f"{type(error).__name__}: {error}") from error
            stored = {s.content.platform_id: s for s in store.iter_statements()}
            rejected = {problem.location for problem in report.problems}
            for number, (text, _name) in enumerate(records):
                statement = stored.get(str(number))
                if statement is None:
                    assert rejected, f"record {number} neither stored nor reported"
                    continue
                assert statement.text == canonical_text(text)  # word for word, nothing escaped
                assert statement.revision.text_sha256 == hash_text(text)
                assert statement.speaker.name.strip()
            rows_out = list(csv.reader(io.StringIO("".join(iter_statements_csv(stored.values())))))
            for row in rows_out[1:]:
                for cell in row:
                    assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), cell[:30]
