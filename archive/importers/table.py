"""CSV (and tab-separated) files with a header row and a field mapping, one statement per row."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterator
from pathlib import Path

from archive.dates import InvalidDateError
from archive.importers.files import MAX_LINE_BYTES, LineReader, decode_line
from archive.importers.mapping import ImportOptions, RowReader
from archive.importers.records import Candidate, ImportFileError, ParsedFile, RecordProblem, source_for_file
from archive.records import MAX_TEXT_LENGTH, InvalidRecordError

# The csv module's default cell limit (131,072) is below the longest text a statement may have.
if csv.field_size_limit() < 4 * MAX_TEXT_LENGTH:
    csv.field_size_limit(4 * MAX_TEXT_LENGTH)


class _LineFeed:
    """Decoded lines for csv.reader, remembering the physical line number;
    a line that is too long or not UTF-8 stops the file (a CSV row cannot be
    resynchronised reliably after it)."""

    def __init__(self, path: Path):
        self.path = path
        self.line = 0
        self.reader = LineReader(path, keep_ends=True)
        self._lines = iter(self.reader)

    def __iter__(self) -> Iterator[str]:
        for number, raw in self._lines:
            self.line = number
            if raw is None:
                raise ImportFileError(
                    f"{self.path.name} line {number}: longer than {MAX_LINE_BYTES // 2**20} MiB")
            try:
                yield decode_line(raw, number)  # with its own line break, as csv expects
            except ValueError as error:
                raise ImportFileError(f"{self.path.name} line {number}: {error}") from None


def _dialect(sample: str) -> type[csv.Dialect]:
    """The delimiter as sniffed from the header line; quoting as RFC 4180 says. (From a header
    without quotes the sniffer also guesses that "" is no escaped quote, and skipping the
    spaces after a delimiter would change the words.)"""
    try:
        delimiter = csv.Sniffer().sniff(sample, delimiters=",;\t|").delimiter
    except csv.Error:
        return csv.excel

    class Sniffed(csv.excel):
        pass

    Sniffed.delimiter = delimiter
    return Sniffed


def parse_csv(path: Path, options: ImportOptions,
              progress: Callable[[int, float], None] | None = None) -> ParsedFile:
    """Read a CSV with a header row. A missing mapped column is a file error;
    a bad row is a RecordProblem naming its line."""
    source = source_for_file(path, "csv")
    parsed = ParsedFile("csv", source)
    feed = _LineFeed(path)
    lines = iter(feed)
    first = next(lines, None)
    while first is not None and not first.strip():
        first = next(lines, None)
    if first is None:
        raise ImportFileError(f"{path.name}: the file holds no records")
    dialect = _dialect(first)
    try:
        header = next(csv.reader(io.StringIO(first), dialect))
    except (csv.Error, StopIteration) as error:
        raise ImportFileError(f"{path.name} line {feed.line}: cannot read the header row ({error})") from None
    header = [name.strip() for name in header]
    columns = set(header)
    missing = [f"{column!r} (mapped to {name})" for name, column in options.mapping.items()
               if column not in columns]
    if missing:
        raise ImportFileError(
            f"{path.name}: no column {', '.join(missing)}; the columns are {', '.join(header)}")
    parsed.candidates = _candidates(path, RowReader(options, columns, source.source_id),
                                    csv.reader(lines, dialect), header, feed, progress, parsed)
    return parsed


def _candidates(path: Path, reader: RowReader, rows, header: list[str], feed: _LineFeed,
                progress: Callable[[int, float], None] | None, parsed: ParsedFile) -> Iterator[Candidate]:
    """The rows as candidates, read as they are consumed."""
    while True:
        start = feed.line + 1
        try:
            cells = next(rows)
        except StopIteration:
            break
        except csv.Error as error:
            raise ImportFileError(f"{path.name} line {feed.line}: not valid CSV ({error})") from None
        if not cells or not any(cell.strip() for cell in cells):
            continue
        parsed.records_read += 1
        if progress and parsed.records_read % 1000 == 0:
            progress(parsed.records_read, feed.reader.fraction)
        location = f"line {start}" if start == feed.line else f"lines {start}-{feed.line}"
        buffer = io.StringIO()
        csv.writer(buffer).writerow(cells)
        raw = buffer.getvalue().rstrip("\r\n")
        if len(cells) != len(header):
            parsed.problems.append(RecordProblem(
                location, f"{len(cells)} cells, but the header has {len(header)}", raw))
            continue
        try:
            candidate = reader.read(dict(zip(header, cells, strict=True)), location, raw)
        except (InvalidRecordError, InvalidDateError) as error:
            parsed.problems.append(RecordProblem(location, str(error), raw))
            continue
        yield candidate
    if parsed.records_read == 0:
        raise ImportFileError(f"{path.name}: a header row but no records")
