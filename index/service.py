"""The search service: a query string and filters in, a SearchPage (IDs, total, snippets,
facets, suggestion, notices) out, over any engine (``index.engine``).

It checks the parameters, parses the query, plans it (``index.query_builder``), asks one
reading of the engine's index which documents match and how they rank within the time
budget, falls back to near matches for a long query that is a misremembered quote
(``index.near_matches``), suggests corrections for unknown words ("did you mean", retrying a
search that found nothing), and loads the page's statements from the archive, which decides
what exists (a hit the archive no longer has, or has withdrawn, is left out) and supplies
the text for the snippets. A query string never raises; only bad filter or paging
parameters do, as SearchParameterError.
"""

from __future__ import annotations

import time
from typing import NamedTuple

from archive.records import Statement
from archive.store import ArchiveStore, StatementNotFoundError
from index import query_plan as qp
from index.analysis import fold, german_stem, query_terms, tokenize, words_of
from index.engine import IndexReading, IndexUnavailableError, Matches, MatchTimeoutError, SearchEngine
from index.facets import facet_values
from index.near_matches import (
    FALLBACK_BELOW,
    PASSAGE_RERANK,
    QuoteWords,
    notice_for,
    passage_factors,
    quote_tokens,
    read_quote_words,
    words_query,
)
from index.query_builder import BuiltQuery, build_query, is_filter
from index.query_language import AllOf, AnyOf, Filter, Not, ParsedQuery, Word, parse_query
from index.results import SearchHit, SearchPage
from index.search_parameters import check_parameters
from index.snippets import make_snippet
from index.speakers import SpeakerDirectory, name_words
from index.spelling import correct_word, crosses_language

# Seconds from the start of a search after which relevance scoring stops and the results go
# by date (at least RANK_TIME_MIN of scoring), so a search answers within about a second.
SEARCH_TIME_BUDGET = 0.5
# Seconds from the start of a search after which no further phrase or alternative of an OR
# is checked: what is not checked by then is left out, with a notice.
MATCH_TIME_BUDGET = 0.4
RANK_TIME_MIN = 0.1
SUGGEST_BELOW = 3  # offer "did you mean" when fewer hits than this
NEAR_MATCHES_SKIPPED = ("Checking this search took too long to look for statements that hold most"
                        " of its words as well.")
MATCHING_TIMED_OUT = ("This search has too many alternatives or phrases of common words to check"
                      " them all in time; the statements shown match, but some that match may be"
                      " missing.")
INDEX_BEING_BUILT = "The search index is being built; please try again in a moment."


def _rank_deadline(time_left: float) -> float:
    return time.monotonic() + max(RANK_TIME_MIN, time_left)


def _surface_form(store: ArchiveStore, reading: IndexReading, term: str, fallback: str) -> str:
    """How a corrected word is written in the archive (its folded form has no umlauts)."""
    statement_id = reading.statement_with(term)
    if statement_id is None:
        return fallback
    try:
        text = store.get_statement(statement_id).text
    except StatementNotFoundError:
        return fallback
    for word, _start, _end in tokenize(text):
        plain = fold(word)
        if plain == term or german_stem(plain) == term:
            return word
    return fallback


def _suggest(store: ArchiveStore, reading: IndexReading, parsed: ParsedQuery, built: BuiltQuery,
             speakers: SpeakerDirectory) -> str | None:
    """The query with unknown words replaced by the closest known ones, or None."""
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
        if plain in extra or any(reading.frequency(term) > 0 for term in terms):
            known.append(terms)
        else:
            unknown.append((node, plain))
    for node, plain in unknown:
        corrected = correct_word(reading, plain, extra)
        if corrected is None or (corrected not in extra and crosses_language(reading, corrected, known)):
            continue
        if corrected in extra:
            person = next(p for p in speakers.people.values() if corrected in name_words(p))
            shown = next((word for word in words_of(" ".join([person.name, *person.aliases,
                                                               *person.handles]))
                          if fold(word) == corrected), corrected)
        else:
            shown = _surface_form(store, reading, corrected, corrected)
        replacements.append((node, shown))
    if not replacements:
        return None
    text = parsed.text
    for node, shown in sorted(replacements, key=lambda item: item[0].start, reverse=True):
        text = text[:node.start] + shown + text[node.end:]
    return text if text != parsed.text else None


def _match(reading: IndexReading, parsed: ParsedQuery, filters: list[Filter],
           deadline: float | None = None) -> tuple[SpeakerDirectory, BuiltQuery, Matches]:
    """The speakers, the planned query and its matches (phrases checked until ``deadline``)."""
    speakers = reading.speakers()
    built = build_query(parsed, reading, speakers, reading.years(), filters)
    matches = reading.match(built.query, deadline)
    if matches.incomplete:
        built.notices.append(MATCHING_TIMED_OUT)
    return speakers, built, matches


def _finds_any(store: ArchiveStore, reading: IndexReading, query: str, filters: list[Filter]) -> bool:
    """Whether a search for ``query`` would find anything (near matches included)."""
    parsed = parse_query(query)
    speakers, _built, matches = _match(reading, parsed, filters)
    return (matches.total > 0
            or _near_matches(store, reading, parsed, filters, speakers, 0) is not None)


class NearMatches(NamedTuple):
    """A long query's fallback: its ranking query, the documents that hold most of its
    words, and the words' index terms in query order."""

    built: BuiltQuery
    matches: Matches
    words: QuoteWords


def _near_matches(store: ArchiveStore, reading: IndexReading, parsed: ParsedQuery,
                  filters: list[Filter], speakers: SpeakerDirectory, with_all: int,
                  deadline: float | None = None) -> NearMatches | None:
    """The statements holding most of a long plain query's words when fewer than a page
    hold all of them (index.near_matches), or None when the query does not qualify or
    nothing comes close."""
    if with_all >= FALLBACK_BELOW:
        return None
    qualified = quote_tokens(parsed, filters)
    if qualified is None or (qualified[1] and with_all):
        return None  # a quoted phrase falls back only when nothing holds it
    words = read_quote_words(reading, *qualified)
    only_filters = ParsedQuery(parsed.text, AllOf([child for child in parsed.root.children
                                                   if isinstance(child, Filter)]))
    restriction = build_query(only_filters, reading, speakers, reading.years(), filters)
    matches = reading.match_near(words, restriction.query, deadline)
    if matches.total <= with_all:
        return None  # nothing comes close, or only the statements with every word
    built = BuiltQuery(words_query(words), scored=True,
                       highlight={term for terms in words.terms for term in terms},
                       notices=[notice_for(words, with_all, [_surface_form(store, reading, known, known)
                                                             for _typed, known in words.corrections])]
                       + restriction.notices)
    return NearMatches(built, matches, words)


def _ranked_near(store: ArchiveStore, reading: IndexReading, near: NearMatches, sort: str, limit: int,
                 time_left: float, notices: list[str]
                 ) -> tuple[list[tuple[str, float]], dict[str, Statement]]:
    """The near matches in the chosen order, and the statements it read: by relevance, the
    best PASSAGE_RERANK by BM25F are read from the archive and reordered with the bonus for
    the quote's words standing in them as one passage."""
    wanted = limit if sort != "relevance" else max(limit, PASSAGE_RERANK)
    ranked, said = reading.rank(near.built.query, near.built.scored, near.matches, sort, wanted,
                                _rank_deadline(time_left))
    notices.extend(said)
    if sort != "relevance":
        return ranked, {}
    head, tail = ranked[:PASSAGE_RERANK], ranked[PASSAGE_RERANK:]
    statements = store.get_statements(statement_id for statement_id, _score in head)
    factors = passage_factors({statement_id: statements[statement_id].text
                               for statement_id, _score in head if statement_id in statements},
                              near.words)
    order = {statement_id: place for place, (statement_id, _score) in enumerate(head)}
    head = [(statement_id, score * factors.get(statement_id, 1.0)) for statement_id, score in head]
    head.sort(key=lambda item: (-item[1], order[item[0]]))
    return (head + tail)[:limit], statements


def _run(engine: SearchEngine, query: str, store: ArchiveStore, filters: list[Filter], sort: str,
         page: int, per_page: int, allow_retry_with_suggestion: bool = True) -> SearchPage:
    started = time.monotonic()
    result = SearchPage(query=query, total=0, page=page, per_page=per_page, sort=sort)
    parsed = parse_query(query)
    result.notices.extend(parsed.notices)
    with engine.reading(store) as reading:
        if reading is None:
            result.notices.append(INDEX_BEING_BUILT)
            return result
        speakers, built, matches = _match(reading, parsed, filters, started + MATCH_TIME_BUDGET)
        result.total = matches.total
        near = None
        try:
            if time.monotonic() - started > SEARCH_TIME_BUDGET:
                raise MatchTimeoutError
            near = _near_matches(store, reading, parsed, filters, speakers, result.total,
                                 started + MATCH_TIME_BUDGET)
        except MatchTimeoutError:
            if result.total < FALLBACK_BELOW and quote_tokens(parsed, filters) is not None:
                result.notices.append(NEAR_MATCHES_SKIPPED)
        if near is not None:
            result.total = near.matches.total
            matches = near.matches
        result.facets = facet_values(reading.facet_counts(matches), speakers)
        # a long plain query had its unknown words corrected by the near matches already
        if result.total < SUGGEST_BELOW and built.words and quote_tokens(parsed, filters) is None:
            suggestion = _suggest(store, reading, parsed, built, speakers)
            if suggestion and result.total == 0 and allow_retry_with_suggestion:
                retried = _run(engine, suggestion, store, filters, sort, page, per_page, False)
                if retried.total:
                    retried.query = query
                    retried.suggestion = suggestion
                    retried.notices.insert(0, f"No statements match {query.strip()!r}; showing"
                                              f" results for {suggestion!r}.")
                    return retried
                suggestion = None  # never suggest what finds nothing
            elif suggestion and not _finds_any(store, reading, suggestion, filters):
                suggestion = None
            result.suggestion = suggestion
        start = (page - 1) * per_page
        time_left = SEARCH_TIME_BUDGET - (time.monotonic() - started)
        loaded: dict[str, Statement] = {}
        notices: list[str] = []
        if near is None:
            ranked, notices = reading.rank(built.query, built.scored, matches, sort, start + per_page,
                                           _rank_deadline(time_left))
        else:
            ranked, loaded = _ranked_near(store, reading, near, sort, start + per_page, time_left,
                                          notices)
            built = near.built
        ranked = ranked[start:]
        for notice in built.notices + notices:
            if notice not in result.notices:
                result.notices.append(notice)
        statements = {**loaded, **store.get_statements(statement_id for statement_id, _score in ranked
                                                       if statement_id not in loaded)}
        for statement_id, score in ranked:
            statement = statements.get(statement_id)
            if statement is None or statement.is_withdrawn:
                continue  # the index ranks; the archive decides what exists
            snippet, snippet_start, snippet_end = make_snippet(statement.text, built.highlight)
            result.hits.append(SearchHit(statement_id, round(float(score), 4), snippet,
                                         snippet_start, snippet_end, statement))
    return result


def search(engine: SearchEngine, query: str, *, store: ArchiveStore, speaker: str | None = None,
           lang: str | None = None, platform: str | None = None, kind: str | None = None,
           date_from: str | None = None, date_to: str | None = None, sort: str = "relevance",
           page: int = 1, per_page: int = 20) -> SearchPage:
    """Search the archive with ``engine``.

    Words must all match (see index.query_language for the whole language). An empty
    query lists the statements that pass the filters — with no filters, every statement —
    newest first unless ``sort`` says oldest. Raises SearchParameterError for a bad filter
    or paging parameter; never for anything in ``query``.
    """
    filters = check_parameters(speaker, lang, platform, kind, date_from, date_to, sort, page,
                                per_page)
    query = query if isinstance(query, str) else ""
    try:
        return _run(engine, query, store, filters, sort, page, per_page)
    except (OSError, IndexUnavailableError):
        # a rebuild switched generations while this search was opening files: once more
        return _run(engine, query, store, filters, sort, page, per_page)


def _every_match(store: ArchiveStore, reading: IndexReading, parsed: ParsedQuery,
                 filters: list[Filter], deadline: float | None = None
                 ) -> tuple[BuiltQuery, Matches, NearMatches | None]:
    """Every statement the search matches, with no paging window: the planned query, its
    matches, and the near matches that replace them when the query falls back to those.
    MatchTimeoutError when not every phrase could be checked by ``deadline``."""
    speakers, built, matches = _match(reading, parsed, filters, deadline)
    if matches.incomplete:
        raise MatchTimeoutError
    return built, matches, _near_matches(store, reading, parsed, filters, speakers, matches.total,
                                         deadline)


def search_ids(engine: SearchEngine, query: str, *, store: ArchiveStore, speaker: str | None = None,
               lang: str | None = None, platform: str | None = None, kind: str | None = None,
               date_from: str | None = None, date_to: str | None = None,
               sort: str = "relevance") -> list[str]:
    """Every statement ID the search matches, in the order of ``sort``, with no paging window:
    for exports. Relevance keeps the time budget of ``search``, after which the order is by
    date. Raises SearchParameterError like ``search``."""
    filters = check_parameters(speaker, lang, platform, kind, date_from, date_to, sort, 1, 1)
    parsed = parse_query(query if isinstance(query, str) else "")
    with engine.reading(store) as reading:
        if reading is None:
            return []
        built, matches, near = _every_match(store, reading, parsed, filters)
        if near is not None:
            ranked = _ranked_near(store, reading, near, sort, max(near.matches.total, 1),
                                  SEARCH_TIME_BUDGET, [])[0]
        else:
            ranked = reading.rank(built.query, built.scored, matches, sort, max(matches.total, 1),
                                  _rank_deadline(SEARCH_TIME_BUDGET))[0]
        return [statement_id for statement_id, _score in ranked]


def matching_ids(engine: SearchEngine, query: str, *, store: ArchiveStore, deadline: float,
                 speaker: str | None = None, lang: str | None = None, platform: str | None = None,
                 kind: str | None = None, date_from: str | None = None,
                 date_to: str | None = None) -> set[str] | None:
    """Every statement ID the search matches (near matches included), as ``search_ids`` finds
    them, or None when they cannot all be found by ``deadline`` (``time.monotonic()``): for
    telling other lists apart from a search's results within a request's time."""
    filters = check_parameters(speaker, lang, platform, kind, date_from, date_to, "newest", 1, 1)
    parsed = parse_query(query if isinstance(query, str) else "")
    with engine.reading(store) as reading:
        if reading is None:
            return set()
        try:
            built, matches, near = _every_match(store, reading, parsed, filters, deadline)
        except MatchTimeoutError:
            return None
        if near is not None:
            built, matches = near.built, near.matches
        ranked, _notices = reading.rank(built.query, False, matches, "newest", max(matches.total, 1),
                                        deadline)
        if time.monotonic() > deadline:
            return None
        return {statement_id for statement_id, _score in ranked}


def top_ids(engine: SearchEngine, query: str, *, store: ArchiveStore, limit: int, deadline: float,
            speaker: str | None = None, lang: str | None = None, platform: str | None = None,
            kind: str | None = None, date_from: str | None = None,
            date_to: str | None = None) -> list[str]:
    """The IDs of the ``limit`` statements the words match best, by relevance, or none when
    they cannot be ranked by ``deadline`` (``time.monotonic()``): no near matches, no
    suggestion, no facets and nothing read from the archive. For a query that serves as one
    signal among others (index.meaning's translated query)."""
    filters = check_parameters(speaker, lang, platform, kind, date_from, date_to, "relevance", 1, 1)
    parsed = parse_query(query if isinstance(query, str) else "")
    with engine.reading(store) as reading:
        if reading is None:
            return []
        _speakers, built, matches = _match(reading, parsed, filters, deadline)
        if time.monotonic() > deadline:
            return []
        ranked, notices = reading.rank(built.query, built.scored, matches, "relevance", limit,
                                       deadline)
        return [] if notices else [statement_id for statement_id, _score in ranked]


def _conditions(node):
    """What of a query node restricts rather than ranks: its filters and its ``-word``/``NOT``
    exclusions; None when nothing (its words, an OR with words)."""
    if isinstance(node, (Filter, Not)) or (isinstance(node, AnyOf) and is_filter(node)):
        return node
    if isinstance(node, AllOf):
        kept = [child for child in map(_conditions, node.children) if child is not None]
        return AllOf(kept) if kept else None
    return None


def passing_ids(engine: SearchEngine, query: str, candidates: list[str], *, store: ArchiveStore,
                deadline: float, speaker: str | None = None, lang: str | None = None,
                platform: str | None = None, kind: str | None = None,
                date_from: str | None = None, date_to: str | None = None) -> set[str]:
    """The candidate statements that pass a search's conditions — the filter parameters and
    the query's own filters and exclusions, its words left aside — as the index knows them
    (statements it no longer holds do not pass, unless the search has no conditions): for a
    ranking made elsewhere (index.meaning).
    Raises SearchParameterError like ``search``."""
    filters = check_parameters(speaker, lang, platform, kind, date_from, date_to, "newest", 1, 1)
    parsed = parse_query(query if isinstance(query, str) else "")
    conditions = _conditions(parsed.root)
    if not candidates:
        return set()
    if conditions is None and not filters:
        return set(candidates)  # nothing to pass: the archive decides what exists
    with engine.reading(store) as reading:
        if reading is None:
            return set()
        built = build_query(ParsedQuery(parsed.text, conditions or AllOf()), reading,
                            reading.speakers(), reading.years(), filters)
        if built.query is qp.NOTHING:
            return set()
        restriction = qp.Or(tuple(qp.Term("statement_id", statement_id)
                                  for statement_id in sorted(set(candidates))))
        plan = restriction if built.query is None else qp.And((restriction, built.query))
        matches = reading.match(plan, deadline)
        ranked, _notices = reading.rank(plan, False, matches, "newest", max(matches.total, 1),
                                        max(deadline, time.monotonic() + RANK_TIME_MIN))
        return {statement_id for statement_id, _score in ranked}
