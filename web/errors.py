"""The one error shape: JSON ``{"error": {"status", "code", "message"}}`` (plus
``"suggestion"`` where one exists) under ``/api/`` and for JSON requests, an
HTML page elsewhere. No stack trace ever reaches a client."""

from __future__ import annotations

import logging

from flask import Flask, Response, jsonify, render_template, request
from werkzeug.exceptions import HTTPException, InternalServerError

log = logging.getLogger(__name__)

CODES = {
    400: "bad_request", 404: "not_found", 405: "method_not_allowed", 406: "not_acceptable",
    410: "gone", 413: "too_large", 414: "uri_too_long", 429: "too_many_requests",
    431: "headers_too_large", 500: "internal_error", 501: "not_implemented", 503: "unavailable",
}


class ApiError(Exception):
    """Raised by a view to answer with the error shape; ``extra`` adds top-level keys."""

    def __init__(self, status: int, message: str, *, code: str | None = None,
                 suggestion: str | None = None, extra: dict | None = None):
        super().__init__(message)
        self.status = status
        self.message = message
        self.code = code or CODES.get(status, "error")
        self.suggestion = suggestion
        self.extra = extra or {}


# Paths that answer one machine-readable type (the API, JSON twins, Atom feeds, oEmbed): their
# errors are the JSON shape whatever Accept says, since a program, not a person, reads them.
MACHINE_PREFIXES = ("/api/", "/oembed")
MACHINE_SUFFIXES = (".json", ".atom")


def is_machine_path(path: str) -> bool:
    return path.startswith(MACHINE_PREFIXES) or path.endswith(MACHINE_SUFFIXES)


def wants_json() -> bool:
    """JSON for a machine path (above), or an Accept header that prefers JSON."""
    if is_machine_path(request.path):
        return True
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return best == "application/json" and request.accept_mimetypes[best] > request.accept_mimetypes[
        "text/html"]


def error_payload(status: int, code: str, message: str, suggestion: str | None = None,
                  extra: dict | None = None) -> dict:
    payload = {"error": {"status": status, "code": code, "message": message}}
    if suggestion:
        payload["suggestion"] = suggestion
    payload.update(extra or {})
    return payload


def render_error(error: ApiError) -> Response:
    if wants_json():
        response = jsonify(error_payload(error.status, error.code, error.message, error.suggestion,
                                         error.extra))
    else:
        response = Response(render_template("error.html", error=error), mimetype="text/html")
    response.status_code = error.status
    return response


def handle_http_exception(exception: HTTPException) -> Response:
    status = exception.code or 500
    message = exception.description or exception.name
    response = render_error(ApiError(status, message))
    if status == 405 and getattr(exception, "valid_methods", None):
        response.headers["Allow"] = ", ".join(exception.valid_methods)
    return response


def handle_unexpected(exception: Exception) -> Response:
    log.exception("unhandled error on %s", request.path)
    return render_error(ApiError(500, InternalServerError.description))


def init_app(app: Flask) -> None:
    app.register_error_handler(ApiError, render_error)
    app.register_error_handler(HTTPException, handle_http_exception)
    app.register_error_handler(Exception, handle_unexpected)
