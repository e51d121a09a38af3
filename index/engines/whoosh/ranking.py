"""Relevance ranking: Whoosh's BM25F scores, summed over the query tree for the documents
the query matches, from the cached posting sets instead of Whoosh's matcher tree.

The documents a query matches are already known (index.engines.whoosh.docsets), and a score is a sum over
the query's terms, so each term adds its part to the documents it shares with the hits, in
set operations and one short loop, rather than stepping Whoosh's matcher tree document by
document (why, with figures: bench/README.md). The scores are Whoosh's own, term by term:
BM25F (B 0.75, K1 1.2, idf and average length of the whole index) on the text, the weight
on ID fields, multiplied by the boosts on the way down; ``Or`` and ``And`` add their
children's scores, ``AndNot`` and ``Require`` score their first part, ``AndMaybe`` adds
the optional part where it matches, a phrase adds its words. Ties go to the earlier
document, as in Whoosh's collector. A query shape not listed raises UnrankableQueryError,
and the caller falls back to Whoosh.
"""

from __future__ import annotations

import heapq
import time
from collections.abc import Callable

from whoosh import query as wq
from whoosh.searching import Searcher
from whoosh.util.numeric import byte_to_length

from index.cache import BoundedCache
from index.engines.whoosh.columns import length_bytes
from index.engines.whoosh.docsets import SegmentMatches, term_docs, term_weights

B = 0.75
K1 = 1.2


class UnrankableQueryError(Exception):
    """The query holds a node this module cannot score."""


class RankingTimeoutError(Exception):
    """Ranking ran past its deadline."""


# Per average length: K1 * ((1 - B) + B * length / average) for each of the 256 encoded lengths
MAX_CACHED_NORMS = 64  # one per index state (the average length changes with each commit)
_NORMS: BoundedCache[list[float]] = BoundedCache(MAX_CACHED_NORMS)


def _norms(average: float) -> list[float]:
    return _NORMS.fetch(average, lambda: [K1 * ((1 - B) + B * byte_to_length(code) / average)
                                          for code in range(256)])


class _SegmentScorer:
    """Adds the scores of one query's nodes into one segment's score table."""

    def __init__(self, searcher: Searcher, leaf: Searcher, matches: SegmentMatches,
                 check_time: Callable[[], None]):
        self.searcher = searcher
        self.leaf = leaf
        self.matches = matches
        self.check_time = check_time
        self.scores: dict[int, float] = {}

    def add(self, node: wq.Query, docs: set[int] | frozenset, factor: float) -> None:
        """Add ``factor`` times the node's score to each of ``docs`` that it matches."""
        if not docs:
            return
        if isinstance(node, wq.Term):
            self._add_term(node.fieldname, node.text, docs, factor * node.boost)
        elif isinstance(node, wq.Phrase):
            docs = self.matches.phrase_docs(node, docs) if node.slop == 1 else docs & self.matches.docs(node)
            for word in node.words:
                self._add_term(node.fieldname, word, docs, factor * node.boost)
        elif isinstance(node, wq.Or):
            for child in node.subqueries:
                self.add(child, docs, factor * node.boost)
        elif isinstance(node, wq.And):
            docs = docs & self.matches.docs(node)
            for child in node.subqueries:
                self.add(child, docs, factor * node.boost)
        elif isinstance(node, (wq.AndNot, wq.Require)):
            self.add(node.a, docs & self.matches.docs(node), factor)
        elif isinstance(node, wq.AndMaybe):
            docs = docs & self.matches.docs(node)
            self.add(node.a, docs, factor)
            self.add(node.b, docs, factor)
        elif node is wq.NullQuery or isinstance(node, wq.NullQuery.__class__):
            return
        else:
            raise UnrankableQueryError(type(node).__name__)

    def _add_term(self, field_name: str, text, docs, factor: float) -> None:
        self.check_time()
        found = docs & term_docs(self.leaf, field_name, text)
        if not found:
            return
        weights = term_weights(self.leaf, field_name, text)
        scores = self.scores
        get_score = scores.get
        if not self.searcher.schema[field_name].scorable:
            for docnum in found:
                scores[docnum] = get_score(docnum, 0.0) + weights.get(docnum, 1.0) * factor
            return
        idf = self.searcher.idf(field_name, text)
        norms = _norms(self.searcher.avg_field_length(field_name) or 1)
        lengths = length_bytes(self.leaf.reader(), field_name)
        top = K1 + 1
        get_weight = weights.get
        for docnum in found:
            tf = get_weight(docnum, 1.0)
            # Whoosh's bm25() and WrappingMatcher, in the same order of operations
            score = idf * ((tf * top) / (tf + norms[lengths[docnum]])) * factor
            scores[docnum] = get_score(docnum, 0.0) + score


def rank(searcher: Searcher, query: wq.Query, segments: list[tuple[int, SegmentMatches, list[int]]],
         limit: int, deadline: float | None = None) -> list[tuple[int, float]]:
    """(global document number, score) of the ``limit`` best of the matching documents,
    best first. ``segments``: per segment its offset, its matches and its matching live
    documents. Raises UnrankableQueryError, or RankingTimeoutError past ``deadline``
    (a ``time.monotonic()`` value)."""

    def check_time() -> None:
        if deadline is not None and time.monotonic() > deadline:
            raise RankingTimeoutError

    best: list[tuple[float, int]] = []
    for offset, matches, docnums in segments:
        if not docnums:
            continue
        scorer = _SegmentScorer(searcher, matches.leaf, matches, check_time)
        scorer.add(query, set(docnums), 1.0)
        scores = scorer.scores
        top = heapq.nsmallest(limit, docnums, key=lambda docnum: (-scores.get(docnum, 0.0), docnum))
        best.extend((scores.get(docnum, 0.0), offset + docnum) for docnum in top)
    best.sort(key=lambda item: (-item[0], item[1]))
    return [(docnum, score) for score, docnum in best[:limit]]
