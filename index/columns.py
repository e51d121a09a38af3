"""Per-segment column values, read once and cached: facet counts and date sorting without
touching each hit's stored fields.

Whoosh segments never change once written (deletions are kept apart), so a segment's
column values can be cached for the life of the process under the segment's ID.
"""

from __future__ import annotations

import threading
from collections import Counter

from whoosh.reading import IndexReader

FACET_COLUMNS = ("speaker", "year", "lang", "platform", "kind")
UNKNOWN_LAST = b"~"  # sorts after every date

_CACHE: dict[tuple[str, str], list] = {}
_GUARD = threading.Lock()
MAX_CACHED = 256


def _segment_key(reader: IndexReader) -> str:
    segment = getattr(reader, "_segment", None)
    if segment is None:
        return f"reader-{id(reader)}"
    return segment.segment_id()


def column_values(reader: IndexReader, name: str) -> list:
    """Every document's value of a column in one segment reader (deleted ones included)."""
    key = (_segment_key(reader), name)
    with _GUARD:
        found = _CACHE.get(key)
    if found is not None:
        return found
    if name in ("newest", "oldest"):
        dates = column_values(reader, "date_key")
        ids = column_values(reader, "statement_id")
        if name == "newest":
            values = [date + b" " + statement_id for date, statement_id in zip(dates, ids, strict=True)]
        else:
            values = [(date or UNKNOWN_LAST) + b" " + statement_id
                      for date, statement_id in zip(dates, ids, strict=True)]
    else:
        column = reader.column_reader(name, translate=False)
        values = list(column)
    with _GUARD:
        if len(_CACHE) > MAX_CACHED:
            _CACHE.clear()
        _CACHE[key] = values
    return values


def count_facets(segments: list[tuple[IndexReader, list[int]]]) -> dict[str, Counter]:
    """Value counts per facet column over the matching documents of each segment."""
    counts = {name: Counter() for name in FACET_COLUMNS}
    for reader, docnums in segments:
        if not docnums:
            continue
        for name in FACET_COLUMNS:
            values = column_values(reader, name)
            counts[name].update(map(values.__getitem__, docnums))
    return counts
