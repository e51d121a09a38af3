"""The set of all documents a query matches in one segment, for totals, facets and date
sorting — computed with set operations on whole posting lists instead of stepping a
Whoosh matcher document by document.

A term's posting list in a segment never changes, so it is cached per segment; deletions
are applied afterwards from the reader at hand. Query types without a set form here
(phrases) fall back to Whoosh's own matcher.
"""

from __future__ import annotations

import threading
from collections import OrderedDict

from whoosh import query as wq
from whoosh.searching import Searcher

MAX_CACHED_POSTINGS = 2_000_000  # postings kept in the cache, all terms together

_CACHE: OrderedDict[tuple, tuple[frozenset, dict[int, float]]] = OrderedDict()
_CACHED = 0
_GUARD = threading.Lock()


def segment_id(leaf: Searcher) -> str:
    """The ID of the segment a leaf searcher reads (stable for the segment's life)."""
    segment = getattr(leaf.reader(), "_segment", None)
    return segment.segment_id() if segment is not None else f"reader-{id(leaf.reader())}"


def _read_postings(leaf: Searcher, field_name: str, text) -> tuple[frozenset, dict[int, float]]:
    """The term's documents, and the weights (term frequencies) that are not 1."""
    reader = leaf.reader()
    if (field_name, text) not in reader:
        return frozenset(), {}
    matcher = reader.postings(field_name, text)
    # Unwrap a deletion filter: deletions are applied by the caller, after caching.
    matcher = getattr(matcher, "child", matcher)
    ids: list[int] = []
    weights: dict[int, float] = {}
    if all(hasattr(matcher, name) for name in ("_read_ids", "_read_weights", "_next_block", "_atend")):
        # Whole blocks at a time (whoosh-reloaded 2.7.5's W3LeafMatcher; the library is frozen)
        while matcher.is_active():
            if matcher._ids is None:
                matcher._read_ids()
            if matcher._weights is None:
                matcher._read_weights()
            block_ids = matcher._ids[matcher._i:matcher._blocklength]
            block_weights = matcher._weights[matcher._i:matcher._blocklength]
            ids.extend(block_ids)
            if any(weight != 1.0 for weight in block_weights):
                weights.update((docnum, weight) for docnum, weight
                               in zip(block_ids, block_weights, strict=True) if weight != 1.0)
            matcher._i = matcher._blocklength
            matcher._next_block()
    else:
        while matcher.is_active():
            ids.append(matcher.id())
            if matcher.weight() != 1.0:
                weights[matcher.id()] = matcher.weight()
            matcher.next()
    return frozenset(ids), weights


def _postings(leaf: Searcher, field_name: str, text) -> tuple[frozenset, dict[int, float]]:
    global _CACHED
    key = (segment_id(leaf), field_name, text)
    with _GUARD:
        found = _CACHE.get(key)
        if found is not None:
            _CACHE.move_to_end(key)
            return found
    found = _read_postings(leaf, field_name, text)
    with _GUARD:
        _CACHE[key] = found
        _CACHED += len(found[0]) + len(found[1])
        while _CACHED > MAX_CACHED_POSTINGS and _CACHE:
            _key, (dropped, dropped_weights) = _CACHE.popitem(last=False)
            _CACHED -= len(dropped) + len(dropped_weights)
    return found


def term_docs(leaf: Searcher, field_name: str, text) -> frozenset:
    """Every document of the segment with this term, deleted ones included (cached)."""
    return _postings(leaf, field_name, text)[0]


def term_weights(leaf: Searcher, field_name: str, text) -> dict[int, float]:
    """The term's weight in each document of the segment where it is not 1 (cached)."""
    return _postings(leaf, field_name, text)[1]


class SegmentMatches:
    """The documents each node of one query matches in one segment, each computed once
    (the ranking asks again for the nodes the count has already answered)."""

    def __init__(self, leaf: Searcher):
        self.leaf = leaf
        self._memo: dict[int, tuple[wq.Query, set[int] | frozenset]] = {}

    def docs(self, node: wq.Query) -> set[int] | frozenset:
        """The documents of the segment that ``node`` matches, deleted ones included."""
        if isinstance(node, wq.Term):
            return term_docs(self.leaf, node.fieldname, node.text)
        found = self._memo.get(id(node))
        if found is None:
            found = (node, self._compute(node))  # the node is kept so that its id stays its own
            self._memo[id(node)] = found
        return found[1]

    def _compute(self, node: wq.Query) -> set[int] | frozenset:
        leaf = self.leaf
        if node is wq.NullQuery or isinstance(node, wq.NullQuery.__class__):
            return frozenset()
        if isinstance(node, wq.Every):
            return frozenset(range(leaf.reader().doc_count_all()))
        if isinstance(node, wq.AndNot):
            return self.docs(node.a) - self.docs(node.b)
        if isinstance(node, wq.AndMaybe):
            return self.docs(node.a)
        if isinstance(node, wq.Require):
            return self.docs(node.a) & self.docs(node.b)
        if isinstance(node, wq.And):
            return _intersection([self.docs(child) for child in node.subqueries])
        if isinstance(node, wq.Or):
            result: set[int] = set()
            for child in node.subqueries:
                result |= self.docs(child)
            return result
        if isinstance(node, wq.Phrase):
            # only documents with every word can hold the phrase: most phrases end here
            words = [term_docs(leaf, node.fieldname, word) for word in node.words]
            if not _intersection(words):
                return frozenset()
        matcher = node.matcher(leaf, leaf.boolean_context())
        return set(matcher.all_ids()) if matcher.is_active() else set()

    def matching(self, node: wq.Query) -> list[int]:
        """The segment's live documents that match, in document order."""
        found = self.docs(node)
        deleted = getattr(self.leaf.reader(), "deleted_docs_set", None)
        if deleted:
            found = found - deleted
        return sorted(found)


def _intersection(parts: list) -> set[int] | frozenset:
    if not parts:
        return frozenset()
    parts = sorted(parts, key=len)
    result = set(parts[0])
    for part in parts[1:]:
        if not result:
            break
        result &= part
    return result
