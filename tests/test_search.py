"""Search over the seed collection: the queries people type, filters, sorting, facets,
snippets, suggestions, and parameter errors."""

from __future__ import annotations

import html
import re
import threading

import pytest

from archive.records import StatementContent
from index import service
from index.engines.whoosh.engine import WhooshEngine
from index.results import SearchParameterError


@pytest.fixture
def indexed(store, data_dir):
    """The seed store with the index following its commits."""
    WhooshEngine(data_dir).follow(store)
    return store


def find(store, data_dir, query="", **options):
    return service.search(WhooshEngine(data_dir), query, store=store, **options)


def ids(page):
    return [hit.statement_id for hit in page.hits]


@pytest.mark.parametrize("query, expected", [
    ("Auszeit Brockman", "M53G-3GCT"),
    ('"künstliche Intelligenz"', "N92U-REDF"),
    ("alignment", "FGPN-RXWX"),
    ("speaker:schulman Kollegen", "FGPN-RXWX"),
    ("Kollegen Schulman", "FGPN-RXWX"),
    ("Cafe Berkeley", "EGYN-534B"),
    ("Freunde", "EGYN-534B"),
    ("verlasse", "FGPN-RXWX"),
    ("Ueberlegungen", "EGYN-534B"),
    ("Uberlegungen", "EGYN-534B"),
    ("Grundung", "M53G-3GCT"),
    ("Gruendungsteam", "FGPN-RXWX"),
    ("aussergewoehnlichen", "FGPN-RXWX"),
    ("Musk", "MJF5-GVT6"),
    ("alig*", "FGPN-RXWX"),
    ("Brokman", "M53G-3GCT"),
    ("Ich nehme 4 Monate frei", "MJF5-GVT6"),
    ("id:egyn534b", "EGYN-534B"),
])
def test_queries_people_type_find_the_expected_statement_first(indexed, data_dir, query, expected):
    page = find(indexed, data_dir, query)
    assert page.hits, f"{query!r} found nothing ({page.notices})"
    assert page.hits[0].statement_id == expected


def test_a_hyphenated_compound_finds_its_parts(indexed, data_dir):
    assert ids(find(indexed, data_dir, "KI-Ausrichtung")) == ["FGPN-RXWX"]
    assert "FGPN-RXWX" in ids(find(indexed, data_dir, "Ausrichtung"))


def test_excluded_word_removes_statements(indexed, data_dir):
    assert "FGPN-RXWX" in ids(find(indexed, data_dir, "OpenAI"))
    for query in ("OpenAI -Anthropic", "OpenAI NOT Anthropic"):
        found = ids(find(indexed, data_dir, query))
        assert found and "FGPN-RXWX" not in found
    assert find(indexed, data_dir, "Ausrichtung -Anthropic").total == 0


def test_phrase_order_matters_and_inflected_forms_match_below_the_exact_ones(indexed, data_dir):
    page = find(indexed, data_dir, '"künstliche Intelligenz"')
    # Brockman's post has "künstlichen Intelligenz": found, after the two with the form typed
    assert set(ids(page)[:2]) == {"N92U-REDF", "EGYN-534B"} and ids(page)[2:] == ["M53G-3GCT"]
    assert "<mark>künstlichen</mark> <mark>Intelligenz</mark>" in page.hits[2].snippet_html
    assert find(indexed, data_dir, '"Intelligenz künstliche"').total == 0
    assert find(indexed, data_dir, '"künstlichen Intelligenz"').total == 3


def test_or_widens_and_words_narrow(indexed, data_dir):
    either = set(ids(find(indexed, data_dir, "Musk OR Auszeit")))
    assert either == {"MJF5-GVT6", "M53G-3GCT", "N5NT-5ZJF"}
    assert find(indexed, data_dir, "Musk Auszeit").total == 0


def test_the_speaker_outranks_a_mere_mention(indexed, data_dir):
    # John Schulman speaks FGPN-RXWX and N92U-REDF; Sam Altman's reply only mentions "John"
    found = ids(find(indexed, data_dir, "John"))
    assert set(found[:2]) == {"FGPN-RXWX", "N92U-REDF"} and found[2] == "EGYN-534B"


def test_exact_phrase_outranks_scattered_words(indexed, data_dir):
    page = find(indexed, data_dir, "allgemeine künstliche Intelligenz")
    # all three have the words; the two with them side by side and in this form come first
    assert set(ids(page)) == {"N92U-REDF", "EGYN-534B", "M53G-3GCT"}
    assert ids(page)[-1] == "M53G-3GCT"


@pytest.mark.parametrize("query, expected", [
    ("speaker:@sama", {"EGYN-534B"}),
    ('author:"Greg Brockman"', {"M53G-3GCT"}),
    ("speaker:Altman", {"EGYN-534B"}),
    ("speaker:john-schulman", {"FGPN-RXWX", "N92U-REDF"}),
    ("date:2015", {"N92U-REDF"}),
    ("date:2024-08 Auszeit", {"M53G-3GCT"}),
    ("date:Aug 2024 Auszeit", {"M53G-3GCT"}),
    ("date:[2024-08-01 TO 2024-08-31] speaker:schulman", {"FGPN-RXWX"}),
    ("from:2024-08-05 to:2024-08-05 kind:reply", {"EGYN-534B"}),
    ("to:2020 Intelligenz", {"N92U-REDF"}),
    ("kind:remark", {"N92U-REDF"}),
    ("lang:de platform:x kind:letter", {"FGPN-RXWX"}),
    ("lang:en", set()),
])
def test_fields_filter_the_results(indexed, data_dir, query, expected):
    assert set(ids(find(indexed, data_dir, query, per_page=100))) == expected


def test_filter_parameters_match_the_query_fields(indexed, data_dir):
    assert set(ids(find(indexed, data_dir, "", speaker="john-schulman"))) == {"FGPN-RXWX", "N92U-REDF"}
    assert ids(find(indexed, data_dir, "Auszeit", date_from="2024-08-01", date_to="Aug 2024",
                    kind="post")) == ["M53G-3GCT"]
    assert find(indexed, data_dir, "", lang="en").total == 0


def test_an_empty_query_lists_everything_newest_first(indexed, data_dir):
    page = find(indexed, data_dir, "")
    assert page.total == 6
    found = ids(page)
    assert set(found[:3]) == {"FGPN-RXWX", "EGYN-534B", "M53G-3GCT"}  # 5 August 2024
    assert found[3] == "N92U-REDF"  # 2015
    assert set(found[4:]) == {"N5NT-5ZJF", "MJF5-GVT6"}  # undated ones last
    oldest = ids(find(indexed, data_dir, "", sort="oldest"))
    assert oldest[0] == "N92U-REDF" and set(oldest[4:]) == {"N5NT-5ZJF", "MJF5-GVT6"}


def test_sorting_by_date(indexed, data_dir):
    assert ids(find(indexed, data_dir, "Intelligenz", sort="newest"))[-1] == "N92U-REDF"
    assert ids(find(indexed, data_dir, "Intelligenz", sort="oldest"))[0] == "N92U-REDF"


def test_facets_count_the_whole_result_set(indexed, data_dir):
    page = find(indexed, data_dir, "", per_page=1)
    assert len(page.hits) == 1 and page.total == 6
    speakers = {facet.value: (facet.label, facet.count) for facet in page.facets["speaker"]}
    assert speakers["john-schulman"] == ("John Schulman", 2)
    assert {facet.value: facet.count for facet in page.facets["year"]} == {"2024": 3, "2015": 1}
    assert [(f.value, f.label, f.count) for f in page.facets["lang"]] == [("de", "German", 6)]
    assert [(f.value, f.count) for f in page.facets["platform"]] == [("x", 5)]
    assert {f.value: f.count for f in page.facets["kind"]}["reply"] == 3


def test_snippets_are_the_escaped_text_with_only_marks_added(indexed, data_dir):
    statement_id = indexed.add_statement(StatementContent(
        person_id="sam-altman", lang="en", kind="post",
        text='Alignment <script>alert("x")</script> & "quotes" — alignment again'))
    page = find(indexed, data_dir, "alignment script")
    hit = next(hit for hit in page.hits if hit.statement_id == statement_id)
    assert "<script>" not in hit.snippet_html
    assert re.sub(r"</?mark>", "", hit.snippet_html).count("<") == 0
    assert hit.snippet_html.count("<mark>") == 4  # Alignment, script (twice), alignment
    text = indexed.get_statement(statement_id).text
    plain = html.unescape(re.sub(r"</?mark>", "", hit.snippet_html))
    assert plain == text[hit.snippet_start:hit.snippet_end]


def test_a_long_statement_gets_an_excerpt_around_the_match(indexed, data_dir):
    page = find(indexed, data_dir, "Boaz")
    hit = page.hits[0]
    text = indexed.get_statement(hit.statement_id).text
    assert 0 < hit.snippet_start and hit.snippet_end - hit.snippet_start <= 340
    assert "<mark>Boaz</mark>" in hit.snippet_html
    assert html.unescape(re.sub(r"</?mark>", "", hit.snippet_html)) == \
        text[hit.snippet_start:hit.snippet_end]


def test_did_you_mean_from_the_word_forms_in_the_archive(indexed, data_dir):
    page = find(indexed, data_dir, "Gesselschaft Produkten")
    assert page.suggestion == "Gesellschaft Produkten"
    assert ids(page) == ["EGYN-534B"]
    assert "showing results for 'Gesellschaft Produkten'" in page.notices[0]
    assert find(indexed, data_dir, "Gesellschaft").suggestion is None


def test_a_one_typo_speaker_name_finds_their_statements(indexed, data_dir):
    page = find(indexed, data_dir, "speaker:schulmann")
    assert set(ids(page)) == {"FGPN-RXWX", "N92U-REDF"}
    assert any("John Schulman" in notice for notice in page.notices)


def test_paging(indexed, data_dir):
    first = find(indexed, data_dir, "", per_page=4)
    second = find(indexed, data_dir, "", per_page=4, page=2)
    assert len(first.hits) == 4 and len(second.hits) == 2
    assert not set(ids(first)) & set(ids(second))
    assert find(indexed, data_dir, "", page=9).hits == []


@pytest.mark.parametrize("options, parameter", [
    ({"per_page": 101}, "per_page"),
    ({"per_page": 0}, "per_page"),
    ({"page": 0}, "page"),
    ({"page": 1000, "per_page": 100}, "page"),
    ({"sort": "best"}, "sort"),
    ({"kind": "tweet"}, "kind"),
    ({"lang": "deutsch!"}, "lang"),
    ({"date_from": "2023-13-45"}, "date_from"),
    ({"date_to": "soon"}, "date_to"),
    ({"speaker": "a\x00b"}, "speaker"),
])
def test_bad_parameters_raise_a_parameter_error_naming_them(indexed, data_dir, options, parameter):
    with pytest.raises(SearchParameterError) as raised:
        find(indexed, data_dir, "OpenAI", **options)
    assert raised.value.parameter == parameter


@pytest.mark.parametrize("query, notice", [
    ('"künstliche Intelligenz', "quotation mark"),
    ("(Auszeit OR Musk", "'('"),
    ("Auszeit)", "')'"),
    ("OR Auszeit OR", "OR"),
    ("Auszeit NOT", "NOT"),
    ("colour:red Auszeit", "no field 'colour:'"),
    ("date:2023-13-45 Auszeit", "date:2023-13-45"),
    ("kind:tweet Auszeit", "kind:tweet"),
    ("*zeit", "wildcard"),
    ("Au* zeit", "at least 3"),
    ("Aus\x00zeit \x07", "Control characters"),
    ("Auszeit " * 2000, "longer than"),
])
def test_malformed_queries_are_repaired_and_explained(indexed, data_dir, query, notice):
    page = find(indexed, data_dir, query)
    assert any(notice in text for text in page.notices), page.notices


def test_a_prefix_cap_is_reported(indexed, data_dir, monkeypatch):
    from index import query_builder

    monkeypatch.setattr(query_builder, "MAX_EXPANSIONS", 2)
    page = find(indexed, data_dir, "ver*")
    assert any("most frequent" in notice for notice in page.notices)
    assert page.total >= 1


def test_the_index_follows_revisions_and_withdrawals(indexed, data_dir):
    statement = indexed.get_statement("MJF5-GVT6")
    indexed.revise_statement("MJF5-GVT6", statement.content.with_changes(
        text="Stellen Sie sich vor, Musk würde allen sagen: Ich nehme 4 Monate Urlaub."),
        "typo in the transcription")
    assert ids(find(indexed, data_dir, "Urlaub")) == ["MJF5-GVT6"]
    assert find(indexed, data_dir, "frei Musk").total == 0
    indexed.withdraw_statement("MJF5-GVT6", "misattributed")
    assert find(indexed, data_dir, "Musk").total == 0
    assert WhooshEngine(data_dir).drift(indexed) == []


def test_concurrent_searches_each_get_their_own_answer(indexed, data_dir):
    queries = {"Auszeit Brockman": ["M53G-3GCT"], "Musk": ["MJF5-GVT6"],
               "speaker:@sama": ["EGYN-534B"], "Boaz": ["FGPN-RXWX"]}
    failures = []

    def worker(query, expected):
        for _ in range(15):
            got = ids(find(indexed, data_dir, query))
            if got != expected:
                failures.append((query, got))

    threads = [threading.Thread(target=worker, args=item) for item in queries.items() for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []


def test_identical_phrases_are_checked_once(indexed, data_dir, monkeypatch):
    """The same phrase ORed 32 times costs what it costs once (it took 32 times as long)."""
    from index.engines.whoosh import docsets

    calls = []
    checked = docsets._phrase_in
    monkeypatch.setattr(docsets, "_phrase_in", lambda *args: calls.append(args[2]) or checked(*args))
    once = find(indexed, data_dir, '"künstliche Intelligenz"')
    single = len(calls)
    calls.clear()
    many = find(indexed, data_dir, " OR ".join(['"künstliche Intelligenz"'] * 32))
    assert ids(many) == ids(once) and many.total == once.total >= 2
    assert len(calls) == single


def test_phrases_left_unchecked_at_the_deadline_are_left_out_with_a_notice(indexed, data_dir, monkeypatch):
    import importlib

    search_module = importlib.import_module("index.service")
    query = '"künstliche Intelligenz" OR "schwierige Entscheidung"'
    whole = find(indexed, data_dir, query)
    assert whole.total >= 3 and not any("in time" in notice for notice in whole.notices)
    monkeypatch.setattr(search_module, "MATCH_TIME_BUDGET", -1.0)  # the deadline has passed
    cut = find(indexed, data_dir, query)
    assert search_module.MATCHING_TIMED_OUT in cut.notices
    assert set(ids(cut)) <= set(ids(whole))  # what is shown matches; nothing false is added
    assert find(indexed, data_dir, "Auszeit").total >= 1  # words without phrases are not cut


def test_a_negated_phrase_cut_short_never_lets_through_what_it_excludes(indexed, data_dir, monkeypatch):
    import importlib

    search_module = importlib.import_module("index.service")
    query = 'OpenAI -"schwierige Entscheidung"'
    whole = find(indexed, data_dir, query)
    excluded = set(ids(find(indexed, data_dir, '"schwierige Entscheidung"')))
    assert whole.total >= 1 and excluded and not excluded & set(ids(whole))
    monkeypatch.setattr(search_module, "MATCH_TIME_BUDGET", -1.0)
    cut = find(indexed, data_dir, query)
    assert search_module.MATCHING_TIMED_OUT in cut.notices
    assert not excluded & set(ids(cut)) and set(ids(cut)) <= set(ids(whole))
