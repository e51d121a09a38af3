"""The JSON API under ``/api/``: search, quote check, statements, citations, speakers, the
OpenAPI file.

Every error answers with the shape in web/errors.py; every payload comes from
web/payloads.py, so the HTML pages' ``.json`` twins answer the same.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

from flask import Blueprint, Response, jsonify, request, stream_with_context

from archive.citation_ids import InvalidCitationIdError, parse_citation_ref
from archive.cite import CITATION_STYLES, format_citation
from archive.export import iter_statements_csv, iter_statements_jsonl
from archive.log import consistency, read_head, statement_proof
from archive.merkle import ProofError
from web.check_request import read_check_body, run_check
from web.errors import ApiError
from web.hosts import absolute_url
from web.lookup import find_speaker, find_statement, gone
from web.payloads import (
    build_check_payload,
    build_search_payload,
    build_speaker_payload,
    build_statement_payload,
    permalink,
)
from web.resources import get_store
from web.search_request import iter_search_statements, read_int, run_search

bp = Blueprint("api", __name__, url_prefix="/api")
OPENAPI_FILE = Path(__file__).parent / "openapi.json"
STATEMENT_MAX_AGE = 300


@bp.get("/search")
def search():
    page, statements = run_search(request.args)
    return jsonify(build_search_payload(page, statements))


def answer_check(params) -> Response:
    return jsonify(build_check_payload(run_check(params)))


@bp.get("/check")
def check():
    return answer_check(request.args)


@bp.post("/check")
def check_posted():
    body = request.get_json(silent=True) if request.is_json else None
    return answer_check(read_check_body(body))


def stream_search(lines, mimetype: str, extension: str) -> Response:
    """Every result of the search, streamed as it is read: no row cap and no paging window;
    only the list of matching IDs is held, statements are read one by one."""
    statements = iter_search_statements(request.args)
    first = next(statements, None)  # runs the search now, so a bad parameter is still a 400

    def chained():
        if first is not None:
            yield first
        yield from statements

    response = Response(stream_with_context(lines(chained())), mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="verbatim-search.{extension}"'
    return response


@bp.get("/search.csv")
def search_csv():
    return stream_search(iter_statements_csv, "text/csv", "csv")


@bp.get("/search.jsonl")
def search_jsonl():
    return stream_search(iter_statements_jsonl, "application/x-ndjson", "jsonl")


def cacheable(response: Response, etag: str) -> Response:
    """Statements change only by revision or withdrawal, which changes the ETag. The HTML and
    the JSON of one URL get different ETags, so a cache never answers one for the other."""
    response.set_etag(f"{etag}-{'json' if response.is_json else 'html'}")
    response.cache_control.public = True
    response.cache_control.max_age = STATEMENT_MAX_AGE
    return response.make_conditional(request)


def statement_etag(lookup) -> str:
    statement = lookup.statement
    return f"{lookup.canonical}-r{statement.revisions[-1].revision}-{statement.status}"


def statement_json(reference: str) -> Response:
    lookup = find_statement(reference)
    if lookup.statement.is_withdrawn:
        raise gone(lookup)
    payload = build_statement_payload(lookup.statement, get_store())
    if lookup.ref.paragraph is not None:
        payload["locator"] = lookup.ref.locator
    return cacheable(jsonify(payload), statement_etag(lookup))


@bp.get("/statements/<reference>")
def statement(reference: str):
    return statement_json(reference)


def build_citations(lookup, styles, locator: str = "") -> dict:
    """The statement cited in each of ``styles`` (CSL-JSON as a dict), at the reference's
    locator or the ``locator`` parameter; its first source is read once for all styles."""
    statement = lookup.statement
    ref = lookup.ref
    if locator:
        try:
            ref = parse_citation_ref(f"{ref.statement_id}/{locator}")
        except InvalidCitationIdError as error:
            raise ApiError(400, f"Parameter 'locator': {error}") from None
    source = None
    if statement.content.sources:
        source = get_store().get_source(statement.content.sources[0].source_id)
    link = permalink(statement.statement_id, ref.locator)
    try:
        return {style: format_citation(style, statement, permalink=link, accessed=date.today(),
                                       locator=ref if ref.locator else None, source=source)
                for style in styles}
    except ValueError as error:
        raise ApiError(400, f"Parameter 'locator': {error}") from None


@bp.get("/statements/<reference>/citation")
def citation(reference: str):
    style = request.args.get("style") or "apa"
    if style not in CITATION_STYLES:
        raise ApiError(400, f"Parameter 'style' must be one of {', '.join(CITATION_STYLES)}, "
                            f"not {style[:30]!r}.")
    lookup = find_statement(reference)
    if lookup.statement.is_withdrawn:
        raise gone(lookup)
    text = build_citations(lookup, [style], request.args.get("locator", "").strip())[style]
    payload = {"statement_id": lookup.statement.statement_id, "style": style, "citation": text}
    return cacheable(jsonify(payload), f"{statement_etag(lookup)}-{style}-{date.today()}")


@bp.get("/speakers")
def speakers():
    return jsonify({"speakers": [build_speaker_payload(person, count)
                                 for person, count in get_store().list_people()]})


def speaker_json(person_id: str) -> Response:
    person = find_speaker(person_id)
    statements = [s for s in get_store().statements_by_person(person_id) if not s.is_withdrawn]
    return jsonify(build_speaker_payload(person, len(statements), statements))


@bp.get("/speakers/<person_id>")
def speaker(person_id: str):
    return speaker_json(person_id)


# -- the tamper-evident log: head, proofs (never cached: the head moves with every write) --

def uncached(response: Response) -> Response:
    response.cache_control.no_store = True
    return response


@bp.get("/log/head")
def log_head():
    return uncached(jsonify(read_head(get_store()).to_dict()))


@bp.get("/log/consistency")
def log_consistency():
    if not request.args.get("first"):
        raise ApiError(400, "Parameter 'first' is required: the size of the log at your"
                            " checkpoint.")
    first = read_int(request.args, "first", 0, 1, None)
    second = read_int(request.args, "second", 0, 1, None) if request.args.get("second") else None
    try:
        payload = consistency(get_store(), first, second)
    except ProofError as error:
        raise ApiError(400, f"Parameters 'first' and 'second': {error}.") from None
    return uncached(jsonify(payload))


@bp.get("/statements/<reference>/proof")
def statement_log_proof(reference: str):
    lookup = find_statement(reference)
    if lookup.statement.is_withdrawn:
        raise gone(lookup)
    return uncached(jsonify(statement_proof(get_store(), lookup.statement.statement_id)))


@bp.get("/openapi.json")
def openapi():
    spec = json.loads(OPENAPI_FILE.read_text(encoding="utf-8"))
    spec["servers"] = [{"url": absolute_url("")}]
    return jsonify(spec)


def init_app(app) -> None:
    @app.after_request
    def allow_cross_origin_reads(response: Response) -> Response:
        is_api = request.path.startswith("/api/") or response.is_json
        if is_api and request.method in ("GET", "HEAD", "OPTIONS"):
            response.headers["Access-Control-Allow-Origin"] = "*"
            response.headers["Access-Control-Expose-Headers"] = "ETag"
        return response
