"""Where the archive keeps its files: the data directory and the paths inside it.

The data directory defaults to ``data/`` under the project and is set by the
environment variable ``VERBATIM_DATA_DIR``. It holds the SQLite archive and
the search index; nothing in it belongs in the repository.
"""

from __future__ import annotations

import os
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DATA_DIR_VARIABLE = "VERBATIM_DATA_DIR"
ARCHIVE_FILE = "archive.sqlite3"
INDEX_DIR = "index"
SEED_FILE = PROJECT_ROOT / "fixtures" / "seed.json"  # the seed collection (archive.seed)


def resolve_data_dir(value: str | os.PathLike | None = None) -> Path:
    """The data directory: ``value`` if given, else ``$VERBATIM_DATA_DIR``, else ``./data``."""
    chosen = value or os.environ.get(DATA_DIR_VARIABLE) or PROJECT_ROOT / "data"
    return Path(chosen).expanduser().resolve()


def archive_path(data_dir: Path) -> Path:
    return data_dir / ARCHIVE_FILE


def index_path(data_dir: Path) -> Path:
    return data_dir / INDEX_DIR
