"""A small search engine held in memory: every active statement's terms by field in a
dictionary, each query plan evaluated over all of them. Exact and slow; it answers the
engine contract (``index.engine``) without a search library, for fast tests of the layers
above and as the second implementation that keeps the contract engine-neutral.

The search service is the same as over Whoosh, so the whole query language, "did you
mean", near matches of a misremembered quote and German compounds work here too. Ranking
differs: a statement scores the boosts of the plan's terms and phrases it holds (no term
frequencies, no BM25), ties newest first.
"""

from __future__ import annotations

import threading
import time
from bisect import bisect_left
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from archive.records import Statement
from archive.store import ArchiveStore
from index import query_plan as qp
from index.analysis import SAME_POSITION, document_terms
from index.engine import MatchTimeoutError
from index.metadata_filters import MARKS, date_terms, language_of
from index.near_matches import QuoteWords, required_words
from index.results import FACETS
from index.speakers import SpeakerDirectory
from index.spelling import edit_distance


@dataclass(frozen=True)
class _Document:
    statement: Statement
    fields: dict[str, frozenset[str]]     # field -> its terms (index.query_plan's fields)
    positions: dict[str, tuple[int, ...]]  # term of ``words`` -> where it stands
    sort_key: str                          # the date's sort key, empty when undated


def _document(statement: Statement) -> _Document:
    content = statement.content
    lang = language_of(content.lang)
    positions: dict[str, list[int]] = {}
    place = -1
    for term in document_terms(statement.text, lang):
        if term[0] == SAME_POSITION:
            term = term[1:]
        else:
            place += 1
        positions.setdefault(term, []).append(place)
    fields = {"words": frozenset(positions), "statement_id": frozenset({statement.statement_id}),
              "speaker": frozenset({statement.speaker.person_id}), "lang": frozenset({lang}),
              "platform": frozenset({content.platform.lower()}), "kind": frozenset({content.kind})}
    for name, value in date_terms(statement).items():
        fields[name] = frozenset({value})
    marks = {"deleted": content.deleted_on_platform, "truncated": content.text_truncated}
    for mark in MARKS:
        if marks[mark]:
            fields[mark] = frozenset({mark})
    return _Document(statement, fields, {term: tuple(places) for term, places in positions.items()},
                     content.posted_at.sort_key())


class MemoryEngine:
    name = "memory"

    def __init__(self) -> None:
        self._documents: dict[str, _Document] = {}
        self._built = False
        self._version = 0  # changes with every write
        self._state: tuple[int, _State] | None = None
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
            self._version += 1

    def rebuild(self, store: ArchiveStore) -> int:
        documents = {statement.statement_id: _document(statement)
                     for statement in store.iter_statements(include_withdrawn=False)}
        with self._guard:
            self._documents = documents
            self._built = True
            self._version += 1
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

    # -- reading --------------------------------------------------------------
    @contextmanager
    def reading(self, store: ArchiveStore) -> Iterator[MemoryReading | None]:
        with self._guard:
            state = None
            if self._built:
                if self._state is None or self._state[0] != self._version:
                    self._state = (self._version, _State.of(self._documents.values()))
                state = self._state[1]
        yield None if state is None else MemoryReading(state, store)


@dataclass(frozen=True)
class _State:
    """The documents of one version of the engine, in ID order, and their words."""

    documents: list[_Document]
    counts: Counter
    words: list[str]

    @classmethod
    def of(cls, documents) -> _State:
        ordered = sorted(documents, key=lambda document: document.statement.statement_id)
        counts = Counter(term for document in ordered for term in document.fields["words"])
        return cls(ordered, counts, sorted(counts))


@dataclass
class MemoryMatches:
    documents: list[_Document]
    incomplete: bool = False

    @property
    def total(self) -> int:
        return len(self.documents)


class MemoryReading:
    def __init__(self, state: _State, store: ArchiveStore):
        self.documents = state.documents
        self.store = store
        self._counts = state.counts
        self._words = state.words

    # -- the vocabulary -------------------------------------------------------
    def has_word(self, term: str) -> bool:
        return term in self._counts

    def frequency(self, term: str) -> int:
        return self._counts.get(term, 0)

    def words_starting(self, start: str, limit: int) -> list[str]:
        at = bisect_left(self._words, start)
        found = []
        for word in self._words[at:at + limit]:
            if not word.startswith(start):
                break
            found.append(word)
        return found

    def words_within(self, word: str, distance: int, prefix: int = 1) -> Iterator[str]:
        start = word[:prefix]
        at = bisect_left(self._words, start)
        for candidate in self._words[at:]:
            if not candidate.startswith(start):
                break
            if edit_distance(word, candidate, distance) <= distance:
                yield candidate

    def word_languages(self, terms: list[str]) -> Counter:
        wanted = set(terms)
        return +Counter(next(iter(document.fields["lang"])) for document in self.documents
                        if wanted & document.fields["words"])

    def languages(self) -> set[str]:
        return {code for document in self.documents for code in document.fields["lang"]}

    # -- what the index holds ---------------------------------------------------
    def speakers(self) -> SpeakerDirectory:
        return SpeakerDirectory.build([person for person, _count in self.store.list_people()])

    def years(self) -> list[int]:
        return sorted({int(year) for document in self.documents
                       for year in document.fields.get("year", ())})

    def statement_with(self, term: str) -> str | None:
        return next((document.statement.statement_id for document in self.documents
                     if term in document.fields["words"]), None)

    # -- matching, ranking ------------------------------------------------------
    def match(self, plan: qp.Plan | None, deadline: float | None = None) -> MemoryMatches:
        return MemoryMatches([document for document in self.documents if _matches(plan, document)])

    def match_near(self, words: QuoteWords, restriction: qp.Plan | None,
                   deadline: float | None = None) -> MemoryMatches:
        if deadline is not None and time.monotonic() > deadline:
            raise MatchTimeoutError
        need = required_words(words)
        return MemoryMatches([document for document in self.documents
                              if _matches(restriction, document)
                              and sum(1 for terms in words.terms
                                      if any(term in document.fields["words"] for term in terms)) >= need])

    def facet_counts(self, matches: MemoryMatches) -> dict[str, Counter]:
        counts: dict[str, Counter] = {name: Counter() for name in FACETS}
        for document in matches.documents:
            for name in FACETS:
                counts[name].update(document.fields.get(name, ()))
        return counts

    def rank(self, plan: qp.Plan | None, scored: bool, matches: MemoryMatches, sort: str, limit: int,
             deadline: float) -> tuple[list[tuple[str, float]], list[str]]:
        dated = sorted((document for document in matches.documents if document.sort_key),
                       key=lambda document: (document.sort_key, document.statement.statement_id))
        undated = [document for document in matches.documents if not document.sort_key]
        # by date, oldest or newest first, undated ones last in ID order
        ordered = [(0.0, document) for document in (dated + undated if sort == "oldest"
                                                    else dated[::-1] + undated)]
        if sort == "relevance" and scored:
            ordered = [(_score(plan, document), document) for _score0, document in ordered]
            ordered.sort(key=lambda item: -item[0])  # stable: newest first among equals
        return [(document.statement.statement_id, score) for score, document in ordered[:limit]], []


def _holds_phrase(document: _Document, words: tuple[str, ...]) -> bool:
    places = [document.positions.get(word) for word in words]
    if not all(places):
        return False
    later = [set(found) for found in places[1:]]
    return any(all(start + step in later[step - 1] for step in range(1, len(words)))
               for start in places[0])


def _matches(plan: qp.Plan | None, document: _Document) -> bool:
    if plan is None or isinstance(plan, qp.Every):
        return True
    if isinstance(plan, qp.Nothing):
        return False
    if isinstance(plan, qp.Term):
        return plan.text in document.fields.get(plan.field, ())
    if isinstance(plan, qp.Phrase):
        return _holds_phrase(document, plan.words)
    if isinstance(plan, qp.Or):
        return any(_matches(part, document) for part in plan.parts)
    if isinstance(plan, qp.And):
        return all(_matches(part, document) for part in plan.parts)
    if isinstance(plan, qp.AndNot):
        return _matches(plan.positive, document) and not _matches(plan.negative, document)
    if isinstance(plan, qp.AndMaybe):
        return _matches(plan.required, document)
    raise TypeError(f"not a query plan node: {plan!r}")


def _score(plan: qp.Plan | None, document: _Document) -> float:
    """The boosts of the plan's terms and phrases the document holds, summed."""
    if isinstance(plan, qp.Term | qp.Phrase):
        return plan.boost * (len(plan.words) if isinstance(plan, qp.Phrase) else 1) \
            if _matches(plan, document) else 0.0
    if isinstance(plan, qp.Or | qp.And):
        return sum(_score(part, document) for part in plan.parts)
    if isinstance(plan, qp.AndNot):
        return _score(plan.positive, document)
    if isinstance(plan, qp.AndMaybe):
        return _score(plan.required, document) + _score(plan.optional, document)
    return 0.0
