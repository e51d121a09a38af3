"""``python -m bench.extract_eval``: how well ``extract`` finds and attributes the quotes of an
article, measured on the seed article and on the articles in ``fixtures/articles/``.

Each article has its expected quotes (the seed article: the six statements of
``fixtures/seed.json`` with their speakers; the others: ``NAME.expected.json`` beside
``NAME.txt``). A found quote is right when its words are an expected quote's words (line
wrapping aside). Precision is right / found, recall right / expected; of the right ones,
``speaker`` counts those attributed to the expected speaker (an unnamed speaker as unnamed)
and ``kind`` those whose kind in the draft is the expected one (the draft writes "other" where
the article states no kind). The people the rules know are the seed's, as in a new archive. ``--details``
lists every miss: quotes not found, found but not expected, and wrong speakers or kinds.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass, field

from archive.article_check import unwrap
from archive.data_dir import PROJECT_ROOT
from archive.extraction import FoundQuote, extract_quotes
from archive.records import Person
from archive.seed import read_seed

ARTICLES = PROJECT_ROOT / "fixtures" / "articles"
SEED_ARTICLE = PROJECT_ROOT.parent / "shared" / "seeds" / "000_9b6b4eaa2eaf404f.txt"


@dataclass
class Expected:
    text: str
    speaker: str  # a name; "" for an unnamed speaker
    kind: str


@dataclass
class ArticleScore:
    name: str
    expected: int = 0
    found: int = 0
    right: int = 0
    speaker_right: int = 0
    kind_right: int = 0
    unattributed: int = 0
    misses: list[str] = field(default_factory=list)

    @property
    def precision(self) -> float:
        return self.right / self.found if self.found else 0.0

    @property
    def recall(self) -> float:
        return self.right / self.expected if self.expected else 0.0


def seed_people() -> list[Person]:
    return [Person.from_dict(person) for person in read_seed()["people"]]


def seed_case() -> tuple[str, list[Expected]]:
    seed = read_seed()
    people = {person["person_id"]: person for person in seed["people"]}
    expected = [Expected(item["text"], "" if people[item["person_id"]].get("unnamed")
                         else people[item["person_id"]]["name"], item["kind"])
                for item in seed["statements"]]
    return SEED_ARTICLE.read_text(encoding="utf-8"), expected


def article_cases() -> dict[str, tuple[str, list[Expected]]]:
    """Every article with its expected quotes, the seed article first when it is there."""
    cases = {}
    if SEED_ARTICLE.exists():
        cases["seed (000_9b6b4eaa2eaf404f)"] = seed_case()
    for path in sorted(ARTICLES.glob("*.expected.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        expected = [Expected(item["text"], "" if item["unnamed"] else item["speaker"] or "?",
                             item["kind"]) for item in data["quotes"]]
        text = (ARTICLES / data["article"]).read_text(encoding="utf-8")
        cases[data["article"].removesuffix(".txt")] = (text, expected)
    return cases


def _speaker(quote: FoundQuote) -> str:
    if quote.unnamed_as:
        return ""
    return quote.speaker or "?"


def evaluate_article(name: str, text: str, expected: list[Expected],
                     people: list[Person]) -> ArticleScore:
    quotes = extract_quotes(text, people).quotes
    score = ArticleScore(name, len(expected), len(quotes))
    score.unattributed = sum(not quote.attributed for quote in quotes)
    wanted = {unwrap(item.text): item for item in expected}
    matched = set()
    for quote in quotes:
        item = wanted.get(unwrap(quote.text))
        if item is None:
            score.misses.append(f"not a quote: {_short(quote.text)}")
            continue
        matched.add(unwrap(item.text))
        score.right += 1
        if _speaker(quote) == item.speaker:
            score.speaker_right += 1
        else:
            score.misses.append(f"speaker {_speaker(quote) or 'unnamed'!r} ({quote.rule or 'no rule'}),"
                                f" expected {item.speaker or 'unnamed'!r}: {_short(item.text)}")
        if (quote.kind or "other") == item.kind:  # the draft writes "other" for a kind not stated
            score.kind_right += 1
        else:
            score.misses.append(f"kind {quote.kind or 'not stated'!r}, expected {item.kind!r}:"
                                f" {_short(item.text)}")
    for key, item in wanted.items():
        if key not in matched:
            score.misses.append(f"not found: {_short(item.text)}")
    return score


def _short(text: str, length: int = 60) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= length else flat[:length - 1] + "…"


def format_table(scores: list[ArticleScore]) -> str:
    total = ArticleScore("all", *(sum(getattr(s, name) for s in scores) for name in (
        "expected", "found", "right", "speaker_right", "kind_right", "unattributed")))
    lines = ["| article | expected | found | right | precision | recall | speaker right |"
             " kind right | unattributed |",
             "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for score in [*scores, total]:
        lines.append(f"| {score.name} | {score.expected} | {score.found} | {score.right} |"
                     f" {score.precision:.2f} | {score.recall:.2f} |"
                     f" {score.speaker_right}/{score.right} | {score.kind_right}/{score.right} |"
                     f" {score.unattributed} |")
    return "\n".join(lines)


def evaluate_all() -> list[ArticleScore]:
    people = seed_people()
    return [evaluate_article(name, text, expected, people)
            for name, (text, expected) in article_cases().items()]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--details", action="store_true", help="List every miss.")
    arguments = parser.parse_args(argv)
    scores = evaluate_all()
    print(format_table(scores))
    if arguments.details:
        for score in scores:
            for miss in score.misses:
                print(f"{score.name}: {miss}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
