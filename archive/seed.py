"""The seed collection: the statements shipped in ``fixtures/seed.json``, a source bundle.

Each seed statement carries the time it was first archived (``archived_at``),
so every data directory holds the same revision 1, byte for byte. The seed is
loaded by the bundle code (``archive.importers.bundle``) like any bundle, but
without an import source added and with its own people and sources put in
place. Loading is idempotent: a statement whose ID is already stored is left
as it is (a stored statement changes only by revision, never by reloading a
fixture).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from archive.data_dir import SEED_FILE
from archive.importers.bundle import load_bundle, read_bundle
from archive.records import InvalidRecordError
from archive.store import ArchiveStore

SEED_REASON = "first archived from the seed collection"


@dataclass
class SeedReport:
    added: int = 0
    unchanged: int = 0


def read_seed(path: Path = SEED_FILE) -> dict:
    return read_bundle(path)


def load_seed(store: ArchiveStore, path: Path = SEED_FILE) -> SeedReport:
    """Load the seed collection in one transaction; InvalidRecordError names the first
    problem (nothing is stored then)."""
    report = load_bundle(store, read_seed(path), path.name, reason=SEED_REASON,
                         update_records=True)
    if not report.stored:
        raise InvalidRecordError(f"seed collection not loaded: {report.problems[0]}")
    return SeedReport(report.added, report.unchanged + report.revised)
