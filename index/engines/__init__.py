"""The implementations of ``index.engine.SearchEngine`` and the one place that picks one:
``whoosh`` (``index.engines.whoosh``, the embedded default, an index in the data directory)
or ``memory`` (``index.engines.memory``, small and exact, for tests). Only the modules under
this package know an engine's library."""

from __future__ import annotations

from pathlib import Path

from archive.lifecycle import is_initialised, open_store
from index.engine import SearchEngine

ENGINES = ("whoosh", "memory")


class UnknownEngineError(ValueError):
    """The configured search engine is not one of ENGINES."""


def prepare_engine(engine: SearchEngine, data_dir: Path, *, lock_timeout: float = 5.0) -> None:
    """Bring the engine up to the data directory's archive as it is, read-only (nothing to do
    before the archive exists): at a process's start, before it serves."""
    if is_initialised(data_dir):
        with open_store(data_dir, readonly=True) as store:
            engine.prepare(store, lock_timeout=lock_timeout)


def make_engine(name: str, data_dir: Path) -> SearchEngine:
    """The configured engine over the data directory's archive; UnknownEngineError."""
    if name == "whoosh":
        from index.engines.whoosh.engine import WhooshEngine

        return WhooshEngine(Path(data_dir))
    if name == "memory":
        from index.engines.memory import MemoryEngine

        return MemoryEngine()
    raise UnknownEngineError(f"SEARCH_ENGINE must be one of {', '.join(ENGINES)}, not {name!r}")
