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

MAX_CACHED_POSTINGS = 2_000_000  # document numbers kept in the cache, all terms together

_CACHE: OrderedDict[tuple, frozenset] = OrderedDict()
_CACHED = 0
_GUARD = threading.Lock()


def _segment_id(leaf: Searcher) -> str:
    segment = getattr(leaf.reader(), "_segment", None)
    return segment.segment_id() if segment is not None else f"reader-{id(leaf.reader())}"


def _read_postings(leaf: Searcher, field_name: str, text) -> frozenset:
    reader = leaf.reader()
    if (field_name, text) not in reader:
        return frozenset()
    matcher = reader.postings(field_name, text)
    # Unwrap a deletion filter: deletions are applied by the caller, after caching.
    matcher = getattr(matcher, "child", matcher)
    ids: list[int] = []
    if all(hasattr(matcher, name) for name in ("_read_ids", "_next_block", "_atend")):
        # Whole blocks at a time (whoosh-reloaded 2.7.5's W3LeafMatcher; the library is frozen)
        while matcher.is_active():
            if matcher._ids is None:
                matcher._read_ids()
            ids.extend(matcher._ids[matcher._i:matcher._blocklength])
            matcher._i = matcher._blocklength
            matcher._next_block()
    else:
        ids.extend(matcher.all_ids())
    return frozenset(ids)


def term_docs(leaf: Searcher, field_name: str, text) -> frozenset:
    """Every document of the segment with this term, deleted ones included (cached)."""
    global _CACHED
    key = (_segment_id(leaf), field_name, text)
    with _GUARD:
        found = _CACHE.get(key)
        if found is not None:
            _CACHE.move_to_end(key)
            return found
    found = _read_postings(leaf, field_name, text)
    with _GUARD:
        _CACHE[key] = found
        _CACHED += len(found)
        while _CACHED > MAX_CACHED_POSTINGS and _CACHE:
            _key, dropped = _CACHE.popitem(last=False)
            _CACHED -= len(dropped)
    return found


def _docs(leaf: Searcher, node: wq.Query) -> set[int] | frozenset:
    if node is wq.NullQuery or isinstance(node, wq.NullQuery.__class__):
        return frozenset()
    if isinstance(node, wq.Term):
        return term_docs(leaf, node.fieldname, node.text)
    if isinstance(node, wq.Every):
        return frozenset(range(leaf.reader().doc_count_all()))
    if isinstance(node, wq.AndNot):
        return _docs(leaf, node.a) - _docs(leaf, node.b)
    if isinstance(node, wq.AndMaybe):
        return _docs(leaf, node.a)
    if isinstance(node, wq.Require):
        return _docs(leaf, node.a) & _docs(leaf, node.b)
    if isinstance(node, wq.And):
        parts = sorted((_docs(leaf, child) for child in node.subqueries), key=len)
        if not parts:
            return frozenset()
        result = set(parts[0])
        for part in parts[1:]:
            if not result:
                break
            result &= part
        return result
    if isinstance(node, wq.Or):
        result: set[int] = set()
        for child in node.subqueries:
            result |= _docs(leaf, child)
        return result
    matcher = node.matcher(leaf, leaf.boolean_context())
    return set(matcher.all_ids()) if matcher.is_active() else set()


def matching_docs(leaf: Searcher, node: wq.Query) -> list[int]:
    """The segment's live documents that match, in document order."""
    found = _docs(leaf, node)
    deleted = getattr(leaf.reader(), "deleted_docs_set", None)
    if deleted:
        found = found - deleted
    return sorted(found)
