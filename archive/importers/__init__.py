"""Importers: one module per input format, each turning a file into records plus a report.

``import_file`` is the one entry point: it detects (or is told) the format,
lets that format's module read the file, and hands the result to the loader,
which stores it in one transaction. A source bundle (``archive.importers.bundle``) is read
and stored whole by its own module. A file that cannot be read at all raises
``ImportFileError``; bad records are reported, never raised.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

from archive.importers.bundle import load_bundle, read_bundle
from archive.importers.files import check_readable_path, detect_format
from archive.importers.jsonl import parse_jsonl
from archive.importers.loader import ImportReport, load_parsed
from archive.importers.mapping import ImportOptions, MappingError
from archive.importers.records import FORMATS, ImportFileError, ParsedFile, RecordProblem
from archive.importers.table import parse_csv
from archive.importers.verbatim import load_verbatim, parse_verbatim
from archive.importers.x_archive import parse_x_archive
from archive.store import ArchiveStore

__all__ = ["FORMATS", "ImportFileError", "ImportOptions", "ImportReport", "MappingError",
           "RecordProblem", "import_file", "read_file"]

Progress = Callable[[int, float], None]

_PARSERS: dict[str, Callable[[Path, ImportOptions, Progress | None], ParsedFile]] = {
    "x-archive": parse_x_archive,
    "jsonl": parse_jsonl,
    "csv": parse_csv,
    "verbatim": parse_verbatim,
}


def _detect(path: Path) -> str:
    check_readable_path(path)
    return detect_format(path)


def read_file(path: Path, options: ImportOptions, progress: Progress | None = None, *,
              stream: bool = False) -> ParsedFile:
    """Parse ``path`` in the given or detected format, without touching any store.

    Raises ImportFileError (file unreadable or of unknown format) or
    MappingError (bad options); every other problem is in the result. With
    ``stream``, JSONL and CSV records are read as the candidates are consumed
    (and a file error may come from that reading); else they are all read here.
    """
    options.check()
    check_readable_path(path)
    format_name = options.format_name or detect_format(path)
    if format_name == "bundle":
        raise ImportFileError(f"{path.name}: a source bundle is stored whole (import_file),"
                              " not read record by record")
    if format_name not in _PARSERS:
        raise ImportFileError(f"unknown format {format_name!r}; formats are {', '.join(FORMATS)}")
    if not path.exists():
        raise ImportFileError(f"{path}: no such file or folder")
    if format_name in ("x-archive", "verbatim", "bundle") and (options.mapping or options.constants):
        raise MappingError(f"--map and --set apply to jsonl and csv files, not to {format_name}")
    if path.is_dir() and format_name != "x-archive":
        raise ImportFileError(f"{path}: a folder can only be imported as an X archive")
    try:
        parsed = _PARSERS[format_name](path, options, progress)
        if not stream:
            parsed.candidates = list(parsed.candidates)
        return parsed
    except MemoryError:
        raise ImportFileError(f"{path.name}: too large to read into memory") from None


def import_file(store: ArchiveStore, path: Path, options: ImportOptions,
                progress: Progress | None = None) -> ImportReport:
    """Import ``path`` into ``store``: all of it in one transaction, or nothing when
    any record is bad (unless ``options.skip_invalid``). The report says what happened.
    JSONL and CSV files are read while they are stored, a chunk at a time."""
    started = time.monotonic()
    if (options.format_name or _detect(path)) == "bundle":
        if options.mapping or options.constants:
            raise MappingError("--map and --set apply to jsonl and csv files, not to bundle")
        report = load_bundle(store, read_bundle(path), path.name,
                             skip_invalid=options.skip_invalid)
        report.seconds = time.monotonic() - started
        return report
    parsed = read_file(path, options, progress, stream=True)
    load = load_verbatim if parsed.format_name == "verbatim" else load_parsed
    report = load(store, parsed, options, path.name)
    report.seconds = time.monotonic() - started
    return report
