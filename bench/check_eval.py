"""``python -m bench.check_eval``: how well the quote check answers pasted quotes, and how fast.

Draws the evaluation cases of bench.quote_cases from the real corpora (spans of 9-14 words of
tweets that occur once: exact, one word replaced, one dropped plus a typo, shuffled, half the
words replaced), imports the corpora into a data directory and checks every case with
``index.quote_check.check_quote``. Per form: how often the verdict is right *and* the source
tweet is the first match (exact: verbatim; replaced and dropped_typo: close; shuffled: loose;
unrelated: not_found or loose), for ``replaced`` whether the replaced word is named, and the
p50/p95 time of a check. ``--timing-size N`` also builds an archive of N generated statements
(bench/corpus.py) and times the same checks on it.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

import index.quote_check as quote_check
from archive.lifecycle import open_store
from bench.corpus import SEED, write_generated
from bench.processes import PYTHON, environment, run_measured
from bench.quote_cases import FORMS, QuoteCase, build_quote_cases, import_corpora
from index.engines import prepare_engine
from index.engines.whoosh.engine import WhooshEngine

EXPECTED = {"exact": {"verbatim"}, "replaced": {"close"}, "dropped_typo": {"close"},
            "shuffled": {"loose"}, "unrelated": {"not_found", "loose"}}
TIMED_PER_FORM = 40


def _permalink(statement_id: str, locator: str) -> str:
    return f"https://verbatim.example/s/{statement_id}" + (f"/{locator}" if locator else "")


def _names_replacement(case: QuoteCase, match) -> bool:
    stored, quoted = (word.lower() for word in case.replaced)
    return any(item.kind == "replaced" and quoted in item.quote.lower() and stored in item.stored.lower()
               for item in match.differences)


def _percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def check_cases(data_dir: Path, cases: list[QuoteCase]) -> list[dict]:
    """Every case checked: its verdict, whether the source tweet came first, the seconds."""
    rows = []
    engine = WhooshEngine(data_dir)
    with open_store(data_dir) as store:
        for case in cases[:5]:  # warm the caches
            quote_check.check_quote(case.query, store=store, engine=engine, permalink=_permalink)
        for case in cases:
            started = time.perf_counter()
            result = quote_check.check_quote(case.query, store=store, engine=engine, permalink=_permalink)
            seconds = time.perf_counter() - started
            best = result.matches[0] if result.matches else None
            first = best is not None and best.statement.content.platform_id == case.platform_id
            rows.append({"case": case, "verdict": result.verdict, "first": first, "seconds": seconds,
                         "named": case.form == "replaced" and best is not None and first
                         and _names_replacement(case, best)})
    return rows


def summarise(rows: list[dict]) -> dict[str, dict]:
    by_form: dict[str, list[dict]] = defaultdict(list)
    for row in rows:
        by_form[row["case"].form].append(row)
    figures = {}
    for form in FORMS:
        group = by_form.get(form, [])
        if not group:
            continue
        right = [row["verdict"] in EXPECTED[form] for row in group]
        # not in the archive: the right answer does not depend on which statement comes first
        both = right if form == "unrelated" else [ok and row["first"] for ok, row in zip(right, group,
                                                                                           strict=True)]
        times = [row["seconds"] * 1000 for row in group]
        verdicts: dict[str, int] = defaultdict(int)
        for row in group:
            verdicts[row["verdict"]] += 1
        figures[form] = {
            "cases": len(group), "right": sum(both) / len(group),
            "verdict_right": sum(right) / len(group),
            "first": sum(row["first"] for row in group) / len(group),
            "named": (sum(row["named"] for row in group) / len(group)) if form == "replaced" else None,
            "verbatim_or_close": sum(row["verdict"] in ("verbatim", "close") for row in group) / len(group),
            "verdicts": dict(verdicts),
            "p50_ms": statistics.median(times), "p95_ms": _percentile(times, 0.95),
        }
    return figures


def format_table(figures: dict[str, dict]) -> str:
    lines = ["| form | cases | right verdict and statement first | verdicts | replaced word named |"
             " called verbatim or close | p50 ms | p95 ms |", "|---|---|---|---|---|---|---|---|"]
    for form, row in figures.items():
        verdicts = ", ".join(f"{name} {count}" for name, count in sorted(row["verdicts"].items()))
        named = f"{row['named']:.3f}" if row["named"] is not None else ""
        lines.append(f"| {form} | {row['cases']} | {row['right']:.3f} | {verdicts} | {named} |"
                     f" {row['verbatim_or_close']:.3f} | {row['p50_ms']:.1f} | {row['p95_ms']:.1f} |")
    return "\n".join(lines)


def time_on_generated(size: int, work: Path, cases: list[QuoteCase]) -> dict:
    """Import ``size`` generated statements into ``work`` (unless already there) and time the
    checks of ``cases``."""
    data_dir = work / "data"
    if not (data_dir / "archive.sqlite3").exists():
        work.mkdir(parents=True, exist_ok=True)
        corpus = write_generated(size, work / "corpus.jsonl")
        started = time.monotonic()
        run_measured([PYTHON, "-m", "flask", "--app", "web", "import", str(corpus), "--set",
                      "platform=x"], environment(data_dir))
        print(f"imported {size:,} generated statements in {time.monotonic() - started:.0f} s",
              file=sys.stderr)
    with open_store(data_dir) as store:
        started = time.perf_counter()
        quote_check.check_quote(cases[0].query, store=store, engine=WhooshEngine(data_dir),
                                permalink=_permalink)
        first_ms = (time.perf_counter() - started) * 1000
    rows = check_cases(data_dir, cases)
    times = [row["seconds"] * 1000 for row in rows]
    return {"statements": size, "checks": len(rows), "first_ms": first_ms,
            "p50_ms": statistics.median(times), "p95_ms": _percentile(times, 0.95), "max_ms": max(times)}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.check_eval", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--per-form", type=int, default=100, help="cases of each form (default 100)")
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--lines", type=int, help="only the first LINES tweets of each corpus")
    parser.add_argument("--data-dir", type=Path,
                        help="a data directory holding the same corpora (imported there when empty)")
    parser.add_argument("--timing-size", type=int, help="also time checks on N generated statements")
    parser.add_argument("--timing-dir", type=Path,
                        help="a folder for the generated archive, reused when it holds one")
    parser.add_argument("--close-edits", type=int, help="try another CLOSE_MAX_EDITS")
    parser.add_argument("--close-similarity", type=float, help="try another CLOSE_MIN_SIMILARITY")
    parser.add_argument("--loose-share", type=float, help="try another LOOSE_MIN_SHARE")
    arguments = parser.parse_args(argv)
    for name, value in (("CLOSE_MAX_EDITS", arguments.close_edits),
                        ("CLOSE_MIN_SIMILARITY", arguments.close_similarity),
                        ("LOOSE_MIN_SHARE", arguments.loose_share)):
        if value is not None:
            setattr(quote_check, name, value)
    cases = build_quote_cases(per_form=arguments.per_form, seed=arguments.seed, lines=arguments.lines)
    with tempfile.TemporaryDirectory(prefix="verbatim-check-") as scratch:
        data_dir = arguments.data_dir or Path(scratch) / "real"
        if not (data_dir / "archive.sqlite3").exists():
            started = time.monotonic()
            import_corpora(data_dir, lines=arguments.lines)
            print(f"imported the real corpora in {time.monotonic() - started:.0f} s", file=sys.stderr)
        # a kept data directory may hold an index of an older format
        prepare_engine(WhooshEngine(data_dir), data_dir)
        print(format_table(summarise(check_cases(data_dir, cases))))
        if arguments.timing_size:
            timed = [case for form in FORMS
                     for case in [c for c in cases if c.form == form][:TIMED_PER_FORM]]
            figures = time_on_generated(arguments.timing_size, arguments.timing_dir or Path(scratch),
                                        timed)
            print(f"\n{figures['checks']} checks on {figures['statements']:,} generated statements:"
                  f" first {figures['first_ms']:.0f} ms, p50 {figures['p50_ms']:.1f} ms,"
                  f" p95 {figures['p95_ms']:.1f} ms, max {figures['max_ms']:.1f} ms")


if __name__ == "__main__":
    main()
