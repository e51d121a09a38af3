"""The seed collection: verbatim texts, provenance, links, idempotent loading."""

from __future__ import annotations

import pytest

from archive.lifecycle import init_archive, open_store
from archive.records import split_paragraphs
from archive.seed import read_seed
from tests.conftest import SEED_ARTICLE

SEED = read_seed()
BY_SPEAKER = {}
for item in SEED["statements"]:
    BY_SPEAKER.setdefault(item["person_id"], []).append(item)


def unwrap(text: str) -> str:
    """Only line-wrapping may differ between the article and a quote."""
    return " ".join(text.split())


@pytest.fixture(scope="module")
def article() -> str:
    if not SEED_ARTICLE.exists():
        pytest.skip(f"seed article not found at {SEED_ARTICLE}")
    return SEED_ARTICLE.read_text(encoding="utf-8")


@pytest.mark.parametrize("item", SEED["statements"], ids=lambda item: item["statement_id"])
def test_every_text_is_a_verbatim_substring_of_the_article(article, item):
    assert unwrap(item["text"]) in unwrap(article)
    assert item["text"] in article  # here even the line breaks agree


def test_the_six_statements_are_there(article):
    texts = {item["person_id"]: item["text"] for item in SEED["statements"] if item["kind"] != "remark"}
    assert texts["sam-altman"].startswith("Danke für alles, was du für OpenAI getan hast!")
    assert texts["sam-altman"].endswith("weitere 45 Minuten :))")
    assert len(split_paragraphs(texts["sam-altman"])) == 2
    letter = texts["john-schulman"]
    assert letter.startswith("Heute habe ich Folgendes mit meinen Kollegen bei OpenAI geteilt:")
    assert letter.endswith("auch wenn ich anderswo arbeite.")
    assert len(split_paragraphs(letter)) == 7
    assert texts["greg-brockman"].startswith("Ich plane, bis zum Ende dieses Jahres")
    assert texts["unnamed-x-user-1"] == "Wir wissen, was nach einer langen Auszeit passiert... ahem."
    assert texts["unnamed-x-user-2"].startswith("Stellen Sie sich vor, Musk")


def test_article_paraphrases_are_not_stored(article):
    for item in SEED["statements"]:
        assert "Er erklärte" not in item["text"]
        assert "Schulman gab seinen Weggang" not in item["text"]


def test_seed_records_provenance_translation_and_precision(store):
    statements = {s.statement_id: s for s in store.iter_statements()}
    assert len(statements) == 6
    for statement in statements.values():
        content = statement.content
        assert content.lang == "de" and content.original_lang == "en" and content.is_translation
        assert [ref.source_id for ref in content.sources] == ["seed-article-2024-08"]
    source = store.get_source("seed-article-2024-08")
    assert source.lang == "de" and source.title.startswith("OpenAI-Führungskräfte")
    altman = next(s for s in statements.values() if s.speaker.person_id == "sam-altman")
    remark = next(s for s in statements.values() if s.content.kind == "remark")
    schulman = next(s for s in statements.values() if s.content.kind == "letter")
    assert remark.speaker.person_id == "john-schulman"
    assert remark.content.reported_by == altman.statement_id
    assert (remark.content.posted_at.value, remark.content.posted_at.precision) == ("2015", "year")
    assert remark.text in altman.text
    assert altman.content.in_reply_to == schulman.statement_id
    assert altman.content.posted_at.precision == "day"
    assert altman.content.posted_at.timezone == "America/Los_Angeles"
    assert "6 August 2024 in UTC" in altman.content.date_note
    assert altman.speaker.handles == ("@sama",)


def test_unnamed_speakers_are_not_given_names(store):
    people = {person.person_id: person for person, _ in store.list_people()}
    for person_id in ("unnamed-x-user-1", "unnamed-x-user-2"):
        assert people[person_id].unnamed
        assert people[person_id].name == "Unnamed X user"
        assert not people[person_id].handles


def test_loading_the_seed_twice_changes_nothing(data_dir):
    first = init_archive(data_dir)
    with open_store(data_dir) as store:
        before = {s.statement_id: s.to_dict() for s in store.iter_statements()}
        changes = store.last_change()
    second = init_archive(data_dir)
    with open_store(data_dir) as store:
        after = {s.statement_id: s.to_dict() for s in store.iter_statements()}
        assert store.last_change() == changes
    assert (first.added, second.added, second.unchanged) == (6, 0, 6)
    assert before == after
