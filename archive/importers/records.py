"""What every importer produces: candidate statements, per-record problems, and the file-level error.

An importer turns a file into ``Candidate`` records and ``RecordProblem``
reports; it raises only ``ImportFileError``, for a file it cannot read at
all (unknown format, not UTF-8 where the whole file must be, not JSON).
The loader (``archive.importers.loader``) matches candidates against the
archive and stores them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from archive.records import Person, Source, Statement, StatementContent

FORMATS = ("x-archive", "jsonl", "csv", "verbatim", "bundle")
# The ``format`` a source bundle names: a bundle made by hand or by extract, the seed collection.
BUNDLE_FORMATS = ("verbatim-bundle", "verbatim-seed")


class ImportFileError(Exception):
    """A file cannot be imported at all; ``problems`` holds one line per reason."""

    def __init__(self, *problems: str):
        super().__init__("; ".join(problems))
        self.problems = list(problems)


# The most of a rejected record's raw text kept for the rejects file: more than any storable
# statement (200,000 characters of text) with its fields.
MAX_REJECTED_CHARACTERS = 262_144


@dataclass(frozen=True, slots=True)
class RecordProblem:
    """One record that cannot be stored: where it is, why, and its raw text for the rejects
    file — cut to its first ``MAX_REJECTED_CHARACTERS`` (``raw_length`` keeps the whole
    length), so that many huge bad records cannot fill the memory or the disk."""

    location: str
    reason: str
    raw: str = ""
    raw_length: int = -1

    def __post_init__(self) -> None:
        if self.raw_length < 0:
            object.__setattr__(self, "raw_length", len(self.raw))
        if len(self.raw) > MAX_REJECTED_CHARACTERS:
            object.__setattr__(self, "raw", self.raw[:MAX_REJECTED_CHARACTERS])

    @property
    def is_cut(self) -> bool:
        return self.raw_length > len(self.raw)

    def __str__(self) -> str:
        return f"{self.location}: {self.reason}"


@dataclass(frozen=True, slots=True)
class SpeakerRef:
    """Who a record names as speaker, before it is resolved to a stored person.

    ``value`` is a person ID, a handle (``@sama`` or ``sama``) or a name;
    ``person`` is a full record when the file describes the account.
    """

    value: str
    person: Person | None = None


@dataclass(slots=True)
class Candidate:
    """A statement read from a file, not yet matched or stored.

    ``versions`` are its texts in order (more than one when the platform
    records edits); each carries the reason its revision will get.
    ``reply_to`` is the parent's platform ID, linked as ``in_reply_to`` when
    the parent is in the archive or the same file, else kept as
    ``in_reply_to_external`` in the form ``reply_fallback``.
    """

    location: str
    speaker: SpeakerRef
    versions: list[tuple[StatementContent, str]]
    reply_to: str = ""
    reply_fallback: str = ""
    raw: str = ""

    @property
    def content(self) -> StatementContent:
        return self.versions[-1][0]


@dataclass(slots=True)
class ParsedFile:
    """An importer's output: candidates, problems, and the source record for the file."""

    format_name: str
    source: Source | None
    # A list, or an iterator that reads the file as it is consumed (the file's
    # problems and ``records_read`` are complete once it is exhausted).
    candidates: Iterable[Candidate] = field(default_factory=list)
    problems: list[RecordProblem] = field(default_factory=list)
    people: list[Person] = field(default_factory=list)
    sources: list[Source] = field(default_factory=list)
    statements: list[Statement] = field(default_factory=list)
    statement_locations: list[str] = field(default_factory=list)
    records_read: int = 0
    # A Verbatim export's log: its entries in order, and the head its header gives.
    log_entries: list[str] = field(default_factory=list)
    log_head: dict | None = None


def source_for_file(path: Path, format_name: str) -> Source:
    """The source record an import cites: one per file name (with its folder), so
    importing the same file again cites the same source."""
    path = path.resolve()
    label = f"{path.parent.name}-{path.name}" if path.parent.name else path.name
    slug = re.sub(r"[^a-z0-9_.-]+", "-", label.lower()).strip("-._")
    source_id = ("import-" + slug)[:64].rstrip("-._")
    return Source(
        source_id=source_id, title=f"{path.parent.name}/{path.name}".lstrip("/"),
        retrieved_at=datetime.now(UTC).date().isoformat(),
        description=f"Imported from the file {path.name} ({format_name}).",
    ).validate()
