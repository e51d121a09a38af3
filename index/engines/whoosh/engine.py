"""The embedded search engine: a Whoosh index in the data directory (``directory``), kept
equal to the archive by ``indexer`` and read one search at a time through ``reading``."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from archive.store import ArchiveStore
from index.engines.whoosh import indexer
from index.engines.whoosh.directory import get_index_directory
from index.engines.whoosh.reading import WhooshReading


class WhooshEngine:
    name = "whoosh"

    def __init__(self, data_dir: Path):
        self.data_dir = Path(data_dir)

    def prepare(self, store: ArchiveStore, *, lock_timeout: float = 5.0) -> None:
        indexer.prepare_store_index(store, self.data_dir, lock_timeout=lock_timeout)

    def is_built(self) -> bool:
        return get_index_directory(self.data_dir).is_built()

    def follow(self, store: ArchiveStore) -> None:
        indexer.attach_index(store, self.data_dir)

    def rebuild(self, store: ArchiveStore) -> int:
        return indexer.rebuild(store, self.data_dir)

    def drift(self, store: ArchiveStore) -> list[str]:
        return indexer.find_index_drift(store, self.data_dir)

    @contextmanager
    def reading(self, store: ArchiveStore) -> Iterator[WhooshReading | None]:
        directory = get_index_directory(self.data_dir)
        live = directory.live_generation()
        if live is None:
            yield None
            return
        generation, ix = live
        with directory.pooled_searcher(ix) as searcher:
            yield WhooshReading(searcher, generation, store)
