"""The search engine's contract (``index.engine``), run against every implementation through
the one search service (``index.service``): what a search finds, its order, filters, facets
and paging, "did you mean", near matches of a misremembered quote, prefixes, the vocabulary
an index reading answers, and that the engine follows the archive's writes. Ranking by BM25F
is the Whoosh engine's alone (the memory engine sums the boosts of what a statement holds):
test_ranking.py, test_search.py, test_search_quotes.py and test_search_corpora.py test it."""

from __future__ import annotations

import time

import pytest

from archive.lifecycle import init_archive, open_store
from archive.records import Person, StatementContent
from index import service
from index.engine import SearchEngine
from index.engines import ENGINES, UnknownEngineError, make_engine
from index.results import SearchParameterError
from web import create_app

ALTMAN, SCHULMAN, REMARK, BROCKMAN = "EGYN-534B", "FGPN-RXWX", "N92U-REDF", "M53G-3GCT"


@pytest.fixture(params=ENGINES)
def engine_and_store(request, tmp_path):
    data_dir = tmp_path / "data"
    init_archive(data_dir)
    engine = make_engine(request.param, data_dir)
    with open_store(data_dir) as store:
        engine.follow(store)
        yield engine, store


def ids(page) -> list[str]:
    return [hit.statement_id for hit in page.hits]


def test_candidates_pass_the_conditions_and_not_the_words(engine_and_store):
    """How a ranking made elsewhere (search by meaning) applies a search's filters and
    exclusions: through the index, the query's words left aside."""
    engine, store = engine_and_store
    everyone = [ALTMAN, SCHULMAN, REMARK, BROCKMAN]

    def passing(query: str, **filters) -> set[str]:
        return service.passing_ids(engine, query, everyone, store=store,
                                   deadline=time.monotonic() + 5, **filters)

    assert passing("words nobody wrote") == set(everyone)  # no conditions: all pass
    assert passing("anything", speaker="Greg Brockman") == {BROCKMAN}
    assert passing("anything speaker:Brockman") == {BROCKMAN}
    assert SCHULMAN not in passing("anything -Anthropic") and BROCKMAN in passing("x -Anthropic")
    assert passing("anything", speaker="Greg Brockman", date_to="2000") == set()
    assert service.passing_ids(engine, "x lang:de", [BROCKMAN, "NONE-XXXX"], store=store,
                               deadline=time.monotonic() + 5) == {BROCKMAN}
    assert service.passing_ids(engine, "x lang:de", [], store=store,
                               deadline=time.monotonic() + 5) == set()
    with pytest.raises(SearchParameterError):
        passing("x", date_from="not a date")


def test_the_best_ids_of_a_signal_query_or_none_out_of_time(engine_and_store):
    engine, store = engine_and_store
    later = time.monotonic() + 5
    assert set(service.top_ids(engine, "Auszeit OR Anthropic", store=store, limit=5,
                               deadline=later)) >= {BROCKMAN, SCHULMAN}
    assert service.top_ids(engine, "Auszeit", store=store, limit=5, deadline=later,
                           speaker="Sam Altman") == []
    assert service.top_ids(engine, "Auszeit OR Anthropic", store=store, limit=5,
                           deadline=time.monotonic() - 1) == []


def test_every_engine_answers_the_protocol(engine_and_store):
    engine, _store = engine_and_store
    assert isinstance(engine, SearchEngine) and engine.is_built()


def test_words_must_all_match_in_the_text_or_the_speakers_name(engine_and_store):
    engine, store = engine_and_store
    assert ids(service.search(engine, "Auszeit Brockman", store=store)) == [BROCKMAN]
    assert service.search(engine, "Auszeit Zzyzxwort", store=store).total == 0
    page = service.search(engine, "schwierige Entscheidung", store=store)
    assert SCHULMAN in ids(page) and "<mark>" in page.hits[0].snippet_html


def test_phrases_or_and_not(engine_and_store):
    engine, store = engine_and_store
    assert ids(service.search(engine, '"schwierige Entscheidung getroffen"', store=store)) == [SCHULMAN]
    assert service.search(engine, '"Entscheidung schwierige"', store=store).total == 0
    either = set(ids(service.search(engine, "Auszeit OR Anthropic", store=store)))
    assert {BROCKMAN, SCHULMAN} <= either
    without = ids(service.search(engine, "OpenAI -Anthropic", store=store, per_page=100))
    assert without and SCHULMAN not in without


def test_an_empty_query_lists_every_statement_by_date_and_filters_narrow(engine_and_store):
    engine, store = engine_and_store
    everything = service.search(engine, "", store=store, per_page=100)
    assert everything.total == store.count_statements() == len(everything.hits)
    dates = [hit.statement.content.posted_at.sort_key() for hit in everything.hits]
    dated = [key for key in dates if key]
    assert dated == sorted(dated, reverse=True) and dates[:len(dated)] == dated  # undated last
    oldest = [hit.statement.content.posted_at.sort_key()
              for hit in service.search(engine, "", store=store, sort="oldest", per_page=100).hits]
    assert [key for key in oldest if key] == sorted(dated)
    by_schulman = service.search(engine, "", store=store, speaker="john-schulman", per_page=100)
    assert set(ids(by_schulman)) == {SCHULMAN, REMARK}
    assert ids(service.search(engine, "", store=store, speaker="john-schulman",
                              date_from="2024")) == [SCHULMAN]
    assert service.search(engine, "", store=store, lang="en").total == 0  # the seed is German
    assert service.search(engine, "", store=store, lang="de").total == everything.total


def test_facets_count_the_whole_result(engine_and_store):
    engine, store = engine_and_store
    page = service.search(engine, "", store=store, per_page=1)
    assert len(page.hits) == 1
    for name in ("speaker", "lang", "kind"):
        assert sum(value.count for value in page.facets[name]) == page.total, name
    speakers = {value.value: value for value in page.facets["speaker"]}
    assert speakers["john-schulman"].count == 2 and speakers["john-schulman"].label == "John Schulman"
    assert [value.label for value in page.facets["lang"]] == ["German"]


def test_paging_and_ids_agree(engine_and_store):
    engine, store = engine_and_store
    pages = [ids(service.search(engine, "", store=store, sort="newest", page=number, per_page=2))
             for number in (1, 2, 3, 4)]
    assert [statement_id for part in pages for statement_id in part] == \
        service.search_ids(engine, "", store=store, sort="newest")


def test_bad_parameters_raise_and_a_query_never_does(engine_and_store):
    engine, store = engine_and_store
    for bad in ({"lang": "not a tag"}, {"kind": "poem"}, {"date_from": "someday"},
                {"sort": "random"}, {"per_page": 0}, {"page": 0}):
        with pytest.raises(SearchParameterError):
            service.search(engine, "OpenAI", store=store, **bad)
    for query in ('"unclosed', "(((", "-", "AND OR NOT", "speaker:", "x" * 2_000, "\x00"):
        service.search(engine, query, store=store)


def test_an_unknown_word_is_corrected_and_the_search_retried(engine_and_store):
    engine, store = engine_and_store
    page = service.search(engine, "Gelegenhiet", store=store)
    assert page.suggestion == "Gelegenheit" and BROCKMAN in ids(page)
    assert ids(page) == ids(service.search(engine, "Gelegenheit", store=store))
    assert page.notices[0].startswith("No statements match 'Gelegenhiet'")


def test_a_misremembered_quote_finds_its_statement_first(engine_and_store):
    engine, store = engine_and_store
    page = service.search(engine, "Ich habe die schwere Entscheidung getroffen OpenAI zu verlassen",
                          store=store)
    assert ids(page)[0] == SCHULMAN
    assert any("showing those that contain most of them" in notice for notice in page.notices)


def test_prefixes_and_the_vocabulary_of_a_reading(engine_and_store):
    engine, store = engine_and_store
    assert set(ids(service.search(engine, "Gelegen*", store=store))) == {BROCKMAN, SCHULMAN}
    assert ids(service.search(engine, "Auszei*", store=store, sort="oldest")) == [
        statement_id for statement_id in service.search_ids(engine, "Auszeit", store=store, sort="oldest")]
    with engine.reading(store) as reading:
        assert reading.has_word("auszeit") and not reading.has_word("zzyzx")
        assert reading.frequency("auszeit") == 2 and reading.frequency("zzyzx") == 0
        assert "auszeit" in reading.words_starting("ausz", 10)
        assert all(word.startswith("ausz") for word in reading.words_starting("ausz", 10))
        assert "auszeit" in set(reading.words_within("auzeit", 1))
        assert reading.languages() == {"de"} and reading.word_languages(["auszeit"]) == {"de": 2}
        assert reading.statement_with("gelegenheit") in {BROCKMAN, SCHULMAN}
        assert reading.statement_with("zzyzx") is None
        assert reading.years() == sorted({int(statement.content.posted_at.value[:4])
                                          for statement in store.iter_statements()
                                          if statement.content.posted_at.precision != "unknown"})
        assert {"john-schulman", "greg-brockman"} <= set(reading.speakers().people)


def test_the_engine_follows_every_write(engine_and_store):
    engine, store = engine_and_store
    store.put_person(Person("tester", "Test Person"))
    new = store.add_statement(StatementContent(person_id="tester", text="Ein Zzyzxwort erscheint.",
                                               lang="de"))
    assert ids(service.search(engine, "Zzyzxwort", store=store)) == [new]
    content = store.get_statement(new).content
    store.revise_statement(new, content.with_changes(text="Ein Quxbarwort erscheint."), "correction")
    assert service.search(engine, "Zzyzxwort", store=store).total == 0
    assert ids(service.search(engine, "Quxbarwort", store=store)) == [new]
    store.withdraw_statement(new, "withdrawn for the test")
    assert service.search(engine, "Quxbarwort", store=store).total == 0
    assert engine.drift(store) == []
    assert engine.rebuild(store) == store.count_statements()


def test_an_unknown_engine_stops_the_app_at_start(tmp_path):
    with pytest.raises(UnknownEngineError, match="SEARCH_ENGINE"):
        create_app({"DATA_DIR": str(tmp_path / "data"), "SEARCH_ENGINE": "lucene"})


@pytest.mark.parametrize("name", ENGINES)
def test_the_app_searches_with_the_configured_engine(tmp_path, name):
    app = create_app({"DATA_DIR": str(tmp_path / "data"), "SEARCH_ENGINE": name, "TESTING": True})
    assert app.extensions["verbatim"]["engine"].name == name
    body = app.test_client().get("/api/search?q=Auszeit+Brockman").get_json()
    assert [result["statement_id"] for result in body["results"]] == [BROCKMAN]
    # the check finds its candidates through the engine (forgiving a wrong word needs the
    # Whoosh engine's near matches: test_check.py)
    checked = app.test_client().get("/api/check?quote=Ich+habe+die+schwierige+Entscheidung").get_json()
    assert checked["verdict"] == "verbatim" and checked["matches"][0]["statement_id"] == SCHULMAN
