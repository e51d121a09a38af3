"""Reading one X archive part file (``window.YTD.NAME.partN = [ … ]``) an element at a time.

The file is decoded in chunks and each element of the list is parsed on its
own with ``json.JSONDecoder.raw_decode`` over a sliding buffer, so memory
holds the element being read and one chunk, never the whole list. Errors
name the file, the line and the element.
"""

from __future__ import annotations

import codecs
import json
import re
import zipfile
import zlib
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, ExitStack
from typing import BinaryIO

from archive.importers.files import describe_read_error
from archive.importers.records import ImportFileError

CHUNK_CHARS = 1 << 20
MAX_ELEMENT_CHARS = 64 << 20
_ASSIGNMENT = re.compile(r"\s*window\.YTD\.([A-Za-z0-9_]+)\.part(\d+)\s*=\s*")
_JS_LITERAL_HINT = re.compile(r"^\s*[A-Za-z_$][A-Za-z0-9_$]*\s*:|'", re.MULTILINE)
_SPACE = re.compile(r"\s*")
_DECODER = json.JSONDecoder()
_READ_ERRORS = (OSError, EOFError, ValueError, zlib.error, zipfile.BadZipFile)


class PartReader:
    """One part file, opened as a context manager: ``name`` (``tweets``, ``note_tweet``…) is
    known on entry, and iterating gives ``(position, element)`` pairs, positions from 1.
    ``fraction`` is how far through the file's bytes reading has got (for progress)."""

    def __init__(self, opener: Callable[[], AbstractContextManager[BinaryIO]], label: str,
                 size: int = 0):
        self.opener, self.label, self.size = opener, label, max(size, 1)
        self.name = ""
        self.bytes_read = 0
        self._buffer = ""
        self._position = 0
        self._lines_before = 0   # line breaks in the text already dropped from the buffer
        self._eof = False
        self._handle: BinaryIO | None = None
        self._decoder = codecs.getincrementaldecoder("utf-8")()
        self._head = ""
        self._stack = ExitStack()

    @property
    def fraction(self) -> float:
        return min(self.bytes_read / self.size, 1.0)

    def __enter__(self) -> PartReader:
        with ExitStack() as stack:
            self._handle = stack.enter_context(self.opener())
            self._read_assignment()
            self._stack = stack.pop_all()
        return self

    def __exit__(self, *_exc) -> None:
        self._stack.close()

    def _line(self, position: int) -> int:
        return self._lines_before + self._buffer.count("\n", 0, position) + 1

    def _fill(self) -> bool:
        """Read one more chunk into the buffer; False at the end of the file."""
        if self._eof:
            return False
        try:
            data = self._handle.read(CHUNK_CHARS)
        except _READ_ERRORS as error:
            raise ImportFileError(describe_read_error(self.label, error)) from None
        self.bytes_read += len(data)
        try:
            text = self._decoder.decode(data, final=not data)
        except UnicodeDecodeError as error:
            # error.object: the bytes held back from the last chunk (an unfinished character)
            # followed by this chunk's
            line = self._line(len(self._buffer)) + error.object.count(b"\n", 0, error.start)
            raise ImportFileError(f"{self.label}: not UTF-8 (byte 0x{error.object[error.start]:02x}"
                                  f" on line {line}); save it as UTF-8") from None
        if not self._buffer and not self._lines_before and text.startswith("\ufeff"):
            text = text[1:]
        self._buffer += text
        if not data:
            self._eof = True
        return True

    def _skip_space(self, position: int) -> int:
        while True:
            position = _SPACE.match(self._buffer, position).end()
            if position < len(self._buffer):
                return position
            # Only white space up to the buffer's end: drop it before reading on, so that a
            # long run of it costs neither memory nor copying.
            self._lines_before += self._buffer.count("\n", 0, position)
            self._buffer, position = "", 0
            if not self._fill():
                return position

    def _fail(self, position: int, reason: str, *, cut_short: bool = False) -> ImportFileError:
        if cut_short:
            reason += "; the file ends before its list is closed (cut short?)"
        return ImportFileError(f"{self.label} line {self._line(position)}: {reason}")

    def _read_assignment(self) -> None:
        while len(self._buffer) < 4096 and self._fill():
            pass
        match = _ASSIGNMENT.match(self._buffer)
        if not match:
            raise ImportFileError(f"{self.label}: not an X archive part (it should start with"
                                  " 'window.YTD.tweets.part0 = [')")
        self.name = match[1]
        self._head = self._buffer[match.end():match.end() + 4096]
        self._position = self._skip_space(match.end())

    def __iter__(self) -> Iterator[tuple[int, object]]:
        position = self._position
        if position >= len(self._buffer) or self._buffer[position] != "[":
            found = self._parse_whole(position)
            raise ImportFileError(f"{self.label}: expected a list after the assignment,"
                                  f" found {type(found).__name__}")
        position = self._skip_space(position + 1)
        if position < len(self._buffer) and self._buffer[position] == "]":
            self._finish(position + 1)
            return
        count = 0
        while True:
            count += 1
            element, position = self._parse_element(position, count)
            yield count, element
            if position > CHUNK_CHARS:
                self._lines_before += self._buffer.count("\n", 0, position)
                self._buffer, position = self._buffer[position:], 0
            position = self._skip_space(position)
            if position >= len(self._buffer):
                raise self._fail(position, f"element {count} is not followed by ',' or ']'",
                                 cut_short=True)
            separator = self._buffer[position]
            if separator == "]":
                self._finish(position + 1)
                return
            if separator != ",":
                raise self._fail(position, f"expected ',' or ']' after element {count},"
                                 f" found {separator!r}")
            position = self._skip_space(position + 1)

    def _parse_element(self, position: int, count: int) -> tuple[object, int]:
        """The element at ``position`` and the position after it, reading more of the file
        while the element runs past the buffer (up to MAX_ELEMENT_CHARS)."""
        while True:
            room = len(self._buffer) - position <= MAX_ELEMENT_CHARS
            try:
                element, end = _DECODER.raw_decode(self._buffer, position)
            except RecursionError:
                raise self._fail(position, f"element {count}: JSON nested too deeply") from None
            except json.JSONDecodeError as error:
                # Only an error at the buffer's end (or inside a string that runs to it) may
                # be an element cut by the chunk boundary rather than bad JSON.
                at_end = error.pos >= len(self._buffer) - 8 or error.msg.startswith("Unterminated")
                if at_end and room and self._fill():
                    continue
                if _JS_LITERAL_HINT.search(self._head):
                    raise self._fail(
                        error.pos, "JavaScript but not JSON (unquoted keys or single quotes, as left"
                        " by a code formatter such as Prettier); import the file exactly as X"
                        " exported it") from None
                if at_end and self._eof:
                    raise self._fail(error.pos, f"element {count} is incomplete", cut_short=True) from None
                raise self._fail(error.pos, f"element {count} is not JSON ({error.msg})") from None
            if end < len(self._buffer) or not self._fill():  # a bare number may go on
                return element, end

    def _parse_whole(self, position: int) -> object:
        while len(self._buffer) <= MAX_ELEMENT_CHARS and self._fill():
            pass
        try:
            return _DECODER.raw_decode(self._buffer, position)[0]
        except (json.JSONDecodeError, RecursionError) as error:
            raise self._fail(position, f"not JSON ({error})") from None

    def _finish(self, position: int) -> None:
        """Only white space and a ';' may follow the closing bracket."""
        position = self._skip_space(position)
        if position < len(self._buffer) and self._buffer[position] == ";":
            position = self._skip_space(position + 1)
        if position < len(self._buffer):
            raise self._fail(position, f"unexpected {self._buffer[position]!r} after the list's end")
