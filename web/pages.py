"""HTML pages: search, statement permalinks, speakers, help.

Each page has a JSON twin at the same URL with ``.json`` appended (or an
``Accept: application/json`` header), answering exactly what the API does.
"""

from __future__ import annotations

import json
from datetime import date

from flask import Blueprint, Response, redirect, render_template, request, url_for
from werkzeug.datastructures import MultiDict

from archive.cite import CITATION_STYLES
from archive.log import read_head
from archive.records import sentence_spans
from archive.store import PersonNotFoundError
from index.results import FACETS, SORTS
from web import api
from web.errors import ApiError, wants_json
from web.lookup import find_statement, gone
from web.resources import get_store
from web.search_request import FILTERS, run_search

bp = Blueprint("pages", __name__)

STYLE_LABELS = {
    "apa": "APA 7", "mla": "MLA 9", "chicago-note": "Chicago (note)",
    "chicago-bib": "Chicago (bibliography)", "bibtex": "BibTeX", "csl-json": "CSL-JSON",
    "ris": "RIS", "plain": "Plain",
}
LANGUAGE_NAMES = {"de": "German", "en": "English"}


def search_url(args: MultiDict, **changes) -> str:
    """The current search with some parameters changed (None removes one); page resets to 1."""
    params = {key: value for key, value in args.items() if value}
    params.pop("page", None)
    for key, value in changes.items():
        if value is None:
            params.pop(key, None)
        else:
            params[key] = value
    return url_for("pages.search", **params)


@bp.get("/")
@bp.get("/search")
def search():
    if request.path == "/" and not request.args:
        return render_template("search.html", page=None, statements={}, args=request.args,
                               json_url=url_for("api.search"))
    if wants_json():
        return api.search()
    try:
        page, statements = run_search(request.args)
    except ApiError as error:
        return render_template("search.html", page=None, statements={}, args=request.args,
                               error=error, json_url=None), error.status
    active = [(name, request.args[name]) for name in FILTERS if request.args.get(name)]
    return render_template(
        "search.html", page=page, statements=statements, args=request.args, facets=FACETS,
        sorts=SORTS, active=active, search_url=search_url,
        json_url=url_for("pages.search_json", **request.args),
    )


@bp.get("/search.json")
def search_json():
    return api.search()


def split_for_display(paragraph: str) -> list[tuple[str, str]]:
    """(sentence, gap after it) pairs that join back to the paragraph exactly."""
    spans = sentence_spans(paragraph)
    parts = []
    for number, (start, end) in enumerate(spans):
        gap_end = spans[number + 1][0] if number + 1 < len(spans) else len(paragraph)
        parts.append((paragraph[start:end], paragraph[end:gap_end]))
    return parts


@bp.get("/s/<path:reference>")
def statement(reference: str):
    as_json = reference.endswith(".json")
    typed = reference[:-5] if as_json else reference
    lookup = find_statement(typed)
    if lookup.canonical != typed:
        suffix = ".json" if as_json else ""
        return redirect(url_for("pages.statement", reference=lookup.canonical + suffix), code=301)
    if as_json or wants_json():
        return api.statement_json(lookup.canonical)
    found = lookup.statement
    if found.is_withdrawn:
        error = gone(lookup)
        return render_template("tombstone.html", statement=found, error=error,
                               json_url=url_for("pages.statement", reference=lookup.canonical + ".json")
                               ), 410
    store = get_store()
    citations = []
    for style, text in api.build_citations(lookup, CITATION_STYLES).items():
        if isinstance(text, dict):
            text = json.dumps(text, ensure_ascii=False, indent=2)
        citations.append((style, STYLE_LABELS.get(style, style), text))
    linked = {}
    for name in ("in_reply_to", "reported_by", "translation_of"):
        target = getattr(found.content, name)
        if target and store.has_statement(target):
            linked[name] = store.get_statement(target)
    reported_here = [store.get_statement(i)
                     for i in store.find_linking_statements(found.statement_id, "reported_by")]
    replies = [store.get_statement(i)
               for i in store.find_linking_statements(found.statement_id, "in_reply_to")]
    sources = [(ref, store.get_source(ref.source_id)) for ref in found.content.sources]
    paragraphs = [split_for_display(p) for p in found.paragraphs()]
    response = render_template(
        "statement.html", statement=found, ref=lookup.ref, paragraphs=paragraphs,
        citations=citations, linked=linked, sources=sources, replies=replies,
        reported_here=reported_here, today=date.today(),
        language_names=LANGUAGE_NAMES,
        json_url=url_for("pages.statement", reference=lookup.canonical + ".json"),
    )
    return api.cacheable(Response(response, mimetype="text/html"), api.statement_etag(lookup))


@bp.get("/speakers")
def speakers():
    if wants_json():
        return api.speakers()
    return render_template("speakers.html", people=get_store().list_people(),
                           json_url=url_for("pages.speakers_json"))


@bp.get("/speakers.json")
def speakers_json():
    return api.speakers()


@bp.get("/speakers/<person_id>")
def speaker(person_id: str):
    as_json = person_id.endswith(".json")
    person_id = person_id[:-5] if as_json else person_id
    if as_json or wants_json():
        return api.speaker_json(person_id)
    store = get_store()
    try:
        person = store.get_person(person_id)
    except PersonNotFoundError:
        raise ApiError(404, f"No speaker {person_id[:60]!r}.") from None
    statements = store.statements_by_person(person_id)
    return render_template("speaker.html", person=person, statements=statements,
                           json_url=url_for("pages.speaker", person_id=person_id + ".json"))


@bp.get("/help")
def help_page():
    response = Response(render_template("help.html", json_url=url_for("api.openapi"),
                                        log_head=read_head(get_store())), mimetype="text/html")
    return api.uncached(response)  # it shows the log's head, which moves with every write
