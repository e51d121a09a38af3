"""The index on disk: generations, the pointer to the live one, the write lock, and the
open index cached per process.

``<data>/index/`` holds one directory per built generation and a file ``CURRENT`` naming
the live one. A rebuild writes a new generation and switches ``CURRENT`` atomically, so a
reader always sees a whole index. Writers (incremental updates and rebuilds) serialise on
an ``flock`` that the kernel releases when a process dies, so no lock goes stale; readers
never take it. Each generation records the last archive change it has applied, which is
how a write that could not be indexed at once is picked up by the next one.
"""

from __future__ import annotations

import os
import secrets
import shutil
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from whoosh.filedb.filestore import FileStorage
from whoosh.index import FileIndex
from whoosh.searching import Searcher

from archive.data_dir import index_path
from index.derived_files import WRITE_LOCK_TIMEOUT, write_atomically, write_lock
from index.engine import IndexUnavailableError
from index.engines.whoosh.schema import INDEX_FORMAT, build_schema

CURRENT_FILE = "CURRENT"
APPLIED_FILE = "applied_change"
FORMAT_FILE = "format"
MAX_POOLED_READERS = 16


class IndexDirectory:
    """One data directory's index, shared by every thread of a process."""

    def __init__(self, root: Path):
        self.root = root
        self._guard = threading.Lock()
        self._opened: tuple[tuple, Path, FileIndex] | None = None
        self._readers: list[tuple[FileIndex, int, object]] = []  # (index, generation, reader)

    # -- reading ---------------------------------------------------------
    def _pointer_stamp(self) -> tuple | None:
        try:
            status = (self.root / CURRENT_FILE).stat()
        except FileNotFoundError:
            return None
        return (status.st_ino, status.st_mtime_ns, status.st_size)

    def live_generation(self) -> tuple[Path, FileIndex] | None:
        """The live generation and its opened index, or None when there is none usable."""
        stamp = self._pointer_stamp()
        if stamp is None:
            return None
        with self._guard:
            if self._opened is not None and self._opened[0] == stamp:
                return self._opened[1], self._opened[2]
            try:
                name = (self.root / CURRENT_FILE).read_text(encoding="utf-8").strip()
                path = self.root / name
                if (path / FORMAT_FILE).read_text(encoding="utf-8").strip() != INDEX_FORMAT:
                    return None
                # Without mmap: Whoosh copies each memory-mapped part of a segment into a
                # fresh buffer whenever a reader opens it, which made every search pay for it.
                opened = FileStorage(str(path), supports_mmap=False).open_index()
            except Exception:  # missing, half-written or pickled by older code: not usable
                return None
            self._opened = (stamp, path, opened)
            return path, opened

    def is_built(self) -> bool:
        return self.live_generation() is not None

    def searcher(self) -> Searcher:
        """A new searcher on the live index, for one call only (searchers are not shared)."""
        live = self.live_generation()
        if live is None:
            raise IndexUnavailableError(f"no search index in {self.root}")
        return live[1].searcher()

    @contextmanager
    def pooled_searcher(self, ix: FileIndex) -> Iterator[Searcher]:
        """A searcher for one call on a reader of the index's latest commit, taken from a
        pool and given back afterwards.

        Opening a reader opens every segment's files, which cost more than many searches;
        so readers are reused until a commit changes the index. A reader serves one search
        at a time (a segment's files are read with seek and read)."""
        latest = ix.latest_generation()
        reader, stale = None, []
        with self._guard:
            while self._readers and reader is None:
                pooled_ix, generation, candidate = self._readers.pop()
                if pooled_ix is ix and generation == latest:
                    reader = candidate
                else:
                    stale.append(candidate)
        for old in stale:
            old.close()
        if reader is None:
            reader = ix.reader()
        try:
            yield Searcher(reader, fromindex=ix, closereader=False)
        finally:
            with self._guard:
                kept = len(self._readers) < MAX_POOLED_READERS
                if kept:
                    self._readers.append((ix, reader.generation(), reader))
            if not kept:
                reader.close()

    def applied_change(self) -> int:
        """The last archive change the live index has applied (0 when unknown)."""
        live = self.live_generation()
        if live is None:
            return 0
        try:
            return int((live[0] / APPLIED_FILE).read_text(encoding="utf-8").strip() or 0)
        except (OSError, ValueError):
            return 0

    def record_applied_change(self, generation: Path, seq: int) -> None:
        write_atomically(generation / APPLIED_FILE, f"{seq}\n")

    # -- writing ---------------------------------------------------------
    def write_lock(self, timeout: float | None = None):
        """Exclusive right to write the index, across processes (``index.derived_files``)."""
        return write_lock(self.root, WRITE_LOCK_TIMEOUT if timeout is None else timeout)

    def create_generation(self) -> tuple[Path, FileIndex]:
        """A new, empty generation beside the live one (call with the write lock held)."""
        self.root.mkdir(parents=True, exist_ok=True)
        name = f"gen-{time.strftime('%Y%m%dT%H%M%S')}-{secrets.token_hex(3)}"
        path = self.root / name
        path.mkdir()
        created = FileStorage(str(path)).create_index(build_schema())
        (path / FORMAT_FILE).write_text(INDEX_FORMAT + "\n", encoding="utf-8")
        return path, created

    def publish(self, generation: Path) -> None:
        """Make a generation the live one and remove the others (call with the write lock held)."""
        write_atomically(self.root / CURRENT_FILE, generation.name + "\n")
        for other in self.root.iterdir():
            if other.is_dir() and other.name != generation.name:
                shutil.rmtree(other, ignore_errors=True)


_DIRECTORIES: dict[tuple[int, Path], IndexDirectory] = {}
_DIRECTORIES_GUARD = threading.Lock()


def get_index_directory(data_dir: Path) -> IndexDirectory:
    """The cached IndexDirectory for this process and data directory."""
    root = index_path(Path(data_dir)).resolve()
    key = (os.getpid(), root)
    with _DIRECTORIES_GUARD:
        found = _DIRECTORIES.get(key)
        if found is None:
            found = _DIRECTORIES[key] = IndexDirectory(root)
        return found
