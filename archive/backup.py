"""Backups while the service runs: a copy of the SQLite archive through SQLite's online backup
API, checked, and the JSONL export of that same copy beside it; published whole or not at all."""

from __future__ import annotations

import os
import secrets
import shutil
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from archive.data_dir import archive_path
from archive.export import export_to_file
from archive.integrity import verify_archive
from archive.store import Store

BACKUP_DATABASE = "archive.sqlite3"
BACKUP_EXPORT = "archive.jsonl"


class BackupError(Exception):
    """No backup was made; the message says why. Nothing is left at the destination."""


@dataclass(frozen=True)
class BackupReport:
    destination: Path
    statements: int
    people: int
    sources: int
    database_bytes: int
    export_bytes: int


def _fsync_path(path: Path) -> None:
    descriptor = os.open(path, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def back_up_archive(data_dir: Path, destination: Path) -> BackupReport:
    """Snapshot the archive of ``data_dir`` into the new or empty folder ``destination``:
    ``archive.sqlite3`` (one consistent state, taken while others read and write) and
    ``archive.jsonl``, the export of that same state. Raises BackupError; OSError when the
    destination cannot be written."""
    source = archive_path(Path(data_dir))
    if not source.exists():
        raise BackupError(f"no archive in {data_dir}")
    destination = Path(destination)
    if destination.exists() and (not destination.is_dir() or any(destination.iterdir())):
        raise BackupError(f"{destination} exists and is not an empty folder")
    destination.parent.mkdir(parents=True, exist_ok=True)
    partial = destination.with_name(f".{destination.name}.partial-{secrets.token_hex(4)}")
    partial.mkdir()
    try:
        database = partial / BACKUP_DATABASE
        with Store(source, readonly=True) as store:
            store.backup_to(database)
        with Store(database) as copy:
            copy.migrate()  # a source not yet opened for writing since an upgrade
            problems = verify_archive(copy)
            if problems:
                raise BackupError(f"the copy does not verify: {problems[0]}"
                                  f" ({len(problems)} problem(s)); run `verify` on the archive")
            counts = export_to_file(copy, partial / BACKUP_EXPORT)
        for written in (database, partial / BACKUP_EXPORT):
            _fsync_path(written)
        if destination.exists():
            destination.rmdir()  # empty, checked above; the rename below needs it gone
        os.replace(partial, destination)
        _fsync_path(destination.parent)
    except sqlite3.Error as error:
        shutil.rmtree(partial, ignore_errors=True)
        raise BackupError(f"cannot copy the archive: {error}") from error
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise
    return BackupReport(destination, counts["statements"], counts["people"], counts["sources"],
                        (destination / BACKUP_DATABASE).stat().st_size,
                        (destination / BACKUP_EXPORT).stat().st_size)
