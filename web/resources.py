"""The archive store for the current request, opened once on ``g`` and closed at teardown."""

from __future__ import annotations

from pathlib import Path

from flask import Flask, current_app, g

from archive.lifecycle import open_store
from archive.store import Store


def get_data_dir() -> Path:
    return Path(current_app.config["DATA_DIR"])


def get_store() -> Store:
    if "store" not in g:
        g.store = open_store(get_data_dir())
    return g.store


def close_store(_error: BaseException | None = None) -> None:
    store = g.pop("store", None)
    if store is not None:
        store.close()


def init_app(app: Flask) -> None:
    app.teardown_appcontext(close_store)
