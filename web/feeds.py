"""Atom feeds (RFC 4287) of a search and of a speaker's statements, newest first.

The feed reuses what the search and speaker pages compute (``run_search``, the store's list of
a speaker's statements) and renders it with the autoescaped ``feed.xml`` template. A withdrawn
statement is an entry without its words: the tombstone, under the same ID, so a reader that
holds the words replaces them. A search feed adds the tombstones its filters cover
(``index.tombstones``), never matched by words.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

from flask import Blueprint, Response, render_template, request, url_for

from archive.records import Person, Statement
from archive.vocabulary import language_name
from index.results import SearchParameterError
from index.tombstones import search_tombstones
from web.hosts import absolute_url
from web.lookup import find_speaker
from web.payloads import permalink, speaker_url
from web.resources import get_store
from web.search_request import FILTERS, parameter_error, read_search_args, run_search

bp = Blueprint("feeds", __name__)

# Entries per feed: a reader polls and keeps what it saw, so the newest 50 are enough to miss
# nothing between polls, and a feed stays a small document (the search's pages go to 100).
FEED_ENTRIES = 50
# Feeds change with every import; readers poll hourly at most, so five minutes costs nothing.
FEED_MAX_AGE = 300
# The parameters a search feed reads: the query and the search's filters. Its order is always
# newest first, so sort, page and per_page are not part of it.
FEED_PARAMETERS = ("q", *FILTERS)
# An empty feed still needs atom:updated; it has changed at no known time.
NEVER = datetime(1970, 1, 1, tzinfo=UTC)
# Characters XML 1.0 cannot carry, not even as references; they are shown as U+FFFD.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


@dataclass(frozen=True)
class FeedEntry:
    statement: Statement
    permalink: str
    speaker_url: str
    updated: datetime  # the latest revision, or the withdrawal
    published: datetime | None  # only for a date known to the minute: atom:published is a moment


@dataclass(frozen=True)
class Feed:
    title: str
    self_url: str  # also the feed's atom:id
    page_url: str
    entries: list[FeedEntry]

    @property
    def updated(self) -> datetime:
        return max((entry.updated for entry in self.entries), default=NEVER)


def read_time(value: str) -> datetime:
    """An archive time (ISO 8601, UTC when it names no offset)."""
    moment = datetime.fromisoformat(value)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def format_time(moment: datetime) -> str:
    """RFC 3339, in UTC, to the second: ``2024-08-05T12:00:00Z``."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def build_entry(statement: Statement) -> FeedEntry:
    changed = statement.withdrawn_at if statement.is_withdrawn else statement.revisions[-1].created_at
    return FeedEntry(
        statement=statement,
        permalink=permalink(statement.statement_id),
        speaker_url=speaker_url(statement.speaker.person_id),
        updated=read_time(changed),
        published=(statement.content.posted_at.bounds()[0]
                   if statement.content.posted_at.precision in ("minute", "second") else None),
    )


def feed_parameters(args: Mapping[str, str]) -> dict[str, str]:
    """The non-empty parameters of a search that its feed carries."""
    return {name: args[name] for name in FEED_PARAMETERS if args.get(name)}


def describe_search_feed(args: Mapping[str, str]) -> str:
    """The title of a search's feed: its query and filters."""
    parts = [f"“{args['q']}”"] if args.get("q") else []
    parts += [f"{name}: {args[name]}" for name in FILTERS if args.get(name)]
    return f"Verbatim: {'; '.join(parts) or 'all statements'}"


def describe_speaker_feed(person: Person) -> str:
    return f"Verbatim: {person.name}"


def answer_feed(feed: Feed) -> Response:
    """The feed as Atom, with an ETag of its bytes and Last-Modified of its newest change, so a
    reader asking again with either gets 304 until something in it changes."""
    xml = render_template("feed.xml", feed=feed, format_time=format_time, language_name=language_name)
    body = _NOT_XML.sub("\ufffd", xml).encode("utf-8")
    response = Response(body, mimetype="application/atom+xml")
    response.set_etag(hashlib.sha256(body).hexdigest()[:32])
    if feed.entries:
        response.last_modified = feed.updated
    response.cache_control.public = True
    response.cache_control.max_age = FEED_MAX_AGE
    return response.make_conditional(request)


def read_tombstones(params: Mapping[str, str]) -> list[Statement]:
    """The latest withdrawn statements the feed's filters cover (never matched by words)."""
    args = read_search_args(params)
    try:
        return search_tombstones(get_store(), limit=FEED_ENTRIES, speaker=args["speaker"],
                                 lang=args["lang"], platform=args["platform"], kind=args["kind"],
                                 date_from=args["date_from"], date_to=args["date_to"])
    except SearchParameterError as error:
        raise parameter_error(error) from None


@bp.get("/search.atom")
def search_feed():
    params = feed_parameters(request.args)
    page, statements = run_search({**params, "sort": "newest", "per_page": str(FEED_ENTRIES)})
    entries = [build_entry(statements[hit.statement_id]) for hit in page.hits
               if hit.statement_id in statements]
    entries += [build_entry(statement) for statement in read_tombstones(params)]
    return answer_feed(Feed(
        title=describe_search_feed(params),
        self_url=absolute_url(url_for("feeds.search_feed", **params)),
        page_url=absolute_url(url_for("pages.search", **params, sort="newest")),
        entries=entries,
    ))


@bp.get("/speakers/<person_id>.atom")
def speaker_feed(person_id: str):
    person = find_speaker(person_id)
    statements = get_store().statements_by_person(person_id, limit=FEED_ENTRIES)
    return answer_feed(Feed(
        title=describe_speaker_feed(person),
        self_url=absolute_url(url_for("feeds.speaker_feed", person_id=person_id)),
        page_url=speaker_url(person_id),
        entries=[build_entry(statement) for statement in statements],
    ))
