"""``python -m bench.search_profile DATA_DIR``: where a keyword search's time goes — the query
set (``bench/queries.tsv``) searched with its filters through ``index.service.search``
(per_page 20) in one process: one warm pass, one timed without the profiler (mean ms per
search), one under ``cProfile``, whose top entries by cumulative and by own time it prints.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import time
from pathlib import Path

from archive.lifecycle import open_store
from bench.query_set import QUERY_FILE, load_queries
from index import service
from index.engines.whoosh.engine import WhooshEngine


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("data_dir", type=Path)
    parser.add_argument("--queries", type=Path, default=QUERY_FILE)
    parser.add_argument("--top", type=int, default=20)
    args = parser.parse_args()
    queries = load_queries(args.queries)
    with open_store(args.data_dir, readonly=True) as store:
        engine = WhooshEngine(args.data_dir)

        def run_all() -> None:
            for query in queries:
                service.search(engine, query.query, store=store, per_page=20,
                               speaker=query.speaker or None, date_from=query.date_from or None,
                               date_to=query.date_to or None)

        run_all()
        started = time.perf_counter()
        run_all()
        mean = (time.perf_counter() - started) * 1000 / len(queries)
        profile = cProfile.Profile()
        profile.runcall(run_all)
    print(f"{len(queries)} searches, mean {mean:.2f} ms each without the profiler")
    for order in ("cumulative", "tottime"):
        out = io.StringIO()
        pstats.Stats(profile, stream=out).sort_stats(order).print_stats(args.top)
        print(out.getvalue())


if __name__ == "__main__":
    main()
