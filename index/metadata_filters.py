"""Whether a statement's metadata passes a search filter — speaker, language, platform, kind,
kind of mark, ID, dates — read as the search reads them (``index.query_builder``), without an
index: for the tombstones a search feed lists and for the in-memory engine."""

from __future__ import annotations

import re
from collections.abc import Callable

from archive.citation_ids import InvalidCitationIdError, normalise_citation_id
from archive.records import Statement
from archive.vocabulary import LANGUAGE_ALIASES, PLATFORM_ALIASES
from index.date_filters import (
    DateFilterError,
    DateSpan,
    read_date_span,
    span_between,
    span_from,
    span_terms,
    span_to,
)
from index.query_language import Filter
from index.speakers import SpeakerDirectory

# The marks a statement may carry, each searched as ``is:NAME`` (``is:deleted``).
MARKS = ("deleted", "truncated")


def language_of(tag: str) -> str:
    """The primary language subtag, lower case: ``de-CH`` -> ``de``; empty when unknown."""
    return tag.split("-")[0].lower() if tag else ""


def date_terms(statement: Statement) -> dict[str, str]:
    """year / month / day terms in the statement's own time zone, to its precision (the terms
    a date filter's span is made of: ``index.date_filters.span_terms``)."""
    posted = statement.content.posted_at
    terms = {}
    if posted.precision != "unknown":
        terms["year"] = posted.value[:4]
        if posted.precision != "year":
            terms["month"] = posted.value[:7]
        if posted.precision not in ("year", "month"):
            terms["day"] = posted.value[:10]
    return terms


def _span(item: Filter) -> DateSpan:
    """The days a date filter stands for; DateFilterError."""
    if item.name == "range":
        return span_between(item.value, item.end)
    if item.name == "from":
        return span_from(item.value)
    if item.name == "to":
        return span_to(item.value)
    return read_date_span(item.value)


def _in_span(statement: Statement, span: DateSpan) -> bool:
    terms = set(date_terms(statement).items())
    if not terms:
        return False  # an undated statement is in no date range
    return bool(terms & set(span_terms(span, [int(statement.content.posted_at.value[:4])])))


def filter_check(item: Filter, speakers: SpeakerDirectory) -> Callable[[Statement], bool]:
    """The test a filter makes of a statement, with the filter read once (its speakers
    resolved, its dates parsed) for every statement it is asked about."""
    name, value = item.name, item.value
    if name == "speaker":
        people = speakers.resolve(value) or speakers.resolve_near(value)
        return lambda statement: statement.speaker.person_id in people
    if name == "lang":
        code = LANGUAGE_ALIASES.get(value.lower(), language_of(value))
        return lambda statement: language_of(statement.content.lang) == code
    if name == "platform":
        platforms = PLATFORM_ALIASES.get(value.lower(), (value.lower(),))
        return lambda statement: statement.content.platform.lower() in platforms
    if name == "kind":
        kind = value.lower()
        return lambda statement: statement.content.kind == kind
    if name in ("date", "from", "to", "range"):
        try:
            span = _span(item)
        except DateFilterError:
            return lambda statement: False
        return lambda statement: _in_span(statement, span)
    if name == "is":
        marks = {"deleted": lambda statement: statement.content.deleted_on_platform is not None,
                 "truncated": lambda statement: statement.content.text_truncated}
        return marks.get(value.lower(), lambda statement: True)
    if name == "id":
        try:
            wanted = normalise_citation_id(re.split(r"[@/]", value)[0])
        except InvalidCitationIdError:
            return lambda statement: False
        return lambda statement: statement.statement_id == wanted
    return lambda statement: True
