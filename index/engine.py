"""The search engine's contract: what the web layer and the commands ask of the engine that
indexes the archive and answers searches over it.

``create_app`` makes one engine (setting ``SEARCH_ENGINE``) and keeps it in
``app.extensions``; ``make_engine`` is the one place that picks the implementation:
``whoosh`` (``index.whoosh_engine``, the embedded default, on the data directory) or
``memory`` (``index.memory_engine``, small and exact, for tests). The archive is the truth:
an engine holds only what it can rebuild from the store.
"""

from __future__ import annotations

from pathlib import Path
from typing import Protocol, runtime_checkable

from archive.lifecycle import is_initialised, open_store
from archive.store import ArchiveStore
from index.results import SearchPage

ENGINES = ("whoosh", "memory")


class UnknownEngineError(ValueError):
    """The configured search engine is not one of ENGINES."""


@runtime_checkable
class SearchEngine(Protocol):
    """Index the archive's active statements and search them (the query language of
    ``index.query_language``; results as ``index.results``)."""

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

    def search(self, query: str, *, store: ArchiveStore, speaker: str | None = None,
               lang: str | None = None, platform: str | None = None, kind: str | None = None,
               date_from: str | None = None, date_to: str | None = None, sort: str = "relevance",
               page: int = 1, per_page: int = 20) -> SearchPage:
        """One page of results; SearchParameterError for a bad filter or paging parameter,
        never for anything in ``query``."""

    def search_ids(self, query: str, *, store: ArchiveStore, speaker: str | None = None,
                   lang: str | None = None, platform: str | None = None, kind: str | None = None,
                   date_from: str | None = None, date_to: str | None = None,
                   sort: str = "relevance") -> list[str]:
        """Every matching statement ID in the order of ``sort`` (for exports)."""


def prepare_engine(engine: SearchEngine, data_dir: Path, *, lock_timeout: float = 5.0) -> None:
    """Bring the engine up to the data directory's archive as it is, read-only (nothing to do
    before the archive exists): at a process's start, before it serves."""
    if is_initialised(data_dir):
        with open_store(data_dir, readonly=True) as store:
            engine.prepare(store, lock_timeout=lock_timeout)


def make_engine(name: str, data_dir: Path) -> SearchEngine:
    """The configured engine over the data directory's archive; UnknownEngineError."""
    if name == "whoosh":
        from index.whoosh_engine import WhooshEngine

        return WhooshEngine(Path(data_dir))
    if name == "memory":
        from index.memory_engine import MemoryEngine

        return MemoryEngine()
    raise UnknownEngineError(f"SEARCH_ENGINE must be one of {', '.join(ENGINES)}, not {name!r}")
