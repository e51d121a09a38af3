"""Per-request and per-process resources: the archive store for the current request (opened
once on ``g``, closed at teardown) and the search engine ``create_app`` made (kept in
``app.extensions``), brought up to date before a process serves its first request."""

from __future__ import annotations

import threading
from pathlib import Path

from flask import Flask, current_app, g

from archive.lifecycle import open_store
from archive.store import ArchiveStore
from index.engine import SearchEngine
from index.engines import prepare_engine

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


def prepare_engine_once() -> None:
    """Build a missing index or apply missed changes, once per application object."""
    state = current_app.extensions["verbatim"]
    if state.get("index_prepared"):
        return
    with _prepare_lock:
        if not state.get("index_prepared"):
            prepare_engine(get_engine(), get_data_dir())
            state["index_prepared"] = True


def init_app(app: Flask) -> None:
    app.before_request(prepare_engine_once)
    app.teardown_appcontext(close_store)
