"""The query language: what a person types, read into a small tree — never an error.

Words must all match (a long plain query that few statements hold whole falls back to near
matches, index.near_matches); ``"..."`` (or typographic quotes) is a phrase: its words in
this order, in the forms typed or inflected; ``OR`` (or ``|``) joins the words on either
side (it binds tighter than the implicit AND: ``a b OR c`` is a AND (b OR c));
``-word`` and ``NOT word`` exclude; ``( )`` group; ``word*`` is a prefix (3+ characters);
``word~`` / ``word~2`` allow typos; fields ``speaker:`` (``author:``), ``lang:``,
``platform:``, ``kind:``, ``id:``, ``date:``, ``from:``, ``to:``, ``date:[a TO b]``, and
``is:deleted`` / ``is:truncated``.
Anything malformed (unbalanced quotes or brackets, dangling operators, unknown fields,
wildcards in the wrong place, control characters, very long input) is repaired, and each
repair is explained in ``notices``.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from index.analysis import words_of

QUERY_READ_LENGTH = 1_000  # longer queries are cut here, with a notice
MAX_CLAUSES = 32
MAX_DEPTH = 8
MIN_PREFIX = 3
FIELDS = {"speaker": "speaker", "author": "speaker", "lang": "lang", "language": "lang",
          "platform": "platform", "kind": "kind", "id": "id", "date": "date", "from": "from",
          "to": "to", "is": "is"}
DATE_FIELDS = ("date", "from", "to")
_FIELD = re.compile(r"^(-?)([A-Za-z]+):(.*)$", re.DOTALL)
_URL_SCHEMES = {"http", "https", "ftp", "mailto", "www"}
_RANGE_SPLIT = re.compile(r"\s+TO\s+|\s*\.\.\s*|\s+bis\s+", re.IGNORECASE)
_DATE_PART = re.compile(
    r"^(\d{1,4}[.,]?|(jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec|mai|okt|dez|m[aä]r)"
    r"[a-zä]*\.?,?)$", re.IGNORECASE)
_FUZZY = re.compile(r"^(.*\w)~([12]?)$")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
# Typographic double quotes („…“ “…” »…« «…») are quotation marks like '"': a quote copied
# from an article works as a phrase.
TYPOGRAPHIC_QUOTES = str.maketrans({"„": '"', "“": '"', "”": '"', "»": '"', "«": '"', "‟": '"'})


# -- the tree -------------------------------------------------------------
@dataclass
class Word:
    text: str
    start: int = 0  # where it stands in ParsedQuery.text, for "did you mean"
    end: int = 0


@dataclass
class Phrase:
    text: str


@dataclass
class Prefix:
    text: str


@dataclass
class Fuzzy:
    text: str
    distance: int


@dataclass
class Filter:
    name: str  # speaker, lang, platform, kind, id, date, from, to, range, is
    value: str
    end: str = ""  # the upper end of a range


@dataclass
class Not:
    child: object


@dataclass
class AllOf:
    children: list = field(default_factory=list)


@dataclass
class AnyOf:
    children: list = field(default_factory=list)


@dataclass
class ParsedQuery:
    text: str  # the query after clean-up (control characters out, length capped)
    root: AllOf
    notices: list[str] = field(default_factory=list)

    @property
    def is_empty(self) -> bool:
        return not self.root.children


# -- scanning -------------------------------------------------------------
@dataclass
class _Token:
    kind: str  # word, phrase, field, (, ), OR, AND, NOT
    text: str = ""
    start: int = 0
    end: int = 0
    negated: bool = False
    name: str = ""
    value_end: str = ""


def clean_query(text: str, notices: list[str]) -> str:
    """Control and invisible formatting characters out, length capped."""
    if _CONTROL.search(text):
        text = _CONTROL.sub(" ", text)
        notices.append("Control characters in the query were ignored.")
    if any(unicodedata.category(char) == "Cf" for char in text):
        text = "".join(char for char in text if unicodedata.category(char) != "Cf")
        notices.append("Invisible formatting characters in the query were ignored.")
    text = text.replace("\t", " ").replace("\n", " ").replace("\r", " ").translate(TYPOGRAPHIC_QUOTES)
    if len(text) > QUERY_READ_LENGTH:
        notices.append(f"The query is longer than {QUERY_READ_LENGTH:,} characters;"
                       " only its beginning was used.")
        text = text[:QUERY_READ_LENGTH]
    return text


def _date_value(text: str, position: int, value: str) -> tuple[str, int]:
    """Extend an unquoted date value over following date-like words (``date:Aug 2024``)."""
    from index.date_filters import DateFilterError, read_date_span

    best = (value, position)
    cursor, current = position, value
    for _ in range(3):
        match = re.match(r"\s+(\S+)", text[cursor:])
        if not match or not _DATE_PART.match(match[1].rstrip(")")):
            break
        part = match[1].rstrip(")")
        cursor += match.start(1) + len(part)
        current = f"{current} {part}"
        try:
            read_date_span(current)
        except DateFilterError:
            continue
        best = (current, cursor)
    return best


def scan(text: str, notices: list[str]) -> list[_Token]:
    tokens: list[_Token] = []
    length = len(text)
    index = 0
    while index < length:
        char = text[index]
        if char.isspace():
            index += 1
            continue
        if char == '"':
            close = text.find('"', index + 1)
            if close < 0:
                notices.append("A quotation mark was not closed; the phrase runs to the end of"
                               " the query.")
                close = length
            tokens.append(_Token("phrase", text[index + 1:close], index, close + 1))
            index = close + 1
            continue
        if char in "()":
            tokens.append(_Token(char, char, index, index + 1))
            index += 1
            continue
        end = index
        while end < length and not text[end].isspace() and text[end] not in '()"':
            end += 1
        chunk = text[index:end]
        if chunk == "-" and end < length and text[end] in '"(':
            tokens.append(_Token("NOT", chunk, index, end))
            index = end
            continue
        if chunk in ("OR", "|", "||"):
            tokens.append(_Token("OR", chunk, index, end))
            index = end
            continue
        if chunk in ("AND", "&&", "+"):
            tokens.append(_Token("AND", chunk, index, end))
            index = end
            continue
        if chunk == "NOT":
            tokens.append(_Token("NOT", chunk, index, end))
            index = end
            continue
        match = _FIELD.match(chunk)
        if match and match[2].lower() in FIELDS:
            negated, name, value = bool(match[1]), FIELDS[match[2].lower()], match[3]
            value_start = index + len(match[1]) + len(match[2]) + 1
            if value == "" and end < length and text[end] == '"':
                close = text.find('"', end + 1)
                if close < 0:
                    notices.append(f"A quotation mark after {match[2]}: was not closed.")
                    close = length
                value, end = text[end + 1:close], close + 1
            elif value.startswith("[") or value.startswith("{"):
                close = text.find("]" if value[0] == "[" else "}", value_start)
                if close < 0:
                    notices.append(f"The range after {match[2]}: was not closed with ']'.")
                    close = length
                inner = text[value_start + 1:close]
                end = close + 1
                parts = _RANGE_SPLIT.split(inner.strip(), maxsplit=1)
                if name in DATE_FIELDS and len(parts) == 2:
                    tokens.append(_Token("field", parts[0], index, end, negated, "range", parts[1]))
                    index = end
                    continue
                value = inner
            elif name in DATE_FIELDS and value:
                value, end = _date_value(text, end, value)
            if not value.strip():
                notices.append(f"'{match[2]}:' was followed by nothing and was ignored.")
                index = end
                continue
            tokens.append(_Token("field", value, index, end, negated, name))
            index = end
            continue
        negated = False
        start = index
        if chunk.startswith("-") and len(chunk) > 1:
            negated, chunk, start = True, chunk[1:], index + 1
        elif chunk == "-":
            notices.append("A '-' with nothing after it was ignored.")
            index = end
            continue
        if match and match[2].lower() not in _URL_SCHEMES and match[3]:
            notices.append(f"There is no field '{match[2]}:'; it was searched as words."
                           " Fields: speaker:, lang:, platform:, kind:, id:, date:, from:, to:, is:.")
        tokens.append(_Token("word", chunk, start, end, negated))
        index = end
    return tokens


def _word_node(token: _Token, notices: list[str]) -> object | None:
    text = token.text
    fuzzy = _FUZZY.match(text)
    if fuzzy:
        return Fuzzy(fuzzy[1], int(fuzzy[2] or 1))
    if "~" in text:
        text = text.replace("~", " ")
    if "*" in text or "?" in text:
        core = text.strip("*?")
        if text.endswith("*") and "*" not in core and "?" not in core and not text.startswith(("*", "?")):
            if len(words_of(core)) == 1 and len(core) >= MIN_PREFIX:
                return Prefix(core)
            notices.append(f"'{text}': a prefix needs at least {MIN_PREFIX} letters before '*';"
                           " it was searched as a word.")
        elif text.startswith(("*", "?")):
            notices.append(f"'{text}': a wildcard cannot start a word; it was searched as a word.")
        else:
            notices.append(f"'{text}': '*' works only at the end of a word; searched as words.")
        text = core.replace("*", " ").replace("?", " ")
    if not words_of(text):
        return None
    return Word(text, token.start, token.end)


# -- parsing --------------------------------------------------------------
class _Parser:
    def __init__(self, tokens: list[_Token], notices: list[str]):
        self.tokens = tokens
        self.position = 0
        self.notices = notices
        self.depth_notice = False
        self.flattened = 0  # '(' beyond MAX_DEPTH, read as if absent

    def peek(self) -> _Token | None:
        return self.tokens[self.position] if self.position < len(self.tokens) else None

    def take(self) -> _Token:
        token = self.tokens[self.position]
        self.position += 1
        return token

    def sequence(self, depth: int, inside: bool) -> list:
        items: list = []
        while (token := self.peek()) is not None:
            if token.kind == ")":
                self.take()
                if self.flattened:
                    self.flattened -= 1
                    continue
                if inside:
                    return items
                self.notices.append("A ')' without a matching '(' was ignored.")
                continue
            if token.kind == "AND":
                self.take()
                continue
            if token.kind == "OR":
                self.take()
                following = self.peek()
                if not items or following is None or following.kind in ("OR", ")", "AND"):
                    self.notices.append("An OR without a word on both sides was ignored.")
                    continue
                right = self.unary(depth)
                if right is None:
                    continue
                left = items.pop()
                options = (left.children if isinstance(left, AnyOf) else [left]) + \
                    (right.children if isinstance(right, AnyOf) else [right])
                items.append(AnyOf(options))
                continue
            node = self.unary(depth)
            if node is not None:
                items.append(node)
        if inside:
            self.notices.append("A '(' was not closed; it was closed at the end of the query.")
        return items

    def unary(self, depth: int):
        token = self.peek()
        if token is None:
            return None
        if token.kind == "NOT":
            self.take()
            following = self.peek()
            if following is None or following.kind in ("OR", "AND", ")", "NOT"):
                self.notices.append(f"A '{token.text}' with nothing after it was ignored.")
                return None
            child = self.unary(depth)
            return None if child is None else Not(child)
        while token is not None and token.kind == "(" and depth >= MAX_DEPTH:
            self.take()
            if not self.depth_notice:
                self.depth_notice = True
                self.notices.append(f"Brackets nested deeper than {MAX_DEPTH} levels were flattened.")
            self.flattened += 1
            token = self.peek()
        if token is None:
            return None
        if token.kind == "(":
            self.take()
            children = self.sequence(depth + 1, True)
            if not children:
                return None
            return children[0] if len(children) == 1 else AllOf(children)
        if token.kind in ("OR", "AND", ")"):
            return None
        self.take()
        if token.kind == "phrase":
            node = Phrase(token.text) if words_of(token.text) else None
        elif token.kind == "field":
            node = Filter(token.name, token.text.strip(), token.value_end.strip())
        else:
            node = _word_node(token, self.notices)
        if node is not None and token.negated:
            return Not(node)
        return node


def _cap_clauses(tokens: list[_Token], notices: list[str]) -> list[_Token]:
    leaves = 0
    for position, token in enumerate(tokens):
        if token.kind in ("word", "phrase", "field"):
            leaves += 1
            if leaves > MAX_CLAUSES:
                notices.append(f"Only the first {MAX_CLAUSES} words and filters of the query were"
                               " used.")
                return tokens[:position]
    return tokens


def parse_query(query: str) -> ParsedQuery:
    """Read a query string; never raises."""
    notices: list[str] = []
    text = clean_query(query if isinstance(query, str) else str(query), notices)
    tokens = _cap_clauses(scan(text, notices), notices)
    children = _Parser(tokens, notices).sequence(0, False)
    return ParsedQuery(text, AllOf(children), list(dict.fromkeys(notices)))
