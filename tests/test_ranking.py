"""Relevance ranking from the cached posting sets (index.engines.whoosh.ranking) gives Whoosh's own scores
and order, on real tweets in an index of several segments with a withdrawn statement."""

from __future__ import annotations

import time

import pytest
from whoosh import query as wq

from archive.records import StatementContent
from index import query_plan, service
from index.engines.whoosh import reading as reading_module
from index.engines.whoosh.docsets import SegmentMatches
from index.engines.whoosh.engine import WhooshEngine
from index.engines.whoosh.ranking import UnrankableQueryError, rank
from index.query_builder import build_query
from index.query_language import parse_query
from tests.test_search_corpora import GERMAN, TRUMP, load_corpora

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
    with WhooshEngine(data_dir).reading(store) as reading:
        searcher = reading.searcher
        assert len(searcher.leaf_searchers()) >= 2
        built = build_query(parse_query(text), reading, reading.speakers(), reading.years(), [])
        matches = reading.match(built.query)
        total = matches.total
        assert total, f"{text!r} matches nothing in the subset"
        ours = rank(searcher, matches.query, [(part.offset, part.matches, part.docnums)
                                              for part in matches.parts], total)
        theirs = whoosh_ranking(searcher, matches.query)
    assert len(ours) == len(theirs) == total
    assert dict(ours) == pytest.approx(dict(theirs), rel=1e-9)
    # the same order, up to documents whose scores differ only by rounding
    assert [docnum for docnum, _ in sorted(ours, key=lambda hit: (-round(hit[1], 9), hit[0]))] == \
           [docnum for docnum, _ in sorted(theirs, key=lambda hit: (-round(hit[1], 9), hit[0]))]


def test_ranking_past_its_deadline_goes_by_date_with_a_notice(archive, monkeypatch):
    store, data_dir = archive
    monkeypatch.setattr(service, "SEARCH_TIME_BUDGET", 0.0)
    monkeypatch.setattr(service, "RANK_TIME_MIN", 0.0)
    page = service.search(WhooshEngine(data_dir), "great", store=store)
    assert reading_module.RANKING_TIMED_OUT in page.notices
    dates = [hit.statement.content.posted_at.sort_key() for hit in page.hits]
    assert len(dates) == 20 and dates == sorted(dates, reverse=True)


def test_a_query_shape_it_cannot_score_is_left_to_whoosh(archive):
    store, data_dir = archive
    odd = wq.Or([wq.Term("words", "great"), wq.Variations("words", "thanks")])
    with WhooshEngine(data_dir).reading(store) as reading:
        searcher = reading.searcher
        segments = []
        for leaf, offset in searcher.leaf_searchers():
            matches = SegmentMatches(leaf)
            segments.append((offset, matches, matches.matching(odd)))
        with pytest.raises(UnrankableQueryError):
            rank(searcher, odd, segments, 10)
        plan = query_plan.Every()  # stands for ``odd``, which no plan expresses
        matched = reading_module.WhooshMatches(plan, odd, [
            reading_module.SegmentHits(leaf, offset, matches, docnums)
            for (leaf, _), (offset, matches, docnums) in zip(searcher.leaf_searchers(), segments,
                                                            strict=True)])
        notices: list[str] = []
        hits = reading._ranked(plan, True, matched, "relevance", 10, time.monotonic() + 60, notices)
        assert hits == whoosh_ranking(searcher, odd)[:10]
        assert not notices


@pytest.mark.parametrize("order", ["newest", "oldest"])
def test_date_order_across_segments_is_the_archives(archive, order):
    """Date order from the per-segment ranks, merged across segments, is the order of the
    archive's own dates (ties by citation ID), for every hit and page by page."""
    store, data_dir = archive
    ids = service.search_ids(WhooshEngine(data_dir), "great", store=store, sort=order)
    statements = store.get_statements(ids)

    def key(statement_id: str) -> tuple[str, str]:
        date = statements[statement_id].content.posted_at.sort_key()
        return (date or ("~" if order == "oldest" else ""), statement_id)

    assert len(ids) > 60
    assert ids == sorted(ids, key=key, reverse=order == "newest")
    paged = []
    for page in (1, 2, 3):
        result = service.search(WhooshEngine(data_dir), "great", store=store, sort=order, page=page,
                              per_page=20)
        paged.extend(hit.statement_id for hit in result.hits)
    assert paged == ids[:60]
