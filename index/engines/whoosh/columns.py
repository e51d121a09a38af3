"""Per-segment columns, read once and cached in compact form: facet counts and date sorting
without touching each hit's stored fields.

Whoosh segments never change once written (deletions are kept apart), so what is read from
a segment's columns can be cached for the life of the process under the segment's ID. A
facet column is kept as one small integer per document plus the list of its distinct values;
date order as each document's place in that order (four bytes a document). The statement
IDs and dates themselves are not kept: they are read from the segment for the few documents
a page shows.
"""

from __future__ import annotations

from array import array
from collections import Counter

from whoosh.codec.whoosh3 import LENGTHS_COLUMN, _lenfield
from whoosh.reading import IndexReader

from index.cache import BoundedCache
from index.engines.whoosh.internals import (
    cached_column_reader,
    reference_codes,
    segment_id,
    single_byte_values,
    variable_values,
)

FACET_COLUMNS = ("speaker", "year", "lang", "platform", "kind", "deleted")
UNKNOWN_LAST = b"~"  # sorts after every date
DATE_ORDERS = ("newest", "oldest")

MAX_CACHED = 256
_CACHE: BoundedCache = BoundedCache(MAX_CACHED)


def _cached(reader: IndexReader, name: str, build):
    return _CACHE.fetch((segment_id(reader), name), build)


def facet_codes(reader: IndexReader, name: str) -> tuple[array, list[bytes]]:
    """A facet column of one segment: each document's code, and the value of each code."""
    return _cached(reader, name, lambda: _read_codes(reader, name))


def _read_codes(reader: IndexReader, name: str) -> tuple[array, list[bytes]]:
    column = reader.column_reader(name, translate=False)
    whole = reference_codes(column)
    if whole is not None:
        return whole
    values: list[bytes] = []
    numbers: dict[bytes, int] = {}
    codes = array("I")
    for value in column:
        code = numbers.get(value)
        if code is None:
            code = numbers[value] = len(values)
            values.append(value)
        codes.append(code)
    return codes, values


def date_ranks(reader: IndexReader, order: str) -> array:
    """Each document's place in the segment in ``order`` ("newest": latest date first;
    "oldest": earliest first, undated last), ties by statement ID."""
    return _cached(reader, order, lambda: _read_ranks(reader, order))


def _read_ranks(reader: IndexReader, order: str) -> array:
    keys = [date_key(date, statement_id, order) for date, statement_id in zip(
        _all_values(reader.column_reader("date_key", translate=False)),
        _all_values(statement_id_column(reader)), strict=True)]
    docnums = sorted(range(len(keys)), key=keys.__getitem__, reverse=order == "newest")
    ranks = array("I", bytes(4 * len(keys)))
    for place, docnum in enumerate(docnums):
        ranks[docnum] = place
    return ranks


def date_key(date: bytes, statement_id: bytes, order: str) -> bytes:
    """The key that sorts documents of any segment in ``order`` (descending for "newest")."""
    if order == "oldest":
        date = date or UNKNOWN_LAST
    return date + b" " + statement_id


def date_keys(reader: IndexReader, docnums: list[int], order: str) -> list[bytes]:
    """``date_key`` of each of ``docnums``, to merge segments' orders. Many documents are read
    from the two columns in one piece each (a file access per value took a second for 10,000
    documents of 9 segments); a few, one by one."""
    dates = reader.column_reader("date_key", translate=False)
    ids = statement_id_column(reader)
    if len(docnums) * 16 > reader.doc_count_all():
        dates, ids = _all_values(dates), _all_values(ids)
    return [date_key(dates[docnum], ids[docnum], order) for docnum in docnums]


def count_facets(segments: list[tuple[IndexReader, list[int]]]) -> dict[str, Counter]:
    """Value counts per facet column over the matching documents of each segment."""
    counts = {name: Counter() for name in FACET_COLUMNS}
    for reader, docnums in segments:
        if not docnums:
            continue
        for name in FACET_COLUMNS:
            codes, values = facet_codes(reader, name)
            for code, count in Counter(map(codes.__getitem__, docnums)).items():
                counts[name][values[code]] += count
    return counts


def statement_id_column(reader: IndexReader):
    """The segment's statement ID column, kept with the reader: opening it reads two arrays
    as long as the segment (a few milliseconds at a million statements), and a pooled reader
    serves one search at a time."""
    column = cached_column_reader(reader, "statement_id", reader.schema["statement_id"].column_type)
    return column if column is not None else reader.column_reader("statement_id", translate=False)


def _all_values(column) -> list[bytes]:
    """Every value of a variable-length bytes column. whoosh-reloaded 2.7.5's reader (a frozen
    library) reads one value per file access; its values lie side by side, so they are read
    in one piece and cut at the column's own offsets."""
    values = variable_values(column)
    return values if values is not None else list(column)


def length_bytes(reader: IndexReader, field_name: str) -> bytes:
    """The segment's encoded length of the field in every document, one byte each (cached)."""
    return _cached(reader, f"length:{field_name}", lambda: _read_lengths(reader, field_name))


def _read_lengths(reader: IndexReader, field_name: str) -> bytes:
    doccount = reader.doc_count_all()
    # whoosh-reloaded keeps a field's lengths in a one-byte column
    column = cached_column_reader(reader, _lenfield(field_name), LENGTHS_COLUMN)
    if column is None:
        return bytes(doccount)
    data = single_byte_values(column)
    return data + bytes(doccount - len(data)) if data is not None else bytes(column)
