"""HTML pages: the statement list and the permalink of each statement."""

from __future__ import annotations

from flask import Blueprint, abort, redirect, render_template, url_for

from archive.citation_ids import InvalidCitationIdError, parse_citation_ref
from archive.store import RevisionNotFoundError, StatementNotFoundError
from web.resources import get_store

bp = Blueprint("pages", __name__)


@bp.get("/")
def index():
    store = get_store()
    statements = sorted(store.iter_statements(include_withdrawn=False),
                        key=lambda s: s.content.posted_at.sort_key(), reverse=True)
    return render_template("index.html", statements=statements)


@bp.get("/s/<path:reference>")
def statement(reference: str):
    try:
        ref = parse_citation_ref(reference)
    except InvalidCitationIdError:
        abort(404)
    if str(ref) != reference:
        return redirect(url_for("pages.statement", reference=str(ref)), code=301)
    store = get_store()
    try:
        found = store.get_statement(ref.statement_id, ref.revision)
    except (StatementNotFoundError, RevisionNotFoundError):
        abort(404)
    return render_template("statement.html", statement=found, ref=ref)
