"""Each page and its JSON twin show the same things: the statements a permalink links to and
from, and a speaker's statements with the withdrawn ones; a new reply changes the ETag."""

from __future__ import annotations

import re

import pytest

from archive.records import Person, StatementContent

BROCKMAN = "M53G-3GCT"  # two replies in the seed collection
SEED_IDS = ["EGYN-534B", "FGPN-RXWX", BROCKMAN, "N92U-REDF"]
LINK = re.compile(r'href="/s/([0-9A-Z]{4}-[0-9A-Z]{4})"')


def linked_on_page(html: str, own: str) -> set[str]:
    return set(LINK.findall(html)) - {own}


def linked_in_json(body: dict) -> set[str]:
    found = {body[name] for name in ("in_reply_to", "reported_by", "translation_of") if body[name]}
    found |= {item["statement_id"] for item in body["linked"].values()}
    found |= {item["statement_id"] for item in body["replies"] + body["reported_here"]}
    return found


@pytest.mark.parametrize("statement_id", SEED_IDS)
def test_a_permalink_links_what_its_json_names(client, statement_id):
    html = client.get(f"/s/{statement_id}").get_data(as_text=True)
    body = client.get(f"/s/{statement_id}.json").get_json()
    assert linked_on_page(html, statement_id) == linked_in_json(body)


def test_replies_are_in_the_json_in_the_page_order(client):
    html = client.get(f"/s/{BROCKMAN}").get_data(as_text=True)
    body = client.get(f"/api/statements/{BROCKMAN}").get_json()
    replies = [item["statement_id"] for item in body["replies"]]
    assert len(replies) == 2
    shown = html[html.index("<dt>Replies</dt>"):]
    assert sorted(replies, key=shown.index) == replies
    assert all(item["url"].endswith(f"/s/{item['statement_id']}") and item["speaker"]["person_id"]
               for item in body["replies"])


def test_a_new_reply_changes_the_permalink_etag(client, store):
    for url in (f"/s/{BROCKMAN}", f"/s/{BROCKMAN}.json"):
        first = client.get(url)
        assert client.get(url, headers={"If-None-Match": first.headers["ETag"]}).status_code == 304
    before = {url: client.get(url).headers["ETag"] for url in (f"/s/{BROCKMAN}", f"/s/{BROCKMAN}.json")}
    store.put_person(Person("reader", "A Reader"))
    reply = store.add_statement(StatementContent(person_id="reader", text="Gute Erholung!", lang="de",
                                                 in_reply_to=BROCKMAN))
    for url, etag in before.items():
        answer = client.get(url, headers={"If-None-Match": etag})
        assert answer.status_code == 200 and reply in answer.get_data(as_text=True)
    # a citation does not show replies: its ETag stays
    citation = client.get(f"/api/statements/{BROCKMAN}/citation?style=apa")
    assert citation.status_code == 200


def test_a_speaker_json_lists_the_withdrawn_statements_the_page_shows(client, store):
    statement_id = "FGPN-RXWX"
    person_id = store.get_statement(statement_id).speaker.person_id
    live_before = client.get(f"/api/speakers/{person_id}").get_json()["statement_count"]
    store.withdraw_statement(statement_id, "withdrawn for the test")
    html = client.get(f"/speakers/{person_id}").get_data(as_text=True)
    body = client.get(f"/speakers/{person_id}.json").get_json()
    assert [item["statement_id"] for item in body["statements"]] == LINK.findall(html)
    tombstone = next(item for item in body["statements"] if item["statement_id"] == statement_id)
    assert tombstone["status"] == "withdrawn"
    assert tombstone["withdrawn_reason"] == "withdrawn for the test" and "withdrawn for the test" in html
    assert "text" not in tombstone and "snippet_html" not in tombstone
    assert body["statement_count"] == live_before - 1
    assert all(item["status"] == "active" and item["text"] for item in body["statements"]
               if item["statement_id"] != statement_id)
