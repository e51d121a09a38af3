"""Run the query set inside one fresh process and print the latencies as JSON: the first
query (cold), then one unmeasured warm-up pass and the measured passes.

``python -m bench.search_probe verbatim DATA_DIR`` or ``python -m bench.search_probe fts5 DB``.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

from bench.query_set import QUERY_FILE, load_queries


def _verbatim(target: Path):
    from archive.lifecycle import open_store
    from index.engines.whoosh.engine import WhooshEngine
    from index.service import search

    store = open_store(target, readonly=True)
    engine = WhooshEngine(target)

    def run(query) -> int:
        page = search(engine, query.query, store=store, speaker=query.speaker or None,
                      date_from=query.date_from or None, date_to=query.date_to or None, per_page=20)
        return page.total

    return run


def _fts5(target: Path):
    from bench.fts5 import Fts5Searcher

    searcher = Fts5Searcher(target)
    return lambda query: searcher.search(query)["total"]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("engine", choices=("verbatim", "fts5"))
    parser.add_argument("target", type=Path)
    parser.add_argument("--queries", type=Path, default=QUERY_FILE)
    parser.add_argument("--limit", type=int, default=0, help="use only the first N queries")
    parser.add_argument("--passes", type=int, default=1)
    args = parser.parse_args()
    queries = load_queries(args.queries)
    if args.limit:
        queries = queries[::max(1, len(queries) // args.limit)][:args.limit]
    started = time.perf_counter()
    run = (_verbatim if args.engine == "verbatim" else _fts5)(args.target)
    run(queries[0])
    first_ms = (time.perf_counter() - started) * 1000
    for query in queries:
        run(query)
    latencies: list[list[float]] = [[] for _ in queries]
    totals = []
    for _ in range(args.passes):
        totals = []
        for position, query in enumerate(queries):
            began = time.perf_counter()
            totals.append(run(query))
            latencies[position].append((time.perf_counter() - began) * 1000)
    print(json.dumps({"first_ms": first_ms, "latencies_ms": [min(times) for times in latencies],
                      "totals": totals, "categories": [q.category for q in queries],
                      "queries": [q.query for q in queries]}))


if __name__ == "__main__":
    main()
