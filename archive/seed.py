"""The seed collection: the statements shipped in ``fixtures/seed.json``.

Each seed statement carries the time it was first archived (``archived_at``),
so every data directory holds the same revision 1, byte for byte. Loading is
idempotent: people and sources are upserted, a statement whose ID is already
stored is left as it is (a stored statement changes only by revision, never
by reloading a fixture).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from archive.data_dir import PROJECT_ROOT
from archive.records import Person, Source, StatementContent
from archive.store import ArchiveStore

SEED_FILE = PROJECT_ROOT / "fixtures" / "seed.json"


@dataclass
class SeedReport:
    added: int = 0
    unchanged: int = 0


def read_seed(path: Path = SEED_FILE) -> dict:
    with open(path, encoding="utf-8") as handle:
        return json.load(handle)


def load_seed(store: ArchiveStore, path: Path = SEED_FILE) -> SeedReport:
    """Load the seed collection in one transaction."""
    data = read_seed(path)
    report = SeedReport()
    with store.transaction():
        for person in data["people"]:
            store.put_person(Person.from_dict(person))
        for source in data["sources"]:
            store.put_source(Source.from_dict(source))
        for item in data["statements"]:
            item = dict(item)
            statement_id = item.pop("statement_id")
            archived_at = item.pop("archived_at", None)
            if store.has_statement(statement_id):
                report.unchanged += 1
                continue
            store.add_statement(StatementContent.from_dict(item), statement_id=statement_id,
                                reason="first archived from the seed collection",
                                created_at=archived_at)
            report.added += 1
    return report
