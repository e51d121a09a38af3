"""The set of all documents a query matches in one segment, for totals, facets and date
sorting — computed with set operations on whole posting lists instead of stepping a
Whoosh matcher document by document.

A term's posting list in a segment never changes, so it is cached per segment; deletions
are applied afterwards from the reader at hand. A phrase is checked by its words' positions,
only in the documents that have all its words; query types without a set form here fall back
to Whoosh's own matcher.
"""

from __future__ import annotations

import time
from array import array

from whoosh import query as wq
from whoosh.searching import Searcher

from index.cache import BoundedCache
from index.engine import MatchTimeoutError
from index.engines.whoosh.internals import can_seek, deleted_docs, posting_blocks, seek, segment_id

# Postings are cached twice over: every cached term as an array (4 bytes a posting), and the
# most recently used as sets for the set operations (about 55 bytes a posting). A query that
# expands to hundreds of terms finds them all in the arrays; a server keeps its memory.
MAX_CACHED_POSTINGS = 8_000_000  # postings kept as arrays, all terms together (about 32 MB)
MAX_SET_POSTINGS = 600_000       # postings kept as sets as well (about 33 MB)
# Documents whose positions are checked for a phrase between two looks at the deadline.
PHRASE_BATCH = 2_000


_ARRAYS: BoundedCache = BoundedCache(MAX_CACHED_POSTINGS, lambda found: len(found[0]) + len(found[1]))
_SETS: BoundedCache = BoundedCache(MAX_SET_POSTINGS, len)


def _read_postings(leaf: Searcher, field_name: str, text) -> tuple[array, dict[int, float]]:
    """The term's documents, and the weights (term frequencies) that are not 1."""
    reader = leaf.reader()
    if (field_name, text) not in reader:
        return array("I"), {}
    matcher = reader.postings(field_name, text)
    # Unwrap a deletion filter: deletions are applied by the caller, after caching.
    matcher = getattr(matcher, "child", matcher)
    ids: list[int] = []
    weights: dict[int, float] = {}
    blocks = posting_blocks(matcher)
    if blocks is not None:
        for block_ids, block_weights in blocks:
            ids.extend(block_ids)
            if any(weight != 1.0 for weight in block_weights):
                weights.update((docnum, weight) for docnum, weight
                               in zip(block_ids, block_weights, strict=True) if weight != 1.0)
    else:
        while matcher.is_active():
            ids.append(matcher.id())
            if matcher.weight() != 1.0:
                weights[matcher.id()] = matcher.weight()
            matcher.next()
    return array("I", ids), weights


def _postings(leaf: Searcher, field_name: str, text) -> tuple[array, dict[int, float]]:
    return _ARRAYS.fetch((segment_id(leaf.reader()), field_name, text),
                         lambda: _read_postings(leaf, field_name, text))


def term_docs(leaf: Searcher, field_name: str, text) -> frozenset:
    """Every document of the segment with this term, deleted ones included (cached)."""
    return _SETS.fetch((segment_id(leaf.reader()), field_name, text),
                       lambda: frozenset(_postings(leaf, field_name, text)[0]))


def term_weights(leaf: Searcher, field_name: str, text) -> dict[int, float]:
    """The term's weight in each document of the segment where it is not 1 (cached)."""
    return _postings(leaf, field_name, text)[1]


class SegmentMatches:
    """The documents each node of one query matches in one segment, each computed once
    (the ranking asks again for the nodes the count has already answered); identical
    phrases share their work.

    With a ``deadline`` (``time.monotonic()``), phrases are checked a batch of documents at a
    time, and the alternatives of an ``Or`` one after the other, until it passes; documents
    left unchecked then count as not holding the phrase, alternatives not reached are left
    out, and the result is marked ``incomplete``: the documents found all match, some that match may be
    missing. Under a negation that would let through what must be excluded, so there a phrase
    cut short raises MatchTimeoutError instead, which an ``Or`` answers by leaving that
    alternative out and the whole query by matching nothing."""

    def __init__(self, leaf: Searcher, deadline: float | None = None):
        self.leaf = leaf
        self.deadline = deadline
        self.incomplete = False
        self._negated = 0  # how many negations enclose the node being computed
        # id(node) -> (node, its documents); ("phrase", field, words) -> {doc: matches}
        self._memo: dict = {}

    def docs(self, node: wq.Query) -> set[int] | frozenset:
        """The documents of the segment that ``node`` matches, deleted ones included."""
        if isinstance(node, wq.Term):
            return term_docs(self.leaf, node.fieldname, node.text)
        # a phrase by its words, so that the same phrase written twice is computed once
        key = (("phrase-docs", node.fieldname, tuple(node.words))
               if isinstance(node, wq.Phrase) and node.slop == 1 else id(node))
        found = self._memo.get(key)
        if found is None:
            found = (node, self._compute(node))  # the node is kept so that its id stays its own
            self._memo[key] = found
        return found[1]

    def _compute(self, node: wq.Query) -> set[int] | frozenset:
        leaf = self.leaf
        if node is wq.NullQuery or isinstance(node, wq.NullQuery.__class__):
            return frozenset()
        if isinstance(node, wq.Every):
            return frozenset(range(leaf.reader().doc_count_all()))
        if isinstance(node, wq.AndNot):
            self._negated += 1
            try:
                excluded = self.docs(node.b)
            finally:
                self._negated -= 1
            return self.docs(node.a) - excluded
        if isinstance(node, wq.AndMaybe):
            return self.docs(node.a)
        if isinstance(node, wq.Require):
            return self.docs(node.a) & self.docs(node.b)
        if isinstance(node, wq.And):
            return _intersection([self.docs(child) for child in node.subqueries])
        if isinstance(node, wq.Or):
            result: set[int] = set()
            for child in node.subqueries:
                if self.past_deadline():  # the alternatives not looked at yet are left out
                    self._cut_short()
                    break
                try:
                    result |= self.docs(child)
                except MatchTimeoutError:
                    if self._negated:  # a part left out of what is excluded would let it through
                        raise
                    self.incomplete = True
            return result
        if isinstance(node, wq.Phrase) and node.slop == 1:
            return self.phrase_docs(node)
        matcher = node.matcher(leaf, leaf.boolean_context())
        return set(matcher.all_ids()) if matcher.is_active() else set()

    def phrase_docs(self, node: wq.Phrase, within: set[int] | frozenset | None = None) -> set[int]:
        """The documents (of ``within``, when given) where the phrase's words stand side by
        side, in order. Only documents with every word are looked at, and each once per
        search: the ranking asks again for the documents it scores."""
        key = ("phrase", node.fieldname, tuple(node.words))
        memo = self._memo.get(key)
        if memo is None:
            if self.past_deadline():  # not even its words' postings are read any more
                return self._cut_short()
            memo = self._memo[key] = {}
        candidates = self._with_every_word(node.fieldname, node.words)
        if within is not None:
            candidates = candidates & within
        unknown = sorted(docnum for docnum in candidates if docnum not in memo)
        for start in range(0, len(unknown), PHRASE_BATCH):
            if self.past_deadline():
                self._cut_short()
                break
            batch = unknown[start:start + PHRASE_BATCH]
            found = _phrase_in(self.leaf, node.fieldname, list(node.words), batch)
            for docnum in batch:
                memo[docnum] = docnum in found
        return {docnum for docnum in candidates if memo.get(docnum)}

    def _with_every_word(self, field_name: str, words) -> set[int] | frozenset:
        """The documents holding every word, rarest word first: once none is left, the
        postings of the commoner words are never read."""
        reader = self.leaf.reader()
        found: set[int] | frozenset | None = None
        for word in sorted(set(words), key=lambda word: reader.doc_frequency(field_name, word)):
            docs = term_docs(self.leaf, field_name, word)
            found = set(docs) if found is None else found & docs
            if not found:
                break
        return found if found is not None else frozenset()

    def past_deadline(self) -> bool:
        return self.deadline is not None and time.monotonic() > self.deadline

    def _cut_short(self) -> set[int]:
        """No (more) documents for a phrase past the deadline: the result is incomplete, and
        under a negation that would let through what must be excluded, so it raises there."""
        if self._negated:
            raise MatchTimeoutError
        self.incomplete = True
        return set()

    def matching(self, node: wq.Query) -> list[int]:
        """The segment's live documents that match, in document order (none, marked
        ``incomplete``, when the deadline passed where no ``Or`` could leave a part out)."""
        try:
            found = self.docs(node)
        except MatchTimeoutError:
            self.incomplete = True
            return []
        deleted = deleted_docs(self.leaf.reader())
        if deleted:
            found = found - deleted
        return sorted(found)


def positions_in(leaf: Searcher, field_name: str, word: str, docnums: list[int]) -> dict[int, list[int]]:
    """The word's positions in each of ``docnums`` (sorted) that has it (found in each
    block by bisection where the matcher allows)."""
    if (field_name, word) not in leaf.reader():
        return {}
    matcher = leaf.reader().postings(field_name, word)
    matcher = getattr(matcher, "child", matcher)
    decode = matcher.format.decoder("positions")
    found: dict[int, list[int]] = {}
    if not can_seek(matcher):
        for docnum in docnums:
            if not matcher.is_active():
                break
            matcher.skip_to(docnum)
            if matcher.is_active() and matcher.id() == docnum:
                found[docnum] = decode(matcher.value())
        return found
    for docnum in docnums:
        if not matcher.is_active():
            break
        if seek(matcher, docnum):
            found[docnum] = decode(matcher.value())
    return found


def _phrase_in(leaf: Searcher, field_name: str, words: list[str], docnums: list[int]) -> set[int]:
    """Which of ``docnums`` hold the words at consecutive positions, in order (Whoosh's
    phrase: slop 1). The rarest word is read first, and each next word only for the
    documents still in the running."""
    order = sorted(range(len(words)), key=lambda k: len(term_docs(leaf, field_name, words[k])))
    starts: dict[int, set[int]] = {}
    remaining = sorted(docnums)
    for rank, k in enumerate(order):
        positions = positions_in(leaf, field_name, words[k], remaining)
        if rank == 0:
            starts = {docnum: {position - k for position in found} for docnum, found in positions.items()}
        else:
            for docnum in remaining:
                kept = starts[docnum] & {position - k for position in positions.get(docnum, ())}
                if kept:
                    starts[docnum] = kept
                else:
                    del starts[docnum]
        remaining = sorted(starts)
        if not remaining:
            break
    return set(starts)


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
