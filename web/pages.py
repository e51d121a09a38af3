"""HTML pages: search, quote check, statement permalinks, speakers, help.

Each page has a JSON twin at the same URL with ``.json`` appended (or an
``Accept: application/json`` header), answering exactly what the API does.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import date

from flask import Blueprint, Response, redirect, render_template, request, url_for

from archive.cite import CITATION_STYLES
from archive.log import read_head
from archive.records import sentence_spans
from archive.vocabulary import language_name
from index.alignment import tokenize_quote
from index.quote_check import MAX_QUOTE_LENGTH, VERDICT_WORDS, QuoteMatch
from index.results import FACETS, SORTS
from web import api
from web.bookmarklet import build_bookmarklet
from web.check_request import SHAREABLE_QUERY_LENGTH, run_check
from web.contexts import speaker_context, statement_context
from web.embeds import oembed_url
from web.errors import ApiError, wants_json
from web.feeds import describe_search_feed, describe_speaker_feed, feed_parameters
from web.hosts import absolute_url
from web.lookup import find_statement, gone
from web.resources import get_store
from web.search_request import FILTERS, read_link_params, run_search

bp = Blueprint("pages", __name__)

STYLE_LABELS = {
    "apa": "APA 7", "mla": "MLA 9", "chicago-note": "Chicago (note)",
    "chicago-bib": "Chicago (bibliography)", "bibtex": "BibTeX", "csl-json": "CSL-JSON",
    "ris": "RIS", "plain": "Plain",
}
# A search of this many words or more looks like a pasted sentence: the page offers a check.
QUOTE_MIN_WORDS = 5
# Every parameter the check reads; its links carry these and no others (see read_link_params).
CHECK_PARAMETERS = ("quote", "speaker", "from", "to")


def search_url(args: Mapping[str, str], **changes) -> str:
    """The current search with some parameters changed (None removes one); page resets to 1."""
    params = read_link_params(args)
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
    args = read_link_params(request.args)
    if request.path == "/" and not args:
        return render_template("search.html", page=None, statements={}, args=args,
                               json_url=url_for("api.search"))
    if wants_json():
        return api.search()
    try:
        page, statements = run_search(request.args)
    except ApiError as error:
        return render_template("search.html", page=None, statements={}, args=args,
                               error=error, json_url=None), error.status
    active = [(name, args[name]) for name in FILTERS if args.get(name)]
    query = args.get("q", "")
    offer_check = len(tokenize_quote(query).words) >= QUOTE_MIN_WORDS and len(query) <= MAX_QUOTE_LENGTH
    return render_template(
        "search.html", page=page, statements=statements, args=args, facets=FACETS,
        sorts=SORTS, active=active, search_url=search_url, offer_check=offer_check,
        language_name=language_name,
        json_url=url_for("pages.search_json", **args),
        feed_url=url_for("feeds.search_feed", **feed_parameters(args)),
        feed_title=describe_search_feed(args),
    )


@bp.get("/search.json")
def search_json():
    return api.search()


def passage_pieces(match: QuoteMatch) -> list[tuple[str, str, str]]:
    """The passage as (kind, stored words, quote words) pieces in the order of the text:
    ``same`` stretches between the differences; a loose match is shown as it is stored."""
    text = match.statement.text
    if match.verdict == "loose":
        return [("same", match.passage, "")]
    pieces, position = [], match.start
    for item in match.differences:
        if item.start > position:
            pieces.append(("same", text[position:item.start], ""))
        pieces.append((item.kind, item.stored, item.quote))
        position = max(position, item.end)
    if position < match.end:
        pieces.append(("same", text[position:match.end], ""))
    return pieces


@bp.route("/check", methods=["GET", "POST"])
def check():
    # The form posts (a pasted paragraph can be longer than a server takes in a URL); app.js
    # turns a short quote into a GET, whose URL can be shared. A POST only reads.
    params = request.form if request.method == "POST" else request.args
    if wants_json():
        return api.answer_check(params)
    filters_given = any(params.get(name) for name in ("speaker", "from", "to"))
    context = {"args": params, "check": None, "error": None, "filters_given": filters_given,
               "max_length": MAX_QUOTE_LENGTH, "verdict_words": VERDICT_WORDS,
               "passage_pieces": passage_pieces, "json_url": None,
               "shareable_length": SHAREABLE_QUERY_LENGTH,
               "bookmarklet": build_bookmarklet(absolute_url(url_for("pages.check")))}
    if "quote" not in params:
        return render_template("check.html", **context)
    try:
        context["check"] = run_check(params)
    except ApiError as error:
        context["error"] = error
        return render_template("check.html", **context), error.status
    if request.method == "GET":
        context["json_url"] = url_for("pages.check_json", **{name: params[name] for name in CHECK_PARAMETERS
                                                             if params.get(name)})
    return render_template("check.html", **context)


@bp.get("/check.json")
def check_json():
    return api.check()


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
    context = statement_context(lookup, get_store())
    citations = []
    for style, text in api.build_citations(lookup, CITATION_STYLES).items():
        if isinstance(text, dict):
            text = json.dumps(text, ensure_ascii=False, indent=2)
        citations.append((style, STYLE_LABELS.get(style, style), text))
    paragraphs = [split_for_display(p) for p in found.paragraphs()]
    response = render_template(
        "statement.html", statement=found, ref=lookup.ref, paragraphs=paragraphs,
        citations=citations, linked=context.linked, sources=context.sources,
        replies=context.replies, reported_here=context.reported_here, today=date.today(),
        language_name=language_name,
        json_url=url_for("pages.statement", reference=lookup.canonical + ".json"),
        oembed_url=oembed_url(lookup),
    )
    return api.cacheable(Response(response, mimetype="text/html"), api.statement_etag(lookup, context))


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
    context = speaker_context(person_id, get_store())
    return render_template("speaker.html", person=context.person, statements=context.statements,
                           json_url=url_for("pages.speaker", person_id=person_id + ".json"),
                           feed_url=url_for("feeds.speaker_feed", person_id=person_id),
                           feed_title=describe_speaker_feed(context.person))


@bp.get("/help")
def help_page():
    response = Response(render_template("help.html", json_url=url_for("api.openapi"),
                                        log_head=read_head(get_store())), mimetype="text/html")
    return api.uncached(response)  # it shows the log's head, which moves with every write
