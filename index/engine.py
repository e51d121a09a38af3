"""The search engine's contract: what the search service (``index.service``), the web layer
and the commands ask of the engine that indexes the archive.

An engine keeps an index of the archive's active statements (``SearchEngine``) and opens
consistent states of it (``IndexReading``), each of which answers one search's questions:
which documents a query plan (``index.query_plan``) matches, how they rank, how they spread
over the facets, and which words the index knows (``Vocabulary``: for "did you mean",
prefixes, typos and compounds). Everything else — parsing, parameters, time budgets, near
matches of a quote, suggestions, loading and showing the statements — is the service's,
the same for every engine.

``create_app`` makes one engine (setting ``SEARCH_ENGINE``) and keeps it in
``app.extensions``; ``index.engines.make_engine`` picks the implementation. The archive is
the truth: an engine holds only what it can rebuild from the store.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from contextlib import AbstractContextManager
from typing import TYPE_CHECKING, Protocol, runtime_checkable

from archive.store import ArchiveStore
from index.query_plan import Plan
from index.speakers import SpeakerDirectory

if TYPE_CHECKING:
    from index.near_matches import QuoteWords


class IndexUnavailableError(RuntimeError):
    """There is no usable index (never built, or of an old format)."""


class IndexLockTimeoutError(RuntimeError):
    """Another process held the index write lock for too long."""


class MatchTimeoutError(Exception):
    """Checking phrases or a quote's words ran past the search's deadline."""


class Vocabulary(Protocol):
    """The words the index knows: the plain forms and stems of the ``words`` field."""

    def has_word(self, term: str) -> bool:
        """Whether any indexed statement holds the term."""

    def frequency(self, term: str) -> int:
        """How many indexed statements hold the term (0: unknown)."""

    def words_starting(self, start: str, limit: int) -> list[str]:
        """Known terms that start with ``start``, in order, at most ``limit``."""

    def words_within(self, word: str, distance: int, prefix: int = 1) -> Iterator[str]:
        """Known terms within ``distance`` edits of ``word`` that share its first ``prefix``
        letters."""

    def word_languages(self, terms: list[str]) -> Counter:
        """Per language code, how many statements hold any of the terms."""

    def languages(self) -> set[str]:
        """The language codes of the indexed statements."""


class Matches(Protocol):
    """The documents a plan matched in one reading (opaque to the service)."""

    total: int         # live documents matched
    incomplete: bool   # some phrases or alternatives were not checked in time


class IndexReading(Vocabulary, Protocol):
    """One consistent state of the index, for one search."""

    def speakers(self) -> SpeakerDirectory:
        """The speakers of the indexed statements (names, aliases, handles)."""

    def years(self) -> list[int]:
        """The years of the indexed statements' dates, ascending."""

    def match(self, plan: Plan | None, deadline: float | None = None) -> Matches:
        """The documents the plan matches (every document for None); phrases and
        alternatives are checked until ``deadline`` (``incomplete`` says when some were
        not)."""

    def match_near(self, words: QuoteWords, restriction: Plan | None,
                   deadline: float | None = None) -> Matches:
        """The documents within ``restriction`` that hold at least the required share of a
        quote's words (``index.near_matches.required_words``); MatchTimeoutError when the
        deadline passes first."""

    def facet_counts(self, matches: Matches) -> dict[str, Counter]:
        """Per facet of ``index.results.FACETS``, the matched documents per value."""

    def rank(self, plan: Plan | None, scored: bool, matches: Matches, sort: str, limit: int,
             deadline: float) -> tuple[list[tuple[str, float]], list[str]]:
        """The first ``limit`` matches as (statement ID, score) in the order of ``sort``
        (relevance when ``scored``, else by date, newest first), and notices: ranking that
        cannot finish by ``deadline`` goes by date and says so."""

    def statement_with(self, term: str) -> str | None:
        """The ID of one statement whose text holds the term, or None."""


@runtime_checkable
class SearchEngine(Protocol):
    """Index the archive's active statements and open readings of the index."""

    name: str

    def prepare(self, store: ArchiveStore, *, lock_timeout: float = 5.0) -> None:
        """Before serving: build a missing index or apply the changes it missed (waiting at
        most ``lock_timeout`` seconds for another process that writes the index)."""

    def is_built(self) -> bool:
        """Whether the engine can answer searches now."""

    def follow(self, store: ArchiveStore) -> None:
        """Index every later commit of ``store``, and bring the index up to date now."""

    def rebuild(self, store: ArchiveStore) -> int:
        """Index the store's active statements from scratch; the number indexed."""

    def drift(self, store: ArchiveStore) -> list[str]:
        """One line per difference between the index and the store's active statements."""

    def reading(self, store: ArchiveStore) -> AbstractContextManager[IndexReading | None]:
        """A consistent state of the index for one search (None while there is none yet);
        IndexUnavailableError or OSError when a rebuild replaced it while opening."""
