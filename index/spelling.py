"""'Did you mean': corrections for query words that the index does not know.

Candidates come from the unstemmed word forms in the index (the ``words`` field holds
every word's plain form beside its stem) and from speaker names, within one edit (two for
long words), ranked by distance and then by how many statements use them. A correction
never changes the language of a query: a word used only in statements of one language does
not replace a word in a query whose known words are used in another (``have`` in an English
query does not become the German ``habe``).
"""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from index.engine import Vocabulary

MAX_CANDIDATES = 200


def edit_distance(first: str, second: str, limit: int = 2) -> int:
    """Damerau-Levenshtein distance (adjacent swaps count one), or ``limit + 1`` once it
    is certain to exceed ``limit``."""
    if abs(len(first) - len(second)) > limit:
        return limit + 1
    previous_previous: list[int] = []
    previous = list(range(len(second) + 1))
    for row, char in enumerate(first, 1):
        current = [row] + [0] * len(second)
        for column, other in enumerate(second, 1):
            cost = 0 if char == other else 1
            current[column] = min(previous[column] + 1, current[column - 1] + 1,
                                  previous[column - 1] + cost)
            if (row > 1 and column > 1 and char == second[column - 2]
                    and first[row - 2] == other):
                current[column] = min(current[column], previous_previous[column - 2] + 1)
        if min(current) > limit:
            return limit + 1
        previous_previous, previous = previous, current
    return previous[-1]


def allowed_distance(word: str) -> int:
    if len(word) < 4:
        return 0
    return 1 if len(word) < 8 else 2


def correct_word(vocabulary: Vocabulary, word: str, extra: dict[str, int]) -> str | None:
    """The best known word within the allowed distance of a folded query word, or None.

    ``extra`` adds words that are not in the index text (speaker names) with a weight.
    One edit is tried first (cheap); two only for long words when one finds nothing.
    """
    limit = allowed_distance(word)
    best: tuple[int, int, str] | None = None
    for distance in range(1, limit + 1):
        for candidate, weight in extra.items():
            if candidate != word and edit_distance(word, candidate, distance) <= distance:
                key = (distance, -weight, candidate)
                best = key if best is None or key < best else best
        for seen, candidate in enumerate(vocabulary.words_within(word, distance, prefix=distance)):
            if seen >= MAX_CANDIDATES:
                break
            if candidate == word:
                continue
            key = (edit_distance(word, candidate, distance),
                   -vocabulary.frequency(candidate), candidate)
            best = key if best is None or key < best else best
        if best is not None:
            return best[2]
    return None


def crosses_language(vocabulary: Vocabulary, corrected: str, known: list[list[str]]) -> bool:
    """Whether ``corrected`` is used only in languages other than the query's: the
    languages whose statements hold the query's known words (``known``: each word's
    forms) most often."""
    own = vocabulary.word_languages([corrected])
    if not own or own.keys() >= vocabulary.languages():
        return False  # unused, or used in every language of the archive
    usage: Counter = Counter()
    for terms in known:
        usage.update(vocabulary.word_languages(terms))
    if not usage:
        return False
    top = max(usage.values())
    return not {code for code, count in usage.items() if count == top} & own.keys()
