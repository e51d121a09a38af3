"""What the archive's log costs: the two real corpora imported in process (archive writes, no
search index) with the CPU time spent making and writing log entries counted apart, and the
log's size on disk. ``python -m bench.log_cost [--out DIR]``; figures in bench/README.md."""

from __future__ import annotations

import argparse
import shutil
import sqlite3
import time
from pathlib import Path

from archive.data_dir import archive_path
from archive.importers import ImportOptions, import_file
from archive.lifecycle import init_archive, open_store
from archive.stores import sqlite as sqlite_store
from archive.stores.sqlite import SQLiteStore
from bench.corpus import REAL_CORPORA

OUT = Path(__file__).resolve().parent / "out"


def measure(data_dir: Path) -> dict:
    spent = [0.0]

    def timed(function):
        def wrapper(*args, **kwargs):
            start = time.process_time()
            try:
                return function(*args, **kwargs)
            finally:
                spent[0] += time.process_time() - start
        return wrapper

    log, entries = SQLiteStore._log, sqlite_store.statement_entries
    SQLiteStore._log = timed(log)
    sqlite_store.statement_entries = timed(entries)
    try:
        shutil.rmtree(data_dir, ignore_errors=True)
        init_archive(data_dir)
        total = 0.0
        with open_store(data_dir) as store:
            for corpus in REAL_CORPORA:
                mapping = {"text": corpus.text, "speaker": corpus.speaker,
                           "posted_at": corpus.posted_at, "platform_id": corpus.platform_id}
                options = ImportOptions("jsonl", mapping, {"platform": "x", "lang": corpus.lang})
                start = time.process_time()
                print(import_file(store, corpus.path, options.check()).summary())
                total += time.process_time() - start
            size = store.log_size()
    finally:
        SQLiteStore._log, sqlite_store.statement_entries = log, entries
    with sqlite3.connect(archive_path(data_dir)) as raw:
        pages = dict(raw.execute("SELECT name, sum(pgsize) FROM dbstat"
                                 " WHERE name IN ('log', 'log_subject') GROUP BY name"))
        entry_bytes = raw.execute("SELECT sum(length(entry)) FROM log").fetchone()[0]
    return {"entries": size, "write_cpu_s": total, "log_cpu_s": spent[0],
            "log_us_per_entry": spent[0] / size * 1e6, "log_table_bytes": pages.get("log", 0),
            "log_index_bytes": pages.get("log_subject", 0), "entry_bytes": entry_bytes,
            "archive_bytes": archive_path(data_dir).stat().st_size}


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.log_cost", description=__doc__)
    parser.add_argument("--out", type=Path, default=OUT)
    figures = measure(parser.parse_args().out / "log-cost-data")
    for name, value in figures.items():
        print(f"{name}: {value:,.2f}" if isinstance(value, float) else f"{name}: {value:,}")


if __name__ == "__main__":
    main()
