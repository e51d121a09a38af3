"""Citation IDs: minting, normalising, checking, and the locator notation.

A citation ID is eight characters from a 31-letter alphabet, written in two
groups of four (``K7MQ-4XDR``). The last character is a check character: a
weighted sum over all eight positions is zero modulo 31 (a prime), which
detects every single mistyped character and every swap of two neighbours.
The alphabet leaves out 0, 1, I, L and O, which are read or typed for each
other. IDs are random, never derived from a record's fields.

A reference may address a revision (``K7MQ-4XDR@2``), a paragraph
(``K7MQ-4XDR/p3``) or a sentence inside a paragraph (``K7MQ-4XDR/p3.s2``);
both may be combined (``K7MQ-4XDR@2/p3.s2``).
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterable
from dataclasses import dataclass

ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
MODULUS = len(ALPHABET)  # 31, a prime: what makes the check character work
BODY_LENGTH = 7
ID_LENGTH = BODY_LENGTH + 1
GROUP = 4

_VALUE = {char: value for value, char in enumerate(ALPHABET)}
_SEPARATORS = re.compile(r"[\s\-_.\u2010-\u2015]+")
_CONFUSABLE = {"0": "O/0", "O": "O/0", "1": "1/I/L", "I": "1/I/L", "L": "1/I/L"}
_REFERENCE = re.compile(
    r"^(?P<id>[^@/]+)(?:@(?P<revision>\d{1,6}))?"
    r"(?:/p(?P<paragraph>\d{1,4})(?:\.s(?P<sentence>\d{1,4}))?)?$",
    re.IGNORECASE,
)


class InvalidCitationIdError(ValueError):
    """A string is not a well-formed citation ID; ``message`` says why."""


@dataclass(frozen=True)
class CitationRef:
    """A parsed reference: a statement ID, optionally a revision and a locator."""

    statement_id: str
    revision: int | None = None
    paragraph: int | None = None
    sentence: int | None = None

    @property
    def locator(self) -> str:
        if self.paragraph is None:
            return ""
        if self.sentence is None:
            return f"p{self.paragraph}"
        return f"p{self.paragraph}.s{self.sentence}"

    def __str__(self) -> str:
        text = self.statement_id
        if self.revision is not None:
            text += f"@{self.revision}"
        if self.locator:
            text += f"/{self.locator}"
        return text


def _weighted_sum(values: Iterable[int]) -> int:
    return sum(weight * value for weight, value in enumerate(values, start=1)) % MODULUS


def compute_check_character(body: str) -> str:
    """The check character that makes ``body`` + it a valid ID."""
    partial = _weighted_sum(_VALUE[char] for char in body)
    weight = len(body) + 1
    # weight * check + partial == 0 (mod 31); 31 is prime, so weight has an inverse
    check = (-partial * pow(weight, -1, MODULUS)) % MODULUS
    return ALPHABET[check]


def has_valid_check(compact: str) -> bool:
    """True when an eight-character compact ID passes the check."""
    if len(compact) != ID_LENGTH or any(char not in _VALUE for char in compact):
        return False
    return _weighted_sum(_VALUE[char] for char in compact) == 0


def format_citation_id(compact: str) -> str:
    """``K7MQ4XDR`` -> ``K7MQ-4XDR``."""
    return f"{compact[:GROUP]}-{compact[GROUP:]}"


def mint_citation_id() -> str:
    """A new random ID in canonical form; the store checks it is unused."""
    number = secrets.randbelow(MODULUS ** BODY_LENGTH)  # one draw: cheaper than one per character
    digits = []
    for _ in range(BODY_LENGTH):
        number, digit = divmod(number, MODULUS)
        digits.append(ALPHABET[digit])
    body = "".join(digits)
    return format_citation_id(body + compute_check_character(body))


def compact_citation_id(text: str) -> str:
    """Upper-case, drop separators and surrounding space; no validation."""
    return _SEPARATORS.sub("", text.strip()).upper()


def normalise_citation_id(text: str) -> str:
    """Return the canonical form of an ID typed in any case or spacing.

    Raises InvalidCitationIdError naming what is wrong: length, a character
    that never occurs in IDs, or a failed check character.
    """
    compact = compact_citation_id(text)
    if not compact:
        raise InvalidCitationIdError("empty citation ID")
    bad = sorted({char for char in compact if char not in _VALUE})
    if bad:
        hints = [_CONFUSABLE.get(char, char) for char in bad]
        raise InvalidCitationIdError(
            f"citation IDs never contain {', '.join(repr(c) for c in bad)}"
            + (f" (IDs avoid {', '.join(sorted(set(h for h in hints if '/' in h)))})"
               if any("/" in h for h in hints) else "")
        )
    if len(compact) != ID_LENGTH:
        raise InvalidCitationIdError(
            f"a citation ID has {ID_LENGTH} characters, not {len(compact)}"
        )
    if not has_valid_check(compact):
        raise InvalidCitationIdError(
            "check character does not match: a character is mistyped or two are swapped"
        )
    return format_citation_id(compact)


def parse_citation_ref(text: str) -> CitationRef:
    """Parse ``ID``, ``ID@rev``, ``ID/p3``, ``ID/p3.s2`` (any case and spacing)."""
    match = _REFERENCE.match(text.strip())
    if not match:
        raise InvalidCitationIdError(f"not a citation reference: {text.strip()[:40]!r}")
    statement_id = normalise_citation_id(match["id"])

    def number(name: str) -> int | None:
        value = match[name]
        if value is None:
            return None
        if int(value) < 1:
            raise InvalidCitationIdError(f"{name} numbers start at 1")
        return int(value)

    return CitationRef(statement_id, number("revision"), number("paragraph"), number("sentence"))


def near_miss_candidates(text: str) -> list[str]:
    """Valid IDs one typo away from ``text``: one substituted character
    (including the look-alikes 0/O, 1/I/L), one adjacent swap, or one
    character missing or extra. The caller keeps those that exist."""
    compact = compact_citation_id(text)
    compact = compact.replace("0", "O").replace("1", "I")
    candidates: set[str] = set()

    def consider(candidate: str) -> None:
        if has_valid_check(candidate):
            candidates.add(format_citation_id(candidate))

    if len(compact) == ID_LENGTH:
        for position in range(ID_LENGTH):
            for char in ALPHABET:
                if char != compact[position]:
                    consider(compact[:position] + char + compact[position + 1:])
        for position in range(ID_LENGTH - 1):
            swapped = list(compact)
            swapped[position], swapped[position + 1] = swapped[position + 1], swapped[position]
            consider("".join(swapped))
    elif len(compact) == ID_LENGTH - 1:
        for position in range(ID_LENGTH):
            for char in ALPHABET:
                consider(compact[:position] + char + compact[position:])
    elif len(compact) == ID_LENGTH + 1:
        for position in range(ID_LENGTH + 1):
            consider(compact[:position] + compact[position + 1:])
    return sorted(candidates)
