"""A small search engine held in memory: every active statement's terms in a dictionary,
each query evaluated over all of them. Exact and slow; it answers the search contract
(``index.engine``) without Whoosh, for fast tests of the layers above and as the second
implementation that keeps the contract engine-neutral.

It reads the query language as the Whoosh engine does — words (plain form or stem, in the
text or the speaker's names), phrases, prefixes, typos, OR, NOT, field filters — and ranks by
the number of the query's terms a statement holds. It does none of what needs a vocabulary:
no "did you mean", no near matches for a misremembered quote, no German compounds.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

from archive.records import Statement
from archive.store import ArchiveStore
from index.analysis import SAME_POSITION, document_terms, fold, query_terms, words_of
from index.facets import facet_values
from index.metadata_filters import filter_check, language_of
from index.query_language import AllOf, AnyOf, Filter, Fuzzy, Not, Phrase, Prefix, Word, parse_query
from index.results import FACETS, FacetValue, SearchHit, SearchPage
from index.search_parameters import check_parameters
from index.snippets import make_snippet
from index.speakers import SpeakerDirectory, name_words
from index.spelling import edit_distance


@dataclass(frozen=True)
class _Document:
    statement: Statement
    plain: tuple[str, ...]  # the text's words, folded, in order (phrases)
    terms: frozenset[str]  # plain forms and stems of the text, and the speaker's name words
    sort_key: str  # the date's sort key, empty when undated


def _document(statement: Statement) -> _Document:
    content = statement.content
    terms = {term.lstrip(SAME_POSITION) for term in document_terms(statement.text, content.lang)}
    return _Document(statement, tuple(fold(word) for word in words_of(statement.text)),
                     frozenset(terms | name_words(statement.speaker)), content.posted_at.sort_key())


class MemoryEngine:
    name = "memory"

    def __init__(self) -> None:
        self._documents: dict[str, _Document] = {}
        self._built = False
        self._guard = threading.Lock()

    # -- keeping up with the archive ----------------------------------------
    def prepare(self, store: ArchiveStore, *, lock_timeout: float = 5.0) -> None:
        """Nothing is kept between processes: the first ``prepare`` reads the whole store."""
        if not self._built:
            self.rebuild(store)

    def is_built(self) -> bool:
        return self._built

    def follow(self, store: ArchiveStore) -> None:
        if not any(getattr(listener, "engine", None) is self for listener in store.listeners):
            def apply(changed_store: ArchiveStore, changed: set[str]) -> None:
                self._apply(changed_store, changed)

            apply.engine = self
            store.listeners.append(apply)
        self.rebuild(store)

    def _apply(self, store: ArchiveStore, changed: set[str]) -> None:
        found = store.get_statements(changed)
        with self._guard:
            for statement_id in changed:
                statement = found.get(statement_id)
                if statement is None or statement.is_withdrawn:
                    self._documents.pop(statement_id, None)
                else:
                    self._documents[statement_id] = _document(statement)

    def rebuild(self, store: ArchiveStore) -> int:
        documents = {statement.statement_id: _document(statement)
                     for statement in store.iter_statements(include_withdrawn=False)}
        with self._guard:
            self._documents = documents
            self._built = True
        return len(documents)

    def drift(self, store: ArchiveStore) -> list[str]:
        expected = store.current_hashes()
        with self._guard:
            found = {statement_id: document.statement.revision.text_sha256
                     for statement_id, document in self._documents.items()}
        problems = [f"index: {statement_id} is missing from the search index"
                    for statement_id in sorted(expected.keys() - found.keys())]
        problems += [f"index: {statement_id} is in the search index but not an active statement"
                     for statement_id in sorted(found.keys() - expected.keys())]
        problems += [f"index: {statement_id} is indexed with an old text"
                     for statement_id in sorted(expected.keys() & found.keys())
                     if expected[statement_id] != found[statement_id]]
        return problems

    # -- searching ------------------------------------------------------------
    def _matching(self, query: str, store: ArchiveStore, filters: list[Filter], sort: str
                  ) -> tuple[list[tuple[float, _Document]], set[str], list[str], SpeakerDirectory]:
        parsed = parse_query(query)
        speakers = SpeakerDirectory.build([person for person, _count in store.list_people()])
        with self._guard:
            documents = list(self._documents.values())
        highlight: set[str] = set()
        _collect_terms(parsed.root, highlight)
        checks = [filter_check(item, speakers) for item in filters]
        matches = _compile(parsed.root, speakers)
        dated, undated = [], []
        for document in sorted(documents, key=lambda document: (document.sort_key,
                                                                document.statement.statement_id)):
            if all(check(document.statement) for check in checks) and matches(document):
                item = (float(len(highlight & document.terms)), document)
                (dated if document.sort_key else undated).append(item)
        # by date, oldest or newest first, undated ones last in ID order
        ordered = dated + undated if sort == "oldest" else dated[::-1] + undated
        if sort == "relevance" and not parsed.is_empty:
            ordered.sort(key=lambda item: -item[0])  # stable: newest first among equals
        return ordered, highlight, list(parsed.notices), speakers

    def search(self, query: str, *, store: ArchiveStore, speaker: str | None = None,
               lang: str | None = None, platform: str | None = None, kind: str | None = None,
               date_from: str | None = None, date_to: str | None = None, sort: str = "relevance",
               page: int = 1, per_page: int = 20) -> SearchPage:
        filters = check_parameters(speaker, lang, platform, kind, date_from, date_to, sort, page, per_page)
        query = query if isinstance(query, str) else ""
        ordered, highlight, notices, speakers = self._matching(query, store, filters, sort)
        facets = _facets([document.statement for _score, document in ordered], speakers)
        result = SearchPage(query=query, total=len(ordered), page=page, per_page=per_page, sort=sort,
                            notices=notices, facets=facets)
        for score, document in ordered[(page - 1) * per_page:page * per_page]:
            statement = document.statement
            snippet, start, end = make_snippet(statement.text, highlight)
            result.hits.append(SearchHit(statement.statement_id, score, snippet, start, end, statement))
        return result

    def search_ids(self, query: str, *, store: ArchiveStore, speaker: str | None = None,
                   lang: str | None = None, platform: str | None = None, kind: str | None = None,
                   date_from: str | None = None, date_to: str | None = None,
                   sort: str = "relevance") -> list[str]:
        filters = check_parameters(speaker, lang, platform, kind, date_from, date_to, sort, 1, 1)
        ordered, _highlight, _notices, _speakers = self._matching(
            query if isinstance(query, str) else "", store, filters, sort)
        return [document.statement.statement_id for _score, document in ordered]


def _collect_terms(node, terms: set[str]) -> None:
    """The terms a snippet marks and a score counts: the query's positive words."""
    if isinstance(node, AllOf | AnyOf):
        for child in node.children:
            _collect_terms(child, terms)
    elif isinstance(node, Word):
        terms.update(query_terms(node.text) if words_of(node.text) else ())
    elif isinstance(node, Phrase | Prefix | Fuzzy):
        terms.update(fold(word) for word in words_of(node.text))


def _compile(node, speakers: SpeakerDirectory) -> Callable[[_Document], bool]:
    """The query tree as one test of a document, each node read once."""
    if isinstance(node, AllOf | AnyOf):
        children = [_compile(child, speakers) for child in node.children]
        combine = all if isinstance(node, AllOf) else any
        return lambda document: combine(child(document) for child in children)
    if isinstance(node, Not):
        child = _compile(node.child, speakers)
        return lambda document: not child(document)
    if isinstance(node, Filter):
        check = filter_check(node, speakers)
        return lambda document: check(document.statement)
    words = [fold(word) for word in words_of(node.text)]
    if not words:
        return lambda document: True  # nothing searchable: matches like an empty query
    if isinstance(node, Word):
        alternatives = [query_terms(word) for word in words_of(node.text)]
        return lambda document: all(any(term in document.terms for term in terms)
                                    for terms in alternatives)
    if isinstance(node, Phrase):
        size = len(words)
        return lambda document: any(list(document.plain[start:start + size]) == words
                                    for start in range(len(document.plain) - size + 1))
    if isinstance(node, Prefix):
        return lambda document: any(term.startswith(words[0]) for term in document.terms)
    if isinstance(node, Fuzzy):
        return lambda document: any(edit_distance(words[0], term, node.distance) <= node.distance
                                    for term in document.terms)
    return lambda document: False


def _facets(statements: list[Statement], speakers: SpeakerDirectory) -> dict[str, list[FacetValue]]:
    counts: dict[str, Counter] = {name: Counter() for name in FACETS}
    for statement in statements:
        content = statement.content
        counts["speaker"][statement.speaker.person_id] += 1
        if content.posted_at.precision != "unknown":
            counts["year"][content.posted_at.value[:4]] += 1
        counts["lang"][language_of(content.lang)] += 1
        if content.platform:
            counts["platform"][content.platform.lower()] += 1
        counts["kind"][content.kind] += 1
        if content.deleted_on_platform is not None:
            counts["deleted"]["deleted"] += 1
    return facet_values(counts, speakers)
