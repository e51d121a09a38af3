"""Relevance ranking from the cached posting sets (index.ranking) gives Whoosh's own scores
and order, on real tweets in an index of several segments with a withdrawn statement."""

from __future__ import annotations

import importlib

import pytest
from whoosh import query as wq

import index
from archive.records import StatementContent
from index.directory import get_index_directory
from index.docsets import SegmentMatches
from index.query_builder import BuiltQuery
from index.query_language import parse_query
from index.ranking import UnrankableQueryError, rank
from index.search import _match
from tests.test_search_corpora import GERMAN, TRUMP, load_corpora

search_module = importlib.import_module("index.search")  # the package exports its function search

pytestmark = pytest.mark.skipif(not (TRUMP.exists() and GERMAN.exists()),
                                reason="the real corpora are not here")

QUERIES = [
    "great", "the", "Klimaschutz", "klimaschuetzer", "Menschen Europa", "America great again",
    '"thank you"', '"the great"', "sozi*", "euro*", "trump", "Trump -Hillary", "Trump OR Hillary",
    "Bundesregierung lang:de", "speaker:realdonaldtrump Obama",
    "(Merkel OR Schulz) Europa", "Sicherheit", "Energiewende -Atom", "grüne",
    "https", "Deutschland braucht", "make america", '"ist. Wir"', "Obama date:2012", "thanks~",
    "Obama from:2011 to:2012-06", "-Trump Europa", '"make america great again"', '"great again"',
    '"in the"', "in the", '"https t"', "thank you",
]


@pytest.fixture(scope="module")
def archive(tmp_path_factory):
    """1,000 tweets of each corpus indexed in one commit, 40 statements more in a second (a
    second segment), and one statement withdrawn (a deleted document)."""
    data_dir = tmp_path_factory.mktemp("ranking") / "data"
    store = load_corpora(data_dir, 1_000)
    with store.transaction():
        for number in range(40):
            store.add_statement(StatementContent(
                person_id="realdonaldtrump", kind="post", lang="en" if number % 2 else "de",
                text=f"Make America great again, number {number}: the great Europa news" * (1 + number % 3)))
    victim = next(iter(store.current_hashes()))
    store.withdraw_statement(victim, "a deleted document in the index")
    yield store, data_dir
    store.close()


def whoosh_ranking(searcher, query):
    results = searcher.search(query, limit=None, terms=False)
    return [(hit.docnum, hit.score) for hit in results]


@pytest.mark.parametrize("text", QUERIES)
def test_scores_and_order_are_whooshs(archive, text):
    store, data_dir = archive
    directory = get_index_directory(data_dir)
    generation, ix = directory.live_generation()
    with directory.pooled_searcher(ix) as searcher:
        assert len(searcher.leaf_searchers()) >= 2
        _speakers, built, matching = _match(store, searcher, generation, parse_query(text), [])
        total = sum(len(part.docnums) for part in matching)
        assert total, f"{text!r} matches nothing in the subset"
        ours = rank(searcher, built.query, [(part.offset, part.matches, part.docnums)
                                            for part in matching], total)
        theirs = whoosh_ranking(searcher, built.query)
    assert len(ours) == len(theirs) == total
    assert dict(ours) == pytest.approx(dict(theirs), rel=1e-9)
    # the same order, up to documents whose scores differ only by rounding
    assert [docnum for docnum, _ in sorted(ours, key=lambda hit: (-round(hit[1], 9), hit[0]))] == \
           [docnum for docnum, _ in sorted(theirs, key=lambda hit: (-round(hit[1], 9), hit[0]))]


def test_ranking_past_its_deadline_goes_by_date_with_a_notice(archive, monkeypatch):
    store, data_dir = archive
    monkeypatch.setattr(search_module, "SEARCH_TIME_BUDGET", 0.0)
    monkeypatch.setattr(search_module, "RANK_TIME_MIN", 0.0)
    page = index.search("great", store=store, data_dir=data_dir)
    assert search_module.RANKING_TIMED_OUT in page.notices
    dates = [hit.statement.content.posted_at.sort_key() for hit in page.hits]
    assert len(dates) == 20 and dates == sorted(dates, reverse=True)


def test_a_query_shape_it_cannot_score_is_left_to_whoosh(archive):
    store, data_dir = archive
    directory = get_index_directory(data_dir)
    generation, ix = directory.live_generation()
    odd = wq.Or([wq.Term("words", "great"), wq.Variations("words", "thanks")])
    with directory.pooled_searcher(ix) as searcher:
        segments = []
        for leaf, offset in searcher.leaf_searchers():
            matches = SegmentMatches(leaf)
            segments.append((offset, matches, matches.matching(odd)))
        with pytest.raises(UnrankableQueryError):
            rank(searcher, odd, segments, 10)
        built = BuiltQuery(query=odd, scored=True)
        hits = search_module._ranked(searcher, built, [
            search_module.SegmentHits(leaf, offset, matches, docnums)
            for (leaf, _), (offset, matches, docnums) in zip(searcher.leaf_searchers(), segments,
                                                            strict=True)], "relevance", 10)
        assert hits == whoosh_ranking(searcher, odd)[:10]
        assert not built.notices


@pytest.mark.parametrize("order", ["newest", "oldest"])
def test_date_order_across_segments_is_the_archives(archive, order):
    """Date order from the per-segment ranks, merged across segments, is the order of the
    archive's own dates (ties by citation ID), for every hit and page by page."""
    store, data_dir = archive
    ids = index.search_ids("great", store=store, data_dir=data_dir, sort=order)
    statements = store.get_statements(ids)

    def key(statement_id: str) -> tuple[str, str]:
        date = statements[statement_id].content.posted_at.sort_key()
        return (date or ("~" if order == "oldest" else ""), statement_id)

    assert len(ids) > 60
    assert ids == sorted(ids, key=key, reverse=order == "newest")
    paged = []
    for page in (1, 2, 3):
        result = index.search("great", store=store, data_dir=data_dir, sort=order, page=page,
                              per_page=20)
        paged.extend(hit.statement_id for hit in result.hits)
    assert paged == ids[:60]
