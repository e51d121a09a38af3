"""The rejects file of an import run with ``--skip-invalid``: one JSON line per record left out."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from pathlib import Path

from archive.importers.records import RecordProblem

_SURROGATE = re.compile("[\ud800-\udfff]")


def default_rejects_path(source: Path) -> Path:
    """``tweets.jsonl.gz`` -> ``./tweets.jsonl.gz.rejects.jsonl`` in the working directory."""
    return Path.cwd() / f"{source.name}.rejects.jsonl"


def write_rejects(problems: Iterable[RecordProblem], path: Path) -> int:
    """Write ``{"location", "reason", "record"}`` per problem (``record`` is the raw
    line or element, so it can be fixed and imported again); returns the count."""
    count = 0
    with open(path, "w", encoding="utf-8", newline="\n") as handle:
        for problem in problems:
            line = {"location": problem.location, "reason": problem.reason, "record": problem.raw}
            if problem.is_cut:
                line["record_cut_at"] = len(problem.raw)
                line["record_length"] = problem.raw_length
            handle.write(_escape_surrogates(json.dumps(line, ensure_ascii=False)) + "\n")
            count += 1
    return count


def _escape_surrogates(line: str) -> str:
    """A lone surrogate from the input (JSON can escape one) back as its JSON escape: the line
    stays valid UTF-8 and reads back to the same record."""
    return _SURROGATE.sub(lambda match: f"\\u{ord(match[0]):04x}", line)
