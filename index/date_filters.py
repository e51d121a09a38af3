"""Date filters: read what a person types (``2024``, ``2024-08``, ``Aug 2024``, ``5.8.2024``,
``[2024-08-01 TO 2024-08-31]``) and turn a span of days into year, month and day terms.

Statements are indexed with one year, month and day term each, to their own precision, so
a span becomes a short OR of terms: whole years as year terms, whole months as month terms,
the rest as days. A statement whose date is known only to the year therefore matches a
filter that covers that whole year, and not one for a single month of it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from archive.dates import InvalidDateError, parse_posted_at

_GERMAN_DAY = re.compile(r"^\s*(\d{1,2})\.\s*(\d{1,2})\.\s*(\d{4})\s*$")
_SLASH_MONTH = re.compile(r"^\s*(\d{4})/(\d{1,2})\s*$")
_FULL_DATE = re.compile(r"^\s*(\d{4})-(\d{1,2})-(\d{1,2})\s*$")
FIRST_DATE = date(1, 1, 1)
LAST_DATE = date(9999, 12, 31)


class DateFilterError(ValueError):
    """A date filter value cannot be read; the message names it."""


@dataclass(frozen=True)
class DateSpan:
    """The days from ``first`` to ``last``, both included."""

    first: date
    last: date

    def intersect(self, other: DateSpan) -> DateSpan | None:
        first, last = max(self.first, other.first), min(self.last, other.last)
        return DateSpan(first, last) if first <= last else None


def _month_end(day: date) -> date:
    if day.month == 12:
        return date(day.year, 12, 31)
    return date(day.year, day.month + 1, 1) - timedelta(days=1)


def read_date_span(text: str) -> DateSpan:
    """The span a typed date stands for: a year, a month or a day. Raises DateFilterError."""
    text = text.strip()
    if not text:
        raise DateFilterError("an empty date")
    if len(text) > 60:
        raise DateFilterError(f"{text[:40]!r}… is too long to be a date")
    try:
        if match := _FULL_DATE.match(text):
            day = date(int(match[1]), int(match[2]), int(match[3]))
            return DateSpan(day, day)
        if match := _GERMAN_DAY.match(text):
            day = date(int(match[3]), int(match[2]), int(match[1]))
            return DateSpan(day, day)
        if match := _SLASH_MONTH.match(text):
            text = f"{match[1]}-{match[2]}"
        posted = parse_posted_at(text)
    except (InvalidDateError, ValueError, OverflowError) as error:
        raise DateFilterError(f"{text[:40]!r} is not a date I can read") from error
    if posted.precision == "unknown":
        raise DateFilterError(f"{text[:40]!r} is not a date I can read")
    year = int(posted.value[:4])
    if posted.precision == "year":
        return DateSpan(date(year, 1, 1), date(year, 12, 31))
    month = int(posted.value[5:7])
    if posted.precision == "month":
        first = date(year, month, 1)
        return DateSpan(first, _month_end(first))
    day = date.fromisoformat(posted.value[:10])
    return DateSpan(day, day)


def span_from(text: str) -> DateSpan:
    """``from:`` — from the start of the typed period on."""
    return DateSpan(read_date_span(text).first, LAST_DATE)


def span_to(text: str) -> DateSpan:
    """``to:`` — up to the end of the typed period."""
    return DateSpan(FIRST_DATE, read_date_span(text).last)


def span_between(start: str, end: str) -> DateSpan:
    """``[start TO end]``; either end may be ``*`` (open)."""
    first = FIRST_DATE if start.strip() in ("", "*") else read_date_span(start).first
    last = LAST_DATE if end.strip() in ("", "*") else read_date_span(end).last
    if first > last:
        raise DateFilterError(f"the range {start.strip()[:20]} TO {end.strip()[:20]} ends before it starts")
    return DateSpan(first, last)


def span_terms(span: DateSpan, years: list[int]) -> list[tuple[str, str]]:
    """(field, term) pairs that together cover exactly the days of the span, clipped to the
    years that occur in the index (``years``, sorted)."""
    if not years:
        return []
    clipped = span.intersect(DateSpan(date(years[0], 1, 1), date(years[-1], 12, 31)))
    if clipped is None:
        return []
    terms: list[tuple[str, str]] = []
    cursor, last = clipped.first, clipped.last
    present = set(years)
    while True:
        if cursor.month == 1 and cursor.day == 1 and date(cursor.year, 12, 31) <= last:
            field, value, end = "year", f"{cursor.year:04d}", date(cursor.year, 12, 31)
        elif cursor.day == 1 and _month_end(cursor) <= last:
            field, value, end = "month", f"{cursor.year:04d}-{cursor.month:02d}", _month_end(cursor)
        else:
            field, value, end = "day", cursor.isoformat(), cursor
        if cursor.year in present:
            terms.append((field, value))
        if end >= last:
            return terms
        cursor = end + timedelta(days=1)
