"""Text analysis for German and English: tokens, folding and stemming, shared by indexing,
querying and highlighting so that a query is analysed exactly like the text it meets.

Three forms of every word: the *plain* form (lower case, accents and umlauts folded,
``ß`` -> ``ss``, ``ae/oe/ue`` -> ``a/o/u``; used for exact phrases, prefixes, compounds and
spelling), and the *German* and *English* stems (used for ranked word matches). Order matters:
``ß`` becomes ``ss`` before accents are stripped (a generic accent map turns it into ``s``),
and folding runs before stemming so that ``Führungskräfte``, ``Fuhrungskrafte`` and
``Fuehrungskraefte`` reach the stemmer as the same string.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from functools import lru_cache

import snowballstemmer

WORD = re.compile(r"\w+")
# Apostrophes however typed (’ ʼ) are ', in texts and queries alike: ʼ (a modifier letter)
# would otherwise join the words around it.
APOSTROPHES = str.maketrans({"’": "'", "ʼ": "'"})
STEM_CACHE_SIZE = 200_000
FOLD_CACHE_SIZE = 65_536


def _build_fold_table() -> dict[int, str]:
    """Every precomposed Latin letter to its base letters, ß to ss (not s), æ/œ to ae/oe."""
    table: dict[int, str] = {}
    for code in range(0x00C0, 0x0250):
        char = chr(code)
        base = "".join(c for c in unicodedata.normalize("NFKD", char) if not unicodedata.combining(c))
        if base and base != char:
            table[code] = base.lower()
    for code in range(0x1E00, 0x1F00):  # Latin Extended Additional (ẞ, ḍ, ...)
        char = chr(code)
        base = "".join(c for c in unicodedata.normalize("NFKD", char) if not unicodedata.combining(c))
        if base and base != char:
            table[code] = base.lower()
    table.update({ord("ß"): "ss", ord("ẞ"): "ss", ord("æ"): "ae", ord("Æ"): "ae",
                  ord("œ"): "oe", ord("Œ"): "oe", ord("ø"): "o", ord("Ø"): "o",
                  ord("ł"): "l", ord("Ł"): "l", ord("đ"): "d", ord("ð"): "d", ord("þ"): "th"})
    return table


FOLD_TABLE = _build_fold_table()
# ae/oe/ue stand for ä/ö/ü, except after a vowel (neue, Frauen, Steuer, Feuer) and in "que".
_UMLAUT_SPELLING = re.compile(r"(?<![aeiouyq])ue|(?<![aeiouy])[ao]e")


@lru_cache(maxsize=FOLD_CACHE_SIZE)
def fold(word: str) -> str:
    """The plain form: lower case, accents off, ß as ss, ae/oe/ue as a/o/u (cached per
    word: highlighting folds every word of each hit's text)."""
    word = word.lower().translate(FOLD_TABLE)
    if "e" in word:
        word = _UMLAUT_SPELLING.sub(lambda match: match.group(0)[0], word)
    if not word.isascii():
        word = "".join(c for c in unicodedata.normalize("NFKD", word) if not unicodedata.combining(c))
    return word


def fold_accents(word: str) -> str:
    """Lower case and accents off, without the German ae/oe/ue rule (for English stems)."""
    word = word.lower().translate(FOLD_TABLE)
    if not word.isascii():
        word = "".join(c for c in unicodedata.normalize("NFKD", word) if not unicodedata.combining(c))
    return word


_VOWELS = frozenset("aeiouyäöü")
_S_ENDING = frozenset("bdfghklmnrt")
_ST_ENDING = frozenset("bdfghklmnt")


def _german_r1(word: str) -> int:
    for index in range(1, len(word)):
        if word[index] not in _VOWELS and word[index - 1] in _VOWELS:
            return max(index + 1, 3)
    return len(word)


@lru_cache(maxsize=STEM_CACHE_SIZE)
def german_stem(word: str) -> str:
    """A light German stemmer: steps 1 and 2 of Snowball German (inflection only).

    Snowball's step 3 strips derivational suffixes (-heit, -ung, -lich, ...) and turns
    ``Sicherheit`` into ``sich``; leaving it out keeps ``Freunde``/``Freund`` and
    ``verlassen``/``verlasse`` together without merging unrelated words.
    """
    if len(word) < 4:
        return word
    # u and y between vowels act as consonants
    chars = list(word)
    for index in range(1, len(chars) - 1):
        if chars[index] in "uy" and chars[index - 1] in _VOWELS and chars[index + 1] in _VOWELS:
            chars[index] = chars[index].upper()
    marked = "".join(chars)
    r1 = _german_r1(marked)
    # step 1
    for suffix in ("ern", "em", "er", "en", "es", "e", "s"):
        if marked.endswith(suffix):
            start = len(marked) - len(suffix)
            if start >= r1:
                if suffix == "s":
                    if start > 0 and marked[start - 1] in _S_ENDING:
                        marked = marked[:start]
                else:
                    marked = marked[:start]
                    if suffix in ("en", "es", "e") and marked.endswith("niss"):
                        marked = marked[:-1]
            break
    # step 2
    for suffix in ("est", "en", "er", "st"):
        if marked.endswith(suffix):
            start = len(marked) - len(suffix)
            if start >= r1:
                if suffix == "st":
                    if start > 3 and marked[start - 1] in _ST_ENDING:
                        marked = marked[:start]
                else:
                    marked = marked[:start]
            break
    return marked.lower()


# A Snowball stemmer keeps the word it works on in the object: one per thread, or threads
# stemming at once corrupt each other's words.
_ENGLISH = threading.local()


def english_stem(word: str) -> str:
    """The Porter2 stem of a word (uncached)."""
    stemmer = getattr(_ENGLISH, "stemmer", None)
    if stemmer is None:
        stemmer = _ENGLISH.stemmer = snowballstemmer.stemmer("english")
    return stemmer.stemWord(word)


@lru_cache(maxsize=STEM_CACHE_SIZE)
def english_stem_cached(word: str) -> str:
    return english_stem(word)


def tokenize(text: str) -> list[tuple[str, int, int]]:
    """(surface word, start, end) for every word in the text."""
    return [(match.group(0), match.start(), match.end())
            for match in WORD.finditer(text.translate(APOSTROPHES))]


def words_of(text: str) -> list[str]:
    return WORD.findall(text.translate(APOSTROPHES))


SAME_POSITION = "+"  # marks a term that shares the previous term's position (a stem)


def document_terms(text: str, lang: str) -> list[str]:
    """The ``words`` field of a text: each word's plain form, followed by its stem (marked
    ``+``, same position) when the stem differs. German texts get German stems, English
    texts English stems, texts in other or unknown languages both."""
    german = lang != "en"
    english = lang != "de"
    terms: list[str] = []
    extend = terms.extend
    for word in words_of(text):
        extend(_word_terms(word, german, english))
    return terms


@lru_cache(maxsize=STEM_CACHE_SIZE)
def _word_terms(word: str, german: bool, english: bool) -> tuple[str, ...]:
    # Cached per surface word: most words of a corpus recur, and folding plus stemming
    # is most of the analysis time when indexing.
    plain = fold(word)
    terms = [plain]
    stem = plain
    if german:
        stem = german_stem(plain)
        if stem != plain:
            terms.append(SAME_POSITION + stem)
    if english:
        english_form = english_stem_cached(fold_accents(word))
        if english_form != plain and english_form != stem:
            terms.append(SAME_POSITION + english_form)
    return tuple(terms)


def query_terms(word: str) -> list[str]:
    """Every index term a query word may match: its plain form and its German and English
    stems (a query carries no language, so it meets both analyses)."""
    plain = fold(word)
    terms = [plain]
    for stem in (german_stem(plain), english_stem_cached(fold_accents(word))):
        if stem not in terms:
            terms.append(stem)
    return terms


LANGUAGE_SEPARATOR = "\x1f"


def words_value(text: str, lang: str) -> str:
    """The value of the ``words`` field: the text with its language, analysed by
    the search engine's tokenizer (``document_terms`` of the text in its language)."""
    return f"{lang}{LANGUAGE_SEPARATOR}{text}"
