"""One fix to whoosh-reloaded 2.7.5 (frozen, so patched here rather than upstream): a
segment's per-document reader remembers that a field has no length column.

Whoosh asks for a field length once per posting when it writes a segment. For fields
without lengths (the ID fields) the reader checked the file system every time, a
``stat`` per posting and about a fifth of the indexing time; the answer cannot change
for a written segment, so it is now looked up once.
"""

from __future__ import annotations

from whoosh.codec import whoosh3


def _cached_reader(self, fieldname, column):
    try:
        return self._readers[fieldname]
    except KeyError:
        reader = self.column_reader(fieldname, column) if self.has_column(fieldname) else None
        self._readers[fieldname] = reader
        return reader


def install() -> None:
    """Apply the fix (idempotent; worker processes forked afterwards inherit it)."""
    whoosh3.W3PerDocReader._cached_reader = _cached_reader
