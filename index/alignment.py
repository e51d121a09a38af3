"""Word-by-word alignment of a quote with a stored text: the passage of the text the quote
corresponds to, and every difference between the two (rapidfuzz's edit operations over words).

Words are compared by a key that ignores only typographic differences (case, Unicode
normalisation, the form of an apostrophe): such words are the same word, listed as
``typographic``. The white space and punctuation between two matching words are compared
after folding typographic quotes, apostrophes, dashes, ellipses and white space; a gap that
differs only so is ``typographic`` too, any other punctuation is not compared (the words are
what a quote must get right). The parts:

- ``tokenize_quote`` / ``QuoteTokens``: the words of a text with their places and keys;
- ``align``: the passage with the fewest word edits (``Alignment``), and for a quote whose
  words are there but not in one passage, the span that holds them (``spread``);
- ``Difference``: one replaced, missing, added or typographic difference, with its place in
  the stored text.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_left
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz import fuzz
from rapidfuzz.distance import Levenshtein

_MARKS = "\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f"
_APOSTROPHES = "'\u2019\u02bc"
# a word: letters and digits with their combining marks (a quote pasted in NFD keeps its
# words whole), apostrophes inside a word kept (don't, geht's)
_WORD = re.compile(rf"\w[\w{_MARKS}]*(?:[{_APOSTROPHES}][\w{_MARKS}]+)*")
_APOSTROPHE_FOLD = str.maketrans({"\u2019": "'", "\u02bc": "'"})
_GAP_FOLD = str.maketrans({
    "\u201e": '"', "\u201c": '"', "\u201d": '"', "\u201f": '"', "\u00ab": '"', "\u00bb": '"',
    "\u2033": '"', "\u201a": "'", "\u2018": "'", "\u2019": "'", "\u2039": "'", "\u203a": "'",
    "\u02bc": "'", "\u2032": "'", "\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-",
    "\u2014": "-", "\u2015": "-", "\u2212": "-", "\u2026": "...",
})
_SPACE = re.compile(r"\s+")
# Between two words, the end of a sentence or a paragraph.
_BREAK = re.compile(r"[.!?:;\u2026]|\n")
# How far (in words) the passage's ends may lie from where the quote's words point to.
MAX_SLACK = 8
# Places in a text tried as the passage's position: the best few by matching words.
DIAGONALS_TRIED = 3
# Word pairs counted to find those places, at most.
MAX_VOTES = 20_000

KEY_CACHE_SIZE = 65_536

DIFFERENCE_KINDS = ("replaced", "missing", "added", "typographic")


@lru_cache(maxsize=KEY_CACHE_SIZE)
def word_key(word: str) -> str:
    """What makes two words the same word: equal after NFKC, lower case, one apostrophe."""
    return unicodedata.normalize("NFKC", word).translate(_APOSTROPHE_FOLD).lower()


def fold_gap(gap: str) -> str:
    """The punctuation between two words without its typographic form: no white space,
    straight quotes, ``-`` for every dash, ``...`` for an ellipsis."""
    return _SPACE.sub("", unicodedata.normalize("NFKC", gap).translate(_GAP_FOLD))


@dataclass(frozen=True)
class QuoteTokens:
    """The words of a text: their surface forms, keys and (start, end) places."""

    text: str
    words: tuple[str, ...]
    keys: tuple[str, ...]
    spans: tuple[tuple[int, int], ...]

    def __len__(self) -> int:
        return len(self.words)

    def between(self, first: int, last: int) -> str:
        """The text from word ``first`` to word ``last`` (inclusive)."""
        return self.text[self.spans[first][0]:self.spans[last][1]]

    def gap(self, index: int) -> str:
        """The text between word ``index`` and the next."""
        return self.text[self.spans[index][1]:self.spans[index + 1][0]]


def tokenize_quote(text: str) -> QuoteTokens:
    matches = list(_WORD.finditer(text))
    words = tuple(match.group(0) for match in matches)
    return QuoteTokens(text, words, tuple(word_key(word) for word in words),
                       tuple(match.span() for match in matches))


@dataclass(frozen=True)
class Difference:
    """One difference: ``quote`` is what the quote says, ``stored`` what the statement says
    (empty for words the quote adds); ``start``/``end`` place ``stored`` in the stored text
    (equal for ``added``: where the quote adds its words)."""

    kind: str
    quote: str
    stored: str
    start: int
    end: int


@dataclass(frozen=True)
class Alignment:
    """The quote against one stored text.

    ``start``/``end``: the passage (characters of the text) with the fewest word edits;
    ``edits``: its words replaced, missing or added; ``similarity``: 1 - edits / the longer
    of quote and passage (in words); ``differences``: in the order of the text.
    ``found_share``: the share of the quote's words that occur anywhere in the text;
    ``spread``: the shortest span of the text holding every such word, ``absent``: the
    quote's words the text does not have.
    """

    start: int
    end: int
    edits: int
    similarity: float
    differences: tuple[Difference, ...]
    found_share: float
    spread: tuple[int, int]
    absent: tuple[str, ...]


def _diagonals(quote_ids: list[int], text_ids: list[int], count: int) -> list[int]:
    """Offsets (text position - quote position) where most quote words line up, best first;
    a missing or added word shifts the line by one, so neighbouring offsets vote together."""
    positions: dict[int, list[int]] = {}
    for index, word in enumerate(quote_ids):
        positions.setdefault(word, []).append(index)
    in_text: dict[int, list[int]] = {}
    for position, word in enumerate(text_ids):
        if word in positions:
            in_text.setdefault(word, []).append(position)
    # The rarest words place the quote best; common ones vote while the budget lasts, so a
    # long quote against a long, repetitive text stays quick.
    votes: Counter = Counter()
    budget = MAX_VOTES
    for word in sorted(in_text, key=lambda item: (len(in_text[item]) * len(positions[item]), item)):
        found, quoted = in_text[word][:budget], positions[word]
        if len(found) * len(quoted) > budget:
            if votes:
                break
            quoted = quoted[:max(1, budget // len(found))]
        budget -= len(found) * len(quoted)
        for position in found:
            for index in quoted:
                votes[position - index] += 1
    smoothed = Counter({offset: votes[offset - 1] + 2 * votes[offset] + votes[offset + 1]
                        for offset in votes})
    chosen: list[int] = []
    for offset, _score in sorted(smoothed.items(), key=lambda item: (-item[1], item[0])):
        if all(abs(offset - other) > MAX_SLACK for other in chosen):
            chosen.append(offset)
            if len(chosen) == count:
                break
    return chosen


def _stray_edges(text_ids: list[int], breaks: list[int], first: int, end: int) -> int:
    """How many ends of the stretch reach across a sentence break only for words the quote
    does not have (``breaks``: the words a sentence or paragraph ends after, sorted)."""
    inside = breaks[bisect_left(breaks, first):bisect_left(breaks, end - 1)]
    if not inside:
        return 0
    leading = all(word < 0 for word in text_ids[first:inside[0] + 1])
    trailing = all(word < 0 for word in text_ids[inside[-1] + 1:end])
    return leading + trailing


def _best_window(quote_ids: list[int], text_ids: list[int],
                 breaks: list[int] | None = None) -> tuple[int, int, int]:
    """(first, end, edits): the stretch of text words with the fewest edits from the quote;
    ties go to the stretch that reaches across no sentence break for words the quote does not
    have (see ``_stray_edges``), then to the one as long as the quote, then the earliest. So
    words a quote adds before or after a sentence are ``added``, not replacements of the
    words of the sentence next to it."""
    length, size = len(quote_ids), len(text_ids)
    slack = min(MAX_SLACK, max(2, length // 2))
    best: tuple[int, int, int, int, int] | None = None  # (edits, stray edges, length difference, first, end)
    for offset in _diagonals(quote_ids, text_ids, DIAGONALS_TRIED):
        near = min(max(offset, 0), size - 1)
        for first in range(max(0, near - slack), min(size, near + slack + 1)):
            for end in range(max(first + 1, min(size, first + length - slack)),
                             min(size, first + length + slack) + 1):
                cutoff = best[0] if best else None
                edits = Levenshtein.distance(quote_ids, text_ids[first:end], score_cutoff=cutoff)
                stray = _stray_edges(text_ids, breaks, first, end) if breaks else 0
                candidate = (edits, stray, abs(end - first - length), first, end)
                if best is None or candidate < best:
                    best = candidate
    if best is None:
        return 0, 0, length
    return best[3], best[4], best[0]


def _spread(quote: QuoteTokens, stored: QuoteTokens) -> tuple[int, int] | None:
    """The shortest run of stored words holding each quote word the text has (word indexes)."""
    wanted = set(quote.keys) & set(stored.keys)
    if not wanted:
        return None
    places = [(position, key) for position, key in enumerate(stored.keys) if key in wanted]
    have: Counter = Counter()
    best: tuple[int, int] | None = None
    first = 0
    for last, key in places:
        have[key] += 1
        while len(have) == len(wanted):
            start, left = places[first]
            if best is None or last - start < best[1] - best[0]:
                best = (start, last)
            have[left] -= 1
            if not have[left]:
                del have[left]
            first += 1
    return best


def _pair_region(quote: QuoteTokens, stored: QuoteTokens, q_first: int, q_end: int,
                 s_first: int, s_end: int) -> list[tuple[str, int, int, int, int]]:
    """A run of differing words as (kind, quote first, quote end, stored first, stored end)
    parts: one word against several is the replacement of the most similar of them, the
    others missing or added."""
    q_count, s_count = q_end - q_first, s_end - s_first
    if q_count == 0:
        return [("missing", q_first, q_end, s_first, s_end)]
    if s_count == 0:
        return [("added", q_first, q_end, s_first, s_end)]
    if q_count == s_count or min(q_count, s_count) > 1:
        return [("replaced", q_first, q_end, s_first, s_end)]
    if q_count == 1:
        word = quote.keys[q_first]
        partner = max(range(s_first, s_end), key=lambda i: (fuzz.ratio(word, stored.keys[i]), -i))
        parts = [("missing", q_first, q_first, s_first, partner),
                 ("replaced", q_first, q_end, partner, partner + 1),
                 ("missing", q_end, q_end, partner + 1, s_end)]
    else:
        word = stored.keys[s_first]
        partner = max(range(q_first, q_end), key=lambda i: (fuzz.ratio(word, quote.keys[i]), -i))
        parts = [("added", q_first, partner, s_first, s_first),
                 ("replaced", partner, partner + 1, s_first, s_end),
                 ("added", partner + 1, q_end, s_end, s_end)]
    return [part for part in parts if part[2] > part[1] or part[4] > part[3]]


def _word_differences(quote: QuoteTokens, stored: QuoteTokens, opcodes,
                      offset: int) -> list[Difference]:
    differences: list[Difference] = []
    region: list[int] | None = None  # [quote first, quote end, stored first, stored end]
    blocks = [(tag, q1, q2, s1 + offset, s2 + offset) for tag, q1, q2, s1, s2 in opcodes]
    blocks.append(("equal", len(quote), len(quote), blocks[-1][4] if blocks else offset,
                   blocks[-1][4] if blocks else offset))
    for tag, q1, q2, s1, s2 in blocks:
        if tag != "equal":
            region = [region[0], q2, region[2], s2] if region else [q1, q2, s1, s2]
            continue
        if region:
            for kind, qa, qb, sa, sb in _pair_region(quote, stored, *region):
                quote_words = quote.between(qa, qb - 1) if qb > qa else ""
                if sb > sa:
                    start, end = stored.spans[sa][0], stored.spans[sb - 1][1]
                else:  # added words: placed after the stored word before them
                    start = end = (stored.spans[sa - 1][1] if sa > 0 else stored.spans[sa][0])
                differences.append(Difference(kind, quote_words, stored.text[start:end], start, end))
            region = None
        differences.extend(_typographic(quote, stored, q1, q2, s1))
    return differences


def _typographic(quote: QuoteTokens, stored: QuoteTokens, q_first: int, q_end: int,
                 s_first: int) -> list[Difference]:
    """Words matched one to one whose surface or the punctuation between them differs only in
    typography; neighbouring ones are one difference."""
    runs: list[list[int]] = []  # [quote first, quote last] word indexes
    for step in range(q_end - q_first):
        q, s = q_first + step, s_first + step
        marked: list[int] = []
        if quote.words[q] != stored.words[s]:
            marked = [q, q]
        if step + 1 < q_end - q_first:
            quote_gap, stored_gap = quote.gap(q), stored.gap(s)
            if quote_gap != stored_gap and fold_gap(quote_gap) == fold_gap(stored_gap):
                marked = [marked[0] if marked else q, q + 1]
        if not marked:
            continue
        if runs and runs[-1][1] + 1 >= marked[0]:  # touching or neighbouring words
            runs[-1][1] = max(runs[-1][1], marked[1])
        else:
            runs.append(marked)
    found = []
    for first, last in runs:
        s_start, s_last = s_first + first - q_first, s_first + last - q_first
        start, end = stored.spans[s_start][0], stored.spans[s_last][1]
        found.append(Difference("typographic", quote.between(first, last), stored.text[start:end],
                                start, end))
    return found


def align(quote: QuoteTokens, text: str) -> Alignment | None:
    """The quote aligned with ``text``; None when the text has none of the quote's words."""
    stored = tokenize_quote(text)
    codes = {key: number for number, key in enumerate(dict.fromkeys(quote.keys))}
    present = set(stored.keys)
    if not quote.keys or not present & set(codes):
        return None
    quote_ids = [codes[key] for key in quote.keys]
    text_ids = [codes.get(key, -1) for key in stored.keys]
    breaks = [index for index in range(len(stored) - 1) if _BREAK.search(stored.gap(index))]
    first, end, edits = _best_window(quote_ids, text_ids, breaks)
    window = text_ids[first:end]
    opcodes = [(op.tag, op.src_start, op.src_end, op.dest_start, op.dest_end)
               for op in Levenshtein.opcodes(quote_ids, window)]
    differences = _word_differences(quote, stored, opcodes, first)
    differences.sort(key=lambda item: (item.start, item.end))
    spread_words = _spread(quote, stored) or (first, end - 1)
    found = sum(1 for key in quote.keys if key in present)
    absent = tuple(dict.fromkeys(word for word, key in zip(quote.words, quote.keys, strict=True)
                                 if key not in present))
    return Alignment(
        start=stored.spans[first][0], end=stored.spans[end - 1][1], edits=edits,
        similarity=round(1 - edits / max(len(quote), end - first), 4),
        differences=tuple(differences), found_share=found / len(quote),
        spread=(stored.spans[spread_words[0]][0], stored.spans[spread_words[1]][1]),
        absent=absent)
