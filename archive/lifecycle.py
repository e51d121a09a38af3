"""Opening the archive: create the data directory, migrate, load the seed on first start."""

from __future__ import annotations

from pathlib import Path

from archive.data_dir import archive_path
from archive.seed import SeedReport, load_seed
from archive.store import Store


def open_store(data_dir: Path, *, readonly: bool = False) -> Store:
    """A store on the data directory's archive, schema brought up to date."""
    store = Store(archive_path(data_dir), readonly=readonly)
    if not readonly:
        store.migrate()
    return store


def init_archive(data_dir: Path) -> SeedReport:
    """Create the data directory and archive if needed and load the seed collection."""
    data_dir.mkdir(parents=True, exist_ok=True)
    with open_store(data_dir) as store:
        return load_seed(store)


def is_initialised(data_dir: Path) -> bool:
    path = archive_path(data_dir)
    if not path.exists():
        return False
    with Store(path, readonly=True) as store:
        return store.schema_version > 0
