"""``python -m bench.vector_recall DATA_DIR``: how many of the statements an exact search by
meaning finds the search through the vectors' proximity graph (``index.vector_graph``) finds
too, and how fast, for the two depths the meaning search reads (its first 50 statements,
then up to 200 when filters reject too many) and several sizes of the graph search's
candidate list, on an archive whose graph is built (``flask --app web encode`` with more than
20,000 sentences).

Queries: the hand-written paraphrases of ``bench.meaning_cases`` and the query set of
``bench/queries.tsv``, each encoded once. Per depth and candidate list: recall@10 and
recall@depth of statements against the exact search over every row, the share of queries
whose exact first statement is found first, and p50/p95 of ``VectorSet.nearest``'s
milliseconds. One process, BLAS on one thread as the server runs it.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from pathlib import Path

import numpy as np

from bench.meaning_cases import DE_TO_EN, EN_TO_DE, SEED_CASES
from bench.query_set import QUERY_FILE, load_queries
from index.embedding import encode_texts
from index.meaning import FUSED_DEPTH, MAX_EXAMINED
from index.vectors import get_vector_set

EXPANSIONS = (64, 128, 256)


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("data_dir", type=Path)
    parser.add_argument("--queries", type=Path, default=QUERY_FILE)
    args = parser.parse_args()
    vectors = get_vector_set(args.data_dir)
    if vectors is None or vectors.graph is None:
        raise SystemExit("no vector graph in this data directory: run flask --app web encode")
    texts = [query for query, _wanted in (*SEED_CASES, *EN_TO_DE, *DE_TO_EN)]
    texts += [query.query for query in load_queries(args.queries) if query.query.strip()]
    encoded = encode_texts(texts)
    exact = [list(np.argsort(-vectors.exact_similarities(query), kind="stable")[:MAX_EXAMINED])
             for query in encoded]
    figures = {"queries": len(texts), "statements": len(vectors.statement_ids),
               "rows": vectors.rows, "outside_graph": vectors.uncovered_rows, "runs": []}
    for depth in (FUSED_DEPTH, MAX_EXAMINED):
        for expansion in EXPANSIONS:
            vectors.graph.expansion_search = expansion
            times, at10, at_depth, first = [], [], [], []
            for query, wanted in zip(encoded, exact, strict=True):
                started = time.perf_counter()
                positions, _similarities = vectors.nearest(query, depth)
                times.append((time.perf_counter() - started) * 1000)
                found = list(positions)
                at10.append(len(set(found[:10]) & set(wanted[:10])) / 10)
                at_depth.append(len(set(found) & set(wanted[:depth])) / depth)
                first.append(float(bool(found) and found[0] == wanted[0]))
            run = {"depth": depth, "expansion_search": expansion,
                   "recall@10": round(statistics.mean(at10), 3),
                   "recall@depth": round(statistics.mean(at_depth), 3),
                   "first": round(statistics.mean(first), 3),
                   "p50_ms": round(statistics.median(times), 2),
                   "p95_ms": round(percentile(times, 0.95), 2)}
            figures["runs"].append(run)
            print(run, flush=True)
    print(json.dumps(figures, indent=1))


if __name__ == "__main__":
    main()
