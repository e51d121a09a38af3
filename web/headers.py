"""Headers on every response: security (no inline scripts, no framing — but for the quote card
made to be framed —, no sniffing) and ``Vary: Accept`` where one URL answers as HTML or JSON."""

from __future__ import annotations

from flask import Flask, Response, request

from web.errors import is_machine_path

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
    "frame-ancestors 'none'"
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
}

# The quote card's own policy: no script, nothing loaded, its inline stylesheet allowed by hash
# (``style_source``), and any site may frame it — so it gets no X-Frame-Options either.
FRAMED_ANYWHERE = "frame-ancestors *"
CARD_CONTENT_SECURITY_POLICY = (
    "default-src 'none'; script-src 'none'; style-src {style_source}; img-src 'none'; "
    f"object-src 'none'; base-uri 'none'; form-action 'none'; {FRAMED_ANYWHERE}"
)


def allow_framing(response: Response, style_source: str) -> Response:
    """Give ``response`` (a self-contained page) the card's policy, framed by any site."""
    response.headers["Content-Security-Policy"] = CARD_CONTENT_SECURITY_POLICY.format(
        style_source=style_source)
    return response


def add_security_headers(response: Response) -> Response:
    framed = response.headers.get("Content-Security-Policy", "").endswith(FRAMED_ANYWHERE)
    for name, value in SECURITY_HEADERS.items():
        if not (framed and name == "X-Frame-Options"):
            response.headers.setdefault(name, value)
    return response


def vary_by_accept(response: Response) -> Response:
    """Pages (and their errors) answer HTML or JSON by the Accept header, so a shared cache
    must key them on it; machine paths and static files answer one type only."""
    path = request.path
    if not (is_machine_path(path) or path.startswith("/static/")):
        response.vary.add("Accept")
    return response


def init_app(app: Flask) -> None:
    app.after_request(add_security_headers)
    app.after_request(vary_by_accept)
