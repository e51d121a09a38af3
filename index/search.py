"""``search``: a query string and filters in, a SearchPage (IDs, total, snippets, facets,
suggestion, notices) out.

One new searcher per call, opened from the process's cached index; the archive decides
what exists (a hit the archive no longer has, or has withdrawn, is left out) and supplies
the text for the snippets. A query string never raises; only bad filter or paging
parameters do, as SearchParameterError.
"""

from __future__ import annotations

import heapq
import time
from bisect import bisect_right
from pathlib import Path
from typing import NamedTuple

from whoosh import query as wq
from whoosh.collectors import TimeLimit, TimeLimitCollector
from whoosh.searching import Searcher

from archive.records import Statement
from archive.store import ArchiveStore, StatementNotFoundError
from index.analysis import fold, german_stem, query_terms, tokenize, words_of
from index.cache import BoundedCache
from index.columns import count_facets, date_keys, date_ranks, statement_id_column
from index.directory import IndexUnavailableError, get_index_directory
from index.docsets import MatchTimeoutError, SegmentMatches
from index.facets import facet_values
from index.lexicon import word_frequency
from index.near_matches import (
    FALLBACK_BELOW,
    PASSAGE_RERANK,
    QuoteWords,
    near_docs,
    notice_for,
    passage_factors,
    quote_tokens,
    read_quote_words,
    words_query,
)
from index.query_builder import BuiltQuery, build_query
from index.query_language import AllOf, Filter, ParsedQuery, Word, parse_query
from index.ranking import RankingTimeoutError, UnrankableQueryError, rank
from index.results import (
    FacetValue,
    SearchHit,
    SearchPage,
)
from index.search_parameters import check_parameters
from index.snippets import make_snippet
from index.speakers import SpeakerDirectory, get_speaker_directory, name_words
from index.spelling import correct_word, crosses_language

# Seconds from the start of a search after which relevance scoring stops and the results go
# by date (at least RANK_TIME_MIN of scoring), so a search answers within about a second.
SEARCH_TIME_BUDGET = 0.5
# Seconds from the start of a search after which no further phrase or alternative of an OR
# is checked: what is not checked by then is left out, with a notice.
MATCH_TIME_BUDGET = 0.4
NEAR_MATCHES_SKIPPED = ("Checking this search took too long to look for statements that hold most"
                        " of its words as well.")
MATCHING_TIMED_OUT = ("This search has too many alternatives or phrases of common words to check"
                      " them all in time; the statements shown match, but some that match may be"
                      " missing.")
RANK_TIME_MIN = 0.1
SUGGEST_BELOW = 3  # offer "did you mean" when fewer hits than this
RANKING_TIMED_OUT = ("Too many statements match these words to rank them by relevance in time;"
                     " they are sorted by date, newest first.")


# Years and person IDs of the index, per index state: reading two lexicons through every
# segment took a few milliseconds per search.
_LEXICONS: BoundedCache[tuple[list[int], list[str]]] = BoundedCache(8)


def _lexicons(searcher: Searcher, stamp: tuple) -> tuple[list[int], list[str]]:
    return _LEXICONS.fetch(stamp, lambda: _read_lexicons(searcher))


def _read_lexicons(searcher: Searcher) -> tuple[list[int], list[str]]:
    years = []
    for term in searcher.reader().lexicon("year"):
        text = term.decode("ascii") if isinstance(term, bytes) else term
        if text.isdigit():
            years.append(int(text))
    person_ids = [term.decode("utf-8") if isinstance(term, bytes) else term
                  for term in searcher.reader().lexicon("speaker")]
    return sorted(years), person_ids


def _years(searcher: Searcher, stamp: tuple) -> list[int]:
    return _lexicons(searcher, stamp)[0]


def _speakers(store: ArchiveStore, searcher: Searcher, stamp: tuple) -> SpeakerDirectory:
    return get_speaker_directory(store, _lexicons(searcher, stamp)[1], stamp)


class SegmentHits(NamedTuple):
    """One segment's part of a search: its searcher, the offset of its document numbers,
    the node-by-node matches of the query, and the live documents that match."""

    leaf: Searcher
    offset: int
    matches: SegmentMatches
    docnums: list[int]


def _matching(searcher: Searcher, built: BuiltQuery, deadline: float | None = None) -> list[SegmentHits]:
    whole = built.query if built.query is not None else wq.Every()
    hits = []
    for leaf, offset in searcher.leaf_searchers():
        matches = SegmentMatches(leaf, deadline)
        hits.append(SegmentHits(leaf, offset, matches, matches.matching(whole)))
    return hits


def _ranked(searcher: Searcher, built: BuiltQuery, matching: list[SegmentHits], sort: str,
            limit: int, time_left: float = SEARCH_TIME_BUDGET) -> list[tuple[int, float]]:
    """(global document number, score) of the first ``limit`` hits in the chosen order."""
    if not any(part.docnums for part in matching):
        return []
    if sort == "relevance" and built.scored:
        # Scoring is Python: many common words over a big archive could take seconds, so
        # ranking has a time limit, after which the (already counted) matches go by date.
        deadline = time.monotonic() + max(RANK_TIME_MIN, time_left)
        try:
            return rank(searcher, built.query,
                        [(part.offset, part.matches, part.docnums) for part in matching], limit,
                        deadline)
        except (RankingTimeoutError, MatchTimeoutError):
            built.notices.append(RANKING_TIMED_OUT)
        except UnrankableQueryError:
            ranked = _ranked_by_whoosh(searcher, built, limit, deadline)
            if ranked is not None:
                return ranked
    order = "oldest" if sort == "oldest" else "newest"
    parts = [part for part in matching if part.docnums]
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


def _ranked_by_whoosh(searcher: Searcher, built: BuiltQuery, limit: int,
                      deadline: float) -> list[tuple[int, float]] | None:
    """Whoosh's own collector, for a query shape index.ranking does not score; None (with a
    notice) when it cannot rank in time or at all."""
    # Whoosh's matchers fail on some nested shapes when skipping by block quality, and a
    # few even without it; ranking then falls back to a plain walk, and at last to dates.
    for optimize in (True, False):
        timed = TimeLimitCollector(searcher.collector(limit=limit, terms=False, optimize=optimize),
                                   timelimit=max(0.01, deadline - time.monotonic()), use_alarm=False)
        try:
            searcher.search_with_collector(built.query, timed)
            return [(hit.docnum, hit.score) for hit in timed.results()]
        except TimeLimit:
            built.notices.append(RANKING_TIMED_OUT)
            return None
        except (AssertionError, IndexError):
            continue
    built.notices.append("These results could not be ranked by relevance; they are"
                         " sorted by date, newest first.")
    return None


def _facets(matching: list[SegmentHits], speakers: SpeakerDirectory) -> dict[str, list[FacetValue]]:
    return facet_values(count_facets([(part.leaf.reader(), part.docnums) for part in matching]), speakers)


def _statement_ids(searcher: Searcher, docnums: list[int]) -> list[str]:
    """The statement IDs of documents (global numbers), read from their segments' columns."""
    leaves = searcher.leaf_searchers()
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


def _surface_form(store: ArchiveStore, searcher: Searcher, term: str, fallback: str) -> str:
    """How a corrected word is written in the archive (its folded form has no umlauts)."""
    results = searcher.search(wq.Term("words", term), limit=1, terms=False)
    if results.is_empty():
        return fallback
    statement_id = _statement_ids(searcher, [results[0].docnum])[0]
    try:
        text = store.get_statement(statement_id).text
    except StatementNotFoundError:
        return fallback
    for word, _start, _end in tokenize(text):
        plain = fold(word)
        if plain == term or german_stem(plain) == term:
            return word
    return fallback


def _suggest(store: ArchiveStore, searcher: Searcher, parsed: ParsedQuery, built: BuiltQuery,
             speakers: SpeakerDirectory) -> str | None:
    """The query with unknown words replaced by the closest known ones, or None."""
    reader = searcher.reader()
    extra: dict[str, int] = {}
    for person in speakers.people.values():
        for word in name_words(person):
            extra[word] = 1_000_000  # a speaker's name is worth suggesting
    replacements: list[tuple[Word, str]] = []
    unknown, known = [], []
    for node in built.words:
        tokens = words_of(node.text)
        if len(tokens) != 1 or node.end <= node.start:
            continue
        plain = fold(tokens[0])
        terms = query_terms(tokens[0])
        if plain in extra or any(word_frequency(reader, term) > 0 for term in terms):
            known.append(terms)
        else:
            unknown.append((node, plain))
    for node, plain in unknown:
        corrected = correct_word(reader, plain, extra)
        if corrected is None or (corrected not in extra and crosses_language(searcher, corrected, known)):
            continue
        if corrected in extra:
            person = next(p for p in speakers.people.values() if corrected in name_words(p))
            shown = next((word for word in words_of(" ".join([person.name, *person.aliases,
                                                               *person.handles]))
                          if fold(word) == corrected), corrected)
        else:
            shown = _surface_form(store, searcher, corrected, corrected)
        replacements.append((node, shown))
    if not replacements:
        return None
    text = parsed.text
    for node, shown in sorted(replacements, key=lambda item: item[0].start, reverse=True):
        text = text[:node.start] + shown + text[node.end:]
    return text if text != parsed.text else None


def _match(store: ArchiveStore, searcher: Searcher, generation, parsed: ParsedQuery, filters: list[Filter],
           deadline: float | None = None):
    """The speakers, the built query and the matching documents per segment (phrases checked
    until ``deadline``, see SegmentMatches)."""
    stamp = (str(generation), searcher.reader().generation())
    speakers = _speakers(store, searcher, stamp)
    built = build_query(parsed, searcher.reader(), speakers, _years(searcher, stamp), filters)
    matching = _matching(searcher, built, deadline)
    if any(part.matches.incomplete for part in matching):
        built.notices.append(MATCHING_TIMED_OUT)
    return speakers, built, matching


def _finds_any(store: ArchiveStore, searcher: Searcher, generation, query: str,
               filters: list[Filter]) -> bool:
    """Whether a search for ``query`` would find anything (near matches included)."""
    parsed = parse_query(query)
    speakers, _built, matching = _match(store, searcher, generation, parsed, filters)
    return (any(part.docnums for part in matching)
            or _near_matches(store, searcher, generation, parsed, filters, speakers, 0) is not None)


class NearMatches(NamedTuple):
    """A long query's fallback: its ranking query, the documents that hold most of its
    words per segment, and the words' index terms in query order."""

    built: BuiltQuery
    matching: list[SegmentHits]
    words: QuoteWords


def _near_matches(store: ArchiveStore, searcher: Searcher, generation, parsed: ParsedQuery,
                  filters: list[Filter],
                  speakers: SpeakerDirectory, with_all: int, deadline: float | None = None
                  ) -> NearMatches | None:
    """The statements holding most of a long plain query's words when fewer than a page
    hold all of them (index.near_matches), or None when the query does not qualify or
    nothing comes close."""
    if with_all >= FALLBACK_BELOW:
        return None
    qualified = quote_tokens(parsed, filters)
    if qualified is None or (qualified[1] and with_all):
        return None  # a quoted phrase falls back only when nothing holds it
    reader = searcher.reader()
    words = read_quote_words(searcher, *qualified)
    stamp = (str(generation), reader.generation())
    only_filters = ParsedQuery(parsed.text, AllOf([child for child in parsed.root.children
                                                   if isinstance(child, Filter)]))
    restriction = build_query(only_filters, reader, speakers, _years(searcher, stamp), filters)
    matching = []
    for leaf, offset in searcher.leaf_searchers():
        matches = SegmentMatches(leaf, deadline)
        allowed = None if restriction.query is None else matches.docs(restriction.query)
        docnums, _need = near_docs(matches, words, allowed)
        matching.append(SegmentHits(leaf, offset, matches, docnums))
    if sum(len(part.docnums) for part in matching) <= with_all:
        return None  # nothing comes close, or only the statements with every word
    built = BuiltQuery(words_query(words), scored=True,
                       highlight={term for terms in words.terms for term in terms},
                       notices=[notice_for(words, with_all, [_surface_form(store, searcher, known, known)
                                                             for _typed, known in words.corrections])]
                       + restriction.notices)
    return NearMatches(built, matching, words)


def _ranked_near(store: ArchiveStore, searcher: Searcher, near: NearMatches, sort: str, limit: int,
                 time_left: float) -> tuple[list[tuple[int, float]], dict[str, Statement]]:
    """The near matches in the chosen order, and the statements it read: by relevance, the
    best PASSAGE_RERANK by BM25F are read from the archive and reordered with the bonus for
    the quote's words standing in them as one passage."""
    if sort != "relevance":
        return _ranked(searcher, near.built, near.matching, sort, limit, time_left), {}
    ranked = _ranked(searcher, near.built, near.matching, sort, max(limit, PASSAGE_RERANK), time_left)
    head, tail = ranked[:PASSAGE_RERANK], ranked[PASSAGE_RERANK:]
    ids = _statement_ids(searcher, [docnum for docnum, _score in head])
    statements = store.get_statements(ids)
    factors = passage_factors({docnum: statements[statement_id].text
                               for (docnum, _score), statement_id in zip(head, ids, strict=True)
                               if statement_id in statements}, near.words)
    head = [(docnum, score * factors.get(docnum, 1.0)) for docnum, score in head]
    head.sort(key=lambda item: (-item[1], item[0]))
    return (head + tail)[:limit], statements


def _run(query: str, store: ArchiveStore, data_dir: Path, filters: list[Filter], sort: str, page: int,
         per_page: int, allow_retry_with_suggestion: bool = True) -> SearchPage:
    started = time.monotonic()
    result = SearchPage(query=query, total=0, page=page, per_page=per_page, sort=sort)
    directory = get_index_directory(data_dir)
    parsed = parse_query(query)
    result.notices.extend(parsed.notices)
    live = directory.live_generation()
    if live is None:
        result.notices.append("The search index is being built; please try again in a moment.")
        return result
    generation, ix = live
    with directory.pooled_searcher(ix) as searcher:
        speakers, built, matching = _match(store, searcher, generation, parsed, filters,
                                           started + MATCH_TIME_BUDGET)
        result.total = sum(len(part.docnums) for part in matching)
        near = None
        try:
            if time.monotonic() - started > SEARCH_TIME_BUDGET:
                raise MatchTimeoutError
            near = _near_matches(store, searcher, generation, parsed, filters, speakers, result.total,
                                 started + MATCH_TIME_BUDGET)
        except MatchTimeoutError:
            if result.total < FALLBACK_BELOW and quote_tokens(parsed, filters) is not None:
                result.notices.append(NEAR_MATCHES_SKIPPED)
        if near is not None:
            result.total = sum(len(part.docnums) for part in near.matching)
            matching = near.matching
        result.facets = _facets(matching, speakers)
        # a long plain query had its unknown words corrected by the near matches already
        if result.total < SUGGEST_BELOW and built.words and quote_tokens(parsed, filters) is None:
            suggestion = _suggest(store, searcher, parsed, built, speakers)
            if suggestion and result.total == 0 and allow_retry_with_suggestion:
                retried = _run(suggestion, store, data_dir, filters, sort, page, per_page, False)
                if retried.total:
                    retried.query = query
                    retried.suggestion = suggestion
                    retried.notices.insert(0, f"No statements match {query.strip()!r}; showing"
                                              f" results for {suggestion!r}.")
                    return retried
                suggestion = None  # never suggest what finds nothing
            elif suggestion and not _finds_any(store, searcher, generation, suggestion, filters):
                suggestion = None
            result.suggestion = suggestion
        start = (page - 1) * per_page
        time_left = SEARCH_TIME_BUDGET - (time.monotonic() - started)
        loaded: dict[str, Statement] = {}
        if near is None:
            ranked = _ranked(searcher, built, matching, sort, start + per_page, time_left)[start:]
        else:
            ranked, loaded = _ranked_near(store, searcher, near, sort, start + per_page, time_left)
            ranked = ranked[start:]
            built = near.built
        for notice in built.notices:
            if notice not in result.notices:
                result.notices.append(notice)
        ranked_ids = list(zip(_statement_ids(searcher, [docnum for docnum, _score in ranked]),
                              [score for _docnum, score in ranked], strict=True))
        statements = {**loaded, **store.get_statements(statement_id for statement_id, _score in ranked_ids
                                                       if statement_id not in loaded)}
        for statement_id, score in ranked_ids:
            statement = statements.get(statement_id)
            if statement is None or statement.is_withdrawn:
                continue  # the index ranks; the archive decides what exists
            snippet, snippet_start, snippet_end = make_snippet(statement.text, built.highlight)
            result.hits.append(SearchHit(statement_id, round(float(score), 4), snippet,
                                         snippet_start, snippet_end, statement))
    return result


def search(query: str, *, store: ArchiveStore, data_dir: Path, speaker: str | None = None,
           lang: str | None = None, platform: str | None = None, kind: str | None = None,
           date_from: str | None = None, date_to: str | None = None, sort: str = "relevance",
           page: int = 1, per_page: int = 20) -> SearchPage:
    """Search the archive's index.

    Words must all match (see index.query_language for the whole language). An empty
    query lists the statements that pass the filters — with no filters, every statement —
    newest first unless ``sort`` says oldest. Raises SearchParameterError for a bad filter
    or paging parameter; never for anything in ``query``.
    """
    filters = check_parameters(speaker, lang, platform, kind, date_from, date_to, sort, page,
                                per_page)
    query = query if isinstance(query, str) else ""
    try:
        return _run(query, store, Path(data_dir), filters, sort, page, per_page)
    except (OSError, IndexUnavailableError):
        # a rebuild switched generations while this search was opening files: once more
        return _run(query, store, Path(data_dir), filters, sort, page, per_page)


def search_ids(query: str, *, store: ArchiveStore, data_dir: Path, speaker: str | None = None,
               lang: str | None = None, platform: str | None = None, kind: str | None = None,
               date_from: str | None = None, date_to: str | None = None,
               sort: str = "relevance") -> list[str]:
    """Every statement ID the search matches, in the order of ``sort``, with no paging window:
    for exports. Relevance keeps the time budget of ``search``, after which the order is by
    date. Raises SearchParameterError like ``search``."""
    filters = check_parameters(speaker, lang, platform, kind, date_from, date_to, sort, 1, 1)
    parsed = parse_query(query if isinstance(query, str) else "")
    directory = get_index_directory(Path(data_dir))
    live = directory.live_generation()
    if live is None:
        return []
    generation, ix = live
    with directory.pooled_searcher(ix) as searcher:
        speakers, built, matching = _match(store, searcher, generation, parsed, filters)
        total = sum(len(part.docnums) for part in matching)
        near = _near_matches(store, searcher, generation, parsed, filters, speakers, total)
        if near is not None:
            total = sum(len(part.docnums) for part in near.matching)
            ranked = _ranked_near(store, searcher, near, sort, max(total, 1), SEARCH_TIME_BUDGET)[0]
        else:
            ranked = _ranked(searcher, built, matching, sort, max(total, 1))
        return _statement_ids(searcher, [docnum for docnum, _score in ranked])
