"""The quote card for other sites and the oEmbed endpoint (oEmbed 1.0) that hands it out.

``/s/REFERENCE/embed`` is a small self-contained page — the words, speaker, date, citation ID
and a link back — that any site may put in an ``<iframe>``: it alone carries a policy allowing
every frame ancestor (web/headers.py), no script, and its one stylesheet inline, allowed by
hash. ``/oembed?url=PERMALINK`` answers the iframe for a permalink of this archive.
"""

from __future__ import annotations

import base64
import hashlib
import math
from pathlib import Path
from urllib.parse import SplitResult, unquote, urlsplit

from flask import Blueprint, Response, jsonify, redirect, render_template, request, url_for
from markupsafe import Markup

from archive.cite import cited_passage
from archive.vocabulary import language_name
from web.api import STATEMENT_MAX_AGE, cacheable, statement_etag
from web.errors import ApiError
from web.headers import allow_framing
from web.hosts import absolute_url
from web.lookup import Lookup, find_statement
from web.payloads import speaker_url
from web.search_request import read_int

bp = Blueprint("embeds", __name__)

# The card's stylesheet, inlined; its hash is the only style source its policy allows.
CARD_CSS = Markup((Path(__file__).parent / "static" / "embed.css").read_text(encoding="utf-8"))
CARD_STYLE_SOURCE = "'sha256-{}'".format(
    base64.b64encode(hashlib.sha256(str(CARD_CSS).encode("utf-8")).digest()).decode("ascii"))
EMBED_SUFFIX = "/embed"
# The iframe's size when the consumer sets no bound: a column of an article. The height follows
# the words (about 9 px a character at the card's 16 px type, 24 px a line, 120 px for the
# caption and padding, 40 px of padding and border beside the words) up to CARD_MAX_HEIGHT;
# longer words scroll inside the card.
CARD_WIDTH = 560
CARD_MAX_HEIGHT = 480
CARD_FRAME_HEIGHT = 120
CARD_FRAME_WIDTH = 40
CARD_LINE_HEIGHT = 24
CARD_CHARACTER_WIDTH = 9
OEMBED_FORMATS = ("json",)


def card_words(lookup: Lookup) -> list[str]:
    """The paragraphs the card shows: the located passage, or the whole statement."""
    if lookup.ref.paragraph is None:
        return lookup.statement.paragraphs()
    return [cited_passage(lookup.statement, lookup.ref)]


def reference_permalink(lookup: Lookup) -> str:
    return absolute_url(url_for("pages.statement", reference=lookup.canonical))


def oembed_url(lookup: Lookup) -> str:
    """Where a permalink's page says its oEmbed answer is (oEmbed discovery)."""
    return absolute_url(url_for("embeds.oembed", format="json", url=reference_permalink(lookup)))


@bp.get("/s/<path:reference>/embed")
def card(reference: str):
    lookup = find_statement(reference)
    if lookup.canonical != reference:
        return redirect(url_for("embeds.card", reference=lookup.canonical), code=301)
    statement = lookup.statement
    paragraphs = [] if statement.is_withdrawn else card_words(lookup)
    html = render_template(
        "embed.html", statement=statement, reference=lookup.canonical, paragraphs=paragraphs,
        words=" ".join(" ".join(paragraphs).split()), permalink=reference_permalink(lookup),
        speaker_url=speaker_url(statement.speaker.person_id),
        css=CARD_CSS, language_name=language_name)
    response = Response(html, status=410 if statement.is_withdrawn else 200, mimetype="text/html")
    allow_framing(response, CARD_STYLE_SOURCE)
    return cacheable(response, f"{statement_etag(lookup)}-embed")


def archive_reference(url: str) -> str | None:
    """The reference a URL of this archive's statements names (``…/s/REFERENCE``, also with
    ``/embed``), None for any other URL. "This archive" is where its permalinks point: the
    configured base URL, or the request's own (allowed) host without one."""
    base = urlsplit(absolute_url(""))
    try:
        parts = urlsplit(url.strip())
        if not same_origin(parts, base):
            return None
    except ValueError:  # a port that is no number
        return None
    prefix = base.path.rstrip("/") + "/s/"
    if not parts.path.startswith(prefix):
        return None
    reference = unquote(parts.path[len(prefix):]).removesuffix(EMBED_SUFFIX)
    return reference or None


def same_origin(parts: SplitResult, base: SplitResult) -> bool:
    default_ports = {"http": 80, "https": 443}
    scheme = parts.scheme.lower()
    return (scheme == base.scheme and parts.hostname == base.hostname
            and (parts.port or default_ports.get(scheme)) == (base.port or default_ports.get(base.scheme)))


def card_size(words: str, max_width: int | None, max_height: int | None) -> tuple[int, int]:
    """The iframe's width and height: the defaults above, within the consumer's bounds."""
    width = min(CARD_WIDTH, max_width or CARD_WIDTH)
    per_line = max(1, (width - CARD_FRAME_WIDTH) // CARD_CHARACTER_WIDTH)
    lines = max(1, math.ceil(len(words) / per_line))
    height = min(CARD_MAX_HEIGHT, CARD_FRAME_HEIGHT + CARD_LINE_HEIGHT * lines)
    return width, min(height, max_height or height)


@bp.get("/oembed")
def oembed():
    url = request.args.get("url", "")
    if not url.strip():
        raise ApiError(400, "Parameter 'url' is required: the permalink of a statement.")
    answer_format = request.args.get("format") or "json"
    if answer_format not in OEMBED_FORMATS:
        raise ApiError(501, f"Parameter 'format': only json is offered, not {answer_format[:20]!r}.")
    max_width = read_int(request.args, "maxwidth", 0, 1, None) or None
    max_height = read_int(request.args, "maxheight", 0, 1, None) or None
    reference = archive_reference(url)
    if reference is None:
        raise ApiError(404, "Parameter 'url' is not the permalink of a statement in this archive:"
                            f" they start with {absolute_url('/s/')}.")
    lookup = find_statement(reference)
    statement = lookup.statement
    if statement.is_withdrawn:
        title, words = f"Withdrawn: {lookup.canonical}", statement.withdrawn_reason
    else:
        words = " ".join(card_words(lookup))
        title = f"{statement.speaker.name}: {' '.join(words.split())[:100]}"
    width, height = card_size(words, max_width, max_height)
    src = absolute_url(url_for("embeds.card", reference=lookup.canonical))
    html = render_template("embed_iframe.html", src=src, width=width, height=height,
                           title=f"Quotation {lookup.canonical} — Verbatim").strip()
    payload = {
        "version": "1.0", "type": "rich", "html": html, "width": width, "height": height,
        "title": title, "author_name": statement.speaker.name,
        "author_url": speaker_url(statement.speaker.person_id),
        "provider_name": "Verbatim", "provider_url": absolute_url("/"),
        "cache_age": STATEMENT_MAX_AGE, "citation_id": lookup.canonical,
    }
    return cacheable(jsonify(payload), f"{statement_etag(lookup)}-oembed-{width}x{height}")
