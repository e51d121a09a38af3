"""Many made-up statements for the load, crash and worst-case tests: JSONL files the importer
reads with a field mapping, with words drawn from a large German and English vocabulary."""

from __future__ import annotations

import gzip
import itertools
import json
import random
from pathlib import Path

from tests.conftest import CORPORA

IMPORT_OPTIONS = ["--map", "text=t", "--map", "speaker=s", "--map", "posted_at=d",
                  "--map", "platform_id=i", "--map", "lang=l", "--set", "platform=bulk"]
SYLLABLES = ("an ber che da der ein er fahr ge halt hei in ka kon lich mach men na nen "
             "ord po ra rech sa schaft se sen spra ta te ten tung un ver wal wer zu").split()


def vocabulary(size: int = 30_000, seed: int = 5) -> list[str]:
    """Real words from the corpora when they are there, topped up with made-up ones."""
    words: set[str] = set()
    for path in (CORPORA / "de-politicians-tweets" / "tweets.jsonl.gz",
                 CORPORA / "trump-tweets" / "trump_tweets.jsonl.gz"):
        if not path.exists():
            continue
        with gzip.open(path, "rt", encoding="utf-8") as handle:
            for line in handle:
                record = json.loads(line)
                for word in (record.get("full_text") or record.get("text") or "").split():
                    word = word.strip(".,;:!?\"'()[]…“”„")
                    if word.isalpha() and 2 < len(word) < 20:
                        words.add(word)
                if len(words) >= size:
                    break
    rng = random.Random(seed)
    while len(words) < size:
        words.add("".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4))))
    ordered = sorted(words)[:size]
    rng.shuffle(ordered)  # word frequency then does not follow the alphabet
    return ordered


def bulk_records(count: int, *, start: int = 0, seed: int = 1, speakers: int = 200,
                 words: list[str] | None = None) -> list[dict]:
    """``count`` records numbered from ``start`` (platform IDs ``bulk-N``): 8 to 40 words each,
    Zipf-like word frequencies, a few hundred speakers, dates over ten years."""
    rng = random.Random(seed)
    words = words or vocabulary()
    cumulative = list(itertools.accumulate(1 / (rank + 1) for rank in range(len(words))))
    records = []
    for number in range(start, start + count):
        text = " ".join(rng.choices(words, cum_weights=cumulative, k=rng.randint(8, 40)))
        records.append({
            "t": text[0].upper() + text[1:] + ".",
            "s": f"@speaker{rng.randrange(speakers)}",
            "d": f"{rng.randint(2014, 2024)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}T"
                 f"{rng.randint(0, 23):02d}:{rng.randint(0, 59):02d}:00Z",
            "i": f"bulk-{number}",
            "l": rng.choice(["de", "en"]),
        })
    return records


def write_jsonl(path: Path, records: list[dict]) -> Path:
    path.write_text("".join(json.dumps(record, ensure_ascii=False) + "\n" for record in records),
                    encoding="utf-8")
    return path
