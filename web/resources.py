"""Per-request and per-process resources: the archive store for the current request (opened
once on ``g``, closed at teardown) and the search engine ``create_app`` made (kept in
``app.extensions``), brought up to date before a process serves its first request."""

from __future__ import annotations

import threading
from pathlib import Path

from flask import Flask, current_app, g

from archive.lifecycle import is_initialised, open_store
from archive.store import ArchiveStore
from index.engine import SearchEngine

_prepare_lock = threading.Lock()


def get_data_dir() -> Path:
    return Path(current_app.config["DATA_DIR"])


def get_engine() -> SearchEngine:
    return current_app.extensions["verbatim"]["engine"]


def get_store() -> ArchiveStore:
    if "store" not in g:
        g.store = open_store(get_data_dir())
    return g.store


def close_store(_error: BaseException | None = None) -> None:
    store = g.pop("store", None)
    if store is not None:
        store.close()


def prepare_engine(app: Flask) -> None:
    """Build the engine's missing index or apply the changes it missed, from the archive as
    it is (nothing to do before the archive exists)."""
    data_dir = Path(app.config["DATA_DIR"])
    if is_initialised(data_dir):
        with open_store(data_dir, readonly=True) as store:
            app.extensions["verbatim"]["engine"].prepare(store)


def prepare_index_once() -> None:
    """Build a missing index or apply missed changes, once per application object."""
    state = current_app.extensions["verbatim"]
    if state.get("index_prepared"):
        return
    with _prepare_lock:
        if not state.get("index_prepared"):
            prepare_engine(current_app)
            state["index_prepared"] = True


def init_app(app: Flask) -> None:
    app.before_request(prepare_index_once)
    app.teardown_appcontext(close_store)
