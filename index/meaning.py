"""Search by meaning: a query's words in, the statements whose best sentence means most nearly
the same out, best first, in any language the model knows — with the search's filters and
its ``-word``/``NOT`` exclusions applied and the keyword search's own hits left out.

It answers beside the keyword search (``index.search``), never instead of it: only when the
keyword hits are fewer than a page or the query is a sentence (``wants_meaning``), and only
once every statement has its vectors (``index.vectors``: a small backlog is encoded on the
spot, an import's waits for ``flask --app web encode``); until then it says so.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from archive.records import Statement
from archive.store import ArchiveStore
from index.analysis import query_terms, words_of
from index.cache import BoundedCache
from index.dictionary import ENGLISH_FUNCTION_WORDS, translate_to_german
from index.embedding import encode_texts
from index.metadata_filters import filter_check, language_of
from index.query_language import AllOf, AnyOf, Filter, Fuzzy, Not, Phrase, Prefix, Word, parse_query
from index.search_parameters import check_parameters
from index.snippets import make_snippet
from index.speakers import SpeakerDirectory
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
LOAD_BATCH = 100
# The nearest statements read from the archive to test against the filters, at most: a filter
# few of them pass (one speaker among many) shows fewer meaning results rather than reading
# the archive for seconds.
MAX_EXAMINED = 200
VECTORS_INCOMPLETE = ("Search by meaning is not ready: not every statement has been encoded yet"
                      " (flask --app web encode), so only statements with these words are shown.")
_GERMAN_WORDS = frozenset(
    "der die das und ist nicht ich wir sie ein eine einen zu mit von für auf den dem des sich"
    " auch es im ist sind wird werden nach bei aus wie oder aber noch nur über dass habe hat"
    " haben wieder schon mehr sehr".split())
_UMLAUTS = re.compile(r"[äöüßÄÖÜ]")
# The people a speaker filter may name, per store and archive state: reading them with their
# counts took 166 ms at 100,000 statements.
_SPEAKERS: BoundedCache[SpeakerDirectory] = BoundedCache(8)


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


@dataclass
class _QueryParts:
    text: list[str] = field(default_factory=list)
    excluded: list[str] = field(default_factory=list)
    filters: list[Filter] = field(default_factory=list)
    excluded_filters: list[Filter] = field(default_factory=list)


def _collect(node, parts: _QueryParts, negated: bool = False) -> None:
    if isinstance(node, (AllOf, AnyOf)):
        for child in node.children:
            _collect(child, parts, negated)
    elif isinstance(node, Not):
        _collect(node.child, parts, not negated)
    elif isinstance(node, Filter):
        (parts.excluded_filters if negated else parts.filters).append(node)
    elif isinstance(node, (Word, Phrase, Prefix, Fuzzy)):
        (parts.excluded if negated else parts.text).append(node.text)


def _checks(parts: _QueryParts, store: ArchiveStore,
            data_dir: Path) -> list[Callable[[Statement], bool]]:
    checks: list[Callable[[Statement], bool]] = []
    filters = parts.filters + parts.excluded_filters
    speakers = (_SPEAKERS.fetch((str(data_dir), store.last_change()), lambda: SpeakerDirectory.build(
                    [person for person, _count in store.list_people()]))
                if any(item.name == "speaker" for item in filters) else SpeakerDirectory())
    checks.extend(filter_check(item, speakers) for item in parts.filters)
    for item in parts.excluded_filters:
        check = filter_check(item, speakers)
        checks.append(lambda statement, check=check: not check(statement))
    excluded = {form for text in parts.excluded for word in words_of(text)
                for form in query_terms(word)}
    if excluded:
        checks.append(lambda statement: not any(excluded.intersection(query_terms(word))
                                                for word in words_of(statement.text)))
    return checks


def fuse(*rankings: list[str]) -> list[str]:
    """Reciprocal rank fusion: each ranking adds 1 / (RRF_K + rank) to a statement's score."""
    scores: dict[str, float] = {}
    for ranking in rankings:
        for rank, statement_id in enumerate(ranking, 1):
            scores[statement_id] = scores.get(statement_id, 0.0) + 1.0 / (RRF_K + rank)
    return sorted(scores, key=lambda statement_id: -scores[statement_id])


def find_by_meaning(query: str, *, store: ArchiveStore, data_dir: Path, exclude: Iterable[str] = (),
                    speaker: str | None = None, lang: str | None = None,
                    platform: str | None = None, kind: str | None = None,
                    date_from: str | None = None, date_to: str | None = None,
                    limit: int = 20,
                    keyword_search: Callable[[str], list[str]] | None = None) -> MeaningPage:
    """At most ``limit`` statements by meaning, best first, that pass the filters (parameters
    and those in the query), hold none of the excluded words and are not in ``exclude`` (the
    keyword hits). With ``keyword_search`` (the engine's search with the same filters: the
    statement IDs a query finds, best first), an English query is also translated into German
    (index.dictionary) and that search's hits are fused with the embeddings' ranking.
    SearchParameterError for a bad filter, as the keyword search."""
    parts = _QueryParts(filters=check_parameters(speaker, lang, platform, kind, date_from, date_to,
                                                 "relevance", 1, max(limit, 1)))
    _collect(parse_query(query).root, parts)
    text = " ".join(parts.text).strip()
    page = MeaningPage(query_lang=guess_language(text))
    if not words_of(text):
        return page
    if not bring_up_to_date(store, data_dir):
        page.notices.append(VECTORS_INCOMPLETE)
        return page
    vectors = get_vector_set(data_dir)
    best = vectors.best_similarities(encode_texts([text])[0])
    above = np.flatnonzero(best >= MIN_SIMILARITY)
    top = above[np.argpartition(-best[above], MAX_EXAMINED)[:MAX_EXAMINED]] \
        if len(above) > MAX_EXAMINED else above
    ranked = [vectors.statement_ids[number] for number in top[np.argsort(-best[top], kind="stable")]]
    translated = translate_to_german(text) if keyword_search and page.query_lang == "en" else None
    if translated:
        found = [statement_id for statement_id in keyword_search(translated)[:FUSED_DEPTH]
                 if (vectors.position(statement_id) is not None
                     and best[vectors.position(statement_id)] >= TRANSLATED_MIN_SIMILARITY)]
        head = fuse(ranked[:FUSED_DEPTH], found)
        fused = set(head)
        ranked = head + [statement_id for statement_id in ranked[FUSED_DEPTH:]
                         if statement_id not in fused]
    checks = _checks(parts, store, data_dir)
    skip = set(exclude)
    for start in range(0, len(ranked), LOAD_BATCH):
        batch = [(statement_id, float(best[vectors.position(statement_id)]))
                 for statement_id in ranked[start:start + LOAD_BATCH]]
        loaded = store.get_statements(statement_id for statement_id, _score in batch
                                      if statement_id not in skip)
        for statement_id, similarity in batch:
            statement = loaded.get(statement_id)
            if statement is None or statement.is_withdrawn or not all(c(statement) for c in checks):
                continue
            snippet = make_snippet(statement.text, set())[0]
            page.hits.append(MeaningHit(statement_id, round(similarity, 4), snippet, statement,
                                        _differs(statement, page.query_lang)))
            if len(page.hits) >= limit:
                return page
    return page


def _differs(statement: Statement, query_lang: str) -> bool:
    return bool(query_lang) and language_of(statement.content.lang) not in ("", query_lang)
