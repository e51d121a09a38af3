"""The JSON API: shapes, errors, parity with the HTML pages, caching, CORS, the OpenAPI file."""

from __future__ import annotations

import csv
import io
import json

import pytest

from web.commands import open_writable_store

ALTMAN, SCHULMAN, BROCKMAN = "EGYN-534B", "FGPN-RXWX", "M53G-3GCT"
RESULT_KEYS = {"statement_id", "url", "speaker", "posted_at", "date_precision", "lang", "kind",
               "platform", "platform_id", "original_url", "text", "snippet_html"}


def assert_error(response, status: int, *words: str):
    assert response.status_code == status
    assert response.is_json, response.get_data(as_text=True)[:200]
    body = response.get_json()
    assert set(body["error"]) == {"status", "code", "message"}
    assert body["error"]["status"] == status
    for word in words:
        assert word in body["error"]["message"]
    return body


def test_search_answers_the_documented_shape(client):
    body = client.get("/api/search?q=Auszeit+Brockman").get_json()
    assert {"query", "total", "page", "per_page", "results", "facets", "suggestion", "notices"} <= set(body)
    assert body["total"] >= 1 and body["results"][0]["statement_id"] == BROCKMAN
    first = body["results"][0]
    assert RESULT_KEYS <= set(first)
    assert set(first["speaker"]) >= {"person_id", "name", "handles"}
    assert first["url"].endswith(f"/s/{BROCKMAN}")
    assert first["date_precision"] == "day" and first["posted_at"] == "2024-08-05"
    assert "<mark>" in first["snippet_html"]
    assert set(body["facets"]) == {"speaker", "year", "lang", "platform", "kind", "deleted"}
    for values in body["facets"].values():
        for value in values:
            assert set(value) == {"value", "label", "count"}


def test_search_filters_and_sorting(client):
    by_schulman = client.get("/api/search?q=&speaker=john-schulman&sort=newest").get_json()
    assert [r["statement_id"] for r in by_schulman["results"]] == [SCHULMAN, "N92U-REDF"]
    oldest = client.get("/api/search?speaker=john-schulman&sort=oldest").get_json()
    assert [r["statement_id"] for r in oldest["results"]] == ["N92U-REDF", SCHULMAN]
    in_2015 = client.get("/api/search?from=2015-01-01&to=2015-12-31").get_json()
    assert [r["statement_id"] for r in in_2015["results"]] == ["N92U-REDF"]


def test_search_paging(client):
    first = client.get("/api/search?q=&sort=newest&per_page=4").get_json()
    second = client.get("/api/search?q=&sort=newest&per_page=4&page=2").get_json()
    assert first["total"] == second["total"] == 6
    assert len(first["results"]) == 4 and len(second["results"]) == 2
    assert not {r["statement_id"] for r in first["results"]} & {r["statement_id"] for r in second["results"]}


@pytest.mark.parametrize("query, parameter", [
    ("per_page=101", "per_page"), ("per_page=0", "per_page"), ("page=abc", "page"),
    ("sort=random", "sort"), ("from=2023-13-45", "from"), ("to=not-a-date", "to"),
    ("q=" + "x" * 10_001, "q"),
])
def test_bad_search_parameters_are_400_naming_the_parameter(client, query, parameter):
    assert_error(client.get(f"/api/search?{query}"), 400, f"'{parameter}'")


def test_malformed_query_text_is_not_an_error(client):
    for query in ['"unbalanced', "((Auszeit", "Auszeit AND", "foo:bar", "date:2023-13-45", "\x00\x07"]:
        response = client.get("/api/search", query_string={"q": query})
        assert response.status_code == 200, query
        assert isinstance(response.get_json()["notices"], list)


def test_statement_record_is_complete(client):
    body = client.get(f"/api/statements/{ALTMAN}").get_json()
    assert body["statement_id"] == ALTMAN and body["status"] == "active"
    assert body["speaker"]["handles"] == ["@sama"]
    assert body["in_reply_to"] == SCHULMAN and body["in_reply_to_url"].endswith(f"/s/{SCHULMAN}")
    assert body["lang"] == "de" and body["original_lang"] == "en"
    assert body["posted_at"] == {"value": "2024-08-05", "precision": "day", "timezone": "America/Los_Angeles"}
    assert len(body["text_sha256"]) == 64 and body["revisions"][0]["text_sha256"] == body["text_sha256"]
    assert body["sources"][0]["title"].startswith("OpenAI-Führungskräfte")
    assert body["text"].endswith(":))") and len(body["paragraphs"]) == 2


def test_statement_variants_resolve_and_typos_suggest(client):
    assert client.get("/api/statements/egyn534b").get_json()["statement_id"] == ALTMAN
    body = assert_error(client.get("/api/statements/EGYN-543B"), 404, "Did you mean EGYN-534B")
    assert body["suggestion"] == ALTMAN
    assert_error(client.get("/api/statements/ZZZZ-ZZZZ"), 404)
    assert_error(client.get(f"/api/statements/{ALTMAN}@7"), 404, "revisions 1 to 1")


def test_withdrawn_statement_is_410_with_tombstone(app, client):
    with app.app_context(), open_writable_store() as store:
        store.withdraw_statement(BROCKMAN, "wrong attribution")
    body = assert_error(client.get(f"/api/statements/{BROCKMAN}"), 410, "wrong attribution")
    assert body["tombstone"]["withdrawn_reason"] == "wrong attribution"
    assert_error(client.get(f"/api/statements/{BROCKMAN}/citation"), 410)
    search = client.get("/api/search?q=Auszeit").get_json()
    assert BROCKMAN not in [r["statement_id"] for r in search["results"]]
    assert search["total"] == len(search["results"])  # the index dropped it too


def test_citation_styles(client):
    for style in ("apa", "mla", "chicago-note", "chicago-bib", "bibtex", "ris", "plain"):
        body = client.get(f"/api/statements/{ALTMAN}/citation?style={style}").get_json()
        assert body["style"] == style and isinstance(body["citation"], str)
        assert ALTMAN in body["citation"]
    csl = client.get(f"/api/statements/{ALTMAN}/citation?style=csl-json").get_json()["citation"]
    assert isinstance(csl, dict) and csl["type"] == "post"
    located = client.get(f"/api/statements/{SCHULMAN}/citation?style=plain&locator=p2").get_json()
    assert f"/s/{SCHULMAN}/p2" in located["citation"]
    assert "Zur Klarstellung" not in located["citation"]
    assert_error(client.get(f"/api/statements/{ALTMAN}/citation?style=harvard"), 400, "'style'")
    assert_error(client.get(f"/api/statements/{SCHULMAN}/citation?locator=p0"), 400, "'locator'")


def test_speakers(client):
    body = client.get("/api/speakers").get_json()
    people = {p["person_id"]: p for p in body["speakers"]}
    assert people["john-schulman"]["statement_count"] == 2
    assert people["unnamed-x-user-1"]["unnamed"] is True
    one = client.get("/api/speakers/john-schulman").get_json()
    assert [s["statement_id"] for s in one["statements"]] == [SCHULMAN, "N92U-REDF"]
    assert_error(client.get("/api/speakers/nobody"), 404)


@pytest.mark.parametrize("path", ["/api/nothing", "/api/statements/", "/api/speakers/a/b"])
def test_unknown_api_paths_are_json_404(client, path):
    assert_error(client.get(path), 404)


def test_wrong_method_is_json_405(client):
    response = client.post("/api/search")
    assert_error(response, 405)
    assert "GET" in response.headers["Allow"]


@pytest.mark.parametrize("page_path, api_path", [
    ("/search.json?q=Auszeit+Brockman", "/api/search?q=Auszeit+Brockman"),
    ("/search?q=OpenAI&speaker=john-schulman", "/api/search?q=OpenAI&speaker=john-schulman"),
    (f"/s/{ALTMAN}.json", f"/api/statements/{ALTMAN}"),
    ("/speakers.json", "/api/speakers"),
    ("/speakers/sam-altman.json", "/api/speakers/sam-altman"),
])
def test_html_urls_answer_the_same_json(client, page_path, api_path):
    headers = {} if ".json" in page_path else {"Accept": "application/json"}
    twin = client.get(page_path, headers=headers)
    assert twin.status_code == 200 and twin.is_json
    assert twin.get_json() == client.get(api_path).get_json()


def test_html_and_json_agree_on_a_query(client):
    body = client.get("/api/search?q=OpenAI").get_json()
    page = client.get("/search?q=OpenAI").get_data(as_text=True)
    assert f"{body['total']} statements" in page
    positions = [page.index(f'href="/s/{r["statement_id"]}"') for r in body["results"]]
    assert positions == sorted(positions)


def test_search_results_stream_as_csv_and_jsonl(client):
    csv_response = client.get("/api/search.csv?q=OpenAI&sort=newest")
    assert csv_response.status_code == 200 and csv_response.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(csv_response.get_data(as_text=True))))
    body = client.get("/api/search?q=OpenAI&sort=newest").get_json()
    assert [row["statement_id"] for row in rows] == [r["statement_id"] for r in body["results"]]
    assert rows[0]["text"] == body["results"][0]["text"]
    lines = client.get("/api/search.jsonl?q=&per_page=1").get_data(as_text=True).splitlines()
    assert len(lines) == 6  # every result, whatever per_page says
    assert {json.loads(line)["statement_id"] for line in lines} >= {ALTMAN, SCHULMAN}
    assert_error(client.get("/api/search.csv?sort=bogus"), 400, "'sort'")


def test_exports_are_not_bound_by_the_paging_window(client, monkeypatch):
    import importlib

    search_module = importlib.import_module("index.search_parameters")

    monkeypatch.setattr(search_module, "MAX_RESULT_WINDOW", 4)  # the window for paging by hand
    assert_error(client.get("/api/search?q=&per_page=2&page=3"), 400, "'page'")
    exported = client.get("/api/search.csv?q=&sort=oldest").get_data(as_text=True)
    rows = list(csv.DictReader(io.StringIO(exported)))
    assert len(rows) == 6
    assert rows[0]["statement_id"] == "N92U-REDF"  # 2015 comes first, undated ones last
    assert {row["statement_id"] for row in rows[-2:]} == {"N5NT-5ZJF", "MJF5-GVT6"}


def test_statement_caching_and_cors(client):
    first = client.get(f"/api/statements/{ALTMAN}")
    assert first.headers["Access-Control-Allow-Origin"] == "*"
    assert "max-age" in first.headers["Cache-Control"]
    again = client.get(f"/api/statements/{ALTMAN}", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304


def test_openapi_lists_every_api_route(app, client):
    spec = client.get("/api/openapi.json").get_json()
    assert spec["openapi"].startswith("3.")
    documented = set(spec["paths"])
    routes = {rule.rule.replace("<reference>", "{reference}").replace("<person_id>", "{person_id}")
              for rule in app.url_map.iter_rules() if rule.rule.startswith("/api/") or rule.rule == "/oembed"}
    assert routes == documented
    for path, item in spec["paths"].items():
        for operation in item.values():
            assert "200" in operation["responses"], path
