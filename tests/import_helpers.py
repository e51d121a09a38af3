"""Helpers shared by the import and export tests: running the CLI, snapshotting an archive, corpus subsets."""

from __future__ import annotations

import gzip
import io
from pathlib import Path

import pytest

from archive.export import export_archive
from archive.lifecycle import open_store
from tests.conftest import CORPORA

X_SAMPLE = CORPORA / "x-archive-sample" / "tweets.js"
X_PRETTIER = CORPORA / "x-archive-sample" / "tweets-prettier-not-json.js"
GERMAN = CORPORA / "de-politicians-tweets" / "tweets.jsonl.gz"
TRUMP = CORPORA / "trump-tweets" / "trump_tweets.jsonl.gz"
DATA = Path(__file__).resolve().parent / "broken_files"

GERMAN_MAP = ["--map", "text=full_text", "--map", "speaker=twitter_handle",
              "--map", "posted_at=created_at", "--map", "platform_id=status_id",
              "--set", "platform=x", "--set", "lang=de"]
TRUMP_MAP = ["--map", "text=text", "--map", "speaker=author", "--map", "posted_at=created_at",
             "--map", "platform_id=id", "--set", "platform=x", "--set", "lang=en"]


def need(path: Path) -> Path:
    if not path.exists():
        pytest.skip(f"{path} is not here (the real corpora live in ../shared/corpora)")
    return path


def snapshot(data_dir: Path) -> str:
    """The archive's full export: equal snapshots mean an unchanged archive."""
    with open_store(data_dir) as store:
        buffer = io.StringIO()
        export_archive(store, buffer)
        return buffer.getvalue()


def subset(source: Path, target: Path, lines: int, start: int = 0) -> Path:
    """The first ``lines`` lines (after ``start``) of a gzipped JSONL corpus, gzipped again."""
    with gzip.open(need(source), "rt", encoding="utf-8") as handle, \
            gzip.open(target, "wt", encoding="utf-8") as out:
        for number, line in enumerate(handle):
            if number >= start + lines:
                break
            if number >= start:
                out.write(line)
    return target


def run_import(runner, path: Path, *args: str):
    return runner.invoke(args=["import", str(path), *args])
