"""Hostile input is shown as text everywhere: pages, snippets, Cite box, facets, error messages,
JSON and CSV; only http(s) URLs become links; security headers on every response; no stack
trace reaches a client; the web surface accepts no write."""

from __future__ import annotations

import csv
import io
import json
import re
import time

import pytest

from archive.export import export_archive
from archive.importers import ImportOptions, import_file
from archive.lifecycle import open_store
from tests.hostile_records import (
    BIG,
    BIG_NAME,
    FORMULA,
    HOSTILE_NAME,
    IMG,
    JS_URL,
    MARKER,
    RLO,
    SCRIPT,
    SVG,
    build_hostile_archive,
    find_injections,
    visible_text,
)
from web import create_app


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    return build_hostile_archive(tmp_path_factory.mktemp("hostile") / "data")


@pytest.fixture(scope="module")
def hostile_app(hostile):
    return create_app({"TESTING": True, "DATA_DIR": str(hostile.data_dir), "SECRET_KEY": "t"})


@pytest.fixture
def web(hostile_app):
    return hostile_app.test_client()


def test_the_injection_check_finds_what_a_browser_would_run():
    bad = ('<p><img src=x onerror=alert(1)><a href=" JavaScript:alert(1)">x</a>'
           '<script>alert(1)</script><svg onload=alert(2)><meta http-equiv="refresh" content="0"></p>')
    assert len(find_injections(bad)) == 8
    assert find_injections('<script src="/static/app.js" defer></script><p>&lt;script&gt;</p>') == []


def page(web, path: str, status: int = 200) -> str:
    response = web.get(path)
    assert response.status_code == status, (path, response.status_code)
    assert response.mimetype == "text/html"
    html = response.get_data(as_text=True)
    assert find_injections(html) == [], path
    return html


def test_search_results_snippets_and_facets_show_markup_as_text(web, hostile):
    html = page(web, f"/search?q={MARKER}")
    text = visible_text(html)
    assert hostile.statement_id in text and hostile.big_id in text
    assert hostile.withdrawn_id not in text
    for hostile_string in (SCRIPT, IMG, SVG, JS_URL, FORMULA):
        assert hostile_string in text  # the snippet shows the words, escaped
    assert HOSTILE_NAME in text  # the speaker, in the results and the speaker facet
    assert f"{SCRIPT}plat" in text  # the platform facet
    # the only markup a snippet adds is <mark>
    snippets = re.findall(r'<blockquote[^>]*class="snippet">(.*?)</blockquote>', html, re.S)
    assert snippets and all(set(re.findall(r"</?(\w+)", s)) <= {"mark"} for s in snippets)


def test_a_100_kb_statement_is_found_and_excerpted(web, hostile):
    started = time.perf_counter()
    html = page(web, f"/search?q={MARKER}+speaker:big-name")
    assert time.perf_counter() - started < 2
    assert hostile.big_id in visible_text(html)
    assert BIG[:1_000] not in html  # an excerpt around the match, not the whole text
    assert BIG_NAME in visible_text(html)  # a 100 KB speaker name, as text


@pytest.mark.parametrize("query", [SCRIPT, IMG, SVG, JS_URL, f"speaker:{IMG}", f'"{SCRIPT}',
                                   f"{RLO}Auszeit", "Aus\u200bzeit", f"({SCRIPT} OR {IMG}"])
def test_hostile_queries_are_echoed_as_text(web, query):
    html = page(web, "/search?" + _query_string(q=query))
    assert query in visible_text(html)  # in the title; the search box holds it as its value
    response = web.get("/api/search?" + _query_string(q=query))
    assert response.status_code == 200 and response.is_json
    assert response.get_json()["query"] == query


@pytest.mark.parametrize("name, value", [
    ("speaker", IMG), ("platform", SCRIPT), ("lang", SVG), ("kind", JS_URL), ("from", IMG),
    ("to", SCRIPT), ("sort", IMG), ("page", SCRIPT), ("per_page", IMG)])
def test_hostile_filter_values_are_text_in_pages_and_error_messages(web, name, value):
    response = web.get("/search?" + _query_string(q="Auszeit", **{name: value}))
    assert response.status_code in (200, 400)
    assert find_injections(response.get_data(as_text=True)) == []
    api = web.get("/api/search?" + _query_string(q="Auszeit", **{name: value}))
    assert api.status_code in (200, 400) and api.is_json
    if api.status_code == 400:
        assert f"'{name}'" in api.get_json()["error"]["message"]


def test_the_permalink_and_cite_box_show_every_field_as_text(web, hostile):
    html = page(web, f"/s/{hostile.statement_id}")
    text = visible_text(html)
    for expected in (HOSTILE_NAME, f"@{IMG}", SCRIPT, IMG, SVG, JS_URL, f"{SVG} Halle",
                     f"{IMG}{SCRIPT} Quelle", f"venue corrected {IMG}", FORMULA):
        assert expected in text, expected
    cite_box = re.search(r'<section class="cite".*?</section>', html, re.S).group(0)
    assert find_injections(cite_box) == []
    assert HOSTILE_NAME.split(" Eve")[0] in visible_text(cite_box)
    # a record's http(s) URL is a link (escaped); the source's javascript: URL is not
    assert 'href="https://example.org/?q=&#34;&gt;&lt;script&gt;alert(4)&lt;/script&gt;"' in html
    assert 'href="javascript' not in html.lower()
    # locators, old revisions and the JSON twin
    page(web, f"/s/{hostile.statement_id}/p2.s1")
    page(web, f"/s/{hostile.statement_id}@1")
    record = web.get(f"/s/{hostile.statement_id}.json").get_json()
    assert record["text"].startswith(FORMULA) and record["speaker"]["name"] == HOSTILE_NAME


@pytest.mark.parametrize("style", ["apa", "mla", "chicago-note", "chicago-bib", "bibtex", "csl-json",
                                   "ris", "plain"])
def test_citations_carry_hostile_words_as_plain_text(web, hostile, style):
    response = web.get(f"/api/statements/{hostile.statement_id}/citation?style={style}")
    assert response.status_code == 200 and response.is_json
    citation = response.get_json()["citation"]
    flat = citation if isinstance(citation, str) else json.dumps(citation, ensure_ascii=False)
    assert SCRIPT in flat.replace('\\"', '"')  # the words, not an escaped or stripped form


def test_the_big_statement_renders_whole_on_its_permalink(web, hostile):
    started = time.perf_counter()
    html = page(web, f"/s/{hostile.big_id}")
    assert time.perf_counter() - started < 3
    assert BIG[:1000] in visible_text(html)


def test_speaker_pages_and_the_tombstone_show_markup_as_text(web, hostile):
    assert HOSTILE_NAME in visible_text(page(web, "/speakers"))
    assert f"@{IMG}" in visible_text(page(web, "/speakers/hostile-person"))
    tombstone = page(web, f"/s/{hostile.withdrawn_id}", status=410)
    assert f"withdrawn because {SCRIPT}{IMG}" in visible_text(tombstone)
    gone = web.get(f"/api/statements/{hostile.withdrawn_id}")
    assert gone.status_code == 410 and SCRIPT in gone.get_json()["error"]["message"]


@pytest.mark.parametrize("path", [
    f"/s/{SCRIPT}", f"/s/{IMG}", "/s/EGYN-534B/p9.s9", f"/s/EGYN-534B@{IMG}", f"/speakers/{SCRIPT}",
    f"/speakers/{IMG}", "/s/" + BIG[:10_000], f"/nowhere/{SCRIPT}", f"/search?q=Auszeit&page={IMG}"])
def test_error_pages_echo_input_as_text(web, path):
    response = web.get(path)
    assert 400 <= response.status_code < 500
    html = response.get_data(as_text=True)
    assert find_injections(html) == []
    assert len(html) < 20_000  # echoes are cut short, never the whole input
    as_json = web.get(path, headers={"Accept": "application/json"})
    assert as_json.is_json and set(as_json.get_json()["error"]) == {"status", "code", "message"}


def test_csv_export_neutralises_formulas(web, hostile):
    response = web.get(f"/api/search.csv?q={MARKER}")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    header, body = rows[0], rows[1:]
    assert {row[0] for row in body} == {hostile.statement_id, hostile.big_id}
    for row in body:
        for cell in row:
            assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), cell[:40]
    by_id = {row[0]: dict(zip(header, row, strict=True)) for row in body}
    hostile_row = by_id[hostile.statement_id]
    assert hostile_row["text"] == "'" + _current_text(hostile)  # shown as text, else unchanged
    assert hostile_row["handles"].startswith("'@")
    assert by_id[hostile.big_id]["platform_id"] == "'-1+2"
    jsonl = web.get(f"/api/search.jsonl?q={MARKER}").get_data(as_text=True)
    texts = {json.loads(line)["text"] for line in jsonl.splitlines()}
    assert _current_text(hostile) in texts  # JSON keeps the words exactly


def test_only_http_urls_are_accepted_into_records(tmp_path):
    path = tmp_path / "links.jsonl"
    path.write_text(
        '{"t": "eins", "s": "@a", "u": "javascript:alert(1)"}\n'
        '{"t": "zwei", "s": "@a", "u": "data:text/html,<script>alert(1)</script>"}\n'
        '{"t": "drei", "s": "@a", "u": "https://example.org/drei"}\n', encoding="utf-8")
    options = ImportOptions(mapping={"text": "t", "speaker": "s", "url": "u"}, skip_invalid=True)
    with open_store(tmp_path / "data") as store:
        report = import_file(store, path, options)
        assert report.added == 1 and report.rejected == 2
        assert all("url" in problem.reason for problem in report.problems)
        (kept,) = list(store.iter_statements())
        assert kept.content.url == "https://example.org/drei"


def test_hostile_records_survive_export_and_import_byte_for_byte(hostile, tmp_path):
    first = io.StringIO()
    with open_store(hostile.data_dir) as store:
        export_archive(store, first)
    path = tmp_path / "export.jsonl"
    path.write_text(first.getvalue(), encoding="utf-8")
    with open_store(tmp_path / "copy") as copy:
        report = import_file(copy, path, ImportOptions())
        assert report.stored and not report.problems
        second = io.StringIO()
        export_archive(copy, second)
    assert second.getvalue() == first.getvalue()


# -- headers, errors, debug, secret key, read-only ---------------------------------------

def _csp(response) -> dict[str, list[str]]:
    policy = response.headers.get("Content-Security-Policy", "")
    return {part.split()[0]: part.split()[1:] for part in policy.split(";") if part.strip()}


def _check_security_headers(response, where: str) -> None:
    csp = _csp(response)
    scripts = csp.get("script-src", csp.get("default-src"))
    assert scripts, f"{where}: no script policy"
    assert not {"'unsafe-inline'", "'unsafe-eval'", "*", "data:"} & set(scripts), where
    assert csp.get("frame-ancestors") in (["'none'"], ["'self'"]), where
    assert csp.get("object-src") == ["'none'"], where
    assert response.headers.get("X-Content-Type-Options") == "nosniff", where
    assert response.headers.get("Referrer-Policy") in (
        "no-referrer", "strict-origin-when-cross-origin", "same-origin", "strict-origin"), where


def test_security_headers_on_every_kind_of_response(web, hostile):
    paths = ["/", f"/search?q={MARKER}", "/search.json?q=x", f"/s/{hostile.statement_id}",
             f"/s/{hostile.statement_id.lower()}", f"/s/{hostile.withdrawn_id}", "/s/EGYN-534C",
             "/speakers", "/speakers.json", "/speakers/hostile-person", "/help", "/static/app.js",
             "/static/style.css", "/static/missing.js", "/api/openapi.json", "/api/search?q=x",
             "/api/search.csv?q=x", "/api/search.jsonl?q=x", "/api/search?page=x",
             f"/api/statements/{hostile.statement_id}", f"/api/statements/{hostile.statement_id}/citation",
             "/api/speakers", "/api/speakers/nobody", "/nowhere"]
    statuses = set()
    for path in paths:
        response = web.get(path)
        response.get_data()  # runs a streamed body to its end
        response.close()
        statuses.add(response.status_code)
        _check_security_headers(response, path)
    etag = web.get(f"/api/statements/{hostile.statement_id}").headers["ETag"]
    not_modified = web.get(f"/api/statements/{hostile.statement_id}", headers={"If-None-Match": etag})
    assert not_modified.status_code == 304
    _check_security_headers(not_modified, "304")
    for method in ("post", "put", "patch", "delete"):
        response = getattr(web, method)("/api/search")
        statuses.add(response.status_code)
        _check_security_headers(response, method)
    assert {200, 301, 400, 404, 405, 410} <= statuses


def test_an_unexpected_error_is_a_plain_500_without_a_trace(hostile_app, monkeypatch):
    from archive.stores.sqlite import SQLiteStore

    def broken(*args, **kwargs):
        raise RuntimeError("internal detail /srv/secret/path.py line 42")

    monkeypatch.setattr(SQLiteStore, "get_statement", broken)
    client = hostile_app.test_client()
    for path, wants_json in (("/s/EGYN-534B", False), ("/api/statements/EGYN-534B", True)):
        response = client.get(path)
        assert response.status_code == 500
        body = response.get_data(as_text=True)
        for leak in ("Traceback", "internal detail", "/srv/secret", "RuntimeError", "File \""):
            assert leak not in body
        _check_security_headers(response, path)
        if wants_json:
            assert response.get_json()["error"]["code"] == "internal_error"


def test_no_debug_and_the_secret_key_comes_from_the_environment(tmp_path, monkeypatch):
    monkeypatch.delenv("FLASK_DEBUG", raising=False)
    monkeypatch.setenv("VERBATIM_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("VERBATIM_SECRET_KEY", "from-the-environment")
    production = create_app()
    assert not production.debug and not production.testing
    assert production.secret_key == "from-the-environment"
    monkeypatch.delenv("VERBATIM_SECRET_KEY")
    first, second = create_app().secret_key, create_app().secret_key
    assert first != second and len(first) >= 32  # random per start, never a fixed default


WRITE_METHODS = ("POST", "PUT", "PATCH", "DELETE")
# POST routes that only read: a quote check sends its (long) quote as a body
READING_POSTS = {"/api/check", "/check"}


def test_no_route_accepts_a_write_method(hostile_app, hostile):
    client = hostile_app.test_client()
    with open_store(hostile.data_dir) as store:
        before = io.StringIO()
        export_archive(store, before)
    samples = {"reference": hostile.statement_id, "person_id": "hostile-person",
               "filename": "app.js"}
    rules = list(hostile_app.url_map.iter_rules())
    assert len(rules) >= 10
    for rule in rules:
        allowed = {"POST"} if rule.rule in READING_POSTS else set()
        assert set(rule.methods) & set(WRITE_METHODS) <= allowed, f"{rule.rule} accepts {rule.methods}"
        path = rule.build(samples, append_unknown=False)[1] if rule.arguments else rule.rule
        for method in WRITE_METHODS:
            response = client.open(path, method=method, data={"text": "überschrieben"},
                                   headers={"X-CSRF-Token": "x"})
            if method in allowed:  # the empty check form, or a 400 naming the missing quote
                assert response.status_code in (200, 400), (method, path, response.status_code)
                continue
            assert response.status_code == 405, (method, path, response.status_code)
            assert method not in response.headers.get("Allow", "")
    with open_store(hostile.data_dir) as store:
        after = io.StringIO()
        export_archive(store, after)
    assert after.getvalue() == before.getvalue()


def _current_text(hostile) -> str:
    with open_store(hostile.data_dir) as store:
        return store.get_statement(hostile.statement_id).text


def _query_string(**params: str) -> str:
    from urllib.parse import urlencode

    return urlencode(params)
