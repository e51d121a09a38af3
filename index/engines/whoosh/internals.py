"""Every use of whoosh-reloaded's private parts, in one place: the segment ID of a reader,
posting blocks read whole, a posting list searched by bisection, column files read in one
piece, and one fix to the library.

whoosh-reloaded 2.7.5 is frozen, so these are patched or read here rather than upstream.
Each reader checks that the attributes it uses exist and otherwise answers ``None`` (the
caller then takes Whoosh's public, slower path); ``tests/test_whoosh_internals.py`` pins the
version these were written for.
"""

from __future__ import annotations

import sys
from array import array
from bisect import bisect_left
from collections.abc import Iterator

from whoosh.codec import whoosh3
from whoosh.reading import IndexReader

WHOOSH_VERSION = "2.7.5"  # the whoosh-reloaded release these internals were read from

_BLOCK_PARTS = ("_read_ids", "_read_weights", "_next_block", "_atend")
_SEEK_PARTS = ("_read_ids", "_skip_to_block", "block_max_id")
_REF_COLUMN_PARTS = ("_dbfile", "_basepos", "_doccount", "_typecode", "_itemsize", "_uniques")
_VAR_COLUMN_PARTS = ("_dbfile", "_basepos", "_offsets", "_lengths")
_BYTE_COLUMN_PARTS = ("_dbfile", "_basepos", "_count", "_fixedlen")


def segment_id(reader: IndexReader) -> str:
    """The ID of the segment a leaf reader reads (stable for the segment's life); a reader
    without one is named by its identity."""
    segment = getattr(reader, "_segment", None)
    return segment.segment_id() if segment is not None else f"reader-{id(reader)}"


def deleted_docs(reader: IndexReader) -> set[int] | frozenset:
    """The deleted document numbers of a leaf reader's segment (its cached set; empty when
    the reader keeps none)."""
    return getattr(reader, "deleted_docs_set", None) or frozenset()


def posting_blocks(matcher) -> Iterator[tuple[list[int], list[float]]] | None:
    """A term matcher's documents and weights a whole block at a time (W3LeafMatcher), or
    None when the matcher cannot be read so."""
    if not all(hasattr(matcher, name) for name in _BLOCK_PARTS):
        return None
    return _blocks(matcher)


def _blocks(matcher) -> Iterator[tuple[list[int], list[float]]]:
    while matcher.is_active():
        if matcher._ids is None:
            matcher._read_ids()
        if matcher._weights is None:
            matcher._read_weights()
        yield (matcher._ids[matcher._i:matcher._blocklength],
               matcher._weights[matcher._i:matcher._blocklength])
        matcher._i = matcher._blocklength
        matcher._next_block()


def can_seek(matcher) -> bool:
    """Whether ``seek`` works on this matcher."""
    return all(hasattr(matcher, name) for name in _SEEK_PARTS)


def seek(matcher, docnum: int) -> bool:
    """Move an active matcher forward to ``docnum`` (at least its current document) and
    say whether it holds it. Whoosh's own ``skip_to`` steps through a block posting by
    posting; this finds the document in the block's ID array by bisection."""
    if docnum > matcher.block_max_id():
        matcher._skip_to_block(lambda: docnum > matcher.block_max_id())
        if not matcher.is_active():
            return False
    if matcher._ids is None:
        matcher._read_ids()
    where = bisect_left(matcher._ids, docnum, matcher._i, matcher._blocklength)
    matcher._i = where  # docnum <= the block's last ID, so where is inside the block
    return matcher._ids[where] == docnum


def reference_codes(column) -> tuple[array, list[bytes]] | None:
    """A RefBytesColumn's code of every document and the value of each code, read in one
    piece (the references are one array of big-endian integers), or None."""
    if not all(hasattr(column, part) for part in _REF_COLUMN_PARTS):
        return None
    raw = column._dbfile.get(column._basepos, column._doccount * column._itemsize)
    codes = array(column._typecode, raw)
    if column._itemsize > 1 and sys.byteorder == "little":
        codes.byteswap()
    return codes, list(column._uniques)


def variable_values(column) -> list[bytes] | None:
    """Every value of a variable-length bytes column, read in one piece and cut at the
    column's own offsets (its reader reads one value per file access), or None."""
    if not all(hasattr(column, part) for part in _VAR_COLUMN_PARTS):
        return None
    offsets, lengths = column._offsets, column._lengths
    if not len(lengths):
        return None
    data = column._dbfile.get(column._basepos, offsets[-1] + lengths[-1])
    return [data[offset:offset + length] for offset, length in zip(offsets, lengths, strict=True)]


def single_byte_values(column) -> bytes | None:
    """A one-byte fixed-length column's values, read in one piece, or None."""
    if not all(hasattr(column, part) for part in _BYTE_COLUMN_PARTS) or column._fixedlen != 1:
        return None
    return column._dbfile.get(column._basepos, column._count) if column._count else b""


def cached_column_reader(reader: IndexReader, field_name: str, column_type):
    """The segment's own cached reader of a column, or None when the field has no column or
    the reader keeps no such cache."""
    perdoc = getattr(reader, "_perdoc", None)
    if perdoc is None or not hasattr(perdoc, "_cached_reader"):
        return None
    return perdoc._cached_reader(field_name, column_type)


def _cached_reader(self, fieldname, column):
    try:
        return self._readers[fieldname]
    except KeyError:
        reader = self.column_reader(fieldname, column) if self.has_column(fieldname) else None
        self._readers[fieldname] = reader
        return reader


def install_fixes() -> None:
    """A segment's per-document reader remembers that a field has no length column.

    Whoosh asks for a field length once per posting when it writes a segment. For fields
    without lengths (the ID fields) its reader checks the file system every time, a ``stat``
    per posting; the answer cannot change for a written segment, so it is looked up once.
    Idempotent; call it before opening a writer (worker processes forked afterwards inherit
    it)."""
    whoosh3.W3PerDocReader._cached_reader = _cached_reader
