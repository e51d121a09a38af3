"""Holes an attacker's review found in the web surface: parameters that Flask's ``url_for``
takes as its own, and Host headers that would end up in permalinks and redirects."""

from __future__ import annotations

import re

import pytest

from web import create_app
from web.hosts import HostConfigurationError

STATEMENT = "EGYN-534B"


@pytest.mark.parametrize("url", [
    "/search?q=Auszeit&_method=POST", "/?endpoint=1", "/search?endpoint=", "/search?q=x&endpoint=x",
    "/search.json?q=Auszeit&_method=POST", "/?_scheme=ftp&q=Auszeit", "/search?q=Auszeit&_anchor=zzz",
    "/search?q=Auszeit&_external=1",
])
def test_parameters_of_url_for_are_never_passed_on(client, url):
    response = client.get(url)
    assert response.status_code == 200, response.text[:500]
    html = response.text
    assert "#zzz" not in html and "_anchor" not in html and "_method" not in html
    assert "http://localhost/search" not in html  # links stay relative: _external was dropped
    assert "ftp:" not in html


def test_a_search_link_keeps_the_search_s_own_parameters(client):
    html = client.get("/search?q=Auszeit&lang=de&sort=newest&_anchor=zzz").text
    downloads = re.search(r'href="(/api/search\.csv[^"]*)"', html)[1]
    assert "q=Auszeit" in downloads and "lang=de" in downloads and "sort=newest" in downloads


@pytest.mark.parametrize("path", [f"/s/{STATEMENT}", f"/api/statements/{STATEMENT}", "/search?q=Auszeit",
                                  "/api/openapi.json", f"//s//{STATEMENT}", "/api/speakers"])
def test_a_foreign_host_header_is_refused_before_anything_names_it(client, path):
    response = client.get(path, headers={"Host": "evil.example"})
    assert response.status_code == 400
    assert "evil.example" not in response.headers.get("Location", "")
    assert "Content-Security-Policy" in response.headers
    if path.startswith("/api/"):
        assert response.json["error"]["code"] == "unknown_host"


@pytest.mark.parametrize("host", ["localhost", "localhost:8080", "127.0.0.1:5000", "[::1]:5000", "[::1]"])
def test_loopback_hosts_are_served_by_default(client, host):
    response = client.get(f"/api/statements/{STATEMENT}", headers={"Host": host})
    assert response.status_code == 200
    assert response.json["url"] == f"http://{host}/s/{STATEMENT}"


def test_permalinks_and_citations_come_from_the_configured_base_url(data_dir):
    app = create_app({"TESTING": True, "DATA_DIR": str(data_dir), "BASE_URL": "https://verbatim.example/"})
    client = app.test_client()
    record = client.get(f"/api/statements/{STATEMENT}", headers={"Host": "localhost:9999"}).json
    assert record["url"] == f"https://verbatim.example/s/{STATEMENT}"
    citation = client.get(f"/api/statements/{STATEMENT}/citation?style=plain").json["citation"]
    assert citation.endswith(f"https://verbatim.example/s/{STATEMENT}")
    assert client.get("/api/openapi.json").json["servers"] == [{"url": "https://verbatim.example"}]
    page = client.get(f"/s/{STATEMENT}").text
    assert f"https://verbatim.example/s/{STATEMENT}" in page and "localhost" not in page
    # the base URL's own host is served; other hosts still are not
    assert client.get("/api/speakers", headers={"Host": "verbatim.example"}).status_code == 200
    assert client.get("/api/speakers", headers={"Host": "evil.example"}).status_code == 400


def test_allowed_hosts_take_names_and_subdomain_patterns(data_dir):
    app = create_app({"TESTING": True, "DATA_DIR": str(data_dir),
                      "ALLOWED_HOSTS": "quotes.example.org, .newsroom.example"})
    client = app.test_client()
    for host, status in (("quotes.example.org", 200), ("desk.newsroom.example:8443", 200),
                         ("newsroom.example", 200), ("localhost", 400), ("evilnewsroom.example", 400)):
        assert client.get("/api/speakers", headers={"Host": host}).status_code == status, host


@pytest.mark.parametrize("config", [{"BASE_URL": "javascript:alert(1)"}, {"BASE_URL": "verbatim.example"},
                                    {"ALLOWED_HOSTS": " , "}])
def test_a_bad_host_setting_stops_the_app_with_its_name(data_dir, config):
    with pytest.raises(HostConfigurationError, match="BASE_URL|ALLOWED_HOSTS"):
        create_app({"TESTING": True, "DATA_DIR": str(data_dir), **config})


def test_html_and_json_of_one_url_are_cached_apart(client):
    html = client.get(f"/s/{STATEMENT}")
    json_answer = client.get(f"/s/{STATEMENT}", headers={"Accept": "application/json"})
    assert html.mimetype == "text/html" and json_answer.is_json
    for response in (html, json_answer):
        assert "Accept" in response.headers["Vary"]
    assert html.headers["ETag"] != json_answer.headers["ETag"]
    # a conditional request with the HTML's ETag does not turn into a 304 for the JSON
    again = client.get(f"/s/{STATEMENT}", headers={"Accept": "application/json",
                                                   "If-None-Match": html.headers["ETag"]})
    assert again.status_code == 200 and again.is_json
    assert client.get(f"/s/{STATEMENT}", headers={"If-None-Match": html.headers["ETag"]}).status_code == 304
    for path in ("/search?q=Auszeit", "/speakers", "/s/NOPE-NOPE"):
        assert "Accept" in client.get(path).headers.get("Vary", ""), path


@pytest.mark.parametrize("path", [f"/s/{STATEMENT}.json", "/search.json?q=Auszeit", "/speakers.json",
                                  "/speakers/sam-altman.json"])
def test_json_twins_allow_cross_origin_reads_like_the_api(client, path):
    response = client.get(path, headers={"Origin": "https://newsroom.example"})
    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert "Accept" not in response.headers.get("Vary", "")
