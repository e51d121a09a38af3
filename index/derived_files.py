"""Files of derived data in the data directory (an engine's index, the meaning search's
vectors): atomic writes, and the write lock that serialises the processes writing one
directory — an ``flock`` that the kernel releases when a process dies, so no lock goes
stale."""

from __future__ import annotations

import errno
import fcntl
import os
import secrets
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from index.engine import IndexLockTimeoutError

LOCK_FILE = "write.lock"
WRITE_LOCK_TIMEOUT = 120.0  # seconds a writer waits for another before it gives up


def write_atomically(path: Path, text: str) -> None:
    """Replace ``path`` with ``text`` as one step: a reader sees the old file or the new."""
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    with open(temporary, "w", encoding="utf-8") as handle:
        handle.write(text)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, path)


@contextmanager
def write_lock(root: Path, timeout: float | None = None, what: str = "search index") -> Iterator[None]:
    """Exclusive right to write the directory ``root``, across processes;
    IndexLockTimeoutError after ``timeout`` seconds (default WRITE_LOCK_TIMEOUT)."""
    timeout = WRITE_LOCK_TIMEOUT if timeout is None else timeout
    root.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(root / LOCK_FILE, os.O_CREAT | os.O_RDWR, 0o644)
    try:
        deadline = time.monotonic() + timeout
        delay = 0.01
        while True:
            try:
                fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except OSError as error:
                if error.errno not in (errno.EAGAIN, errno.EACCES):
                    raise
                if time.monotonic() >= deadline:
                    raise IndexLockTimeoutError(
                        f"the {what} in {root} is being written by another"
                        f" process (waited {timeout:.0f} s)") from None
                time.sleep(delay)
                delay = min(delay * 2, 0.5)
        try:
            yield
        finally:
            fcntl.flock(descriptor, fcntl.LOCK_UN)
    finally:
        os.close(descriptor)
