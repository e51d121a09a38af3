"""``python -m bench.meaning_latency DATA_DIR``: what search by meaning adds to a search, on an
archive whose vectors are complete (``flask --app web encode``).

Runs the query set (``bench/queries.tsv``) in one process: one unmeasured pass, then a
measured one in which each query is searched by keywords (``index.service.search``, per_page
20) and then, as the search page does (``index.meaning.add_meaning_hits``), by meaning when the
keyword hits are fewer than a page or the query has five words or more (an English query also
translated by the dictionary and searched by keywords, when Debian's trans-de-en is
installed). Prints p50/p95 of both, the share of queries that searched by meaning, the
process's memory before and after the vectors were read, and the vectors' size on disk with
the size per statement and per sentence, from which the figures for 1m follow.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from pathlib import Path

from archive.lifecycle import open_store
from bench.query_set import QUERY_FILE, load_queries
from index import dictionary
from index.engines.whoosh.engine import WhooshEngine
from index.meaning import add_meaning_hits, wants_meaning
from index.service import search
from index.vectors import get_vector_set, vectors_path

PER_PAGE = 20
MB = 1024 * 1024


def resident_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def run_once(store, data_dir: Path, query) -> tuple[float, float, bool]:
    """Seconds of the keyword search, of the search with meaning, and whether it searched by
    meaning."""
    params = {"query": query.query, "speaker": query.speaker or None, "lang": None,
              "platform": None, "kind": None, "date_from": query.date_from or None,
              "date_to": query.date_to or None, "sort": "relevance", "page": 1,
              "per_page": PER_PAGE}
    engine = WhooshEngine(data_dir)
    started = time.perf_counter()
    page = search(engine, store=store, **params)
    keyword = time.perf_counter() - started
    add_meaning_hits(page, engine, store, data_dir, params)
    wanted = wants_meaning(query.query, page.total, PER_PAGE)
    return keyword, time.perf_counter() - started, wanted


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("data_dir", type=Path)
    parser.add_argument("--queries", type=Path, default=QUERY_FILE)
    parser.add_argument("--no-dictionary", action="store_true",
                        help="search as a machine without Debian's trans-de-en does")
    args = parser.parse_args()
    if args.no_dictionary:
        dictionary.DING_FILE = Path("/nonexistent/trans-de-en")
    queries = load_queries(args.queries)
    before = resident_mb()
    with open_store(args.data_dir, readonly=True) as store:
        vectors = get_vector_set(args.data_dir)
        statements, rows = len(vectors.statement_ids), vectors.rows
        for query in queries:
            run_once(store, args.data_dir, query)
        after_warm_up = resident_mb()
        measured = [run_once(store, args.data_dir, query) for query in queries]
    keyword = [item[0] * 1000 for item in measured]
    combined = [item[1] * 1000 for item in measured]
    extra = [(item[1] - item[0]) * 1000 for item in measured if item[2]]
    disk = sum(path.stat().st_size for path in vectors_path(args.data_dir).glob("seg-*"))
    graph = sum(path.stat().st_size for path in vectors_path(args.data_dir).glob("graph-*"))
    figures = {
        "queries": len(queries), "statements": statements, "sentences": rows,
        "searched_by_meaning": len(extra),
        "keyword_p50_ms": round(statistics.median(keyword), 1),
        "keyword_p95_ms": round(percentile(keyword, 0.95), 1),
        "with_meaning_p50_ms": round(statistics.median(combined), 1),
        "with_meaning_p95_ms": round(percentile(combined, 0.95), 1),
        "meaning_step_p50_ms": round(statistics.median(extra), 1) if extra else None,
        "meaning_step_p95_ms": round(percentile(extra, 0.95), 1) if extra else None,
        "rss_before_mb": round(before), "rss_after_mb": round(after_warm_up),
        "vectors_disk_mb": round(disk / MB, 1), "graph_disk_mb": round(graph / MB, 1),
        "bytes_per_statement": round(disk / max(statements, 1)),
        "bytes_per_sentence": round(disk / max(rows, 1)),
        "disk_at_1m_gb": round(disk / max(statements, 1) * 1_000_000 / 1024 ** 3, 2),
        "graph_at_1m_gb": round(graph / max(statements, 1) * 1_000_000 / 1024 ** 3, 2),
    }
    print(json.dumps(figures, indent=1))


if __name__ == "__main__":
    main()
