"""JSON Lines with a field mapping: one JSON object per line, each a statement."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path

from archive.dates import InvalidDateError
from archive.importers.files import MAX_LINE_BYTES, LineReader, decode_line
from archive.importers.mapping import ImportOptions, RowReader
from archive.importers.records import Candidate, ImportFileError, ParsedFile, RecordProblem, source_for_file
from archive.records import InvalidRecordError


def parse_jsonl(path: Path, options: ImportOptions,
                progress: Callable[[int, float], None] | None = None) -> ParsedFile:
    """Read every line; a bad line is a RecordProblem naming the line, never an exception.
    The candidates are read as they are consumed; ImportFileError, only for a file that
    cannot be read (damaged gzip) or holds no records, comes from that reading."""
    source = source_for_file(path, "jsonl")
    parsed = ParsedFile("jsonl", source)
    parsed.candidates = _candidates(path, options, progress, parsed)
    return parsed


def _candidates(path: Path, options: ImportOptions, progress: Callable[[int, float], None] | None,
                parsed: ParsedFile) -> Iterator[Candidate]:
    reader = RowReader(options, None, parsed.source.source_id)
    lines = LineReader(path)
    found = 0
    for number, raw in lines:
        location = f"line {number}"
        if raw is None:
            parsed.problems.append(RecordProblem(
                location, f"longer than {MAX_LINE_BYTES // 2**20} MiB; skipped unread"))
            parsed.records_read += 1
            continue
        if not raw.strip():
            continue
        parsed.records_read += 1
        if progress and parsed.records_read % 1000 == 0:
            progress(parsed.records_read, lines.fraction)
        try:
            text = decode_line(raw, number)
        except ValueError as error:
            parsed.problems.append(RecordProblem(location, str(error)))
            continue
        try:
            row = json.loads(text)
        except RecursionError:
            parsed.problems.append(RecordProblem(location, "JSON nested too deeply", text))
            continue
        except ValueError as error:
            parsed.problems.append(RecordProblem(location, f"not JSON ({error})", text))
            continue
        if not isinstance(row, dict):
            parsed.problems.append(RecordProblem(
                location, f"expected a JSON object, found {type(row).__name__}", text))
            continue
        try:
            candidate = reader.read(row, location, text)
        except (InvalidRecordError, InvalidDateError) as error:
            parsed.problems.append(RecordProblem(location, str(error), text))
            continue
        found += 1
        yield candidate
    if parsed.records_read == 0:
        raise ImportFileError(f"{path.name}: the file holds no records")
    unused = reader.unused_mappings()
    if unused and found:
        parsed.problems.append(RecordProblem(
            "all lines", f"no record has the key {', '.join(unused)}; check the --map options"))
