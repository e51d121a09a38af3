"""``python -m bench.meaning_eval``: how well search by meaning finds a statement from other
words or another language (the cases of ``bench.meaning_cases``).

Seed: a new archive with the seed collection only; each of the 14 English descriptions is
searched as the page answers it (keyword results, then the meaning results) and counts when
its statement is among the first 3. Corpora: the two real corpora imported into
``--data`` (default ``bench/out/meaning/data``; imported and encoded on the first run, the
encoding timed), then per direction (English queries for German tweets, German queries for
Trump's) success@10 and MRR@10 per method: keywords alone (the search's own ranking),
embeddings alone (``index.meaning`` without a translation), dictionary (an English query
translated into German by ``index.dictionary``, searched by keywords), fused (the meaning
results as the search gives them: embeddings and the translated keyword search by reciprocal
rank fusion) and as shown (keyword page of 10, then the meaning results: success when the
statement is in either list, the rank counted through both).
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

from archive.lifecycle import init_archive, open_store
from bench.meaning_cases import DE_TO_EN, EN_TO_DE, SEED_CASES
from bench.quote_cases import import_corpora
from index import service
from index.dictionary import translate_to_german
from index.engines.whoosh.engine import WhooshEngine
from index.meaning import add_meaning_hits, find_by_meaning, guess_language
from index.vectors import get_vector_set, sync_vectors

OUT = Path(__file__).resolve().parent / "out" / "meaning"
DEPTH = 50
PAGE = 10
METHODS = ("keywords", "embeddings", "dictionary", "fused", "shown")


def keyword_ranking(store, data_dir: Path, query: str, depth: int = DEPTH) -> list[str]:
    return [hit.statement_id for hit in
            service.search(WhooshEngine(data_dir), query, store=store, per_page=depth).hits]


def meaning_ranking(store, data_dir: Path, query: str, depth: int = DEPTH,
                    exclude: set[str] | None = None, translated: bool = True) -> list[str]:
    return [hit.statement_id for hit in
            find_by_meaning(query, engine=WhooshEngine(data_dir), store=store, data_dir=data_dir,
                            limit=depth, exclude=exclude or (), translate=translated).hits]


def dictionary_ranking(store, data_dir: Path, query: str) -> list[str]:
    translated = translate_to_german(query) if guess_language(query) == "en" else None
    return keyword_ranking(store, data_dir, translated) if translated else []


def shown(store, data_dir: Path, query: str, per_page: int = PAGE) -> list[str]:
    """What the search page shows on its first page: the keyword results, then the meaning
    results (index.meaning.add_meaning_hits)."""
    params = {"query": query, "speaker": None, "lang": None, "platform": None, "kind": None,
              "date_from": None, "date_to": None, "sort": "relevance", "page": 1,
              "per_page": per_page}
    engine = WhooshEngine(data_dir)
    page = service.search(engine, store=store, **params)
    add_meaning_hits(page, engine, store, data_dir, params)
    return [hit.statement_id for hit in page.hits] + [hit.statement_id for hit in page.meaning_hits]


def rankings(store, data_dir: Path, query: str) -> dict[str, list[str]]:
    return {"keywords": keyword_ranking(store, data_dir, query)[:PAGE],
            "embeddings": meaning_ranking(store, data_dir, query, PAGE, translated=False),
            "dictionary": dictionary_ranking(store, data_dir, query)[:PAGE],
            "fused": meaning_ranking(store, data_dir, query, PAGE),
            "shown": shown(store, data_dir, query)}


def rank_of(ranking: list[str], wanted: str) -> int | None:
    return ranking.index(wanted) + 1 if wanted in ranking else None


def evaluate_seed() -> dict:
    with tempfile.TemporaryDirectory() as folder:
        data_dir = Path(folder) / "data"
        init_archive(data_dir)
        with open_store(data_dir) as store:
            WhooshEngine(data_dir).follow(store)
            sync_vectors(store, data_dir)
            rows = []
            for query, wanted in SEED_CASES:
                found = rankings(store, data_dir, query)
                rows.append({"query": query, "wanted": wanted,
                             **{method: rank_of(found[method], wanted) for method in METHODS}})
    top3 = {method: sum(1 for row in rows if row[method] and row[method] <= 3) for method in METHODS}
    return {"cases": rows, "top3": top3, "total": len(rows)}


def prepare_corpora(data_dir: Path) -> dict:
    """Import the corpora and encode them once; the figures of the encoding."""
    figures: dict = {}
    if not (data_dir / "archive.sqlite3").exists():
        started = time.monotonic()
        import_corpora(data_dir)
        figures["import_s"] = round(time.monotonic() - started, 1)
    with open_store(data_dir) as store:
        started = time.monotonic()
        encoded = sync_vectors(store, data_dir)
        if encoded:
            figures["encode_s"] = round(time.monotonic() - started, 1)
            figures["encoded"] = encoded
    vectors = get_vector_set(data_dir)
    figures["statements"] = len(vectors.statement_ids)
    figures["sentences"] = vectors.rows
    return figures


def evaluate_direction(store, data_dir: Path, cases, platform: str = "x") -> dict:
    rows = []
    for query, platform_id in cases:
        wanted = store.find_by_platform_id(platform, platform_id)
        if wanted is None:
            raise SystemExit(f"no statement for tweet {platform_id}: import the corpora anew")
        found = rankings(store, data_dir, query)
        rows.append({"query": query, "wanted": wanted,
                     **{method: rank_of(found[method], wanted) for method in METHODS}})
    summary = {}
    for method in METHODS:
        limit = 2 * PAGE if method == "shown" else PAGE
        ranks = [row[method] for row in rows]
        summary[method] = {
            "success@10": round(sum(1 for rank in ranks if rank and rank <= limit) / len(rows), 3),
            "mrr@10": round(sum(1 / rank for rank in ranks if rank and rank <= limit) / len(rows), 3)}
    return {"cases": rows, "summary": summary}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=OUT / "data",
                        help="data directory for the corpora (imported and encoded if new)")
    parser.add_argument("--seed-only", action="store_true", help="only the seed's 14 cases")
    parser.add_argument("--verbose", action="store_true", help="print every case")
    args = parser.parse_args()
    results: dict = {"seed": evaluate_seed()}
    seed = results["seed"]
    print(f"Seed alone, {seed['total']} English descriptions, found in the top 3: "
          + ", ".join(f"{method} {count}" for method, count in seed["top3"].items()))
    if args.verbose:
        for row in seed["cases"]:
            print(f"  {row}")
    if not args.seed_only:
        results["corpora"] = prepare_corpora(args.data)
        print(f"Corpora: {results['corpora']}")
        with open_store(args.data) as store:
            for name, cases in (("en->de", EN_TO_DE), ("de->en", DE_TO_EN)):
                direction = results[name] = evaluate_direction(store, args.data, cases)
                print(f"{name} ({len(cases)} paraphrases):")
                print(f"  {'method':<11} success@10  MRR@10")
                for method, figures in direction["summary"].items():
                    print(f"  {method:<11} {figures['success@10']:>10.3f}  {figures['mrr@10']:>6.3f}")
                if args.verbose:
                    for row in direction["cases"]:
                        print(f"  {row}")
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "results.json").write_text(json.dumps(results, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
