"""The ``words`` lexicon of each segment as a sorted list in memory, for typo matching and
for the words that start with a given word (German compounds).

Segments never change once written, so each segment's word list is read once per process
and searched with ``bisect``: Whoosh's Levenshtein automaton then takes each ``find`` step in
memory rather than by file reads, and is built once per word instead of once per segment;
prefixes are found without merging the segments' term files from disk (figures:
bench/README.md).
"""

from __future__ import annotations

from array import array
from bisect import bisect_left
from collections.abc import Iterator

from whoosh.codec.base import Automata
from whoosh.reading import IndexReader

from index.cache import BoundedCache
from index.engines.whoosh.internals import segment_id

MAX_CACHED_SEGMENTS = 64

_CACHE: BoundedCache[tuple[list[str], array]] = BoundedCache(MAX_CACHED_SEGMENTS)


class _ListCursor:
    """The part of Whoosh's term cursor the automaton uses, over a sorted list."""

    def __init__(self, words: list[str]):
        self.words = words
        self.position = 0

    def text(self) -> str | None:
        return self.words[self.position] if self.position < len(self.words) else None

    def find(self, target: str) -> None:
        self.position = bisect_left(self.words, target, self.position)


def _segment_lexicon(leaf: IndexReader, field_name: str) -> tuple[list[str], array]:
    """Every term of the field in one segment, sorted, and the number of documents of each
    (cached per segment)."""
    key = (segment_id(leaf), field_name)
    return _CACHE.fetch(key, lambda: _read_lexicon(leaf, field_name))


def _read_lexicon(leaf: IndexReader, field_name: str) -> tuple[list[str], array]:
    words: list[str] = []
    counts = array("I")
    for term, info in leaf.iter_field(field_name):
        words.append(term.decode("utf-8") if isinstance(term, bytes) else term)
        counts.append(info.doc_frequency())
    return words, counts


def segment_words(leaf: IndexReader, field_name: str = "words") -> list[str]:
    """Every term of the field in one segment, sorted (cached per segment)."""
    return _segment_lexicon(leaf, field_name)[0]


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


def words_starting(reader: IndexReader, start: str, limit: int) -> list[str]:
    """The first ``limit`` distinct words of the index (sorted) that start with ``start``."""
    found: set[str] = set()
    for leaf, _offset in reader.leaf_readers():
        words = segment_words(leaf)
        at = bisect_left(words, start)
        for word in words[at:at + limit]:
            if not word.startswith(start):
                break
            found.add(word)
    return sorted(found)[:limit]


def word_frequency(reader: IndexReader, word: str) -> int:
    """How many documents of the index have the word (deleted ones included, as Whoosh counts)."""
    total = 0
    for leaf, _offset in reader.leaf_readers():
        words, counts = _segment_lexicon(leaf, "words")
        at = bisect_left(words, word)
        if at < len(words) and words[at] == word:
            total += counts[at]
    return total
