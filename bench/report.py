"""Figures: percentiles, the result table of one run (Verbatim, FTS5, ratio), the machine,
and the results section of bench/README.md."""

from __future__ import annotations

import json
import platform
import sqlite3
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path

README = Path(__file__).resolve().parent / "README.md"
BEGIN, END = "<!-- bench:results -->", "<!-- /bench:results -->"


def percentile(values: list[float], fraction: float) -> float:
    """Nearest-rank percentile (p95 of 320 values is the 304th smallest)."""
    if not values:
        return 0.0
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * fraction // 1))
    return ordered[int(rank) - 1]


def machine() -> dict[str, str]:
    model = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
        memory = next(line for line in Path("/proc/meminfo").read_text().splitlines()
                      if line.startswith("MemTotal"))
        gib = int(memory.split()[1]) / 1024 / 1024
    except (OSError, StopIteration):
        gib = 0.0
    import os

    return {"cpu": f"{model}, {os.cpu_count()} cores", "memory": f"{gib:.0f} GiB",
            "python": platform.python_version(), "sqlite": sqlite3.sqlite_version,
            "whoosh": version("whoosh-reloaded"), "os": platform.platform(terse=True),
            "date": datetime.now(UTC).strftime("%Y-%m-%d")}


# (key, label, unit, lower is better)
ROWS = (
    ("statements", "statements", "", None),
    ("import_s", "import, archive + index (wall)", "s", True),
    ("import_rate", "import rate", "statements/s", False),
    ("import_memory_mb", "importer peak memory (PSS, whole process tree)", "MB", True),
    ("import_rss_mb", "importer peak RSS (largest single process)", "MB", True),
    ("index_mb", "index size on disk", "MB", True),
    ("archive_mb", "archive (SQLite) size", "MB", True),
    ("cold_start_ms", "cold start: server start to first answered query", "ms", True),
    ("first_query_ms", "in-process: open + first query", "ms", True),
    ("p50_ms", "in-process search p50", "ms", True),
    ("p95_ms", "in-process search p95", "ms", True),
    ("p99_ms", "in-process search p99", "ms", True),
    ("p95_short_ms", "in-process p95, short queries (every class but quote)", "ms", True),
    ("p95_quote_ms", "in-process p95, pasted quotes (class quote)", "ms", True),
    ("max_ms", "in-process search max", "ms", True),
    ("http1_rps", "HTTP 1 client: throughput", "req/s", False),
    ("http1_p95_ms", "HTTP 1 client: p95", "ms", True),
    ("http8_rps", "HTTP 8 clients: throughput", "req/s", False),
    ("http8_p95_ms", "HTTP 8 clients: p95", "ms", True),
    ("http32_rps", "HTTP 32 clients: throughput", "req/s", False),
    ("http32_p95_ms", "HTTP 32 clients: p95", "ms", True),
    ("server_rss_mb", "server peak memory under load (PSS, master and workers)", "MB", True),
)


def _number(value: float) -> str:
    if value >= 100:
        return f"{value:,.0f}"
    if value >= 10:
        return f"{value:.1f}"
    return f"{value:.2f}"


def table(result: dict) -> str:
    """A markdown table of one run: each figure for Verbatim and FTS5 and their ratio."""
    lines = ["| figure | Verbatim | FTS5 | Verbatim/FTS5 |", "|---|---:|---:|---:|"]
    for key, label, unit, _lower in ROWS:
        ours, theirs = result["verbatim"].get(key), result["fts5"].get(key)
        if ours is None:
            continue
        name = f"{label} ({unit})" if unit else label
        ratio = "" if not theirs else f"{ours / theirs:.{1 if ours >= theirs else 2}f}×"
        lines.append(f"| {name} | {_number(ours)} | {_number(theirs) if theirs is not None else ''}"
                     f" | {ratio if key != 'statements' else ''} |")
    return "\n".join(lines)


def section(results: list[dict]) -> str:
    parts = []
    for result in results:
        parts.append(f"### {result['size']} ({result['verbatim']['statements']:,} statements;"
                     f" {result['queries']} queries; run {result['machine']['date']})\n")
        parts.append(f"Command: `{result['command']}`. Machine: {result['machine']['cpu']},"
                     f" {result['machine']['memory']} RAM, {result['machine']['os']}, Python"
                     f" {result['machine']['python']}, SQLite {result['machine']['sqlite']},"
                     f" whoosh-reloaded {result['machine']['whoosh']}. Load average (1 min) at"
                     f" start and end: {' / '.join(map(str, result.get('load_average', [])))}.\n")
        parts.append(table(result) + "\n")
        slow = result.get("slowest", [])
        if slow:
            parts.append("Slowest queries in process (ms): "
                         + "; ".join(f"`{q}` ({c}) {ms:.0f}" for ms, c, q in slow) + "\n")
    return "\n".join(parts)


def write_readme(results_dir: Path) -> None:
    """Replace the results section of bench/README.md with every size found in ``results_dir``."""
    order = {"quick": 0, "40k": 1, "100k": 2, "1m": 3}
    results = [json.loads(path.read_text()) for path in results_dir.glob("results-*.json")
               if path.name != "results-quick.json"]  # a smoke run, not a figure to quote
    results.sort(key=lambda item: order.get(item["size"], 9))
    text = README.read_text(encoding="utf-8")
    start, end = text.index(BEGIN) + len(BEGIN), text.index(END)
    README.write_text(text[:start] + "\n" + section(results) + "\n" + text[end:], encoding="utf-8")
