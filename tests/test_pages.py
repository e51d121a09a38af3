"""HTML pages: search, permalinks with locators and revisions, tombstones, speakers, help."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest

from web.commands import open_writable_store
from web.headers import CONTENT_SECURITY_POLICY

ALTMAN, SCHULMAN, REMARK, BROCKMAN = "EGYN-534B", "FGPN-RXWX", "N92U-REDF", "M53G-3GCT"


class Links(HTMLParser):
    """Collects hrefs, the alternate JSON link, and the text of elements with an id."""

    def __init__(self):
        super().__init__()
        self.hrefs, self.alternate = [], None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "a" and attrs.get("href"):
            self.hrefs.append(attrs["href"])
        if tag == "link" and attrs.get("rel") == "alternate" and attrs.get("type") == "application/json":
            self.alternate = attrs["href"]


def parse(html: str) -> Links:
    links = Links()
    links.feed(html)
    return links


def text_of(html: str) -> str:
    return re.sub(r"<[^>]+>", "", html)


@pytest.mark.parametrize("path", ["/", "/search?q=Auszeit", f"/s/{ALTMAN}", "/speakers",
                                  "/speakers/sam-altman", "/help"])
def test_every_page_answers_with_security_headers_and_a_json_twin(client, path):
    response = client.get(path)
    assert response.status_code == 200
    assert response.headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    alternate = parse(response.get_data(as_text=True)).alternate
    assert alternate, f"{path} has no JSON twin link"
    twin = client.get(alternate)
    assert twin.status_code == 200 and twin.is_json


def test_home_page_offers_examples(client):
    page = client.get("/").get_data(as_text=True)
    assert 'name="q"' in page and '<label for="q">' in page
    assert "speaker:schulman Kollegen" in page


def test_search_page_shows_highlighted_results_with_ids(client):
    page = client.get("/search?q=Auszeit+Brockman").get_data(as_text=True)
    assert BROCKMAN in page
    assert "<mark>" in page
    assert 'lang="de"' in page
    assert "Greg Brockman" in page


def test_search_page_facet_links_narrow_and_can_be_removed(client):
    page = client.get("/search?q=OpenAI").get_data(as_text=True)
    facet_links = [h for h in parse(page).hrefs if "speaker=john-schulman" in h]
    assert facet_links
    narrowed = client.get(facet_links[0].replace("&amp;", "&")).get_data(as_text=True)
    assert SCHULMAN in narrowed and ALTMAN not in narrowed
    assert "Remove filter speaker" in narrowed


def test_search_page_empty_state_and_suggestion(client):
    page = client.get("/search?q=Brokman").get_data(as_text=True)
    assert "Did you mean" in page and "brockman" in page.lower()
    nothing = client.get("/search?q=Quantencomputer").get_data(as_text=True)
    assert "Nothing found" in nothing


def test_search_page_bad_parameter_is_a_400_page(client):
    response = client.get("/search?q=x&per_page=500")
    assert response.status_code == 400
    assert "per_page" in response.get_data(as_text=True)


def test_permalink_shows_everything_needed_to_cite(client, store):
    page = client.get(f"/s/{ALTMAN}").get_data(as_text=True)
    statement = store.get_statement(ALTMAN)
    assert statement.revision.text_sha256 in page
    assert "@sama" in page and "CEO of OpenAI" in page
    assert "5 August 2024 (America/Los_Angeles)" in page
    assert "translation" in page and "English" in page
    assert "OpenAI-Führungskräfte weiterhin im Umbruch" in page
    hrefs = parse(page).hrefs
    assert f"/s/{SCHULMAN}" in hrefs  # in reply to
    assert f"/s/{REMARK}" in hrefs  # the remark it reports
    assert "Cite" in page and 'data-style="bibtex"' in page
    assert page.count('class="copy"') >= 3
    # the quotation is rendered exactly: joining the paragraphs gives the stored text
    paragraphs = re.findall(r'<p id="p\d+"[^>]*>(.*?)</p>', page, re.S)
    rendered = "\n\n".join(re.sub(r"^¶\d+", "", text_of(p)) for p in paragraphs)
    assert rendered.replace("&#39;", "'") == statement.text


def test_remark_links_to_the_post_that_reports_it(client):
    page = client.get(f"/s/{REMARK}").get_data(as_text=True)
    assert f"/s/{ALTMAN}" in parse(page).hrefs
    assert "a café in Berkeley" in page and "precision: year" in page


@pytest.mark.parametrize("locator, element_id", [("p3", "p3"), ("p3.s2", "p3-s2")])
def test_locator_highlights_the_paragraph_or_sentence(client, locator, element_id):
    page = client.get(f"/s/{SCHULMAN}/{locator}").get_data(as_text=True)
    assert f'data-locator="{element_id}"' in page
    assert re.search(rf'id="{element_id}" class="located"', page)
    assert f"/s/{SCHULMAN}/{locator}" in page  # the Cite box cites just that part


def test_locator_past_the_end_is_404(client):
    response = client.get(f"/s/{SCHULMAN}/p99")
    assert response.status_code == 404
    assert "has 7 paragraph" in response.get_data(as_text=True)


@pytest.mark.parametrize("variant", ["fgpn-rxwx", "FGPNRXWX", "fgpn rxwx", " FGPN-RXWX ", "fgpn-rxwx/P3"])
def test_id_variants_redirect_to_the_canonical_url(client, variant):
    response = client.get(f"/s/{variant}")
    assert response.status_code == 301
    assert re.search(rf"/s/{SCHULMAN}(/p3)?$", response.headers["Location"])


def test_mistyped_id_is_404_with_did_you_mean(client):
    response = client.get("/s/EGYN-543B")  # two neighbours swapped
    assert response.status_code == 404
    page = response.get_data(as_text=True)
    assert "Did you mean" in page and f"/s/{ALTMAN}" in parse(page).hrefs


def test_revisions_are_listed_and_old_ones_readable(app, client):
    with app.app_context(), open_writable_store() as store:
        content = store.get_statement(BROCKMAN).content
        corrected = content.with_changes(text=content.text + " [sic]")
        store.revise_statement(BROCKMAN, corrected, "test correction")
    current = client.get(f"/s/{BROCKMAN}").get_data(as_text=True)
    assert "[sic]" in current and "test correction" in current and f"{BROCKMAN}@1" in current
    old = client.get(f"/s/{BROCKMAN}@1").get_data(as_text=True)
    assert "[sic]" not in old and "revision 1 of 2" in old


def test_withdrawn_statement_is_410_with_its_tombstone(app, client):
    with app.app_context(), open_writable_store() as store:
        store.withdraw_statement(BROCKMAN, "duplicate of another record")
    response = client.get(f"/s/{BROCKMAN}")
    assert response.status_code == 410
    page = response.get_data(as_text=True)
    assert "duplicate of another record" in page and "never be given to another" in page


def test_speaker_page_lists_statements_newest_first(client):
    page = client.get("/speakers/john-schulman").get_data(as_text=True)
    assert "@johnschulman2" in page
    assert page.index(SCHULMAN) < page.index(REMARK)  # 2024 before 2015


def test_unknown_speaker_is_404(client):
    assert client.get("/speakers/nobody").status_code == 404


def test_statement_pages_are_cacheable(client):
    first = client.get(f"/s/{ALTMAN}")
    assert first.headers["ETag"] and "max-age" in first.headers["Cache-Control"]
    again = client.get(f"/s/{ALTMAN}", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304


def test_help_documents_the_query_language(client):
    page = client.get("/help").get_data(as_text=True)
    for term in ('"künstliche Intelligenz"', "speaker:", "-Anthropic", "alig*", "date:2024", "OR"):
        assert term in page.replace("&#34;", '"')
