"""Shared fixtures: an app on a fresh data directory, its test client and CLI runner, a store."""

from __future__ import annotations

from pathlib import Path

import pytest

from archive.lifecycle import init_archive, open_store
from web import create_app

SHARED = Path(__file__).resolve().parent.parent.parent / "shared"
SEED_ARTICLE = SHARED / "seeds" / "000_9b6b4eaa2eaf404f.txt"
CORPORA = SHARED / "corpora"


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return tmp_path / "data"


@pytest.fixture
def app(data_dir: Path):
    return create_app({"TESTING": True, "DATA_DIR": str(data_dir), "SECRET_KEY": "test"})


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def store(data_dir: Path):
    """A store on a fresh archive with the seed collection loaded."""
    init_archive(data_dir)
    with open_store(data_dir) as opened:
        yield opened


@pytest.fixture
def empty_store(tmp_path: Path):
    """A migrated store with nothing in it."""
    with open_store(tmp_path / "empty") as opened:
        yield opened
