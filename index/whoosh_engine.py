"""The embedded search engine: a Whoosh index in the data directory (``index.directory``),
kept equal to the archive by ``index.indexer`` and searched by ``index.search``."""

from __future__ import annotations

from pathlib import Path

from archive.store import ArchiveStore
from index import indexer
from index.directory import get_index_directory
from index.results import SearchPage
from index.search import search, search_ids


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

    def search(self, query: str, *, store: ArchiveStore, **params) -> SearchPage:
        return search(query, store=store, data_dir=self.data_dir, **params)

    def search_ids(self, query: str, *, store: ArchiveStore, **params) -> list[str]:
        return search_ids(query, store=store, data_dir=self.data_dir, **params)
