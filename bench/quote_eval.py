"""``python -m bench.quote_eval``: how well the search finds pasted quotes. Draws the
evaluation cases (bench.quote_cases) from the real corpora, imports the corpora into a
temporary data directory and searches every case twice: with every word required (the
search before near matches) and as the search answers now. Prints success@10 and the
first-place rate per form; for text that is not in the archive, how often anything is
found and how often the source statement is."""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections import defaultdict
from pathlib import Path

import index.near_matches as near_matches
from archive.lifecycle import open_store
from bench.corpus import SEED
from bench.quote_cases import FORMS, HARDER_FORMS, QuoteCase, build_quote_cases, import_corpora
from index import service
from index.engines import prepare_engine
from index.engines.whoosh.engine import WhooshEngine


def _places(store, data_dir: Path, cases: list[QuoteCase]) -> list[tuple[int | None, int, float]]:
    """Per case: the place (1-based) of the source statement in the first 10, the number
    of results and the seconds the search took."""
    found = []
    for case in cases:
        started = time.perf_counter()
        page = service.search(WhooshEngine(data_dir), case.query, store=store, per_page=10)
        seconds = time.perf_counter() - started
        ids = [hit.statement.content.platform_id for hit in page.hits]
        place = ids.index(case.platform_id) + 1 if case.platform_id in ids else None
        found.append((place, page.total, seconds))
    return found


def evaluate(data_dir: Path, cases: list[QuoteCase]) -> dict[str, dict[str, dict]]:
    """{"before"|"after": {form: figures}}: success@10, first place, any result, p95 ms."""
    figures: dict[str, dict[str, dict]] = {}
    with open_store(data_dir) as store:
        _places(store, data_dir, cases[:5])  # warm the caches
        for label in ("before", "after"):
            saved = near_matches.MIN_QUOTE_WORDS
            if label == "before":
                near_matches.MIN_QUOTE_WORDS = 10 ** 6  # every word required, as before
            try:
                places = _places(store, data_dir, cases)
            finally:
                near_matches.MIN_QUOTE_WORDS = saved
            by_form: dict[str, list] = defaultdict(list)
            for case, found in zip(cases, places, strict=True):
                by_form[case.form].append(found)
            figures[label] = {}
            for form in FORMS + HARDER_FORMS:
                rows = by_form.get(form, [])
                if not rows:
                    continue
                times = sorted(seconds for _place, _total, seconds in rows)
                figures[label][form] = {
                    "cases": len(rows),
                    "success_at_10": sum(place is not None for place, _t, _s in rows) / len(rows),
                    "first": sum(place == 1 for place, _t, _s in rows) / len(rows),
                    "any_result": sum(total > 0 for _p, total, _s in rows) / len(rows),
                    "median_results": statistics.median(total for _p, total, _s in rows),
                    "p50_ms": statistics.median(times) * 1000,
                    "p95_ms": times[min(len(times) - 1, int(0.95 * len(times)))] * 1000,
                }
    return figures


def format_table(figures: dict[str, dict[str, dict]]) -> str:
    lines = ["| form | cases | success@10 before | after | first place before | after |"
             " any result after | median results after | p95 ms after |",
             "|---|---|---|---|---|---|---|---|---|"]
    for form, after in figures["after"].items():
        before = figures["before"][form]
        lines.append(f"| {form} | {after['cases']} | {before['success_at_10']:.3f} |"
                     f" {after['success_at_10']:.3f} | {before['first']:.3f} | {after['first']:.3f} |"
                     f" {after['any_result']:.3f} | {after['median_results']:g} | {after['p95_ms']:.1f} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.quote_eval", description=__doc__)
    parser.add_argument("--per-form", type=int, default=100, help="cases of each form (default 100)")
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--lines", type=int, help="only the first LINES tweets of each corpus")
    parser.add_argument("--data-dir", type=Path, help="an existing data directory of the same corpora")
    parser.add_argument("--share", type=float, help="try another minimum share of words")
    parser.add_argument("--harder", action="store_true",
                        help="also quotes with two and three words replaced")
    parser.add_argument("--passage-weight", type=float, help="try another passage bonus")
    arguments = parser.parse_args(argv)
    if arguments.share is not None:
        near_matches.MIN_SHARE = arguments.share
    if arguments.passage_weight is not None:
        near_matches.PASSAGE_WEIGHT = arguments.passage_weight
    cases = build_quote_cases(per_form=arguments.per_form, seed=arguments.seed, lines=arguments.lines)
    if arguments.harder:
        cases += build_quote_cases(per_form=arguments.per_form, seed=arguments.seed + 1,
                                   lines=arguments.lines, forms=HARDER_FORMS)
    with tempfile.TemporaryDirectory(prefix="verbatim-quotes-") as scratch:
        data_dir = arguments.data_dir or Path(scratch) / "data"
        if arguments.data_dir is None or not (data_dir / "archive.sqlite3").exists():
            started = time.monotonic()
            import_corpora(data_dir, lines=arguments.lines)
            print(f"imported in {time.monotonic() - started:.1f} s")
        # a kept data directory may hold an index of an older format
        prepare_engine(WhooshEngine(data_dir), data_dir)
        print(format_table(evaluate(data_dir, cases)))


if __name__ == "__main__":
    main()
