"""The quote check on the seed collection: the seed cases, references, translation notes,
coverage, the API (GET and POST) and its errors, the page, and the ``check`` command."""

from __future__ import annotations

import html
import re

import pytest

SCHULMAN, ALTMAN, REPLY = "FGPN-RXWX", "EGYN-534B", "N5NT-5ZJF"
MISQUOTE = "Ich habe die schwere Entscheidung getroffen, OpenAI zu verlassen"
ARTICLE_QUOTE = ("„Ich verlasse OpenAI nicht aufgrund mangelnder Unterstützung für die"
                 " Ausrichtungsforschung“")
REPLY_QUOTE = "Wir wissen, was nach einer langen Auszeit passiert"
SENTENCE = "Ich habe die schwierige Entscheidung getroffen, OpenAI zu verlassen"
UNRELATED = "Die Bahn kommt heute wieder viel zu spät und niemand sagt etwas"


def check(client, quote: str, **filters) -> dict:
    response = client.get("/api/check", query_string={"quote": quote, **filters})
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def test_a_misremembered_word_is_close_names_the_word_and_cites_the_sentence(client):
    answer = check(client, MISQUOTE)
    assert answer["verdict"] == "close"
    best = answer["matches"][0]
    assert (best["statement_id"], best["reference"], best["verdict"]) == (
        SCHULMAN, f"{SCHULMAN}/p2.s1", "close")
    assert best["passage"] == SENTENCE
    assert [(d["kind"], d["quote"], d["stored"]) for d in best["differences"]] == [
        ("replaced", "schwere", "schwierige")]
    assert 0.8 < best["similarity"] < 1
    assert best["url"].endswith(f"/s/{SCHULMAN}/p2.s1")
    # the plain citation quotes that sentence and names the reference
    assert best["citation"].startswith(f"“{SENTENCE}.”")
    assert f"{SCHULMAN}/p2.s1 http" in best["citation"]
    # and the search finds the letter first
    search = client.get("/api/search", query_string={"q": MISQUOTE}).get_json()
    assert search["results"][0]["statement_id"] == SCHULMAN


def test_a_quote_in_typographic_quotes_as_an_article_prints_it_is_verbatim(client):
    answer = check(client, ARTICLE_QUOTE)
    best = answer["matches"][0]
    assert (answer["verdict"], best["reference"]) == ("verbatim", f"{SCHULMAN}/p3.s1")
    assert best["differences"] == [] and best["similarity"] == 1.0
    assert best["passage"] == ARTICLE_QUOTE.strip("„“")


def test_part_of_a_one_sentence_reply_is_verbatim_with_the_bare_id(client):
    answer = check(client, REPLY_QUOTE)
    best = answer["matches"][0]
    assert (answer["verdict"], best["reference"], best["passage"]) == ("verbatim", REPLY, REPLY_QUOTE)
    assert best["speaker"]["unnamed"] is True


def test_words_the_archive_does_not_hold_are_not_found(client):
    answer = check(client, UNRELATED)
    assert (answer["verdict"], answer["matches"], answer["coverage"]) == ("not_found", [], None)


def test_a_check_against_a_translation_says_so(client):
    answer = check(client, REPLY_QUOTE)
    note = answer["matches"][0]["translation_note"]
    assert "German translation" in note and "the original is English" in note
    assert "no proof of the original wording" in note
    assert any("translation" in notice for notice in answer["notices"])


def test_with_a_speaker_filter_the_answer_says_what_the_archive_holds_of_them(client):
    answer = check(client, UNRELATED, speaker="schulman")
    coverage = answer["coverage"]
    assert answer["verdict"] == "not_found"
    assert [p["person_id"] for p in coverage["people"]] == ["john-schulman"]
    assert coverage["statements"] == 2
    assert (coverage["first"]["posted_at"], coverage["last"]["posted_at"]) == ("2015", "2024-08-05")
    assert coverage["summary"] == ("The archive holds 2 statements by John Schulman (@johnschulman2),"
                                   " from 2015 to 5 August 2024.")
    assert any("none is close" in notice for notice in answer["notices"])
    # the filter narrows the candidates: Schulman's letter, not Altman's reply
    found = check(client, MISQUOTE, speaker="@sama")
    assert found["verdict"] == "not_found" and found["coverage"]["statements"] == 1
    near = check(client, MISQUOTE, speaker="Schulmann")  # one typo
    assert near["matches"][0]["statement_id"] == SCHULMAN
    assert any("No speaker is called 'Schulmann'" in notice for notice in near["notices"])
    nobody = check(client, MISQUOTE, speaker="Nobody Atall")
    assert nobody["coverage"]["people"] == [] and nobody["verdict"] == "not_found"
    assert nobody["notices"] == ["No speaker in the archive matches 'Nobody Atall'."]


def test_a_date_filter_keeps_statements_outside_it_out(client):
    assert check(client, MISQUOTE, to="2020")["verdict"] == "not_found"
    assert check(client, MISQUOTE, **{"from": "2024-08-01", "to": "2024-08-31"})["verdict"] == "close"


def test_the_reference_is_the_narrowest_part_that_holds_the_passage(client):
    two_sentences = ("Ausrichtungsforschung. Im Gegenteil, die Unternehmensführung war stets sehr"
                     " engagiert")
    assert check(client, two_sentences)["matches"][0]["reference"] == f"{SCHULMAN}/p3"
    across = "zu verlassen. Ich treffe diese Wahl"
    assert check(client, across)["matches"][0]["reference"] == f"{SCHULMAN}/p2"
    paragraphs = ("Arbeit geleistet, um das Team zu einer unbestreitbaren Fähigkeit aufzubauen."
                  " Ich freue mich sehr")
    best = check(client, paragraphs)["matches"][0]
    assert best["reference"] == SCHULMAN and "¶" in best["citation"]


def test_a_quote_that_is_in_two_statements_lists_both_best_first(client):
    quote = "Einerseits scheint es absurd, jetzt über allgemeine künstliche Intelligenz zu sprechen"
    matches = check(client, quote)["matches"]
    assert {m["reference"] for m in matches} == {"N92U-REDF", f"{ALTMAN}/p2.s1"}
    assert all(m["verdict"] == "verbatim" for m in matches)


def test_shuffled_words_are_loose(client):
    answer = check(client, "verlassen OpenAI zu Entscheidung die getroffen schwierige habe Ich")
    assert answer["verdict"] == "loose"
    assert answer["matches"][0]["passage"] == SENTENCE
    assert any("not as one passage" in notice for notice in answer["notices"])


def test_a_long_quote_can_be_posted_as_json(client):
    paragraph = client.get(f"/api/statements/{SCHULMAN}").get_json()["paragraphs"][2]
    response = client.post("/api/check", json={"quote": paragraph, "speaker": "john-schulman", "to": None})
    answer = response.get_json()
    assert response.status_code == 200
    assert (answer["verdict"], answer["matches"][0]["reference"]) == ("verbatim", f"{SCHULMAN}/p3")
    assert answer["coverage"]["statements"] == 2
    assert client.post("/api/check", json={"quote": MISQUOTE}).get_json() == check(client, MISQUOTE)
    letter = client.get(f"/api/statements/{SCHULMAN}").get_json()["text"]
    whole = client.post("/api/check", json={"quote": letter}).get_json()
    assert (whole["verdict"], whole["matches"][0]["reference"]) == ("verbatim", SCHULMAN)
    assert whole["matches"][0]["passage"] == letter.rstrip(".")


@pytest.mark.parametrize("params, parameter", [
    ({}, "quote"), ({"quote": ""}, "quote"), ({"quote": "   "}, "quote"),
    ({"quote": "x " * 2600}, "quote"), ({"quote": "„…“ — !"}, "quote"),
    ({"quote": MISQUOTE, "from": "2023-13-45"}, "from"), ({"quote": MISQUOTE, "to": "soon"}, "to"),
    ({"quote": MISQUOTE, "speaker": "a\x01b"}, "speaker"),
])
def test_bad_input_is_a_400_naming_the_parameter(client, params, parameter):
    for response in (client.get("/api/check", query_string=params),
                     client.post("/api/check", json=params)):
        assert response.status_code == 400
        error = response.get_json()["error"]
        assert error["code"] == "bad_request" and f"'{parameter}'" in error["message"]


@pytest.mark.parametrize("body, content_type", [
    ("not json", "text/plain"), ("{broken", "application/json"), ("[1, 2]", "application/json"),
    ('{"quote": 5}', "application/json"), ('{"quote": "ok", "speaker": ["x"]}', "application/json"),
])
def test_a_bad_body_is_a_400(client, body, content_type):
    response = client.post("/api/check", data=body, content_type=content_type)
    assert response.status_code == 400 and response.get_json()["error"]["status"] == 400


def test_the_page_json_twin_answers_what_the_api_answers(client):
    api = client.get("/api/check", query_string={"quote": MISQUOTE}).get_json()
    assert client.get("/check.json", query_string={"quote": MISQUOTE}).get_json() == api
    accept = client.get("/check", query_string={"quote": MISQUOTE}, headers={"Accept": "application/json"})
    assert accept.get_json() == api
    page = client.get("/check", query_string={"quote": MISQUOTE}).get_data(as_text=True)
    assert '<link rel="alternate" type="application/json" href="/check.json?quote=' in page


def test_the_page_marks_the_differences_and_offers_reference_citation_and_permalink(client):
    page = client.get("/check", query_string={"quote": MISQUOTE}).get_data(as_text=True)
    assert "Close: the archive holds this passage" in page
    passage = re.search(r'<blockquote class="passage"[^>]*>(.*?)</blockquote>', page, re.S).group(1)
    assert ('<del title="the quote says">schwere</del> <ins title="the statement says">schwierige</ins>'
            in passage)
    assert re.sub(r"<del.*?</del> |<[^>]+>", "", passage).strip() == SENTENCE
    assert f'data-copy="{SCHULMAN}/p2.s1"' in page
    citation = check(client, MISQUOTE)["matches"][0]["citation"]
    assert f'data-copy="{html.escape(citation)}"' in page
    assert f'href="/s/{SCHULMAN}/p2.s1"' in page
    assert "German translation" in page


def test_the_form_posts_a_long_quote_and_the_answer_is_the_same_page(client):
    letter = client.get(f"/api/statements/{SCHULMAN}").get_json()["text"]
    page = client.post("/check", data={"quote": letter, "speaker": "schulman"})
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and "Verbatim: the archive holds these exact words." in text
    assert f'data-copy="{SCHULMAN}"' in text and 'rel="alternate"' not in text
    assert client.post("/check", data={"quote": ""}).status_code == 400
    posted = client.post("/check", data={"quote": MISQUOTE}, headers={"Accept": "application/json"})
    assert posted.get_json() == check(client, MISQUOTE)


def test_the_page_escapes_what_was_pasted(client):
    hostile = '<script>alert(1)</script> Ich habe die "schwere" Entscheidung <b>getroffen</b>'
    page = client.get("/check", query_string={"quote": hostile}).get_data(as_text=True)
    assert "<script>alert(1)" not in page and "<b>getroffen" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_the_empty_page_is_a_form_and_bad_input_is_explained_on_it(client):
    empty = client.get("/check")
    assert empty.status_code == 200 and '<textarea id="quote" name="quote"' in empty.get_data(as_text=True)
    bad = client.get("/check", query_string={"quote": " "})
    assert bad.status_code == 400
    assert "Parameter &#39;quote&#39;: missing or empty" in bad.get_data(as_text=True)


def test_a_search_that_looks_like_a_pasted_sentence_offers_the_check(client):
    page = client.get("/search", query_string={"q": MISQUOTE, "speaker": "john-schulman"}).text
    assert "Check this quote" in page
    link = re.search(r'<a href="(/check\?[^"]+)">Check this quote</a>', page).group(1)
    assert "speaker=john-schulman" in link
    followed = client.get(html.unescape(link)).get_data(as_text=True)
    assert "Close: the archive holds this passage" in followed
    assert "Check this quote" not in client.get("/search", query_string={"q": "Auszeit Brockman"}).text


def run_check(runner, *arguments):
    return runner.invoke(args=["check", *arguments])


def test_the_command_prints_verdict_reference_differences_citation_and_exits_by_verdict(runner):
    verbatim = run_check(runner, ARTICLE_QUOTE)
    assert verbatim.exit_code == 0, verbatim.output
    assert verbatim.output.startswith("Verbatim: the archive holds these exact words.")
    assert f"reference:   {SCHULMAN}/p3.s1" in verbatim.output
    assert f"{SCHULMAN}/p3.s1 http://127.0.0.1:5000/s/{SCHULMAN}/p3.s1" in verbatim.output
    close = run_check(runner, MISQUOTE)
    assert close.exit_code == 1
    assert "replaced:    the quote says “schwere”, the statement “schwierige”" in close.output
    assert "citation:    “Ich habe die schwierige Entscheidung" in close.output
    missing = run_check(runner, UNRELATED, "--speaker", "schulman")
    assert missing.exit_code == 1
    assert "Not found" in missing.output and "2 statements by John Schulman" in missing.output


@pytest.mark.parametrize("arguments", [[""], ["…"], ["x" * 5001], [MISQUOTE, "--from", "2023-13-45"],
                                       [MISQUOTE, "--to", "later"]])
def test_the_command_exits_2_for_bad_input(runner, arguments):
    result = run_check(runner, *arguments)
    assert result.exit_code == 2
    assert "Error:" in result.output
