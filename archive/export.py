"""Records out: the whole archive as versioned JSONL, and streaming CSV/JSONL writers for statements.

The archive export holds a header line (format name and version, the log's
head), then every person, every source and every statement with all its
revisions and its tombstone, in ID order, then every entry of the log in its
order, so the same archive always exports to the same bytes.
``archive.importers.verbatim`` reads it back. The statement writers serve
search results: CSV cells that a spreadsheet would run as a formula
are neutralised.
"""

from __future__ import annotations

import csv
import io
import json
import os
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TextIO

from archive.merkle import MerkleTree
from archive.records import Statement
from archive.store import ArchiveStore

EXPORT_FORMAT = "verbatim-export"
EXPORT_VERSION = 2  # 2 adds the log: its head in the header and one "log" record per entry
# A leading one of these makes a spreadsheet treat a cell as a formula.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
CSV_COLUMNS = (
    "statement_id", "revision", "status", "speaker", "person_id", "handles", "kind", "posted_at",
    "date_precision", "timezone", "lang", "original_lang", "platform", "platform_id", "url",
    "venue", "in_reply_to", "in_reply_to_external", "reported_by", "text", "text_sha256",
    "text_truncated", "deleted_on_platform_at",
)


def _line(record: dict) -> str:
    return json.dumps(record, ensure_ascii=False) + "\n"


def statement_record(statement: Statement) -> dict:
    """The export form of a statement: identity, tombstone and every revision in full."""
    return {
        "record": "statement",
        "statement_id": statement.statement_id,
        "status": statement.status,
        "created_at": statement.created_at,
        "withdrawn_reason": statement.withdrawn_reason,
        "withdrawn_at": statement.withdrawn_at,
        "revisions": [
            {"revision": revision.revision, "reason": revision.reason,
             "created_at": revision.created_at, "text_sha256": revision.text_sha256,
             "content": revision.content.to_dict()}
            for revision in statement.revisions
        ],
    }


def export_archive(store: ArchiveStore, handle: TextIO) -> dict[str, int]:
    """Write the whole archive to ``handle`` from one consistent snapshot; returns the counts."""
    with store.read_snapshot():
        return _export(store, handle)


def export_to_file(store: ArchiveStore, path: Path) -> dict[str, int]:
    """Export into ``path`` atomically: a partial file never takes the place of a complete one."""
    path = Path(path)
    partial = path.with_name(f".{path.name}.partial")
    try:
        with open(partial, "w", encoding="utf-8", newline="\n") as handle:
            counts = export_archive(store, handle)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)
    return counts


def _export(store: ArchiveStore, handle: TextIO) -> dict[str, int]:
    people = sorted((person for person, _ in store.list_people()), key=lambda p: p.person_id)
    sources = store.list_sources()
    tree = MerkleTree(leaf for _, _, leaf in store.iter_log())
    counts = {"people": len(people), "sources": len(sources),
              "statements": store.count_statements(include_withdrawn=True), "log": tree.size}
    handle.write(_line({"format": EXPORT_FORMAT, "version": EXPORT_VERSION,
                        "schema_version": store.schema_version, "counts": counts,
                        "log": {"size": tree.size, "root": tree.root().hex()}}))
    for person in people:
        handle.write(_line({"record": "person", **person.to_dict()}))
    for source in sources:
        handle.write(_line({"record": "source", **source.to_dict()}))
    written = 0
    for statement in store.iter_statements(include_withdrawn=True):
        handle.write(_line(statement_record(statement)))
        written += 1
    counts["statements"] = written
    for index, entry, _ in store.iter_log():
        handle.write(_line({"record": "log", "index": index, "entry": entry}))
    return counts


def neutralise_cell(value: str) -> str:
    """A cell a spreadsheet shows as text: one starting with =, +, -, @, tab or CR gets a
    leading apostrophe, so it is never evaluated as a formula."""
    return "'" + value if value.startswith(_FORMULA_START) else value


def statement_row(statement: Statement) -> list[str]:
    content = statement.content
    values = [
        statement.statement_id, str(statement.revision.revision), statement.status,
        statement.speaker.name, content.person_id, " ".join(statement.speaker.handles),
        content.kind, content.posted_at.value, content.posted_at.precision,
        content.posted_at.timezone, content.lang, content.original_lang, content.platform,
        content.platform_id, content.url, content.venue, content.in_reply_to,
        content.in_reply_to_external, content.reported_by, content.text, statement.revision.text_sha256,
        "true" if content.text_truncated else "",
        content.deleted_on_platform.at or "unknown" if content.deleted_on_platform else "",
    ]
    return [neutralise_cell(value) for value in values]


def iter_statements_csv(statements: Iterable[Statement]) -> Iterator[str]:
    """CSV text row by row (header first), for a streamed HTTP response; rows end in CRLF."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_COLUMNS)
    yield buffer.getvalue()
    for statement in statements:
        buffer.seek(0)
        buffer.truncate()
        writer.writerow(statement_row(statement))
        yield buffer.getvalue()


def write_statements_csv(statements: Iterable[Statement], handle: TextIO) -> int:
    """Stream statements as CSV (header row first) into ``handle``; returns the number of
    rows. Open a file for it with ``newline=""``: rows end in CRLF (RFC 4180)."""
    count = -1
    for row in iter_statements_csv(statements):
        handle.write(row)
        count += 1
    return count


def iter_statements_jsonl(statements: Iterable[Statement]) -> Iterator[str]:
    """One JSON line per statement in the API's shape (``Statement.to_dict``)."""
    for statement in statements:
        yield _line(statement.to_dict())


def write_statements_jsonl(statements: Iterable[Statement], handle: TextIO) -> int:
    """Stream statements as JSON Lines, each in the API's shape (``Statement.to_dict``)."""
    count = 0
    for line in iter_statements_jsonl(statements):
        handle.write(line)
        count += 1
    return count
