"""Atom feeds of a search and of a speaker: valid Atom read by feedparser, escaping, tombstones,
conditional GET, filters, bounds, errors, and the links that lead to them from the pages."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import UTC, datetime
from html.parser import HTMLParser

import feedparser
import pytest

from archive.dates import PostedAt
from archive.records import StatementContent
from web.commands import open_writable_store
from web.feeds import FEED_ENTRIES

ALTMAN, SCHULMAN, REMARK, BROCKMAN = "EGYN-534B", "FGPN-RXWX", "N92U-REDF", "M53G-3GCT"
UNDATED = {"N5NT-5ZJF", "MJF5-GVT6"}
ATOM = "{http://www.w3.org/2005/Atom}"
XHTML = "{http://www.w3.org/1999/xhtml}"
HOSTILE = 'Beware <script>alert("feed")</script> and ]]> & <b>bold</b> \x01 end'


def read_feed(response) -> feedparser.FeedParserDict:
    assert response.status_code == 200, response.text[:300]
    assert response.mimetype == "application/atom+xml"
    parsed = feedparser.parse(response.data)
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert parsed.version == "atom10"
    return parsed


def ids_of(parsed) -> list[str]:
    return [entry.id.rsplit("/", 1)[1] for entry in parsed.entries]


class AlternateLinks(HTMLParser):
    def __init__(self):
        super().__init__()
        self.feeds, self.follow = [], []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if attrs.get("type") == "application/atom+xml":
            (self.feeds if tag == "link" else self.follow).append(attrs["href"])


def alternate_links(html: str) -> AlternateLinks:
    links = AlternateLinks()
    links.feed(html)
    return links


def add_statement(app, text: str, posted_at: PostedAt, person_id: str = "john-schulman") -> str:
    with app.app_context(), open_writable_store() as store:
        return store.add_statement(StatementContent(person_id=person_id, text=text, lang="en",
                                                    posted_at=posted_at))


def test_search_feed_is_valid_atom_with_the_seed_statements_newest_first(client, store):
    parsed = read_feed(client.get("/search.atom"))
    assert parsed.feed.title == "Verbatim: all statements"
    assert parsed.feed.id == "http://localhost/search.atom"
    order = ids_of(parsed)
    assert set(order) == {ALTMAN, SCHULMAN, REMARK, BROCKMAN} | UNDATED
    assert order.index(REMARK) > max(order.index(s) for s in (ALTMAN, SCHULMAN, BROCKMAN))  # 2015
    assert set(order[-2:]) == UNDATED  # undated statements last
    entry = parsed.entries[order.index(SCHULMAN)]
    assert entry.id == entry.link == f"http://localhost/s/{SCHULMAN}"  # the permalink, stable
    assert entry.author == "John Schulman"
    assert entry.author_detail.href == "http://localhost/speakers/john-schulman"
    assert entry.title.startswith("John Schulman: Heute habe ich Folgendes")
    content = entry.content[0].value
    assert "Ich habe die schwierige Entscheidung getroffen, OpenAI zu verlassen." in content
    assert "5 August 2024 (America/Los_Angeles)" in content  # the date in its precision
    assert SCHULMAN in content and "Citation ID" in content
    assert "translated from English" in content
    updated = store.get_statement(SCHULMAN).revisions[-1].created_at
    assert datetime(*entry.updated_parsed[:6], tzinfo=UTC) == datetime.fromisoformat(updated)
    assert "published" not in entry  # a date known to the day is no moment


def test_the_remark_dated_to_the_year_says_so(client):
    parsed = read_feed(client.get("/search.atom?q=absurd&speaker=john-schulman"))
    assert ids_of(parsed) == [REMARK]
    assert "· 2015" in parsed.entries[0].content[0].value


def test_search_feed_carries_the_query_and_filters(client):
    everything = ids_of(read_feed(client.get("/search.atom?q=OpenAI")))
    assert {SCHULMAN, ALTMAN, BROCKMAN} <= set(everything)
    narrowed = read_feed(client.get("/search.atom?q=OpenAI&speaker=john-schulman&sort=relevance&page=9"))
    assert ids_of(narrowed) == [SCHULMAN]  # sort and page are no part of a feed
    assert narrowed.feed.title == "Verbatim: “OpenAI”; speaker: john-schulman"
    assert narrowed.feed.id == "http://localhost/search.atom?q=OpenAI&speaker=john-schulman"
    assert ids_of(read_feed(client.get("/search.atom?q=OpenAI&from=2025-01-01"))) == []


def test_search_page_links_its_feed_with_the_same_query_and_filters(client):
    page = client.get("/search?q=OpenAI&speaker=john-schulman&sort=oldest&page=1")
    links = alternate_links(page.text)
    assert links.feeds == links.follow == ["/search.atom?q=OpenAI&speaker=john-schulman"]
    assert re.search(r">Follow this search</a>", page.text)
    assert ids_of(read_feed(client.get(links.feeds[0]))) == [SCHULMAN]


def test_speaker_feed_lists_their_statements_newest_first_and_the_page_links_it(client):
    page = client.get("/speakers/john-schulman").text
    links = alternate_links(page)
    assert links.feeds == links.follow == ["/speakers/john-schulman.atom"]
    assert ">Follow John Schulman</a>" in page
    parsed = read_feed(client.get("/speakers/john-schulman.atom"))
    assert parsed.feed.title == "Verbatim: John Schulman"
    assert parsed.feed.link == "http://localhost/speakers/john-schulman"
    assert ids_of(parsed) == [SCHULMAN, REMARK]


def test_unknown_speaker_and_bad_search_answer_like_the_search(client):
    missing = client.get("/speakers/nobody.atom", headers={"Accept": "application/atom+xml"})
    assert missing.status_code == 404
    assert missing.json["error"]["message"] == "No speaker 'nobody'."
    for query in ("q=x&from=garbage", "q=x&kind=sonnet", "q=" + "x" * 10_001):
        feed = client.get(f"/search.atom?{query}", headers={"Accept": "application/atom+xml"})
        search = client.get(f"/api/search?{query}")
        assert feed.status_code == search.status_code == 400, query
        assert feed.json == search.json  # the same explanation, in the one error shape


def test_hostile_words_are_escaped_and_the_feed_stays_well_formed(app, client):
    statement_id = add_statement(app, HOSTILE, PostedAt("2026-01-02T03:04:05+00:00", "second"))
    response = client.get("/speakers/john-schulman.atom")
    parsed = read_feed(response)
    assert ids_of(parsed)[0] == statement_id  # the newest
    assert parsed.entries[0].published == "2026-01-02T03:04:05Z"
    root = ET.fromstring(response.data)  # well-formed XML, or this raises
    entry = root.find(f"{ATOM}entry")
    words = entry.find(f"{ATOM}content/{XHTML}div/{XHTML}blockquote/{XHTML}p")
    assert words.text == HOSTILE.replace("\x01", "\ufffd")  # the words, as text: not markup
    assert list(words) == []  # no <script> or <b> element was made from them
    assert entry.find(f"{ATOM}title").text.startswith('John Schulman: Beware <script>alert("feed")')
    assert b"<script>" not in response.data and b"&lt;script&gt;" in response.data
    assert b"]]>" not in response.data


def test_a_withdrawn_statement_is_a_tombstone_entry_without_its_words(app, client, store):
    before = read_feed(client.get("/speakers/john-schulman.atom"))
    with app.app_context(), open_writable_store() as writable:
        writable.withdraw_statement(REMARK, "attribution could not be confirmed")
    after = read_feed(client.get("/speakers/john-schulman.atom"))
    assert ids_of(after) == ids_of(before) == [SCHULMAN, REMARK]  # the same entry ID
    tombstone = after.entries[1]
    assert tombstone.title == f"Withdrawn: {REMARK}"
    content = tombstone.content[0].value
    assert "attribution could not be confirmed" in content and REMARK in content
    words = store.get_statement(REMARK).text
    assert words[:30] not in content and words[:30] not in tombstone.title
    assert tombstone.updated_parsed > before.entries[1].updated_parsed  # readers replace the entry


def test_a_search_feed_lists_the_tombstones_its_filters_cover_whatever_its_words(app, client, store):
    words = store.get_statement(REMARK).text.split()
    with app.app_context(), open_writable_store() as writable:
        writable.withdraw_statement(REMARK, "attribution could not be confirmed")
    tombstones = {}
    for query in (f"q={words[0]}&speaker=john-schulman", "q=Zzyzxwort&speaker=john-schulman",
                  "speaker=john-schulman&from=2015", "q=Zzyzxwort", "speaker=sam-altman",
                  "speaker=john-schulman&to=2014", "speaker=john-schulman&lang=en"):
        parsed = read_feed(client.get(f"/search.atom?{query}"))
        tombstones[query] = [entry for entry in parsed.entries if entry.title == f"Withdrawn: {REMARK}"]
    # the query's words never decide: the words of a withdrawn statement are not searched
    for query in (f"q={words[0]}&speaker=john-schulman", "q=Zzyzxwort&speaker=john-schulman",
                  "speaker=john-schulman&from=2015", "q=Zzyzxwort"):
        assert len(tombstones[query]) == 1, query
        assert " ".join(words[:5]) not in tombstones[query][0].content[0].value
    # its speaker, date and language do
    for query in ("speaker=sam-altman", "speaker=john-schulman&to=2014", "speaker=john-schulman&lang=en"):
        assert tombstones[query] == [], query
    assert client.get("/search.atom?lang=english1").status_code == 400


def test_conditional_get_answers_304_until_the_feed_changes(app, client):
    first = client.get("/search.atom?q=OpenAI")
    etag, modified = first.headers["ETag"], first.headers["Last-Modified"]
    assert "max-age" in first.headers["Cache-Control"]
    assert client.get("/search.atom?q=OpenAI", headers={"If-None-Match": etag}).status_code == 304
    assert client.get("/search.atom?q=OpenAI", headers={"If-Modified-Since": modified}).status_code == 304
    with app.app_context(), open_writable_store() as writable:
        content = writable.get_statement(BROCKMAN).content
        writable.revise_statement(BROCKMAN, content.with_changes(text=content.text + " [sic]"),
                                  "test correction", created_at="2026-12-01T09:00:00+00:00")
    again = client.get("/search.atom?q=OpenAI", headers={"If-None-Match": etag})
    assert again.status_code == 200 and again.headers["ETag"] != etag
    parsed = read_feed(again)
    entry = parsed.entries[ids_of(parsed).index(BROCKMAN)]
    assert entry.updated == "2026-12-01T09:00:00Z"  # from the latest revision
    assert "[sic]" in entry.content[0].value
    assert parsed.feed.updated == "2026-12-01T09:00:00Z"
    assert client.get("/search.atom?q=OpenAI", headers={"If-Modified-Since": modified}).status_code == 200


def test_a_feed_holds_the_newest_entries_only(app, client):
    with app.app_context(), open_writable_store() as writable:
        for day in range(1, FEED_ENTRIES + 6):
            writable.add_statement(StatementContent(
                person_id="sam-altman", text=f"Feed bound number {day}", lang="en",
                posted_at=PostedAt(f"2025-01-{day:02d}" if day <= 31 else f"2025-02-{day - 31:02d}", "day")))
    for path in ("/search.atom?q=bound", "/speakers/sam-altman.atom"):
        parsed = read_feed(client.get(path))
        assert len(parsed.entries) == FEED_ENTRIES
        assert parsed.entries[0].title.endswith(f"number {FEED_ENTRIES + 5}")


@pytest.mark.parametrize("path", ["/search.atom?q=OpenAI", "/speakers/sam-altman.atom"])
def test_feed_urls_are_built_on_the_configured_base_url(data_dir, path):
    from web import create_app

    app = create_app({"TESTING": True, "DATA_DIR": str(data_dir), "BASE_URL": "https://verbatim.example"})
    response = app.test_client().get(path, headers={"Host": "localhost:9999"})
    parsed = read_feed(response)
    assert parsed.feed.id.startswith("https://verbatim.example/")
    assert all(entry.id.startswith("https://verbatim.example/s/") for entry in parsed.entries)
    assert b"localhost" not in response.data
