"""The query language parser: structure, repairs, and that no input makes it (or a search) raise."""

from __future__ import annotations

import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from index import service
from index.engines.whoosh.engine import WhooshEngine
from index.query_language import AllOf, AnyOf, Filter, Fuzzy, Not, Phrase, Prefix, Word, parse_query


def test_words_are_anded_and_or_binds_tighter():
    root = parse_query("a b OR c").root
    assert isinstance(root, AllOf)
    assert isinstance(root.children[0], Word)
    assert isinstance(root.children[1], AnyOf) and len(root.children[1].children) == 2


def test_exclusion_phrase_prefix_fuzzy_and_fields():
    children = parse_query('-x NOT y "a b" alig* brokman~ speaker:"Sam Altman" date:Aug 2024').root.children
    assert [type(child) for child in children] == [Not, Not, Phrase, Prefix, Fuzzy, Filter, Filter]
    assert children[5] == Filter("speaker", "Sam Altman")
    assert children[6] == Filter("date", "Aug 2024")


def test_date_range():
    (node,) = parse_query("date:[2024-08-01 TO 2024-08-31]").root.children
    assert node == Filter("range", "2024-08-01", "2024-08-31")


def test_deep_brackets_are_flattened_without_recursion_errors():
    parsed = parse_query("(" * 5_000 + "x" + ")" * 5_000)
    assert any("flattened" in notice for notice in parsed.notices)


def test_clause_count_is_capped():
    parsed = parse_query(" ".join(f"w{number}" for number in range(100)))
    assert len(parsed.root.children) == 32
    assert any("first 32" in notice for notice in parsed.notices)


QUERY_ALPHABET = st.sampled_from(list('abcäöüßé AOR NOT()[]{}"*?~-:@#/\\.,|&+^\x00\x1f\u200b\u202e')
                                 + ["speaker:", "date:", "from:", "to:", "id:", "kind:", "lang:",
                                    "platform:", " OR ", " NOT ", " TO ", "2024", "13-45", "Aug"])


@given(st.lists(QUERY_ALPHABET, max_size=40).map("".join))
@settings(max_examples=300, deadline=None)
def test_the_parser_never_raises(query):
    parse_query(query)


@given(st.one_of(st.text(max_size=200), st.lists(QUERY_ALPHABET, max_size=40).map("".join)))
@settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_no_query_string_makes_search_raise(indexed_seed, query):
    store, data_dir = indexed_seed
    page = service.search(WhooshEngine(data_dir), query, store=store)
    assert page.total >= 0


@pytest.fixture
def indexed_seed(store, data_dir):
    WhooshEngine(data_dir).follow(store)
    return store, data_dir


@pytest.mark.parametrize("query", [
    "x" * 10_000,
    "(" * 10_000,
    " OR ".join(["a*"] * 500),
    " ".join(f"wort{number}~2" for number in range(200)),
    '"' + "ein " * 3000,
    "date:[0001-01-01 TO 9999-12-31] " * 50,
])
def test_worst_case_queries_return_quickly(indexed_seed, query):
    store, data_dir = indexed_seed
    started = time.perf_counter()
    service.search(WhooshEngine(data_dir), query, store=store)
    assert time.perf_counter() - started < 1.0


@pytest.mark.parametrize("marks", ["„{}“", "“{}”", "»{}«", "«{}»", '"{}"'])
def test_typographic_double_quotes_make_a_phrase(marks):
    parsed = parse_query(marks.format("künstliche Intelligenz") + " OpenAI")
    end = len(parsed.text)
    assert parsed.root.children == [Phrase("künstliche Intelligenz"), Word("OpenAI", end - 6, end)]
    assert not parsed.notices
