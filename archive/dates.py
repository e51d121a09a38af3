"""Dates with a precision: a full timestamp, a day, a month, a year, or unknown.

A source often gives less than a timestamp ("in 2015"); the archive keeps
exactly what it was given and never invents the rest. ``PostedAt`` is the
value object; ``parse_posted_at`` reads free-form text with python-dateutil
and detects how precise the text was.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from dateutil import parser as dateutil_parser
from dateutil import tz

PRECISIONS = ("unknown", "year", "month", "day", "minute", "second")


class InvalidDateError(ValueError):
    """A date could not be read; the message names the text at fault."""


def now_utc() -> str:
    """The current time in UTC to the second, as the archive writes times."""
    return datetime.now(UTC).isoformat(timespec="seconds")


@dataclass(frozen=True, slots=True)
class PostedAt:
    """When a statement was made, to the precision the source gives.

    ``value`` is ISO 8601 cut to the precision: ``2015``, ``2024-08``,
    ``2024-08-05``, ``2024-08-06T00:12+00:00``, ``2024-08-06T00:12:45+00:00``;
    empty when unknown. ``timezone`` is an IANA name or a UTC offset, the
    zone in which the day, month or year is meant.
    """

    value: str = ""
    precision: str = "unknown"
    timezone: str = ""

    def __post_init__(self) -> None:
        if self.precision not in PRECISIONS:
            raise InvalidDateError(f"unknown date precision {self.precision!r}")
        if (self.precision == "unknown") != (self.value == ""):
            raise InvalidDateError("a date value needs a precision, and a precision a value")
        if self.value:
            self.bounds()  # validates value against precision

    @property
    def year(self) -> int | None:
        return int(self.value[:4]) if self.value else None

    @property
    def month(self) -> int | None:
        return int(self.value[5:7]) if self.precision not in ("unknown", "year") else None

    def _zone(self):
        if not self.timezone:
            return UTC
        zone = tz.gettz(self.timezone)
        if zone is None:
            raise InvalidDateError(f"unknown time zone {self.timezone!r}")
        return zone

    def bounds(self) -> tuple[datetime, datetime] | None:
        """The UTC interval [start, end) the value stands for, or None if unknown."""
        if self.precision == "unknown":
            return None
        try:
            if self.precision in ("minute", "second"):
                moment = datetime.fromisoformat(self.value)
                if moment.tzinfo is None:
                    moment = moment.replace(tzinfo=self._zone())
                step = timedelta(minutes=1) if self.precision == "minute" else timedelta(seconds=1)
                start = moment.astimezone(UTC)
                return start, start + step
            parts = [int(part) for part in self.value.split("-")]
            expected = {"year": 1, "month": 2, "day": 3}[self.precision]
            if len(parts) != expected:
                raise ValueError
            year, month, day = (parts + [1, 1])[:3]
            first = date(year, month, day)
        except ValueError as error:
            raise InvalidDateError(
                f"{self.value!r} is not a valid {self.precision} date"
            ) from error
        if self.precision == "year":
            last = date(year + 1, 1, 1)
        elif self.precision == "month":
            last = date(year + (month == 12), month % 12 + 1, 1)
        else:
            last = first + timedelta(days=1)
        zone = self._zone()
        start = datetime.combine(first, time(), zone).astimezone(UTC)
        end = datetime.combine(last, time(), zone).astimezone(UTC)
        return start, end

    def sort_key(self) -> str:
        """UTC start as ISO text; unknown dates sort first."""
        bounds = self.bounds()
        return bounds[0].isoformat() if bounds else ""

    def describe(self) -> str:
        """Human form in the record's own precision: ``5 August 2024 (America/Los_Angeles)``."""
        if self.precision == "unknown":
            return "date unknown"
        if self.precision == "year":
            text = self.value
        elif self.precision == "month":
            text = datetime.strptime(self.value, "%Y-%m").strftime("%B %Y")
        elif self.precision == "day":
            day = date.fromisoformat(self.value)
            text = f"{day.day} {day.strftime('%B %Y')}"
        else:
            moment = datetime.fromisoformat(self.value)
            fmt = "%H:%M" if self.precision == "minute" else "%H:%M:%S"
            text = f"{moment.day} {moment.strftime('%B %Y')}, {moment.strftime(fmt)}"
            if moment.utcoffset() is not None and not self.timezone:
                offset = moment.strftime("%z")
                text += " UTC" if offset == "+0000" else f" UTC{offset[:3]}:{offset[3:]}"
        if self.timezone:
            text += f" ({self.timezone})"
        return text

    def to_dict(self) -> dict:
        return {"value": self.value, "precision": self.precision, "timezone": self.timezone}


_YEAR = re.compile(r"^\s*(?:in\s+)?(\d{4})\s*$", re.IGNORECASE)
_YEAR_MONTH = re.compile(r"^\s*(\d{4})-(\d{1,2})\s*$")
_SECONDS = re.compile(r"\d:\d{2}:\d{2}")
_MINUTES = re.compile(r"\d{1,2}:\d{2}")


def parse_posted_at(text: str | None, default_timezone: str = "") -> PostedAt:
    """Read a free-form date and keep only the precision it states.

    ``"2015"`` and ``"in 2015"`` give a year, ``"Aug 2024"`` a month,
    ``"5 August 2024"`` a day, ``"Sat Feb 18 19:45:15 +0000 2023"`` a second.
    A timestamp without an offset is taken in ``default_timezone`` (UTC if
    empty). Raises InvalidDateError for text that is not a date.
    """
    if text is None or not str(text).strip():
        return PostedAt()
    text = str(text).strip()
    if len(text) > 100:
        raise InvalidDateError(f"date text too long ({len(text)} characters)")
    if match := _YEAR.match(text):
        return PostedAt(match[1], "year", default_timezone)
    if match := _YEAR_MONTH.match(text):
        return PostedAt(f"{match[1]}-{int(match[2]):02d}", "month", default_timezone)
    # Parse twice with different defaults: a field the text leaves out takes
    # the default, so the fields that differ are the ones the text did not give.
    first_default = datetime(2000, 1, 1)
    second_default = datetime(2001, 2, 2)
    try:
        first = dateutil_parser.parse(text, default=first_default)
        second = dateutil_parser.parse(text, default=second_default)
    except (ValueError, OverflowError) as error:
        raise InvalidDateError(f"cannot read {text!r} as a date") from error
    if first.year != second.year:
        raise InvalidDateError(f"{text!r} gives no year")
    if first.month != second.month:
        return PostedAt(f"{first.year:04d}", "year", default_timezone)
    if first.day != second.day:
        return PostedAt(f"{first.year:04d}-{first.month:02d}", "month", default_timezone)
    if not _MINUTES.search(text):
        return PostedAt(first.date().isoformat(), "day", default_timezone)
    precision = "second" if _SECONDS.search(text) else "minute"
    moment = first
    zone_name = ""
    if moment.tzinfo is None:
        zone = tz.gettz(default_timezone) if default_timezone else UTC
        if zone is None:
            raise InvalidDateError(f"unknown time zone {default_timezone!r}")
        moment = moment.replace(tzinfo=zone)
        zone_name = default_timezone
    spec = "minutes" if precision == "minute" else "seconds"
    return PostedAt(moment.isoformat(timespec=spec), precision, zone_name)
