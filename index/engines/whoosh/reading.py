"""One search's view of the Whoosh index (``index.engine.IndexReading``): one searcher over
the live generation, matching plans segment by segment from the cached posting sets
(``docsets``), ranking with BM25F (``ranking``) or by the date columns (``columns``), and
the words of the index (``lexicon``)."""

from __future__ import annotations

import heapq
import time
from bisect import bisect_right
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass

from whoosh import query as wq
from whoosh.collectors import TimeLimit, TimeLimitCollector
from whoosh.searching import Searcher

from archive.store import ArchiveStore
from index.cache import BoundedCache
from index.engine import MatchTimeoutError
from index.engines.whoosh import lexicon
from index.engines.whoosh.columns import count_facets, date_keys, date_ranks, statement_id_column
from index.engines.whoosh.compiler import compile_plan
from index.engines.whoosh.docsets import SegmentMatches, term_docs
from index.engines.whoosh.internals import deleted_docs
from index.engines.whoosh.ranking import RankingTimeoutError, UnrankableQueryError, rank
from index.near_matches import MAX_COUNTED, QuoteWords, required_words
from index.query_plan import Plan
from index.speakers import SpeakerDirectory, get_speaker_directory

RANKING_TIMED_OUT = ("Too many statements match these words to rank them by relevance in time;"
                     " they are sorted by date, newest first.")
UNRANKABLE = "These results could not be ranked by relevance; they are sorted by date, newest first."

# Years and person IDs of the index, per index state: reading two lexicons through every
# segment took a few milliseconds per search.
_LEXICONS: BoundedCache[tuple[list[int], list[str]]] = BoundedCache(8)


@dataclass
class SegmentHits:
    """One segment's part of a search: its searcher, the offset of its document numbers,
    the node-by-node matches of the query, and the live documents that match."""

    leaf: Searcher
    offset: int
    matches: SegmentMatches
    docnums: list[int]


@dataclass
class WhooshMatches:
    plan: Plan | None
    query: wq.Query
    parts: list[SegmentHits]

    @property
    def total(self) -> int:
        return sum(len(part.docnums) for part in self.parts)

    @property
    def incomplete(self) -> bool:
        return any(part.matches.incomplete for part in self.parts)


class WhooshReading:
    def __init__(self, searcher: Searcher, generation, store: ArchiveStore):
        self.searcher = searcher
        self.reader = searcher.reader()
        self.store = store
        self.stamp = (str(generation), self.reader.generation())

    # -- the vocabulary -------------------------------------------------------
    def has_word(self, term: str) -> bool:
        return ("words", term) in self.reader

    def frequency(self, term: str) -> int:
        return lexicon.word_frequency(self.reader, term)

    def words_starting(self, start: str, limit: int) -> list[str]:
        return lexicon.words_starting(self.reader, start, limit)

    def words_within(self, word: str, distance: int, prefix: int = 1) -> Iterator[str]:
        return lexicon.words_within(self.reader, word, distance, prefix)

    def word_languages(self, terms: list[str]) -> Counter:
        found: Counter = Counter()
        for leaf, _offset in self.searcher.leaf_searchers():
            docs = frozenset().union(*(term_docs(leaf, "words", term) for term in terms))
            if not docs:
                continue
            for code in lexicon.segment_words(leaf.reader(), "lang"):
                found[code] += len(docs & term_docs(leaf, "lang", code))
        return +found

    def languages(self) -> set[str]:
        return {code for leaf, _offset in self.searcher.leaf_searchers()
                for code in lexicon.segment_words(leaf.reader(), "lang")}

    # -- what the index holds ---------------------------------------------------
    def _lexicons(self) -> tuple[list[int], list[str]]:
        return _LEXICONS.fetch(self.stamp, self._read_lexicons)

    def _read_lexicons(self) -> tuple[list[int], list[str]]:
        years = []
        for term in self.reader.lexicon("year"):
            text = term.decode("ascii") if isinstance(term, bytes) else term
            if text.isdigit():
                years.append(int(text))
        person_ids = [term.decode("utf-8") if isinstance(term, bytes) else term
                      for term in self.reader.lexicon("speaker")]
        return sorted(years), person_ids

    def years(self) -> list[int]:
        return self._lexicons()[0]

    def speakers(self) -> SpeakerDirectory:
        return get_speaker_directory(self.store, self._lexicons()[1], self.stamp)

    def statement_with(self, term: str) -> str | None:
        results = self.searcher.search(wq.Term("words", term), limit=1, terms=False)
        if results.is_empty():
            return None
        return self._statement_ids([results[0].docnum])[0]

    # -- matching ----------------------------------------------------------------
    def match(self, plan: Plan | None, deadline: float | None = None) -> WhooshMatches:
        query = compile_plan(plan)
        parts = []
        for leaf, offset in self.searcher.leaf_searchers():
            matches = SegmentMatches(leaf, deadline)
            parts.append(SegmentHits(leaf, offset, matches, matches.matching(query)))
        return WhooshMatches(plan, query, parts)

    def match_near(self, words: QuoteWords, restriction: Plan | None,
                   deadline: float | None = None) -> WhooshMatches:
        allowed_query = None if restriction is None else compile_plan(restriction)
        parts = []
        for leaf, offset in self.searcher.leaf_searchers():
            matches = SegmentMatches(leaf, deadline)
            allowed = None if allowed_query is None else matches.docs(allowed_query)
            parts.append(SegmentHits(leaf, offset, matches, _near_docs(matches, words, allowed)))
        return WhooshMatches(None, wq.NullQuery, parts)

    def facet_counts(self, matches: WhooshMatches) -> dict[str, Counter]:
        return count_facets([(part.leaf.reader(), part.docnums) for part in matches.parts])

    # -- ranking -----------------------------------------------------------------
    def rank(self, plan: Plan | None, scored: bool, matches: WhooshMatches, sort: str, limit: int,
             deadline: float) -> tuple[list[tuple[str, float]], list[str]]:
        notices: list[str] = []
        ranked = self._ranked(plan, scored, matches, sort, limit, deadline, notices)
        ids = self._statement_ids([docnum for docnum, _score in ranked])
        return list(zip(ids, [score for _docnum, score in ranked], strict=True)), notices

    def _ranked(self, plan: Plan | None, scored: bool, matches: WhooshMatches, sort: str, limit: int,
                deadline: float, notices: list[str]) -> list[tuple[int, float]]:
        """(global document number, score) of the first ``limit`` hits in the chosen order."""
        if not any(part.docnums for part in matches.parts):
            return []
        if sort == "relevance" and scored:
            # the query whose nodes the matches have memoised, when it is the one matched
            query = matches.query if plan is matches.plan else compile_plan(plan)
            try:
                return rank(self.searcher, query,
                            [(part.offset, part.matches, part.docnums) for part in matches.parts],
                            limit, deadline)
            except (RankingTimeoutError, MatchTimeoutError):
                notices.append(RANKING_TIMED_OUT)
            except UnrankableQueryError:
                ranked = self._ranked_by_whoosh(query, limit, deadline, notices)
                if ranked is not None:
                    return ranked
        order = "oldest" if sort == "oldest" else "newest"
        parts = [part for part in matches.parts if part.docnums]
        best: list[tuple[bytes, int]] = []
        for part in parts:
            reader = part.leaf.reader()
            top = heapq.nsmallest(limit, part.docnums, key=date_ranks(reader, order).__getitem__)
            if len(parts) == 1:
                return [(part.offset + docnum, 0.0) for docnum in top]
            # several segments: their first documents merged by the dates themselves
            best.extend(zip(date_keys(reader, top, order), (part.offset + docnum for docnum in top),
                            strict=True))
        best.sort(reverse=order == "newest")
        return [(docnum, 0.0) for _key, docnum in best[:limit]]

    def _ranked_by_whoosh(self, query: wq.Query, limit: int, deadline: float,
                          notices: list[str]) -> list[tuple[int, float]] | None:
        """Whoosh's own collector, for a query shape ``ranking`` does not score; None (with a
        notice) when it cannot rank in time or at all."""
        # Whoosh's matchers fail on some nested shapes when skipping by block quality, and a
        # few even without it; ranking then falls back to a plain walk, and at last to dates.
        for optimize in (True, False):
            timed = TimeLimitCollector(self.searcher.collector(limit=limit, terms=False, optimize=optimize),
                                       timelimit=max(0.01, deadline - time.monotonic()), use_alarm=False)
            try:
                self.searcher.search_with_collector(query, timed)
                return [(hit.docnum, hit.score) for hit in timed.results()]
            except TimeLimit:
                notices.append(RANKING_TIMED_OUT)
                return None
            except (AssertionError, IndexError):
                continue
        notices.append(UNRANKABLE)
        return None

    def _statement_ids(self, docnums: list[int]) -> list[str]:
        """The statement IDs of documents (global numbers), read from their segments' columns."""
        leaves = self.searcher.leaf_searchers()
        offsets = [offset for _leaf, offset in leaves]
        columns: dict[int, object] = {}
        found = []
        for docnum in docnums:
            index = bisect_right(offsets, docnum) - 1
            column = columns.get(index)
            if column is None:
                column = columns[index] = statement_id_column(leaves[index][0].reader())
            raw = column[docnum - offsets[index]]
            found.append(raw.decode("ascii") if isinstance(raw, bytes) else raw)
        return found


def _near_docs(matches: SegmentMatches, words: QuoteWords, allowed: set[int] | frozenset | None,
               ) -> list[int]:
    """The segment's live documents holding at least the required share of the words (within
    ``allowed``, the filters' documents, when given), sorted. MatchTimeoutError when the
    matches' deadline passes first."""
    leaf = matches.leaf
    sets = []
    for terms in words.terms:
        if matches.past_deadline():  # every word's documents are needed to count
            raise MatchTimeoutError
        parts = [term_docs(leaf, "words", term) for term in terms]
        sets.append(parts[0] if len(parts) == 1 else frozenset().union(*parts) if parts else frozenset())
    need = required_words(words)
    order = sorted(range(len(sets)), key=lambda k: len(sets[k]))
    # A document with ``need`` of the n words has one of the n - need + 1 rarest; when those
    # hold too many documents to count in time, more words are required.
    while need < len(sets) and sum(len(sets[k]) for k in order[:len(sets) - need + 1]) > MAX_COUNTED:
        need += 1
    candidates: set[int] = set()
    for k in order[:len(sets) - need + 1]:
        candidates |= sets[k]
    if allowed is not None:
        candidates &= allowed
    deleted = deleted_docs(leaf.reader())
    if deleted:
        candidates -= deleted
    counts: Counter = Counter()
    for part in sets:
        if len(part) < len(candidates):
            counts.update(docnum for docnum in part if docnum in candidates)
        else:
            counts.update(docnum for docnum in candidates if docnum in part)
    return sorted(docnum for docnum, count in counts.items() if count >= need)
