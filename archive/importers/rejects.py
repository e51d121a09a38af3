"""The rejects file of an import run with ``--skip-invalid``: one JSON line per record left out."""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path

from archive.importers.records import RecordProblem


def default_rejects_path(source: Path) -> Path:
    """``tweets.jsonl.gz`` -> ``./tweets.jsonl.gz.rejects.jsonl`` in the working directory."""
    return Path.cwd() / f"{source.name}.rejects.jsonl"


def write_rejects(problems: Iterable[RecordProblem], path: Path) -> int:
    """Write ``{"location", "reason", "record"}`` per problem (``record`` is the raw
    line or element, so it can be fixed and imported again); returns the count."""
    count = 0
    with open(path, "w", encoding="utf-8", newline="\n") as handle:
        for problem in problems:
            handle.write(json.dumps({"location": problem.location, "reason": problem.reason,
                                     "record": problem.raw}, ensure_ascii=False) + "\n")
            count += 1
    return count
