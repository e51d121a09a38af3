"""Pasted quotes: the evaluation cases drawn from the real corpora, and the search that
forgives a quote that is misremembered, shuffled or has a typo."""

from __future__ import annotations

import pytest

from archive.records import StatementContent
from bench.quote_cases import FORMS, build_quote_cases
from index import service
from index.engines import prepare_engine
from index.engines.whoosh.engine import WhooshEngine
from tests.conftest import CORPORA

needs_corpora = pytest.mark.skipif(not CORPORA.is_dir(), reason="../shared/corpora is not beside the project")


@needs_corpora
def test_quote_cases_are_the_same_for_a_seed_and_hold_every_form_in_both_languages():
    cases = build_quote_cases(per_form=6, lines=1500)
    assert cases == build_quote_cases(per_form=6, lines=1500)
    assert cases != build_quote_cases(per_form=6, lines=1500, seed=1)
    expected = {(form, lang) for form in FORMS for lang in ("de", "en")}
    assert {(case.form, case.lang) for case in cases} == expected
    for case in cases:
        words = case.span.split()
        assert 9 <= len(words) <= 14
        if case.form == "exact":
            assert case.query == case.span
        if case.form == "replaced":
            stored, quoted = case.replaced
            assert stored in case.span and quoted in case.query and stored.lower() != quoted.lower()
            assert len(case.query.split()) == len(words)
        if case.form == "dropped_typo":
            assert len(case.query.split()) == len(words) - 1 and case.typo[1] in case.query
        if case.form == "shuffled":
            assert sorted(case.query.split()) == sorted(words) and case.query != case.span


@pytest.fixture
def indexed(store, data_dir):
    """The seed store with the index following its commits."""
    WhooshEngine(data_dir).follow(store)
    return store


def find(store, data_dir, query, **options):
    return service.search(WhooshEngine(data_dir), query, store=store, **options)


def ids(page):
    return [hit.statement_id for hit in page.hits]


MISREMEMBERED = "Ich habe die schwere Entscheidung getroffen, OpenAI zu verlassen"


def test_a_misremembered_sentence_finds_the_letter_first_and_says_how(indexed, data_dir):
    page = find(indexed, data_dir, MISREMEMBERED)
    assert ids(page)[0] == "FGPN-RXWX"
    assert ("No statement contains all 9 words; showing those that contain most of them."
            in page.notices)
    assert page.total == len(page.hits)
    assert sum(value.count for value in page.facets["speaker"]) == page.total
    assert service.search_ids(WhooshEngine(data_dir), MISREMEMBERED, store=indexed) == ids(page)


def test_a_quote_in_typographic_quotes_finds_the_letter(indexed, data_dir):
    quote = "„Ich verlasse OpenAI nicht aufgrund mangelnder Unterstützung für die Ausrichtungsforschung“"
    page = find(indexed, data_dir, quote)
    assert ids(page) == ["FGPN-RXWX"]
    assert not page.notices  # the phrase itself is in the letter
    for marks in ("“{}”", "»{}«", '"{}"'):
        assert ids(find(indexed, data_dir, marks.format("verlasse OpenAI nicht"))) == ["FGPN-RXWX"]


def test_a_sentence_the_archive_does_not_hold_finds_nothing(indexed, data_dir):
    page = find(indexed, data_dir, "Die Bahn kommt heute wieder viel zu spät und niemand sagt etwas")
    assert page.total == 0 and not page.hits


def test_a_typo_in_a_long_quote_is_corrected_and_named(indexed, data_dir):
    page = find(indexed, data_dir, "Ich habe die schwere Entscheidnug getroffen, OpenAI zu verlassen")
    assert ids(page)[0] == "FGPN-RXWX"
    assert any("'Entscheidnug' as 'Entscheidung'" in notice for notice in page.notices)


@pytest.mark.parametrize("query", [
    "Musk Auszeit",                                        # up to four words: all must match
    "Ich habe schwere Entscheidung",
    "Ich habe die schwere Entscheidung getroffen -Anthropic",  # an operator keeps the AND
    "Ich habe die schwere Entscheidung OR Wahl getroffen",
    "(Ich habe die schwere Entscheidung getroffen)",
    "Ich habe die schwere Entscheidung getroffen kind:letter",  # a field other than speaker/date/lang
    "Ich habe die schwer* Entscheidung getroffen",
])
def test_short_queries_and_operators_keep_their_meaning(indexed, data_dir, query):
    page = find(indexed, data_dir, query)
    assert page.total == 0, ids(page)


def test_speaker_date_and_language_filters_keep_the_fallback_and_apply(indexed, data_dir):
    assert ids(find(indexed, data_dir, MISREMEMBERED + " speaker:schulman date:2024"))[0] == "FGPN-RXWX"
    assert ids(find(indexed, data_dir, MISREMEMBERED, speaker="john-schulman", lang="de"))[0] == "FGPN-RXWX"
    assert find(indexed, data_dir, MISREMEMBERED + " speaker:altman").total == 0
    assert find(indexed, data_dir, MISREMEMBERED, date_to="2020").total == 0


def test_a_long_phrase_that_nothing_holds_falls_back_with_a_notice(indexed, data_dir):
    page = find(indexed, data_dir, '"Ich habe die schwere Entscheidung getroffen"')
    assert ids(page)[0] == "FGPN-RXWX"
    assert any(notice.startswith("No statement contains this phrase") for notice in page.notices)
    # a phrase some statement holds is not widened
    assert ids(find(indexed, data_dir, '"Ich habe die schwierige Entscheidung getroffen"')) == ["FGPN-RXWX"]


def test_the_json_answer_carries_the_notice_and_counts_the_results(client):
    answer = client.get("/api/search", query_string={"q": MISREMEMBERED}).get_json()
    assert answer["results"][0]["statement_id"] == "FGPN-RXWX"
    assert answer["total"] == len(answer["results"])
    assert any("contain most of them" in notice for notice in answer["notices"])


def test_did_you_mean_never_suggests_what_finds_nothing(indexed, data_dir):
    for query in ("Brokman Kaffee", "I have made the difficult decision"):
        page = find(indexed, data_dir, query)  # 'Brockman Kaffee', 'I habe made …' find nothing
        assert page.suggestion is None and page.total == 0
    assert find(indexed, data_dir, "Brokman Auszeit").suggestion == "Brockman Auszeit"


def test_did_you_mean_keeps_the_language_of_the_query(indexed, data_dir):
    # An English archive beside the German seed: 'have' is unknown, 'habe' (German) is one
    # edit away, and a German statement holds 'habe' with the English words: the suggestion
    # would find it, but it would turn an English query German.
    for text in ("I made the difficult decision to leave.", "I made the difficult decision today.",
                 "The difficult decision I made was right."):
        indexed.add_statement(StatementContent(person_id="sam-altman", lang="en", kind="post", text=text))
    indexed.add_statement(StatementContent(person_id="sam-altman", lang="de", kind="post",
                                           text="Ich habe es gesagt: I habe made the difficult decision."))
    page = find(indexed, data_dir, "have made difficult decision")
    assert page.total == 0 and page.suggestion is None
    # the same correction inside a German query is offered
    german = find(indexed, data_dir, "Ich habbe es gesagt")
    assert german.suggestion == "Ich habe es gesagt"


def test_an_index_of_the_former_analysis_is_rebuilt_at_start(indexed, data_dir):
    from index.engines.whoosh.directory import CURRENT_FILE, FORMAT_FILE, get_index_directory
    from index.engines.whoosh.schema import INDEX_FORMAT

    statement_id = indexed.add_statement(StatementContent(
        person_id="sam-altman", lang="en", kind="post", text="Weʼre here, donʼt worry"))
    generation, _ix = get_index_directory(data_dir).live_generation()
    (generation / FORMAT_FILE).write_text("verbatim-index-1\n", encoding="utf-8")
    pointer = generation.parent / CURRENT_FILE  # a new file, as a restarted process sees it
    pointer.with_suffix(".new").write_text(pointer.read_text(encoding="utf-8"), encoding="utf-8")
    pointer.with_suffix(".new").replace(pointer)
    prepare_engine(WhooshEngine(data_dir), data_dir)  # as a restarted process does
    rebuilt, _ix = get_index_directory(data_dir).live_generation()
    assert (rebuilt / FORMAT_FILE).read_text(encoding="utf-8").strip() == INDEX_FORMAT
    assert ids(find(indexed, data_dir, '"don\'t worry"')) == [statement_id]


@needs_corpora
@pytest.mark.slow
def test_pasted_quotes_from_the_real_corpora_are_found(tmp_path):
    """A small run of ``python -m bench.quote_eval``: 2,000 tweets of each corpus."""
    from bench.quote_cases import FINDABLE_FORMS, import_corpora
    from bench.quote_eval import evaluate

    cases = build_quote_cases(per_form=20, lines=2_000)
    import_corpora(tmp_path / "data", lines=2_000)
    figures = evaluate(tmp_path / "data", cases)
    for form in FINDABLE_FORMS:
        assert figures["after"][form]["success_at_10"] >= 0.98, (form, figures["after"][form])
    assert figures["after"]["exact"]["first"] >= 0.95
    assert figures["before"]["replaced"]["success_at_10"] < 0.5  # what the fallback is for
