"""``flask --app web extract``: quotes and speakers found in an article, a draft bundle that
stores nothing until it is imported, and the measurement in bench/extract_eval.py."""

from __future__ import annotations

import json

import pytest

from archive.extraction import extract_quotes, find_quotes
from archive.lifecycle import open_store
from archive.records import Person
from archive.seed import read_seed
from bench.extract_eval import ARTICLES, evaluate_all, format_table
from tests.conftest import SEED_ARTICLE

PEOPLE = [Person.from_dict(person) for person in read_seed()["people"]]


@pytest.fixture
def seed_article():
    if not SEED_ARTICLE.exists():
        pytest.skip(f"seed article not found at {SEED_ARTICLE}")
    return SEED_ARTICLE


def state(data_dir):
    with open_store(data_dir) as store:
        return (store.count_statements(include_withdrawn=True), len(store.list_sources()),
                len(store.list_people()), store.log_size())


def test_extract_finds_the_six_seed_statements_attributed_as_stored(runner, data_dir, tmp_path,
                                                                      seed_article):
    before = state(data_dir)
    draft_path = tmp_path / "draft.json"
    result = runner.invoke(args=["extract", str(seed_article), "--output", str(draft_path)])
    assert result.exit_code == 0, result.output
    assert "6 quote(s) in 000_9b6b4eaa2eaf404f.txt; attributed 6" in result.output
    assert "Not attributed" not in result.output
    assert state(data_dir) == before  # extract stores nothing
    draft = json.loads(draft_path.read_text(encoding="utf-8"))
    seed = read_seed()
    stored = {item["statement_id"]: item for item in seed["statements"]}
    assert [item["statement_id"] for item in draft["statements"]] == [
        "EGYN-534B", "N92U-REDF", "FGPN-RXWX", "M53G-3GCT", "N5NT-5ZJF", "MJF5-GVT6"]
    for item in draft["statements"]:
        assert item["person_id"] == stored[item["statement_id"]]["person_id"]
        assert item["text"] == stored[item["statement_id"]]["text"]
    assert draft["statements"][1]["reported_by"] == "#1"  # Schulman's words in Altman's post
    assert draft["sources"][0]["source_id"] == "seed-article-2024-08"
    assert draft["extraction"]["unattributed"] == []
    imported = runner.invoke(args=["import", str(draft_path)])
    assert "added 0, revised 0, unchanged 6" in imported.output, imported.output
    assert state(data_dir) == before


def test_the_unnamed_speakers_are_unnamed(seed_article):
    quotes = extract_quotes(seed_article.read_text(encoding="utf-8"), PEOPLE).quotes
    assert [(quote.person_id, quote.unnamed_as) for quote in quotes[4:]] == [
        ("", "Jemand"), ("", "Ein anderer Nutzer")]


def test_a_draft_names_what_it_could_not_attribute_and_import_refuses_it(runner, data_dir,
                                                                            tmp_path):
    article = tmp_path / "article.txt"
    article.write_text("Neue Linie\n\nDie Verkehrsbetriebe planen eine neue Linie. „Die Bahn"
                       " kommt 2030 nach Nordstadt.“\n\nDie Bürgermeisterin Eva Stein sagte:"
                       " „Darauf warten wir seit Jahren.“\n", encoding="utf-8")
    draft_path = tmp_path / "draft.json"
    result = runner.invoke(args=["extract", str(article), "-o", str(draft_path),
                                 "--source-url", "https://example.org/linie"])
    assert result.exit_code == 0, result.output
    assert "2 quote(s) in article.txt; attributed 1" in result.output
    assert "Not attributed: statement 1 ('Die Bahn kommt 2030 nach Nordstadt.')" in result.output
    draft = json.loads(draft_path.read_text(encoding="utf-8"))
    assert draft["statements"][0]["person_id"] == ""
    assert [person["name"] for person in draft["people"]] == ["Eva Stein"]
    assert draft["sources"][0]["url"] == "https://example.org/linie"
    before = state(data_dir)
    refused = runner.invoke(args=["import", str(draft_path)])
    assert refused.exit_code == 1
    assert "statements[1]: speaker: a statement needs a speaker" in refused.output
    assert state(data_dir) == before
    draft["statements"][0]["person_id"] = "eva-stein"
    draft_path.write_text(json.dumps(draft, ensure_ascii=False), encoding="utf-8")
    accepted = runner.invoke(args=["import", str(draft_path)])
    assert "added 2" in accepted.output, accepted.output


def test_a_draft_whose_words_were_edited_away_from_the_article_is_refused(runner, data_dir,
                                                                           tmp_path, seed_article):
    draft_path = tmp_path / "draft.json"
    runner.invoke(args=["extract", str(seed_article), "-o", str(draft_path)])
    draft = json.loads(draft_path.read_text(encoding="utf-8"))
    draft["statements"][4]["text"] = "Wir wissen, was nach einer kurzen Auszeit passiert... ahem."
    del draft["statements"][4]["statement_id"]
    draft_path.write_text(json.dumps(draft, ensure_ascii=False), encoding="utf-8")
    result = runner.invoke(args=["import", str(draft_path)])
    assert result.exit_code == 1
    assert "statements[5]: text: not found verbatim" in result.output
    assert "'Wir wissen, was nach einer langen Auszeit passiert... ahem.'" in result.output


@pytest.mark.parametrize(("article", "texts"), [
    ("„Das ist ein guter Tag für uns alle“, sagte sie.", ["Das ist ein guter Tag für uns alle"]),
    ("»Wir haben jede Variante geprüft«, erklärte er.", ["Wir haben jede Variante geprüft"]),
    ("“We will build it,” she said. “And we won’t stop.”",
     ["We will build it", "And we won’t stop."]),
    ('He said: "Don\'t call it the \'final word\', please."',
     ["Don't call it the 'final word', please."]),
    ("Er sagte: „Sie rief: ‚Wir kommen wieder!‘ und ging.“",
     ["Sie rief: ‚Wir kommen wieder!‘ und ging.", "Wir kommen wieder!"]),
    ("Das \"Nachtraining\"-Team und das „Superalignment“-Team.", []),
])
def test_quotation_marks_of_both_languages(article, texts):
    assert [quote.text for quote in find_quotes(article)] == texts


def test_a_block_quote_runs_from_the_colon_to_the_next_heading():
    article = ("Titel\n\nHier ist ihr Brief:\n\nErster Absatz.\n\nZweiter Absatz.\n\n"
               "Neue Überschrift\n\nDanach wieder Bericht.")
    quotes = find_quotes(article)
    assert [(quote.text, quote.block) for quote in quotes] == [
        ("Erster Absatz.\n\nZweiter Absatz.", True)]


@pytest.mark.parametrize(("article", "speaker", "kind"), [
    ("„Wir bauen die Brücke bis 2027“, sagte Bürgermeisterin Anna Beispiel.", "Anna Beispiel", "remark"),
    ("“The plan is sound,” Jane Doe said on Monday.", "Jane Doe", "remark"),
    ("Greg Brockman twitterte: „Wir machen weiter wie bisher.“", "Greg Brockman", "post"),
    ("Altman wrote on X: “We are hiring across every team now.”", "Sam Altman", "post"),
    ("Hans Weber kam spät. „Ich war im Stau, es tut mir leid“, sagte Weber.", "Hans Weber", "remark"),
    ("Jane Doe spoke first. She said: “We need more time for this.”", "Jane Doe", "remark"),
])
def test_speakers_and_kinds_the_article_states(article, speaker, kind):
    quote = extract_quotes(article, PEOPLE).quotes[0]
    assert (quote.speaker, quote.kind) == (speaker, kind)


def test_the_measurement_runs_and_the_seed_scores_full(seed_article):
    scores = evaluate_all()
    seed = scores[0]
    assert (seed.expected, seed.found, seed.right, seed.speaker_right) == (6, 6, 6, 6)
    assert {score.name for score in scores[1:]} == {
        path.name.removesuffix(".expected.json") for path in ARTICLES.glob("*.expected.json")}
    table = format_table(scores)
    assert table.splitlines()[-1].startswith("| all |")
