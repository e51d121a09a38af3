"""Reading import files safely: gzip by magic bytes, lines of bounded length, format detection.

Nothing here trusts the file: a line longer than ``MAX_LINE_BYTES`` is
skipped without being held in memory, bytes that are not UTF-8 are reported
with the line they are on, and a truncated gzip stream is a clear error.
"""

from __future__ import annotations

import gzip
import json
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from archive.importers.records import BUNDLE_FORMATS, FORMATS, ImportFileError

MAX_LINE_BYTES = 4 * 1024 * 1024
MAX_DOCUMENT_BYTES = 1024 * 1024 * 1024
_GZIP_MAGIC = b"\x1f\x8b"
_READ_ERRORS = (OSError, EOFError, zlib.error)
EXPORT_FORMAT_NAME = "verbatim-export"


# The most a file read whole to tell whether it is a source bundle may hold.
MAX_BUNDLE_BYTES = 64 * 1024 * 1024
# The most an account or profile file (read whole) may hold; real ones hold a few kilobytes.
MAX_ACCOUNT_FILE_BYTES = 16 * 1024 * 1024


def check_readable_path(path: Path) -> None:
    """ImportFileError unless ``path`` is a regular file or a folder (after links): a pipe
    would block the import, a device never end."""
    if path.exists() and not (path.is_file() or path.is_dir()):
        raise ImportFileError(f"{path}: not a regular file or folder (a pipe, device or socket);"
                              " nothing imported")


def check_file_inside(file: Path, folder: Path) -> None:
    """ImportFileError unless ``file``, found inside the export ``folder``, is a regular file
    there: no symbolic link (which could lead outside the folder), pipe or device."""
    label = file.relative_to(folder) if file.is_relative_to(folder) else file.name
    if file.is_symlink():
        raise ImportFileError(f"{label}: a symbolic link; only regular files inside the export"
                              " are read")
    if not file.is_file():
        raise ImportFileError(f"{label}: not a regular file (a pipe, device or socket)")


def open_binary(path: Path) -> BinaryIO:
    """The file's bytes, decompressed when it is gzip (whatever its name)."""
    try:
        handle = open(path, "rb")  # noqa: SIM115 - returned to the caller
    except OSError as error:
        raise ImportFileError(f"{path}: cannot open ({error.strerror or error})") from None
    if handle.read(2) == _GZIP_MAGIC:
        handle.close()
        return gzip.open(path, "rb")
    handle.seek(0)
    return handle


def describe_read_error(path: Path | str, error: BaseException) -> str:
    """The reason a file (a path, or the label of a zip member) could not be read."""
    name = path if isinstance(path, str) else path.name
    if isinstance(error, EOFError | zlib.error | gzip.BadGzipFile):
        return f"{name}: the gzip stream is damaged or cut short ({error})"
    return f"{name}: cannot read ({error})"


class LineReader:
    """Iterates (line number, bytes without the line break) over a file's lines;
    ``None`` instead of the bytes for a line longer than MAX_LINE_BYTES, which
    is skipped in bounded chunks rather than read into memory. ``fraction``
    is how far through the (compressed) file reading has got."""

    def __init__(self, path: Path, *, keep_ends: bool = False):
        self.path = path
        self.size = max(path.stat().st_size, 1)
        self.keep_ends = keep_ends  # CSV: a quoted cell may hold CRs that belong to the text
        self._raw: BinaryIO | None = None

    @property
    def fraction(self) -> float:
        try:
            return min(self._raw.tell() / self.size, 1.0) if self._raw else 0.0
        except (OSError, ValueError):
            return 0.0

    def __iter__(self) -> Iterator[tuple[int, bytes | None]]:
        with open_binary(self.path) as handle:
            self._raw = getattr(handle, "fileobj", None) or handle
            number = 0
            try:
                while True:
                    line = handle.readline(MAX_LINE_BYTES + 1)
                    if not line:
                        return
                    number += 1
                    if len(line) > MAX_LINE_BYTES and not line.endswith(b"\n"):
                        while line and not line.endswith(b"\n"):
                            line = handle.readline(MAX_LINE_BYTES)
                        yield number, None
                        continue
                    yield number, line if self.keep_ends else line.rstrip(b"\r\n")
            except _READ_ERRORS as error:
                raise ImportFileError(describe_read_error(self.path, error)) from None


def decode_line(raw: bytes, number: int) -> str:
    """UTF-8 text of one line (a byte-order mark on line 1 is dropped)."""
    if number == 1 and raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise ValueError(
            f"not UTF-8 (byte 0x{raw[error.start]:02x} at column {error.start + 1});"
            " save the file as UTF-8") from None


def read_document(path: Path, name: str | None = None) -> str:
    """A whole file as UTF-8 text (for formats that are one document, like tweets.js)."""
    label = name or path.name
    with open_binary(path) as handle:
        try:
            data = handle.read(MAX_DOCUMENT_BYTES + 1)
        except _READ_ERRORS as error:
            raise ImportFileError(describe_read_error(path, error)) from None
    return decode_document(data, label)


def decode_document(data: bytes, label: str) -> str:
    if len(data) > MAX_DOCUMENT_BYTES:
        raise ImportFileError(f"{label}: larger than {MAX_DOCUMENT_BYTES // 2**20} MiB")
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        raise ImportFileError(
            f"{label}: not UTF-8 (byte 0x{data[error.start]:02x} on line {line}); save it as UTF-8"
        ) from None


def _head(path: Path, size: int = 64 * 1024) -> bytes:
    with open_binary(path) as handle:
        try:
            return handle.read(size)
        except _READ_ERRORS as error:
            raise ImportFileError(describe_read_error(path, error)) from None


def _whole_json(path: Path) -> object:
    """The file read as one JSON document (a source bundle spans lines), or None when it is
    none or larger than a bundle is."""
    if path.stat().st_size > MAX_BUNDLE_BYTES:
        return None
    try:
        return json.loads(read_document(path))
    except (ValueError, RecursionError, ImportFileError):
        return None


def detect_format(path: Path) -> str:
    """The import format of ``path``: a folder or .zip is an X archive; else the
    first bytes decide (``window.YTD.`` X archive, a JSON object line JSONL or
    Verbatim's export, a JSON document over several lines a source bundle, a header row
    CSV). Raises ImportFileError when unsure."""
    if path.is_dir():
        return "x-archive"
    if not path.exists():
        raise ImportFileError(f"{path}: no such file or folder")
    with open(path, "rb") as handle:
        if handle.read(4) == b"PK\x03\x04":
            return "x-archive"
    head = _head(path)
    if head.startswith(b"\xef\xbb\xbf"):
        head = head[3:]
    text = head.lstrip()
    if not text:
        raise ImportFileError(f"{path.name}: the file is empty")
    if text.startswith(b"window.YTD."):
        return "x-archive"
    if text.startswith(b"{"):
        first_line = text.split(b"\n", 1)[0]
        try:
            first = json.loads(first_line)
        except (ValueError, RecursionError):
            first = _whole_json(path)
        if isinstance(first, dict) and first.get("format") == EXPORT_FORMAT_NAME:
            return "verbatim"
        if isinstance(first, dict) and first.get("format") in BUNDLE_FORMATS:
            return "bundle"
        return "jsonl"
    suffixes = [suffix.lower() for suffix in path.suffixes]
    if ".csv" in suffixes or ".tsv" in suffixes:
        return "csv"
    if text.startswith((b"[", b"window.")) or ".js" in suffixes or ".json" in suffixes:
        raise ImportFileError(
            f"{path.name}: cannot tell the format (a JavaScript or JSON file that is neither an X"
            " archive part nor JSONL); name it with --format")
    first_line = text.split(b"\n", 1)[0]
    if b"," in first_line or b"\t" in first_line or b";" in first_line:
        return "csv"
    raise ImportFileError(
        f"{path.name}: unknown format; give --format with one of {', '.join(FORMATS)}")
