"""Dates keep the precision the source gives, and no more."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from archive.dates import InvalidDateError, PostedAt, parse_posted_at


@pytest.mark.parametrize("text, value, precision", [
    ("2015", "2015", "year"),
    ("in 2015", "2015", "year"),
    ("Aug 2024", "2024-08", "month"),
    ("2024-08", "2024-08", "month"),
    ("August 2024", "2024-08", "month"),
    ("5 August 2024", "2024-08-05", "day"),
    ("2024-08-05", "2024-08-05", "day"),
    ("Sat Feb 18 19:45:15 +0000 2023", "2023-02-18T19:45:15+00:00", "second"),
    ("2009-12-23T17:38:18Z", "2009-12-23T17:38:18+00:00", "second"),
    ("2024-08-06 00:12", "2024-08-06T00:12+00:00", "minute"),
])
def test_precision_is_detected(text, value, precision):
    parsed = parse_posted_at(text)
    assert (parsed.value, parsed.precision) == (value, precision)


def test_unknown_date_is_empty():
    assert parse_posted_at("") == PostedAt()
    assert PostedAt().describe() == "date unknown"
    assert PostedAt().bounds() is None


@pytest.mark.parametrize("text", ["2023-13-45", "yesterday-ish", "x" * 200, "March"])
def test_unreadable_dates_raise(text):
    with pytest.raises(InvalidDateError):
        parse_posted_at(text)


def test_day_in_a_time_zone_covers_that_local_day():
    day = PostedAt("2024-08-05", "day", "America/Los_Angeles")
    start, end = day.bounds()
    assert start == datetime(2024, 8, 5, 7, tzinfo=UTC)
    assert end == datetime(2024, 8, 6, 7, tzinfo=UTC)
    assert day.describe() == "5 August 2024 (America/Los_Angeles)"


def test_naive_timestamp_takes_the_default_zone():
    parsed = parse_posted_at("2024-08-05 18:30", default_timezone="America/Los_Angeles")
    assert parsed.bounds()[0] == datetime(2024, 8, 6, 1, 30, tzinfo=UTC)


def test_bad_values_are_refused():
    with pytest.raises(InvalidDateError):
        PostedAt("2024-02-30", "day")
    with pytest.raises(InvalidDateError):
        PostedAt("2024", "day")
    with pytest.raises(InvalidDateError):
        PostedAt("2024", "year", "Mars/Olympus")
