"""English queries translated word by word into German with the Ding dictionary, as Debian's
package ``trans-de-en`` installs it (``/usr/share/trans/de-en``, GPL-2+; read in place, never
copied into the project), for a German keyword search to fuse with the search by meaning.

Each English word (or two- or three-word phrase, longest first) becomes its first sense's
German one-word translations, at most TRANSLATIONS_PER_WORD; words the dictionary lacks
(names) pass through. Loaded once per process on first use (about 2 s); without the file
there is no translation and search by meaning uses the embeddings alone.
"""

from __future__ import annotations

import re
import threading
from pathlib import Path

from index.analysis import words_of

DING_FILE = Path("/usr/share/trans/de-en")
TRANSLATIONS_PER_WORD = 4
MAX_TERMS = 30  # the query language takes 32 clauses
# Words that carry no topic: left out of a translated query (and read by index.meaning as a
# sign that a query is English).
ENGLISH_FUNCTION_WORDS = frozenset(
    "the and is not we you they a an to of for on with this that it be are was my our your"
    " have has will would from by at as about after before what who i me must should more most"
    " much many very than their them there into over been which when where because were could"
    " all any some its his her he she us".split())
_WORD = re.compile(r"\w[\w-]*")
_ANNOTATION = re.compile(r"\{[^}]*\}|\[[^\]]*\]|\([^)]*\)|<[^>]*>")

_table: dict[str, list[str]] | None = None
_table_guard = threading.Lock()


def _read(path: Path) -> dict[str, list[str]]:
    table: dict[str, list[str]] = {}
    with open(path, encoding="utf-8") as handle:
        for line in handle:
            if line.startswith("#") or "::" not in line:
                continue
            german, english = line.rstrip("\n").split("::", 1)
            # the first sense only: later ones are inflections and examples
            german_words = [word for word in (part.strip() for part in
                                              _ANNOTATION.sub("", german.split("|")[0]).split(";"))
                            if _WORD.fullmatch(word)]
            for part in _ANNOTATION.sub("", english.split("|")[0]).split(";"):
                phrase = part.strip().lower()
                if phrase and len(phrase.split()) <= 3:
                    known = table.setdefault(phrase, [])
                    known.extend(word for word in german_words if word not in known)
    return table


def _get_table() -> dict[str, list[str]] | None:
    global _table
    if _table is None:
        with _table_guard:
            if _table is None:
                _table = _read(DING_FILE) if DING_FILE.is_file() else {}
    return _table or None


def translate_to_german(text: str) -> str | None:
    """An OR query of the German translations of the English words (names as they are), or
    None when the dictionary is not installed or the text has no word to translate."""
    table = _get_table()
    if table is None:
        return None
    words = words_of(text)
    terms: list[str] = []
    position = 0
    while position < len(words):
        for length in (3, 2, 1):
            phrase = " ".join(words[position:position + length]).lower()
            if length > 1 and phrase in table:
                terms.extend(table[phrase][:TRANSLATIONS_PER_WORD])
                position += length
                break
            if length == 1:
                word = words[position]
                position += 1
                if word.lower() not in ENGLISH_FUNCTION_WORDS and len(word) >= 3:
                    terms.extend(table.get(word.lower(), [word])[:TRANSLATIONS_PER_WORD])
    unique = list(dict.fromkeys(terms))[:MAX_TERMS]
    return " OR ".join(unique) if unique else None
