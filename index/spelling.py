"""'Did you mean': corrections for query words that the index does not know.

Candidates come from the unstemmed word forms in the index (the ``words`` field holds
every word's plain form beside its stem) and from speaker names, within one edit (two for
long words), ranked by distance and then by how many statements use them.
"""

from __future__ import annotations

from whoosh.reading import IndexReader

from index.lexicon import word_frequency

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


def correct_word(reader: IndexReader, word: str, extra: dict[str, int]) -> str | None:
    """The best known word within the allowed distance of a folded query word, or None.

    ``extra`` adds words that are not in the index text (speaker names) with a weight.
    One edit is tried first (cheap); two only for long words when one finds nothing.
    """
    from index.query_builder import terms_within

    limit = allowed_distance(word)
    best: tuple[int, int, str] | None = None
    for distance in range(1, limit + 1):
        for candidate, weight in extra.items():
            if candidate != word and edit_distance(word, candidate, distance) <= distance:
                key = (distance, -weight, candidate)
                best = key if best is None or key < best else best
        for seen, candidate in enumerate(terms_within(reader, word, distance, prefix=distance)):
            if seen >= MAX_CANDIDATES:
                break
            if candidate == word:
                continue
            key = (edit_distance(word, candidate, distance),
                   -word_frequency(reader, candidate), candidate)
            best = key if best is None or key < best else best
        if best is not None:
            return best[2]
    return None
