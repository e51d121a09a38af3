"""Search by meaning: a query's words in, the statements whose best sentence means most nearly
the same out, best first, in any language the model knows — with the search's filters and
its ``-word``/``NOT`` exclusions applied and the keyword search's own hits left out.

It answers beside the keyword search (``index.service``), never instead of it: only when the
keyword hits are fewer than a page or the query is a sentence (``wants_meaning``), and only
once every statement has its vectors (``index.vectors``: a small backlog is encoded on the
spot, an import's waits for ``flask --app web encode``); until then it says so. The nearest
statements come from the vectors; which of them pass the search's conditions, from the
engine's index (``service.passing_ids``); their words, from the archive.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from archive.records import Statement
from archive.store import ArchiveStore
from index import service
from index.analysis import words_of
from index.dictionary import ENGLISH_FUNCTION_WORDS, translate_to_german
from index.embedding import encode_texts
from index.engine import SearchEngine
from index.metadata_filters import language_of
from index.query_language import AllOf, AnyOf, Fuzzy, Not, Phrase, Prefix, Word, parse_query
from index.results import SearchPage
from index.search_parameters import check_parameters
from index.snippets import make_snippet
from index.vectors import bring_up_to_date, get_vector_set

# Below this cosine similarity of its best sentence a statement is not shown as found by
# meaning (unrelated sentences of the real corpora score about 0.1–0.3 with this model).
MIN_SIMILARITY = 0.35
# The first statements of each ranking that reciprocal rank fusion combines, and its constant.
FUSED_DEPTH = 50
RRF_K = 60
# A hit of the translated keyword search needs this much similarity as well: the dictionary's
# many senses of common words ("end", "year") otherwise bring in unrelated statements.
TRANSLATED_MIN_SIMILARITY = 0.25
# A query of this many words or more is a sentence: search by meaning even beside a full page.
SENTENCE_WORDS = 5
# The nearest statements tested against the search's conditions: first FUSED_DEPTH, then, when
# too few of them pass (one speaker among many), at most this many; a filter that lets fewer
# through shows fewer meaning results.
MAX_EXAMINED = 200
# The keyword results the meaning results must leave out are found within these seconds and
# this count; a search that matches more shows no meaning results, and says so.
EXCLUSION_TIME = 0.25
EXCLUSION_LIMIT = 1_000
# The translated query's search (index.dictionary) is ranked within these seconds, and the
# nearest statements are tested against the search's conditions within these.
TRANSLATED_SEARCH_TIME = 0.1
CONDITIONS_TIME = 0.1
MEANING_SKIPPED = ("Not searched by meaning: these words match too many statements to tell"
                   " other statements apart from them in time.")
VECTORS_INCOMPLETE = ("Search by meaning is not ready: not every statement has been encoded yet"
                      " (flask --app web encode), so only statements with these words are shown.")
_GERMAN_WORDS = frozenset(
    "der die das und ist nicht ich wir sie ein eine einen zu mit von für auf den dem des sich"
    " auch es im ist sind wird werden nach bei aus wie oder aber noch nur über dass habe hat"
    " haben wieder schon mehr sehr".split())
_UMLAUTS = re.compile(r"[äöüßÄÖÜ]")


@dataclass(frozen=True)
class MeaningHit:
    statement_id: str
    similarity: float  # the cosine similarity of the statement's best sentence to the query
    snippet_html: str
    statement: Statement
    other_language: bool  # the statement's language is not the query's (when that is known)


@dataclass
class MeaningPage:
    hits: list[MeaningHit] = field(default_factory=list)
    query_lang: str = ""  # "de", "en" or "" when the query's words do not tell
    notices: list[str] = field(default_factory=list)


def guess_language(text: str) -> str:
    """``de`` or ``en`` by the common words and letters of the text; empty when undecided."""
    words = [word.lower() for word in words_of(text)]
    german = sum(word in _GERMAN_WORDS for word in words) + 2 * len(_UMLAUTS.findall(text))
    english = sum(word in ENGLISH_FUNCTION_WORDS for word in words)
    if german > english:
        return "de"
    if english > german:
        return "en"
    return ""


def wants_meaning(query: str, keyword_hits: int, per_page: int) -> bool:
    """Whether a search shows meaning results: fewer keyword hits than a page, or a sentence."""
    return bool(query.strip()) and (keyword_hits < per_page or len(words_of(query)) >= SENTENCE_WORDS)


def _query_text(node, negated: bool = False) -> list[str]:
    """The words a query asks for (not those it excludes, nor its filters), in order."""
    if isinstance(node, (AllOf, AnyOf)):
        return [text for child in node.children for text in _query_text(child, negated)]
    if isinstance(node, Not):
        return _query_text(node.child, not negated)
    if isinstance(node, (Word, Phrase, Prefix, Fuzzy)) and not negated:
        return [node.text]
    return []


def fuse(*rankings: list[str]) -> list[str]:
    """Reciprocal rank fusion: each ranking adds 1 / (RRF_K + rank) to a statement's score."""
    scores: dict[str, float] = {}
    for ranking in rankings:
        for rank, statement_id in enumerate(ranking, 1):
            scores[statement_id] = scores.get(statement_id, 0.0) + 1.0 / (RRF_K + rank)
    return sorted(scores, key=lambda statement_id: -scores[statement_id])


def find_by_meaning(query: str, *, engine: SearchEngine, store: ArchiveStore, data_dir: Path,
                    exclude: Iterable[str] = (), speaker: str | None = None,
                    lang: str | None = None, platform: str | None = None,
                    kind: str | None = None, date_from: str | None = None,
                    date_to: str | None = None, limit: int = 20,
                    translate: bool = False) -> MeaningPage:
    """At most ``limit`` statements by meaning, best first, that pass the search's conditions
    (the filter parameters, the query's own filters and ``-word``/``NOT`` exclusions, as the
    engine's index knows them) and are not in ``exclude`` (the keyword hits). With
    ``translate``, an English query is also translated into German (index.dictionary), and the
    engine's best keyword hits for the translation are fused with the embeddings' ranking.
    SearchParameterError for a bad filter, as the keyword search."""
    filters = {"speaker": speaker, "lang": lang, "platform": platform, "kind": kind,
               "date_from": date_from, "date_to": date_to}
    check_parameters(**filters, sort="relevance", page=1, per_page=max(limit, 1))
    text = " ".join(_query_text(parse_query(query).root)).strip()
    page = MeaningPage(query_lang=guess_language(text))
    if not words_of(text):
        return page
    if not bring_up_to_date(store, data_dir):
        page.notices.append(VECTORS_INCOMPLETE)
        return page
    vectors = get_vector_set(data_dir)
    query_vector = encode_texts([text])[0]
    translated = translate_to_german(text) if translate and page.query_lang == "en" else None
    found = service.top_ids(engine, translated, store=store, limit=FUSED_DEPTH,
                            deadline=time.monotonic() + TRANSLATED_SEARCH_TIME,
                            **filters) if translated else []
    seen = set(exclude)
    for depth in (FUSED_DEPTH, MAX_EXAMINED):
        ranked, more = _ranking(vectors, query_vector, depth, found)
        fresh = [item for item in ranked if item[0] not in seen]
        passing = service.passing_ids(engine, query, [statement_id for statement_id, _s in fresh],
                                      store=store, deadline=time.monotonic() + CONDITIONS_TIME,
                                      **filters)
        _add_hits(page, store, [item for item in fresh if item[0] in passing], limit)
        seen.update(statement_id for statement_id, _similarity in ranked)
        if len(page.hits) >= limit or not more:
            break  # a page, or every statement near enough was read
    return page


def _ranking(vectors, query_vector, depth: int,
             translated_hits: list[str]) -> tuple[list[tuple[str, float]], bool]:
    """The nearest ``depth`` statements by meaning that are near enough (MIN_SIMILARITY),
    with the translated search's hits fused in at the head, each with its similarity; and
    whether a greater depth may find more."""
    positions, similarities = vectors.nearest(query_vector, depth)
    above = similarities >= MIN_SIMILARITY
    similarity_of = {vectors.statement_ids[position]: float(similarity) for position, similarity
                     in zip(positions[above], similarities[above], strict=True)}
    ranked = list(similarity_of)
    if translated_hits:
        unseen = [statement_id for statement_id in translated_hits
                  if statement_id not in similarity_of and vectors.position(statement_id) is not None]
        found = dict(zip(unseen, vectors.similarities(
            [vectors.position(statement_id) for statement_id in unseen], query_vector), strict=True))
        found.update((statement_id, similarity) for statement_id, similarity in similarity_of.items()
                     if statement_id in translated_hits)
        head = fuse(ranked[:FUSED_DEPTH], [statement_id for statement_id in translated_hits
                                           if found.get(statement_id, -1.0) >= TRANSLATED_MIN_SIMILARITY])
        fused = set(head)
        ranked = head + [statement_id for statement_id in ranked[FUSED_DEPTH:] if statement_id not in fused]
        similarity_of = {**found, **similarity_of}
    more = len(positions) == depth and bool(above.all())
    return [(statement_id, similarity_of[statement_id]) for statement_id in ranked], more


def _add_hits(page: MeaningPage, store: ArchiveStore, ranked: list[tuple[str, float]],
              limit: int) -> None:
    """Read the ranked statements from the archive, as many as the page still needs at a
    time, and add them to the page until it holds ``limit``."""
    start = 0
    while start < len(ranked) and len(page.hits) < limit:
        batch = ranked[start:start + limit - len(page.hits)]
        start += len(batch)
        loaded = store.get_statements(statement_id for statement_id, _similarity in batch)
        for statement_id, similarity in batch:
            statement = loaded.get(statement_id)
            if statement is None or statement.is_withdrawn:
                continue  # the index has not followed the archive yet
            snippet = make_snippet(statement.text, set())[0]
            page.hits.append(MeaningHit(statement_id, round(similarity, 4), snippet, statement,
                                        _differs(statement, page.query_lang)))


def _differs(statement: Statement, query_lang: str) -> bool:
    return bool(query_lang) and language_of(statement.content.lang) not in ("", query_lang)


def add_meaning_hits(page: SearchPage, engine: SearchEngine, store: ArchiveStore, data_dir: Path,
                     params: dict) -> None:
    """The statements found by meaning and not by the words, on a keyword search's first page
    (``params``: the keyword search's arguments), with their notices; the keyword results
    stay as they are."""
    if params["page"] != 1 or not wants_meaning(params["query"], page.total, params["per_page"]):
        return
    filters = {name: value for name, value in params.items()
               if name not in ("query", "sort", "page", "per_page")}
    found = {hit.statement_id for hit in page.hits}
    if page.total > EXCLUSION_LIMIT:
        page.notices.append(MEANING_SKIPPED)
        return
    if page.total > len(found):  # the keyword results go on beyond this page
        everything = service.matching_ids(engine, params["query"], store=store,
                                          deadline=time.monotonic() + EXCLUSION_TIME, **filters)
        if everything is None:
            page.notices.append(MEANING_SKIPPED)
            return
        found |= everything

    meaning = find_by_meaning(params["query"], engine=engine, store=store, data_dir=data_dir,
                              exclude=found, limit=params["per_page"], translate=True, **filters)
    page.meaning_hits = meaning.hits
    page.notices.extend(notice for notice in meaning.notices if notice not in page.notices)
