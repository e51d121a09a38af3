"""Backups while the service runs: a consistent copy of the archive made by its store (for
SQLite, through SQLite's online backup API), checked, and the JSONL export of that same copy
beside it; published whole or not at all."""

from __future__ import annotations

import os
import secrets
import shutil
from dataclasses import dataclass
from pathlib import Path

from archive.export import export_to_file
from archive.integrity import verify_archive
from archive.lifecycle import open_store
from archive.store import ArchiveMissingError, StoreError

BACKUP_EXPORT = "archive.jsonl"


class BackupError(Exception):
    """No backup was made; the message says why. Nothing is left at the destination."""


@dataclass(frozen=True)
class BackupReport:
    destination: Path
    statements: int
    people: int
    sources: int
    archive_bytes: int
    export_bytes: int


def _fsync_path(path: Path) -> None:
    descriptor = os.open(path, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def back_up_archive(data_dir: Path, destination: Path) -> BackupReport:
    """Snapshot the archive of ``data_dir`` into the new or empty folder ``destination``: the
    store's copy (``archive.sqlite3``: one consistent state, taken while others read and
    write) and ``archive.jsonl``, the export of that same state. Raises BackupError; OSError
    when the destination cannot be written."""
    try:
        store = open_store(Path(data_dir), readonly=True)
    except ArchiveMissingError:
        raise BackupError(f"no archive in {data_dir}") from None
    destination = Path(destination)
    if destination.exists() and (not destination.is_dir() or any(destination.iterdir())):
        store.close()
        raise BackupError(f"{destination} exists and is not an empty folder")
    destination.parent.mkdir(parents=True, exist_ok=True)
    partial = destination.with_name(f".{destination.name}.partial-{secrets.token_hex(4)}")
    partial.mkdir()
    try:
        with store:
            copy = store.copy_to(partial)
        with copy:
            problems = verify_archive(copy)
            if problems:
                raise BackupError(f"the copy does not verify: {problems[0]}"
                                  f" ({len(problems)} problem(s)); run `verify` on the archive")
            counts = export_to_file(copy, partial / BACKUP_EXPORT)
        _fsync_path(partial / BACKUP_EXPORT)
        if destination.exists():
            destination.rmdir()  # empty, checked above; the rename below needs it gone
        os.replace(partial, destination)
        _fsync_path(destination.parent)
    except StoreError as error:
        shutil.rmtree(partial, ignore_errors=True)
        raise BackupError(f"cannot copy the archive: {error}") from error
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise
    export_bytes = (destination / BACKUP_EXPORT).stat().st_size
    archive_bytes = sum(path.stat().st_size for path in destination.rglob("*")
                        if path.is_file()) - export_bytes
    return BackupReport(destination, counts["statements"], counts["people"], counts["sources"],
                        archive_bytes, export_bytes)
