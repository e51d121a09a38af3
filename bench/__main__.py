"""``python -m bench --size 40k|100k|1m`` (or ``--quick``): build the corpus, import it into
Verbatim and into FTS5, measure both, print the table and save the figures as JSON."""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import time
from pathlib import Path

from bench import report
from bench.corpus import REAL_CORPORA, write_generated
from bench.http_load import query_path, run_load
from bench.processes import PYTHON, Server, environment, run_measured
from bench.query_set import QUERY_FILE, load_queries

SIZES = {"quick": 10_000, "40k": 0, "100k": 100_000, "1m": 1_000_000}
# requests per concurrency level: bounded, so a run takes minutes at the slowest size
REQUESTS = {"quick": {1: 60, 8: 160, 32: 160}, "100k": {1: 400, 8: 1600, 32: 1600},
            "1m": {1: 200, 8: 400, 32: 400}}
OUT = Path(__file__).resolve().parent / "out"
MB = 1024 * 1024


def _size_of(path: Path) -> int:
    if path.is_file():
        return path.stat().st_size
    return sum(item.stat().st_size for item in path.rglob("*") if item.is_file())


def _import_verbatim(data_dir: Path, corpus: Path | None) -> dict:
    env = environment(data_dir)
    flask = [PYTHON, "-m", "flask", "--app", "web", "import"]
    runs = ([flask + real.import_arguments() for real in REAL_CORPORA] if corpus is None
            else [flask + [str(corpus), "--set", "platform=x"]])
    seconds, peak, largest = 0.0, 0, 0
    for arguments in runs:
        finished = run_measured(arguments, env)
        seconds += finished.seconds
        peak, largest = max(peak, finished.peak_memory), max(largest, finished.peak_rss)
        print("  " + finished.stdout.strip().splitlines()[-1], file=sys.stderr)
    archive = sum(_size_of(path) for path in data_dir.glob("archive.sqlite3*"))
    return {"import_s": seconds, "import_memory_mb": peak / MB, "import_rss_mb": largest / MB,
            "index_mb": _size_of(data_dir / "index") / MB, "archive_mb": archive / MB}


def _import_fts5(database: Path, corpus: Path | None) -> dict:
    arguments = [PYTHON, "-m", "bench.fts5", str(database)] + ([str(corpus)] if corpus else [])
    finished = run_measured(arguments, environment())
    size = sum(_size_of(path) for path in database.parent.glob(database.name + "*"))
    return {"import_s": finished.seconds, "import_memory_mb": finished.peak_memory / MB,
            "import_rss_mb": finished.peak_rss / MB,
            "index_mb": size / MB, "statements": int(finished.stdout.strip())}


def _in_process(engine: str, target: Path, limit: int) -> tuple[dict, dict]:
    arguments = [PYTHON, "-m", "bench.search_probe", engine, str(target)]
    if limit:
        arguments += ["--limit", str(limit)]
    probe = json.loads(run_measured(arguments, environment(target if engine == "verbatim" else None)).stdout)
    latencies = probe["latencies_ms"]
    figures = {"first_query_ms": probe["first_ms"], "p50_ms": report.percentile(latencies, 0.50),
               "p95_ms": report.percentile(latencies, 0.95), "p99_ms": report.percentile(latencies, 0.99),
               "max_ms": max(latencies)}
    # pasted quotes beside the short queries (every other class)
    for name, wanted in (("short", lambda category: category != "quote"),
                         ("quote", lambda category: category == "quote")):
        chosen = [ms for ms, category in zip(latencies, probe["categories"], strict=True) if wanted(category)]
        if chosen:
            figures[f"p95_{name}_ms"] = report.percentile(chosen, 0.95)
    return figures, probe


def _http(factory: str, env: dict, queries, counts: dict[int, int]) -> dict:
    server = Server(factory, env)
    figures: dict = {}
    try:
        figures["cold_start_ms"] = server.first_answer(query_path(queries[0])) * 1000
        peak = server.memory()
        for clients, requests in counts.items():
            result = run_load(server.port, queries, clients, requests)
            if result.errors:
                raise RuntimeError(f"{factory}: {result.errors} of {requests} requests failed")
            figures[f"http{clients}_rps"] = result.throughput
            figures[f"http{clients}_p95_ms"] = report.percentile(result.latencies_ms, 0.95)
            peak = max(peak, server.memory())
        figures["server_rss_mb"] = peak / MB
    finally:
        server.stop()
    return figures


def run(size: str, out: Path, keep: bool) -> dict:
    quick = size == "quick"
    work = out / size
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    load_before = os.getloadavg()[0]
    queries = load_queries(QUERY_FILE)
    limit = 60 if quick else 0
    chosen = queries[::max(1, len(queries) // limit)][:limit] if limit else queries
    counts = REQUESTS.get(size, REQUESTS["100k"])
    corpus = None
    if SIZES[size]:
        began = time.perf_counter()
        corpus = write_generated(SIZES[size], work / "corpus.jsonl")
        print(f"corpus: {SIZES[size]:,} statements generated in {time.perf_counter() - began:.1f} s",
              file=sys.stderr)
    data_dir, database = work / "data", work / "fts5.sqlite3"
    verbatim: dict = {}
    fts5: dict = {}
    print("import: Verbatim", file=sys.stderr)
    verbatim.update(_import_verbatim(data_dir, corpus))
    print("import: FTS5", file=sys.stderr)
    fts5.update(_import_fts5(database, corpus))
    verbatim["statements"] = fts5["statements"]
    for figures in (verbatim, fts5):
        figures["import_rate"] = figures["statements"] / figures["import_s"]
    print("search in process", file=sys.stderr)
    found, probe = _in_process("verbatim", data_dir, limit)
    verbatim.update(found)
    fts5.update(_in_process("fts5", database, limit)[0])
    print("search over HTTP", file=sys.stderr)
    server_env = environment(data_dir, VERBATIM_SECRET_KEY="bench")
    verbatim.update(_http("web:create_app", server_env, chosen, counts))
    fts5.update(_http("bench.fts5:create_app", environment(BENCH_FTS5_DB=str(database)), chosen, counts))
    slowest = sorted(zip(probe["latencies_ms"], probe["categories"], probe["queries"], strict=True),
                     reverse=True)[:8]
    load_after = os.getloadavg()[0]
    result = {"size": size, "load_average": [round(load_before, 2), round(load_after, 2)],
              "queries": len(chosen), "command": "python -m bench " + " ".join(sys.argv[1:]),
              "machine": report.machine(), "verbatim": verbatim, "fts5": fts5, "slowest": slowest}
    (out / f"results-{size}.json").write_text(json.dumps(result, indent=1), encoding="utf-8")
    if not keep:
        shutil.rmtree(work, ignore_errors=True)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--size", choices=[name for name in SIZES if name != "quick"], default="40k")
    parser.add_argument("--quick", action="store_true", help="10k generated statements, 60 queries,"
                        " few requests: a smoke run of about a minute")
    parser.add_argument("--out", type=Path, default=OUT,
                        help="work and results directory (default bench/out)")
    parser.add_argument("--keep", action="store_true", help="keep the corpus, data directory and FTS5 file")
    parser.add_argument("--write-readme", action="store_true",
                        help="rewrite bench/README.md's results from every results-*.json in --out")
    parser.add_argument("--readme-only", action="store_true",
                        help="only rewrite bench/README.md's results from --out, run nothing")
    args = parser.parse_args()
    if args.readme_only:
        report.write_readme(args.out)
        return
    size = "quick" if args.quick else args.size
    result = run(size, args.out, args.keep)
    print(report.section([result]))
    if args.write_readme:
        report.write_readme(args.out)


if __name__ == "__main__":
    main()
