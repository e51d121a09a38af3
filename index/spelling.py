"""'Did you mean': corrections for query words that the index does not know.

Candidates come from the unstemmed word forms in the index (the ``words`` field holds
every word's plain form beside its stem) and from speaker names, within one edit (two for
long words), ranked by distance and then by how many statements use them.
"""

from __future__ import annotations

from whoosh.reading import IndexReader

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
    """
    limit = allowed_distance(word)
    if limit == 0:
        return None
    best: tuple[int, int, str] | None = None
    seen = 0
    for candidate in reader.terms_within("words", word, limit, prefix=1):
        seen += 1
        if seen > MAX_CANDIDATES:
            break
        if candidate == word:
            continue
        distance = edit_distance(word, candidate, limit)
        key = (distance, -reader.doc_frequency("words", candidate), candidate)
        if best is None or key < best:
            best = key
    for candidate, weight in extra.items():
        if candidate == word:
            continue
        distance = edit_distance(word, candidate, limit)
        if distance <= limit:
            key = (distance, -weight, candidate)
            if best is None or key < best:
                best = key
    return best[2] if best else None
