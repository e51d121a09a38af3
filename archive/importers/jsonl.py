"""JSON Lines with a field mapping: one JSON object per line, each a statement."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from archive.dates import InvalidDateError
from archive.importers.files import MAX_LINE_BYTES, LineReader, decode_line
from archive.importers.mapping import ImportOptions, RowReader
from archive.importers.records import ImportFileError, ParsedFile, RecordProblem, source_for_file
from archive.records import InvalidRecordError


def parse_jsonl(path: Path, options: ImportOptions,
                progress: Callable[[int, float], None] | None = None) -> ParsedFile:
    """Read every line; a bad line is a RecordProblem naming the line, never an exception.
    Raises ImportFileError only for a file that cannot be read (damaged gzip)."""
    source = source_for_file(path, "jsonl")
    parsed = ParsedFile("jsonl", source)
    reader = RowReader(options, None, source.source_id)
    lines = LineReader(path)
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
            parsed.candidates.append(reader.read(row, location, text))
        except (InvalidRecordError, InvalidDateError) as error:
            parsed.problems.append(RecordProblem(location, str(error), text))
    if parsed.records_read == 0:
        raise ImportFileError(f"{path.name}: the file holds no records")
    unused = reader.unused_mappings()
    if unused and parsed.candidates:
        parsed.problems.append(RecordProblem(
            "all lines", f"no record has the key {', '.join(unused)}; check the --map options"))
    return parsed
