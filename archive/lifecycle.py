"""Opening the archive: choose its store, create the data directory, migrate, load the seed on
first start. The one place that picks the ``ArchiveStore`` implementation."""

from __future__ import annotations

from pathlib import Path

from archive.data_dir import archive_path
from archive.seed import SeedReport, load_seed
from archive.store import ArchiveMissingError, ArchiveStore
from archive.stores.sqlite import SQLiteStore


def open_store(data_dir: Path, *, readonly: bool = False) -> ArchiveStore:
    """A store on the data directory's archive, schema brought up to date. Read-only, an
    archive that was never created raises ArchiveMissingError."""
    store = SQLiteStore(archive_path(data_dir), readonly=readonly)
    if not readonly:
        store.migrate()
    return store


def init_archive(data_dir: Path) -> SeedReport:
    """Create the data directory and archive if needed and load the seed collection."""
    data_dir.mkdir(parents=True, exist_ok=True)
    with open_store(data_dir) as store:
        return load_seed(store)


def is_initialised(data_dir: Path) -> bool:
    """Whether the data directory's archive has been created."""
    try:
        with open_store(data_dir, readonly=True) as store:
            return store.is_initialised()
    except ArchiveMissingError:
        return False
