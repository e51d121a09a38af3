"""Near matches of a pasted quote: the statements that hold most of a long query's words,
for when no statement (or fewer than a page) holds all of them.

A query qualifies when it is five or more plain words (a quoted phrase counts as its words)
with no operator and no field filter but speaker, date and language. Its words are counted
once each; a word the archive does not know is replaced by its closest known spelling. A
statement is a near match when it holds at least ``MIN_SHARE`` of the words (Lucene's
``minimum_should_match``), counted over the cached posting sets: only the statements with
one of the rarest words can reach the share, so only those are counted. Near matches rank
by BM25F over the words (index.engines.whoosh.ranking), and the best ``PASSAGE_RERANK`` of them again with
a bonus for the share of the query's neighbouring words that stand side by side, in order,
in the statement (one word between them allowed): the quote as one passage.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from index import query_plan as qp
from index.analysis import fold, query_terms, words_of
from index.query_language import Filter, ParsedQuery, Phrase, Word
from index.spelling import correct_word, crosses_language

if TYPE_CHECKING:
    from index.engine import Vocabulary

MIN_QUOTE_WORDS = 5       # fewer words keep their AND meaning
FALLBACK_BELOW = 20       # a page: fewer statements with all the words than this
MIN_SHARE = 0.6           # of the query's distinct words a near match holds
PASSAGE_WEIGHT = 1.0      # score × (1 + weight × share of neighbouring pairs in order)
PASSAGE_RERANK = 20       # the best by BM25F that the passage bonus reorders
PASSAGE_GAP = 2           # a pair counts when the second word stands 1 or 2 positions later
MAX_COUNTED = 60_000      # statements counted at most: past it, more words are required
CORRECTION_TIME = 0.25    # seconds for correcting unknown words; later ones stay unknown
QUOTE_FILTERS = frozenset({"speaker", "lang", "date", "from", "to", "range"})


@dataclass
class QuoteWords:
    """The words of a qualifying query: each distinct word's index terms, in query order."""

    sequence: list[int]                 # the query's words as indexes into ``terms``
    terms: list[list[str]]              # per distinct word: its known terms (none: unknown)
    corrections: list[tuple[str, str]] = field(default_factory=list)  # (typed, known)
    phrase: bool = False                # the words came (partly) from a quoted phrase

    @property
    def count(self) -> int:
        return len(self.terms)


def quote_tokens(parsed: ParsedQuery, filters: list[Filter]) -> tuple[list[str], bool] | None:
    """The words of a query that may fall back to near matches, and whether a phrase held
    some of them; None when it does not qualify (operators, other fields, too few words)."""
    if any(item.name not in QUOTE_FILTERS for item in filters):
        return None
    tokens: list[str] = []
    phrase = False
    for child in parsed.root.children:
        if isinstance(child, Filter):
            if child.name not in QUOTE_FILTERS:
                return None
            continue
        if isinstance(child, Phrase):
            phrase = True
        elif not isinstance(child, Word):
            return None
        tokens.extend(words_of(child.text))
    if len(tokens) < MIN_QUOTE_WORDS:
        return None
    return tokens, phrase


def read_quote_words(vocabulary: Vocabulary, tokens: list[str], phrase: bool) -> QuoteWords:
    """Each distinct word's index terms; a word the index does not know is corrected to the
    closest known one when there is one in the query's language (index.spelling)."""
    found = QuoteWords([], [], phrase=phrase)
    seen: dict[str, int] = {}
    unknown: list[tuple[int, str, str]] = []
    for token in tokens:
        plain = fold(token)
        if plain not in seen:
            seen[plain] = len(found.terms)
            terms = query_terms(token)
            if any(vocabulary.frequency(term) > 0 for term in terms):
                found.terms.append(terms)
            else:
                found.terms.append([])
                unknown.append((seen[plain], token, plain))
        found.sequence.append(seen[plain])
    known = [terms for terms in found.terms if terms]
    deadline = time.monotonic() + CORRECTION_TIME
    for k, token, plain in unknown:
        if time.monotonic() > deadline:
            break
        corrected = correct_word(vocabulary, plain, {})
        if corrected is not None and not crosses_language(vocabulary, corrected, known):
            found.terms[k] = query_terms(corrected)
            found.corrections.append((token, corrected))
    return found


def required_words(words: QuoteWords) -> int:
    return max(1, math.ceil(MIN_SHARE * words.count))


def words_query(words: QuoteWords) -> qp.Plan:
    """The words as one OR for BM25F: each word adds its terms' scores."""
    options = [qp.Term("words", term) for terms in words.terms for term in terms]
    return options[0] if len(options) == 1 else qp.Or(tuple(options)) if options else qp.NOTHING


def passage_factors(texts: dict[int, str], words: QuoteWords) -> dict[int, float]:
    """Per document (its text given), what its score is multiplied by: 1 + PASSAGE_WEIGHT ×
    the share of the query's neighbouring word pairs that stand in it in the same order, the
    second at most PASSAGE_GAP words after the first (any inflected form). Read from the
    texts: a few short texts are analysed faster than common words' positions are decoded."""
    pairs = [(a, b) for a, b in zip(words.sequence, words.sequence[1:], strict=False) if a != b]
    if not pairs:
        return {}
    owners: dict[str, set[int]] = {}
    for k, terms in enumerate(words.terms):
        for term in terms:
            owners.setdefault(term, set()).add(k)
    factors = {}
    for docnum, text in texts.items():
        places: list[set[int]] = [set() for _ in words.terms]
        for place, token in enumerate(words_of(text)):
            for form in query_terms(token):
                for k in owners.get(form, ()):
                    places[k].add(place)
        held = sum(1 for a, b in pairs if any(place + gap in places[b] for place in places[a]
                                              for gap in range(1, PASSAGE_GAP + 1)))
        factors[docnum] = 1 + PASSAGE_WEIGHT * held / len(pairs)
    return factors


def notice_for(words: QuoteWords, with_all: int, shown: list[str]) -> str:
    """What the result says: that near matches are shown, and which words were read as
    which (``shown``: each correction as the archive writes it)."""
    count = words.count
    if words.phrase and with_all == 0:
        text = (f"No statement contains this phrase; showing those that contain most of its"
                f" {count} words.")
    elif with_all == 0:
        text = f"No statement contains all {count} words; showing those that contain most of them."
    else:
        held = "statement contains" if with_all == 1 else "statements contain"
        text = (f"Only {with_all} {held} all {count} words; also showing those that contain"
                " most of them.")
    if words.corrections:
        text += " Read " + ", ".join(f"'{typed}' as '{known}'" for (typed, _plain), known
                                     in zip(words.corrections, shown, strict=True)) + "."
    return text
