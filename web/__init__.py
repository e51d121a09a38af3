"""The Flask application: ``create_app`` builds it, on the data directory's archive."""

from __future__ import annotations

import os

from flask import Flask

from archive.cite import record_marks
from archive.data_dir import resolve_data_dir
from archive.lifecycle import init_archive, is_initialised
from index.engine import make_engine, prepare_engine


def create_app(test_config: dict | None = None) -> Flask:
    """Application factory (``flask --app web``).

    Settings, each with its default here: ``DATA_DIR`` (``$VERBATIM_DATA_DIR``
    or ``./data``), ``SECRET_KEY`` (``$VERBATIM_SECRET_KEY``, random when
    unset), ``LOAD_SEED`` (load the seed collection into an empty archive),
    ``BASE_URL`` (``$VERBATIM_BASE_URL``: the base of permalinks) and
    ``ALLOWED_HOSTS`` (``$VERBATIM_ALLOWED_HOSTS``, comma-separated: the Host
    headers served; see ``web.hosts``) and ``SEARCH_ENGINE``
    (``$VERBATIM_SEARCH_ENGINE``: ``whoosh``, the default, or ``memory``; see
    ``index.engine``), kept in ``app.extensions["verbatim"]["engine"]``.

    An archive without an index, or an index that missed changes, is brought
    up to date before the first request a process serves — not when a command
    starts, so that ``verify`` sees drift as it is.
    """
    app = Flask(__name__)
    app.config.from_mapping(
        DATA_DIR=str(resolve_data_dir()),
        SECRET_KEY=os.environ.get("VERBATIM_SECRET_KEY") or os.urandom(32).hex(),
        LOAD_SEED=True,
        BASE_URL=os.environ.get("VERBATIM_BASE_URL", ""),
        ALLOWED_HOSTS=os.environ.get("VERBATIM_ALLOWED_HOSTS") or None,
        SEARCH_ENGINE=os.environ.get("VERBATIM_SEARCH_ENGINE") or "whoosh",
        JSON_SORT_KEYS=False,
    )
    if test_config is not None:
        app.config.from_mapping(test_config)
    app.config["DATA_DIR"] = str(resolve_data_dir(app.config["DATA_DIR"]))
    app.json.sort_keys = False
    app.jinja_env.globals["record_marks"] = record_marks  # pages say what citations say

    from web import api, commands, embeds, errors, feeds, headers, hosts, pages, resources

    data_dir = resolve_data_dir(app.config["DATA_DIR"])
    app.extensions["verbatim"] = {"engine": make_engine(app.config["SEARCH_ENGINE"], data_dir)}
    if app.config["LOAD_SEED"] and not is_initialised(data_dir):
        init_archive(data_dir)
        # the first start serves its first search from a built index
        prepare_engine(app.extensions["verbatim"]["engine"], data_dir)

    hosts.init_app(app)
    resources.init_app(app)
    commands.init_app(app)
    errors.init_app(app)
    headers.init_app(app)
    api.init_app(app)
    app.register_blueprint(pages.bp)
    app.register_blueprint(api.bp)
    app.register_blueprint(feeds.bp)
    app.register_blueprint(embeds.bp)
    return app
