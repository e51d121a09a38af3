"""The embeddable quote card and oEmbed: what the card shows, who may frame it (it alone), the
tombstone, and the oEmbed 1.0 answers — shape, sizes, formats, foreign and unknown URLs."""

from __future__ import annotations

import base64
import hashlib
import re
from html.parser import HTMLParser

import pytest

from archive.records import StatementContent
from web import create_app
from web.commands import open_writable_store

ALTMAN, SCHULMAN, BROCKMAN = "EGYN-534B", "FGPN-RXWX", "M53G-3GCT"
HOSTILE = 'Beware <script>alert("card")</script> and <img src=x onerror=alert(1)> ]]>'


class Elements(HTMLParser):
    """Every element's tag and attributes, and the text of the page."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.elements, self.text = [], []

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, dict(attrs)))

    def handle_data(self, data):
        self.text.append(data)

    def find(self, tag: str, **attrs) -> list[dict]:
        return [a for t, a in self.elements if t == tag and all(a.get(k) == v for k, v in attrs.items())]


def elements(html: str) -> Elements:
    parsed = Elements()
    parsed.feed(html)
    return parsed


def policy(response) -> dict[str, list[str]]:
    text = response.headers["Content-Security-Policy"]
    return {part.split()[0]: part.split()[1:] for part in text.split(";") if part.strip()}


def test_card_shows_the_words_speaker_date_and_id_with_links_back(client):
    response = client.get(f"/s/{SCHULMAN}/embed")
    assert response.status_code == 200 and response.mimetype == "text/html"
    page = elements(response.text)
    text = " ".join("".join(page.text).split())
    assert "Ich habe die schwierige Entscheidung getroffen, OpenAI zu verlassen." in text
    assert "Ich werde weiterhin für euch jubeln" in text  # the whole letter
    assert "John Schulman" in text and "5 August 2024 (America/Los_Angeles)" in text
    assert SCHULMAN in text and "translated from English" in text
    links = page.find("a")
    assert {a["href"] for a in links} == {f"http://localhost/s/{SCHULMAN}",
                                           "http://localhost/speakers/john-schulman"}
    assert all(a.get("target") == "_blank" and a.get("rel") == "noopener" for a in links)
    assert not page.find("script") and not page.find("link")  # self-contained: nothing to load


def test_card_with_a_locator_shows_just_that_sentence(client):
    response = client.get(f"/s/{SCHULMAN}/p2.s1/embed")
    text = " ".join("".join(elements(response.text).text).split())
    assert "Ich habe die schwierige Entscheidung getroffen, OpenAI zu verlassen." in text
    assert "Ich treffe diese Wahl" not in text  # the next sentence
    assert f"{SCHULMAN}/p2.s1" in text
    assert elements(response.text).find("a", href=f"http://localhost/s/{SCHULMAN}/p2.s1")


def test_card_may_be_framed_anywhere_and_its_style_is_allowed_by_hash(client):
    response = client.get(f"/s/{ALTMAN}/embed")
    csp = policy(response)
    assert csp["frame-ancestors"] == ["*"]
    assert "X-Frame-Options" not in response.headers
    assert csp["script-src"] == ["'none'"] and csp["default-src"] == ["'none'"]
    style = re.search(r"<style>(.*?)</style>", response.text, re.S)[1]
    digest = base64.b64encode(hashlib.sha256(style.encode()).digest()).decode()
    assert csp["style-src"] == [f"'sha256-{digest}'"]  # else the browser would drop the style


@pytest.mark.parametrize("path", ["/", "/search?q=Auszeit", f"/s/{ALTMAN}", f"/s/{SCHULMAN}/p2.s1",
                                  "/speakers", "/speakers/sam-altman", "/help", "/check",
                                  "/search.atom?q=x", f"/oembed?url=http://localhost/s/{ALTMAN}",
                                  "/api/search?q=x", "/s/EGYN-543B/embed", "/static/embed.css"])
def test_every_other_route_refuses_to_be_framed(client, path):
    response = client.get(path)
    response.close()  # a static file is sent from an open file
    assert policy(response)["frame-ancestors"] == ["'none'"], path
    assert response.headers["X-Frame-Options"] == "DENY", path


def test_card_id_variants_redirect_to_the_canonical_card(client):
    response = client.get("/s/fgpn rxwx/P2.S1/embed")
    assert response.status_code == 301
    assert response.headers["Location"].endswith(f"/s/{SCHULMAN}/p2.s1/embed")


def test_card_of_a_withdrawn_statement_is_its_tombstone(app, client, store):
    words = store.get_statement(BROCKMAN).text
    with app.app_context(), open_writable_store() as writable:
        writable.withdraw_statement(BROCKMAN, "duplicate of another record")
    response = client.get(f"/s/{BROCKMAN}/embed")
    assert response.status_code == 410
    assert policy(response)["frame-ancestors"] == ["*"] and "X-Frame-Options" not in response.headers
    assert "This statement was withdrawn" in response.text and "duplicate of another record" in response.text
    assert words[:30] not in response.text
    oembed = client.get(f"/oembed?url=http://localhost/s/{BROCKMAN}")
    assert oembed.status_code == 200 and oembed.json["title"] == f"Withdrawn: {BROCKMAN}"


def test_card_escapes_hostile_words(app, client):
    with app.app_context(), open_writable_store() as writable:
        statement_id = writable.add_statement(StatementContent(person_id="sam-altman", text=HOSTILE))
    response = client.get(f"/s/{statement_id}/embed")
    page = elements(response.text)
    assert not page.find("script") and not page.find("img")
    assert HOSTILE in "".join(page.text)


def iframe_of(payload: dict) -> dict:
    (frame,) = elements(payload["html"]).find("iframe")
    return frame


def test_oembed_answers_a_rich_iframe_of_the_card(client):
    response = client.get(f"/oembed?url=http://localhost/s/{SCHULMAN}/p2.s1&format=json")
    assert response.status_code == 200 and response.mimetype == "application/json"
    payload = response.json
    assert payload["version"] == "1.0" and payload["type"] == "rich"
    assert payload["provider_name"] == "Verbatim" and payload["provider_url"] == "http://localhost/"
    assert payload["author_name"] == "John Schulman"
    assert payload["title"] == ("John Schulman: Ich habe die schwierige Entscheidung getroffen,"
                                " OpenAI zu verlassen.")
    assert payload["citation_id"] == f"{SCHULMAN}/p2.s1"
    frame = iframe_of(payload)
    assert frame["src"] == f"http://localhost/s/{SCHULMAN}/p2.s1/embed"
    assert int(frame["width"]) == payload["width"] and int(frame["height"]) == payload["height"]
    assert isinstance(payload["width"], int) and isinstance(payload["height"], int)
    assert client.get(frame["src"]).status_code == 200
    # sandboxed for the embedding page: no script even from this server; links open a new tab
    assert frame["sandbox"].split() == ["allow-popups", "allow-popups-to-escape-sandbox"]
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    # the card's own URL, an ID variant and the default format answer the same card
    for url in (frame["src"], "http://localhost/s/fgpn-rxwx/p2.s1"):
        assert iframe_of(client.get("/oembed", query_string={"url": url}).json)["src"] == frame["src"]


def test_oembed_honours_maxwidth_and_maxheight(client):
    default = client.get(f"/oembed?url=http://localhost/s/{SCHULMAN}").json
    bounded = client.get(f"/oembed?url=http://localhost/s/{SCHULMAN}&maxwidth=320&maxheight=200").json
    assert default["width"] > 320 and default["height"] > 200
    assert (bounded["width"], bounded["height"]) == (320, 200)
    frame = iframe_of(bounded)
    assert (frame["width"], frame["height"]) == ("320", "200")
    short = client.get(f"/oembed?url=http://localhost/s/{SCHULMAN}/p2.s1").json
    assert short["height"] < default["height"]  # one sentence needs less room than the letter


@pytest.mark.parametrize("query, status", [
    ("url=http://localhost/s/EGYN-534B&format=xml", 501),
    ("url=http://localhost/s/EGYN-534B&format=yaml", 501),
    ("url=http://evil.example/s/EGYN-534B", 404),
    ("url=https://localhost/s/EGYN-534B", 404),
    ("url=http://localhost:8080/s/EGYN-534B", 404),
    ("url=http://localhost/speakers/sam-altman", 404),
    ("url=http://localhost/s/EGYN-534C", 404),
    ("url=http://localhost/s/EGYN-534B/p99", 404),
    ("url=javascript:alert(1)", 404),
    ("url=http://localhost:notaport/s/EGYN-534B", 404),
    ("", 400),
    ("url=", 400),
    ("url=http://localhost/s/EGYN-534B&maxwidth=wide", 400),
    ("url=http://localhost/s/EGYN-534B&maxheight=0", 400),
])
def test_oembed_refuses_what_it_cannot_answer(client, query, status):
    response = client.get(f"/oembed?{query}")
    assert response.status_code == status
    assert response.json["error"]["status"] == status


def test_permalink_offers_oembed_discovery(client):
    for reference in (ALTMAN, f"{SCHULMAN}/p3"):
        page = elements(client.get(f"/s/{reference}").text)
        (link,) = page.find("link", rel="alternate", type="application/json+oembed")
        payload = client.get(link["href"]).json
        assert iframe_of(payload)["src"] == f"http://localhost/s/{reference}/embed"


def test_oembed_accepts_only_urls_on_the_configured_base_url(data_dir):
    app = create_app({"TESTING": True, "DATA_DIR": str(data_dir), "BASE_URL": "https://verbatim.example"})
    client = app.test_client()
    ours = client.get(f"/oembed?url=https://verbatim.example/s/{ALTMAN}", headers={"Host": "localhost"})
    assert ours.status_code == 200
    assert iframe_of(ours.json)["src"] == f"https://verbatim.example/s/{ALTMAN}/embed"
    assert "localhost" not in ours.text
    assert client.get(f"/oembed?url=http://localhost/s/{ALTMAN}").status_code == 404
    page = elements(client.get(f"/s/{ALTMAN}").text)
    (link,) = page.find("link", type="application/json+oembed")
    assert link["href"].startswith("https://verbatim.example/oembed?")
