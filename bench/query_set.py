"""The fixed benchmark query set: reading ``queries.tsv``, and drawing it afresh from the real
corpora (``python -m bench.query_set`` rewrites the file; the committed file is what runs)."""

from __future__ import annotations

import random
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

QUERY_FILE = Path(__file__).resolve().parent / "queries.tsv"
COLUMNS = ("category", "query", "speaker", "date_from", "date_to")
CATEGORIES = ("word", "words", "phrase", "inflected", "umlaut_free", "speaker", "date", "prefix",
              "typo", "zero_hit", "quote")


class QueryFileError(ValueError):
    """A line of the query file is malformed; the message names the line."""


@dataclass(frozen=True)
class BenchQuery:
    category: str
    query: str
    speaker: str = ""     # a person ID (the ``speaker`` filter parameter)
    date_from: str = ""   # the ``from`` / ``to`` filter parameters
    date_to: str = ""

    def parameters(self) -> dict[str, str]:
        """The filter parameters that are set, by their API names."""
        found = {"speaker": self.speaker, "from": self.date_from, "to": self.date_to}
        return {name: value for name, value in found.items() if value}


def load_queries(path: Path = QUERY_FILE) -> list[BenchQuery]:
    """Every query of the file (tab-separated, a header line, ``#`` lines are comments)."""
    queries = []
    lines = path.read_text(encoding="utf-8").splitlines()
    if not lines or tuple(lines[0].split("\t")) != COLUMNS:
        raise QueryFileError(f"{path.name} line 1: the header must be {' '.join(COLUMNS)}")
    for number, line in enumerate(lines[1:], 2):
        if not line.strip() or line.startswith("#"):
            continue
        cells = line.split("\t")
        if len(cells) != len(COLUMNS):
            raise QueryFileError(f"{path.name} line {number}: {len(cells)} cells, expected {len(COLUMNS)}")
        if cells[0] not in CATEGORIES:
            raise QueryFileError(f"{path.name} line {number}: unknown category {cells[0]!r}")
        if not cells[1].strip():
            raise QueryFileError(f"{path.name} line {number}: empty query")
        queries.append(BenchQuery(*cells))
    return queries


_WORD = re.compile(r"[^\W\d_]{3,}")
_UMLAUTS = {"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", "Ä": "Ae", "Ö": "Oe", "Ü": "Ue"}


def misspell(word: str, rng: random.Random) -> str:
    """``word`` (three letters or more) with one typo inside it: two letters swapped, one
    dropped, doubled or replaced."""
    position = rng.randrange(1, len(word) - 1)
    change = rng.choice(("swap", "drop", "double", "replace"))
    if change == "swap":
        return word[:position] + word[position + 1] + word[position] + word[position + 2:]
    if change == "drop":
        return word[:position] + word[position + 1:]
    if change == "double":
        return word[:position] + word[position] + word[position:]
    return word[:position] + rng.choice("aeiouklmnrst") + word[position + 1:]


def draw_queries(seed: int = 7) -> list[BenchQuery]:
    """A fresh query set drawn from the real corpora, about 360 queries over every category."""
    from bench.corpus import person_id_of, read_real_records
    from index.analysis import fold, german_stem

    rng = random.Random(seed)
    records = list(read_real_records())
    counts: Counter = Counter()
    surface: dict[str, Counter] = {"de": Counter(), "en": Counter()}
    for record in records:
        for word in _WORD.findall(record.text):
            counts[word.lower()] += 1
            surface[record.lang][word] += 1
    common = [word for word, count in counts.most_common(6000) if len(word) >= 4]
    frequent, middle, rare = common[:300], common[300:2000], [w for w, c in counts.items() if c in (2, 3)]
    queries: list[BenchQuery] = []

    def add(category: str, query: str, **filters: str) -> None:
        candidate = BenchQuery(category, query, **filters)
        if candidate not in queries and "\t" not in query:
            queries.append(candidate)

    for pool, wanted in ((frequent, 20), (middle, 25), (sorted(rare), 15)):
        for word in rng.sample(pool, wanted):
            add("word", word)
    while sum(q.category == "words" for q in queries) < 50:
        words = [w for w in _WORD.findall(rng.choice(records).text) if len(w) >= 4]
        if len(words) >= 3:
            add("words", " ".join(rng.sample(words, rng.choice((2, 3)))))
    while sum(q.category == "phrase" for q in queries) < 40:
        words = rng.choice(records).text.split()
        length = rng.choice((2, 3, 4))
        if len(words) > length and all(_WORD.fullmatch(w) for w in words[:length + 8]):
            start = rng.randrange(0, len(words) - length)
            add("phrase", '"' + " ".join(words[start:start + length]) + '"')
    by_stem: dict[str, set[str]] = {}
    for word, count in surface["de"].items():
        if count >= 3 and len(word) >= 5:
            by_stem.setdefault(german_stem(fold(word)), set()).add(word)
    families = sorted(forms for forms in by_stem.values() if len(forms) >= 2)
    for forms in rng.sample(families, 25):
        add("inflected", sorted(forms)[1])
    umlaut_words = sorted(w for w, c in surface["de"].items() if c >= 3 and set(w) & set(_UMLAUTS))
    for word in rng.sample(umlaut_words, 25):
        add("umlaut_free", "".join(_UMLAUTS.get(char, char) for char in word))
    while sum(q.category == "speaker" for q in queries) < 25:
        record = rng.choice(records)
        words = [w for w in _WORD.findall(record.text) if len(w) >= 5]
        if words:
            add("speaker", rng.choice(words), speaker=person_id_of(record.speaker))
    while sum(q.category == "date" for q in queries) < 25:
        record = rng.choice(records)
        words = [w for w in _WORD.findall(record.text) if len(w) >= 5]
        if words:
            month = record.posted_at[:7]
            if rng.random() < 0.5:
                add("date", rng.choice(words), date_from=month, date_to=month)
            else:
                add("date", rng.choice(words), date_from=record.posted_at[:4])
    for word in rng.sample(middle + frequent, 25):
        add("prefix", word[:rng.choice((4, 5))] + "*")
    long_words = [word for word in middle if len(word) >= 6]
    for number, word in enumerate(rng.sample(long_words, 25)):
        add("typo", misspell(word, rng) + ("~" if number % 5 == 0 else ""))
    letters = "bcdfghjklmnpqrstvwxz"
    for number in range(20):
        nonsense = "".join(rng.choice(letters) for _ in range(rng.randrange(6, 10)))
        add("zero_hit", nonsense if number % 2 else f"{rng.choice(frequent)} {nonsense}")
    from bench.quote_cases import build_quote_cases

    for case in build_quote_cases(per_form=8, seed=seed):
        add("quote", case.query)
    return queries


def write_queries(queries: list[BenchQuery], path: Path = QUERY_FILE) -> None:
    lines = ["\t".join(COLUMNS)]
    lines += ["\t".join((q.category, q.query, q.speaker, q.date_from, q.date_to)) for q in queries]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


if __name__ == "__main__":
    drawn = draw_queries()
    write_queries(drawn)
    print(f"{len(drawn)} queries written to {QUERY_FILE}")
