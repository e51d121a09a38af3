"""The check that a statement's words occur verbatim in the article they are taken from.

Both texts are compared in the canonical form the integrity hash covers
(``archive.records.canonical_text``) with every run of white space read as one space, so a
quote matches across the article's line wrapping and nothing else. When the words are not
there, the closest passage of the article is found with rapidfuzz, to show what differs.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from rapidfuzz import fuzz, process

from archive.records import canonical_text

_SPACE = re.compile(r"\s+")
_QUOTE_MARKS = "\"'„“”‚‘’»«›‹"


class NotInArticleError(ValueError):
    """The words are not in the article; the message shows the closest passage."""

    def __init__(self, message: str, passage: str = "", score: float = 0.0):
        super().__init__(message)
        self.passage = passage
        self.score = score


@dataclass(frozen=True, slots=True)
class ClosestPassage:
    """The part of the article most like the words, and how alike (0-100)."""

    passage: str
    score: float


def unwrap(text: str) -> str:
    """The canonical text with each run of white space as one space, ends stripped."""
    return _SPACE.sub(" ", canonical_text(text)).strip()


def occurs_in(words: str, article: str) -> bool:
    """Whether ``words`` occur in ``article`` verbatim (line wrapping aside)."""
    needle = unwrap(words)
    return bool(needle) and needle in unwrap(article)


def find_closest_passage(words: str, article: str) -> ClosestPassage:
    """The run of the article's words most like ``words`` (rapidfuzz ratio over runs of
    about as many words), without the quotation marks around it."""
    needle, haystack = unwrap(words), unwrap(article)
    if not needle or not haystack:
        return ClosestPassage("", 0.0)
    tokens = haystack.split(" ")
    count = len(needle.split(" "))
    runs = [" ".join(tokens[first:first + size])
            for size in {max(count - 1, 1), count, count + 1}
            for first in range(max(len(tokens) - size + 1, 1))]
    passage, score, _ = process.extractOne(needle, runs, scorer=fuzz.ratio)
    return ClosestPassage(passage.strip(_QUOTE_MARKS), round(score, 1))


def check_in_article(words: str, article: str, article_name: str) -> None:
    """NotInArticleError unless ``words`` occur verbatim in ``article`` (named so in the
    message), showing the closest passage."""
    if occurs_in(words, article):
        return
    closest = find_closest_passage(words, article)
    if not closest.passage:
        raise NotInArticleError(f"text: not found in {article_name}, nor anything like it")
    raise NotInArticleError(
        f"text: not found verbatim in {article_name}; the closest passage"
        f" ({closest.score:.0f}% alike) is: {closest.passage!r}", closest.passage, closest.score)
