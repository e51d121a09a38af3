"""Pasted-quote evaluation cases drawn from the real corpora: spans of 9 to 14 consecutive
words of a tweet that occur in no other tweet, quoted exactly, with one word replaced, with one
word dropped and one misspelt, shuffled, or with half their words replaced (text the archive
does not hold). The same seed and corpora give the same cases; ``import_corpora`` loads the
corpora (or their first lines) into a data directory to search them."""

from __future__ import annotations

import random
import re
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import islice
from pathlib import Path

from bench.corpus import REAL_CORPORA, SEED, RealCorpus, Record, read_real_records
from bench.query_set import misspell

FORMS = ("exact", "replaced", "dropped_typo", "shuffled", "unrelated")
FINDABLE_FORMS = FORMS[:4]  # ``unrelated`` spans are not in the archive
# Harder misquotes, for choosing how many differing words the search forgives: two or three
# words replaced (``replaced`` then holds the first of them).
HARDER_FORMS = ("replaced_2", "replaced_3")
SPAN_WORDS = (9, 14)
# A token a pasted quote may hold without meaning a search operator, a link or a mention.
_PLAIN_TOKEN = re.compile(r"[^\s\"„“”»«()\[\]{}:*~^\\@#+-][^\s\"„“”»«()\[\]{}:*~^\\]*")
_OPERATORS = {"OR", "AND", "NOT", "TO"}
_WORD = re.compile(r"[^\W\d_]{3,}")
_CORE = re.compile(r"^(\W*)(.*?)(\W*)$", re.S)


@dataclass(frozen=True)
class QuoteCase:
    """One pasted quote and the tweet it was taken from.

    ``span`` is the tweet's words as posted (single spaces); ``query`` what is pasted.
    ``replaced`` is (stored word, quote word) for ``replaced``; ``typo`` the same for the
    misspelt word of ``dropped_typo`` and ``dropped`` the word left out.
    """

    form: str
    query: str
    platform_id: str
    lang: str
    span: str
    replaced: tuple[str, str] | None = None
    typo: tuple[str, str] | None = None
    dropped: str | None = None


def _is_plain(token: str) -> bool:
    return (bool(_PLAIN_TOKEN.fullmatch(token)) and "http" not in token.lower()
            and token not in _OPERATORS and any(char.isalpha() for char in token))


def _haystack(records: Iterable[Record]) -> str:
    """Every text with its white space collapsed and in lower case, one per line."""
    return "\n".join(" ".join(record.text.split()).lower() for record in records)


def _draw_span(tokens: list[str], rng: random.Random) -> list[str] | None:
    """A random run of plain tokens of a random length in SPAN_WORDS, or None."""
    runs, start = [], None
    for position, token in enumerate(tokens + [""]):
        if token and _is_plain(token):
            start = position if start is None else start
        elif start is not None:
            runs.append((start, position))
            start = None
    length = rng.randint(*SPAN_WORDS)
    fitting = [(first, end) for first, end in runs if end - first >= length]
    if not fitting:
        return None
    first, end = rng.choice(fitting)
    begin = rng.randrange(first, end - length + 1)
    span = tokens[begin:begin + length]
    if sum(bool(_WORD.search(token)) for token in span) < 6:
        return None
    return span


def _swap_core(token: str, word: str) -> tuple[str, str]:
    """``token`` with its word (without surrounding punctuation) replaced: (new token, old word)."""
    before, core, after = _CORE.match(token).groups()
    return before + word + after, core


def _word_positions(span: list[str], shortest: int) -> list[int]:
    return [position for position, token in enumerate(span)
            if len(_CORE.match(token).group(2)) >= shortest and _CORE.match(token).group(2).isalpha()]


def _other_word(vocabulary: list[str], avoid: set[str], rng: random.Random) -> str:
    while True:
        word = rng.choice(vocabulary)
        if word.lower() not in avoid:
            return word


def _make_case(form: str, record: Record, span: list[str], vocabulary: list[str],
               rng: random.Random) -> QuoteCase:
    words = list(span)
    case = {"form": form, "platform_id": record.platform_id, "lang": record.lang, "span": " ".join(span)}
    present = {_CORE.match(token).group(2).lower() for token in span}
    if form.startswith("replaced"):
        count = int(form.partition("_")[2] or 1)
        for number, position in enumerate(rng.sample(_word_positions(words, 1), count)):
            words[position], stored = _swap_core(words[position], _other_word(vocabulary, present, rng))
            if number == 0:
                case["replaced"] = (stored, _CORE.match(words[position]).group(2))
    elif form == "dropped_typo":
        dropped = rng.randrange(len(words))
        case["dropped"] = _CORE.match(words.pop(dropped)).group(2)
        position = rng.choice(_word_positions(words, 4))
        stored = _CORE.match(words[position]).group(2)
        typo = stored
        while typo == stored:
            typo = misspell(stored, rng)
        words[position], _ = _swap_core(words[position], typo)
        case["typo"] = (stored, typo)
    elif form == "shuffled":
        while words == span:
            rng.shuffle(words)
    elif form == "unrelated":
        positions = _word_positions(words, 1)
        for position in rng.sample(positions, min(len(positions), len(words) // 2)):
            words[position], _ = _swap_core(words[position], _other_word(vocabulary, present, rng))
    return QuoteCase(query=" ".join(words), **case)


def build_quote_cases(corpora: tuple[RealCorpus, ...] = REAL_CORPORA, per_form: int = 40,
                      seed: int = SEED, lines: int | None = None,
                      forms: tuple[str, ...] = FORMS) -> list[QuoteCase]:
    """``per_form`` cases of every form in ``forms`` (FORMS, or HARDER_FORMS), shared evenly
    between the corpora, each from a tweet of its own whose span occurs once among the
    first ``lines`` records of each corpus (all of them without ``lines``): the archive
    ``import_corpora`` builds with the same ``lines``. Retweets are left out (their words
    are someone else's)."""
    rng = random.Random(seed)
    records = list(read_real_records(corpora, lines))
    haystack = _haystack(records)
    cases: list[QuoteCase] = []
    for number, corpus in enumerate(corpora):
        share = per_form // len(corpora) + (number < per_form % len(corpora))
        own = [record for record in records if record.lang == corpus.lang
               and not record.text.startswith("RT ")]
        vocabulary = [word for record in own for token in record.text.split() if _is_plain(token)
                      for word in _WORD.findall(token)]
        order = list(range(len(own)))
        rng.shuffle(order)
        spans: list[tuple[Record, list[str]]] = []
        for position in order:
            if len(spans) == share * len(forms):
                break
            span = _draw_span(own[position].text.split(), rng)
            if span and len(_word_positions(span, 4)) >= 2 \
                    and haystack.count(" ".join(span).lower()) == 1:
                spans.append((own[position], span))
        for index, (record, span) in enumerate(spans):
            cases.append(_make_case(forms[index % len(forms)], record, span, vocabulary, rng))
    return sorted(cases, key=lambda case: forms.index(case.form))


def import_corpora(data_dir: Path, corpora: tuple[RealCorpus, ...] = REAL_CORPORA,
                   lines: int | None = None) -> None:
    """Import the corpora (the first ``lines`` records of each when given) into the data
    directory with the project's importer, as ``flask --app web import`` does, and index them."""
    from archive.importers import read_file
    from archive.importers.loader import load_parsed
    from archive.lifecycle import open_store
    from index.engines.whoosh.engine import WhooshEngine

    data_dir.mkdir(parents=True, exist_ok=True)
    with open_store(data_dir) as store:
        WhooshEngine(data_dir).follow(store)
        for corpus in corpora:
            options = corpus.import_options()
            parsed = read_file(corpus.path, options, stream=True)
            if lines is not None:
                parsed.candidates = islice(parsed.candidates, lines)
            report = load_parsed(store, parsed, options, corpus.path.name)
            if report.problems:
                raise ValueError(f"{corpus.path.name}: {report.problems[0]}")
