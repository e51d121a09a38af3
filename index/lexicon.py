"""The ``words`` lexicon of each segment as a sorted list in memory, for typo matching.

Whoosh's Levenshtein automaton jumps through the lexicon with one ``find`` per step; on
disk each ``find`` is a binary search of file reads, and that was most of the time a
"did you mean" took. Segments never change once written, so each segment's word list is
read once per process and searched with ``bisect``; the automaton is built once per word
instead of once per segment.
"""

from __future__ import annotations

import threading
from bisect import bisect_left
from collections import OrderedDict
from collections.abc import Iterator

from whoosh.codec.base import Automata
from whoosh.reading import IndexReader

MAX_CACHED_SEGMENTS = 64

_CACHE: OrderedDict[str, list[str]] = OrderedDict()
_GUARD = threading.Lock()


class _ListCursor:
    """The part of Whoosh's term cursor the automaton uses, over a sorted list."""

    def __init__(self, words: list[str]):
        self.words = words
        self.position = 0

    def text(self) -> str | None:
        return self.words[self.position] if self.position < len(self.words) else None

    def find(self, target: str) -> None:
        self.position = bisect_left(self.words, target, self.position)


def segment_words(leaf: IndexReader, field_name: str = "words") -> list[str]:
    """Every term of the field in one segment, sorted (cached per segment)."""
    segment = getattr(leaf, "_segment", None)
    key = f"{segment.segment_id() if segment is not None else id(leaf)}/{field_name}"
    with _GUARD:
        found = _CACHE.get(key)
        if found is not None:
            _CACHE.move_to_end(key)
            return found
    found = [term.decode("utf-8") if isinstance(term, bytes) else term
             for term in leaf.lexicon(field_name)]
    with _GUARD:
        _CACHE[key] = found
        while len(_CACHE) > MAX_CACHED_SEGMENTS:
            _CACHE.popitem(last=False)
    return found


def words_within(reader: IndexReader, word: str, distance: int, prefix: int = 1) -> Iterator[str]:
    """Distinct words of the index within ``distance`` edits of ``word`` sharing its first
    ``prefix`` letters, segment by segment (no particular order)."""
    dfa = Automata.levenshtein_dfa(word, distance, prefix)
    seen: set[str] = set()
    for leaf, _offset in reader.leaf_readers():
        for term in Automata.find_matches(dfa, _ListCursor(segment_words(leaf))):
            if term not in seen:
                seen.add(term)
                yield term
