"""Whether a statement's metadata passes a search filter — speaker, language, platform, kind,
kind of mark, ID, dates — read as the search reads them (``index.query_builder``), without an
index: for the tombstones a search feed lists and for the in-memory engine."""

from __future__ import annotations

import re

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
    if item.name == "range":
        return span_between(item.value, item.end)
    return span_from(item.value) if item.name == "from" else span_to(item.value)


def passes(item: Filter, statement: Statement, speakers: SpeakerDirectory) -> bool:
    content = statement.content
    if item.name == "speaker":
        people = speakers.resolve(item.value) or speakers.resolve_near(item.value)
        return statement.speaker.person_id in people
    if item.name == "lang":
        code = LANGUAGE_ALIASES.get(item.value.lower(), language_of(item.value))
        return language_of(content.lang) == code
    if item.name == "platform":
        return content.platform.lower() in PLATFORM_ALIASES.get(item.value.lower(), (item.value.lower(),))
    if item.name == "kind":
        return content.kind == item.value.lower()
    if item.name in ("from", "to", "range"):
        terms = set(date_terms(statement).items())
        if not terms:
            return False
        try:
            year = int(statement.content.posted_at.value[:4])
            return bool(terms & set(span_terms(_span(item), [year])))
        except DateFilterError:
            return False
    if item.name == "date":
        terms = set(date_terms(statement).items())
        try:
            year = int(statement.content.posted_at.value[:4]) if terms else 0
            return bool(terms & set(span_terms(read_date_span(item.value), [year])))
        except DateFilterError:
            return False
    if item.name == "is":
        marks = {"deleted": content.deleted_on_platform is not None, "truncated": content.text_truncated}
        return marks.get(item.value.lower(), True)
    if item.name == "id":
        try:
            return statement.statement_id == normalise_citation_id(re.split(r"[@/]", item.value)[0])
        except InvalidCitationIdError:
            return False
    return True


