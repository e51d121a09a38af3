"""Finding the quoted passages of a German or English article and the speaker of each: the
rules behind ``flask --app web extract``, which drafts a bundle and stores nothing.

The parts:

- ``find_quotes``: the passages between quotation marks („…“, “…”, "…", »…«, and ‚…‘, ‘…’,
  '…' inside another quote) and the block quotes (the paragraphs after one that ends with a
  colon, up to the next heading or the next paragraph that quotes someone); a passage of
  fewer than four words without closing punctuation is a name or a scare quote, not a
  statement;
- ``extract_quotes``: the speaker of each from the words around it, rules tried in order —
  after it "sagte/schrieb/erklärte/twitterte X", "X said/wrote"; before it (in its sentence,
  or the introduction of a block quote) a pronoun ("sagte er", "She said": the person named
  last), a name already in the archive or already quoted in the article (whole words:
  "Schulmans" is not "Schulman", except as the owner of a block quote: "Schulmans
  Beitrag"), an unnamed subject ("Jemand", "ein anderer Nutzer", "a pedestrian", "one
  resident shouted"), a name next to a speech verb, "X: …", any name of the sentence; a
  quote nothing attributes continues the one before it in its paragraph. The kind (post,
  remark, letter, speech, interview) where a word around it says.

The bundle draft is made by ``archive.draft``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from archive.records import Person, canonical_text, paragraph_spans

# A passage shorter than this (in words), without closing punctuation, is no statement.
MIN_STATEMENT_WORDS = 4
# The longest heading line (characters); a heading has no closing punctuation.
MAX_HEADING_LENGTH = 120

_VERBS_DE = (r"sagte|sagt|schrieb|schreibt|erklärte|erklärt|twitterte|postete|betonte|meinte|"
             r"ergänzte|fügte|warnte|kritisierte|antwortete|äußerte|rief|fragte|so")
_VERBS_EN = (r"said|says|wrote|writes|tweeted|posted|added|told|explained|warned|stressed|"
             r"replied|shouted|asked|according to")
_VERBS = f"(?:{_VERBS_DE}|{_VERBS_EN})"
_UPPER = "A-ZÀ-ÖØ-Þ"
_LOWER = "a-zß-öø-ÿ"
_NAME_WORD = rf"[{_UPPER}][{_LOWER}{_UPPER}'’.-]+"
_PARTICLES = ("von", "van", "de", "der", "zu", "al", "le", "du")
_NAME = rf"{_NAME_WORD}(?:\s+(?:(?:{'|'.join(_PARTICLES)})\s+)?{_NAME_WORD}){{0,2}}"
_PRONOUNS = ("er", "sie", "he", "she")
_PRONOUN = r"(?:er|sie|he|she)"
# An unnamed subject at the start of a sentence, or one next to a speech verb.
_INDEFINITE_START = re.compile(
    r"^(?:jemand|someone|somebody|ein(?:e|er)?\s+(?:ander(?:er|e)\s+)?\w+|an?\s+\w+"
    r"|(?:one|another)(?:\s+[a-z]\w*)?(?=\s+" + _VERBS + r"\b))", re.IGNORECASE)
_INDEFINITE_NEAR_VERB = re.compile(
    r"\b(?:one|another|an?|ein(?:e|er)?(?:\s+ander(?:er|e))?)\s+\w+\s+" + _VERBS + r"\b",
    re.IGNORECASE)
# Capitalised words that are no one's name: roles, days, months, sentence openers.
_NOT_NAMES = frozenset("""
der die das den dem des ein eine einer einem und aber doch dann heute am im in auf zu ihre
ihr sein seine bürgermeister bürgermeisterin oberbürgermeister oberbürgermeisterin minister
ministerin ministerpräsident ministerpräsidentin präsident präsidentin kanzler kanzlerin
sprecher sprecherin chef chefin fraktionschef fraktionschefin vorsitzende vorsitzender
kämmerer kämmerin stadtrat stadträtin landrat landrätin senator senatorin abgeordnete
abgeordneter direktor direktorin professor professorin geschäftsführer geschäftsführerin dr
prof mr mrs ms mayor president chancellor governor ceo councillor spokesman spokeswoman
spokesperson chief director the a an he she it they we i er sie es wir ich montag dienstag
mittwoch donnerstag freitag samstag sonntag monday tuesday wednesday thursday friday saturday
sunday januar februar märz april mai juni juli august september oktober november dezember
january february march june july october december später later also auch x in at on
linkedin twitter facebook instagram threads bluesky youtube tiktok
""".split())
_KINDS = (
    ("interview", r"\binterview"),
    ("speech", r"\b(?:rede|ansprache|speech)\b"),
    ("letter", r"\b(?:brief|letter|memo)\b"),
    ("post", r"\b(?:twitterte|tweeted|postete|posted|beitrag|post|x|twitter|threads|bluesky|"
             r"linkedin|instagram|facebook|social-media-plattform)\b"),
    ("remark", r"\b(?:sagte|sagt|said|says|told|meinte|erzählte|rief|shouted)\b"),
)
_QUOTE_PAIRS = {"„": "“”", "“": "”", "»": "«", "‚": "‘’", "‘": "’", '"': '"', "'": "'"}
_NESTED_ONLY = "‚‘'"
_MARKS = "„“”»«‚‘’\"'"
# What may stand between a quote's words and a speech verb after it: ”, said; «, so
_LEAD = r"[\s,.;:–—”“\"«»’‘'-]*"
# Hearsay: no one in particular said it.
_IMPERSONAL = re.compile(r"\b(?:hieß es|it was said|people said|man sagte)\b", re.IGNORECASE)
_SENTENCE_BREAK = re.compile(r"[.!?…][)\"“”»«’']?\s+")


@dataclass
class FoundQuote:
    """One quoted passage: where it is in the canonical article, its words, and who the
    article says spoke them (``speaker``: a name, empty when unnamed or not found)."""

    start: int
    end: int
    text: str
    block: bool = False
    parent: int | None = None  # the quote this one is quoted in (its index)
    speaker: str = ""
    person_id: str = ""  # a person the archive knows
    unnamed_as: str = ""  # how the article refers to a speaker it does not name
    kind: str = ""
    rule: str = ""  # which rule attributed it

    @property
    def attributed(self) -> bool:
        return bool(self.speaker or self.unnamed_as)


@dataclass
class Extraction:
    """The quotes of one canonical article, in the order they stand there."""

    article: str
    quotes: list[FoundQuote] = field(default_factory=list)

    @property
    def unattributed(self) -> list[FoundQuote]:
        return [quote for quote in self.quotes if not quote.attributed]


def is_heading(paragraph: str) -> bool:
    """One short line without closing punctuation, not in quotation marks."""
    line = paragraph.strip()
    return (bool(line) and "\n" not in line and len(line) <= MAX_HEADING_LENGTH
            and line[-1] not in ".!?:;,…\"“”»«’')" and line[0] not in _QUOTE_PAIRS)


def find_quotes(article: str) -> list[FoundQuote]:
    """Every quoted passage and block quote of the canonical ``article``, in order."""
    spans = paragraph_spans(article)
    blocks: list[FoundQuote] = []
    index = 0
    while index < len(spans):
        paragraph = article[spans[index][0]:spans[index][1]]
        following = spans[index + 1:]
        if (paragraph.endswith(":") and following and _balanced(paragraph)
                and not is_heading(article[following[0][0]:following[0][1]])
                and article[following[0][0]] not in _QUOTE_PAIRS):
            block = []
            for span in following:
                if is_heading(article[span[0]:span[1]]) or _quotes_someone(article[span[0]:span[1]]):
                    break
                block.append(span)
            if not block:
                index += 1
                continue
            blocks.append(FoundQuote(block[0][0], block[-1][1],
                                     article[block[0][0]:block[-1][1]], block=True))
            index += 1 + len(block)
            continue
        index += 1
    skip = sorted([(quote.start, quote.end) for quote in blocks]
                  + [(a, b) for a, b in spans if is_heading(article[a:b])])
    pairs = [(quote, None) for quote in blocks] + _inline_quotes(article, skip)
    pairs = [(quote, parent) for quote, parent in pairs if _is_statement(quote)]
    pairs.sort(key=lambda pair: (pair[0].start, -pair[0].end))
    numbers = {id(quote): number for number, (quote, _) in enumerate(pairs)}
    for quote, parent in pairs:
        quote.parent = numbers.get(id(parent)) if parent is not None else None
    return [quote for quote, _ in pairs]


def _quotes_someone(paragraph: str) -> bool:
    """Whether a paragraph holds a quotation mark that opens a quote: the article's own
    words again, after a block quote that no heading ends."""
    return bool(re.search(r"(?:^|\s)[„“»\"]\S", paragraph))


def _balanced(paragraph: str) -> bool:
    return paragraph.count('"') % 2 == 0 and paragraph.count("„") == paragraph.count("“")


def _inline_quotes(article: str, skip: list[tuple[int, int]]
                   ) -> list[tuple[FoundQuote, FoundQuote | None]]:
    """(quote, the quote it stands in) for each passage between quotation marks outside the
    ``skip`` spans (block quotes, headings); a quote still open at one of them is dropped."""
    found: list[tuple[FoundQuote, FoundQuote | None]] = []
    position = 0
    for skip_start, skip_end in [*skip, (len(article), len(article))]:
        stack: list[tuple[str, FoundQuote]] = []  # (its closing marks, the open quote)
        for offset in range(position, skip_start):
            char = article[offset]
            if char not in _MARKS:
                continue
            before = article[offset - 1] if offset else " "
            after = article[offset + 1] if offset + 1 < len(article) else " "
            if stack and char in stack[-1][0] and _closes(char, before, after):
                _, quote = stack.pop()
                quote.end = offset
                while quote.end > quote.start and article[quote.end - 1] in " ,\n":
                    quote.end -= 1  # “We will,” she said: the comma is the article's
                quote.text = article[quote.start:quote.end]
                found.append((quote, stack[-1][1] if stack else None))
                continue
            if char in _QUOTE_PAIRS and _opens(char, before, after):
                if char in _NESTED_ONLY and not stack:
                    continue
                stack.append((_QUOTE_PAIRS[char], FoundQuote(offset + 1, -1, "")))
        position = max(position, skip_end)
    return found


def _opens(char: str, before: str, after: str) -> bool:
    if after.isspace():
        return False
    if char in "'’‘\"":
        return before.isspace() or before in "([—–-:/"
    return True


def _closes(char: str, before: str, after: str) -> bool:
    if char in "'’":
        return not before.isspace() and not after.isalnum()
    if char == '"':
        return not before.isspace()
    return True


def _is_statement(quote: FoundQuote) -> bool:
    words = quote.text.split()
    return bool(words) and (len(words) >= MIN_STATEMENT_WORDS or quote.block
                            or quote.text.rstrip()[-1:] in ".!?…")




# -- who said it ---------------------------------------------------------------------------

@dataclass
class _Speakers:
    """The names a speaker may go by: the archive's people, and the speakers the article has
    been found to quote so far (by full name and surname)."""

    known: dict[str, Person]
    patterns: list[tuple[re.Pattern, str, str]] = field(default_factory=list)  # (name, id)

    @classmethod
    def of(cls, people: list[Person]) -> _Speakers:
        speakers = cls({person.person_id: person for person in people if not person.unnamed})
        first_names: dict[str, list[str]] = {}
        for person in speakers.known.values():
            for label in {person.name, *person.aliases, *(h.lstrip("@") for h in person.handles)}:
                speakers.add(label, person.name, person.person_id)
            first_names.setdefault(person.name.split()[0], []).append(person.person_id)
        for first, ids in first_names.items():
            if len(ids) == 1:
                speakers.add(first, speakers.known[ids[0]].name, ids[0])
        return speakers

    def add(self, label: str, name: str, person_id: str) -> None:
        if len(label) > 2 and label.lower() not in _NOT_NAMES:
            self.patterns.append((re.compile(rf"(?<![\w@]){re.escape(label)}"), name, person_id))

    def learn(self, name: str, person_id: str) -> None:
        """A speaker the article quotes: later its name or surname names them."""
        self.add(name, name, person_id)
        if " " in name:
            self.add(name.split()[-1], name, person_id)

    def find(self, text: str, *, genitive: bool = False) -> list[tuple[int, str, str]]:
        """(offset, name, person_id) of each name in ``text``, in order: whole words only,
        or with ``genitive`` only the forms "Names" / "Name's"."""
        end = r"(?:s|[’']s?)(?![\w])" if genitive else r"(?![\w’'])"
        found = []
        for pattern, name, person_id in self.patterns:
            whole = re.compile(pattern.pattern + end)
            found.extend((match.start(), name, person_id) for match in whole.finditer(text))
        return sorted(found)

    def resolve(self, name: str) -> tuple[str, str]:
        """(name, person_id) of a name the article uses: a speaker known by it, else itself."""
        for offset, known_name, person_id in self.find(name):
            if offset == 0:
                return known_name, person_id
        return name, ""


def extract_quotes(article: str, people: list[Person]) -> Extraction:
    """The quotes of ``article`` (any line breaks), each with the speaker and kind the
    article gives, as far as the rules find them; ``people`` are those the archive knows."""
    text = canonical_text(article)
    speakers = _Speakers.of(people)
    extraction = Extraction(text, find_quotes(text))
    previous: FoundQuote | None = None
    for quote in extraction.quotes:
        parent = extraction.quotes[quote.parent] if quote.parent is not None else None
        before = _before(text, quote, parent)
        after = "" if quote.block else _after(text, quote)
        _attribute(quote, text, before, after, speakers)
        if (not quote.attributed and previous is not None and parent is None
                and previous.parent is None and not quote.block
                and "\n\n" not in text[previous.end:quote.start]):
            quote.speaker, quote.person_id = previous.speaker, previous.person_id
            quote.unnamed_as, quote.rule = previous.unnamed_as, "continues the quote before"
        quote.kind = _kind(before, after) or (previous.kind if quote.rule.startswith("continues")
                                              and previous else "")
        if quote.speaker:
            speakers.learn(quote.speaker, quote.person_id)
        if parent is None:
            previous = quote
    return extraction


def _before(text: str, quote: FoundQuote, parent: FoundQuote | None) -> str:
    """The words before the quote in its sentence, after any earlier quote of it (for a
    block quote, or a quote that opens its paragraph after a colon: the paragraph before)."""
    floor = parent.start if parent else 0
    opening = quote.start if quote.block else quote.start - 1
    start = _paragraph_start(text, floor, opening)
    segment = text[start:opening]
    if quote.block or (not segment.strip() and text[:start].rstrip().endswith(":")):
        previous = _paragraph_start(text, floor, max(start - 2, floor))
        segment = text[previous:start].strip() + " " + segment
    closing = max((segment.rfind(mark) for mark in "“”«\"’‘"), default=-1)
    if closing >= 0 and not quote.block:
        segment = segment[closing + 1:]
    breaks = list(_SENTENCE_BREAK.finditer(segment))
    return segment[breaks[-1].end():] if breaks else segment


def _paragraph_start(text: str, floor: int, offset: int) -> int:
    """Where the paragraph holding ``offset`` begins, not before ``floor``."""
    gap = text.rfind("\n\n", floor, offset)
    return gap + 2 if gap >= 0 else floor


def _after(text: str, quote: FoundQuote) -> str:
    """The words after the quote up to the end of its sentence or the next quote; none when
    the quote ends its sentence and the next begins (“Nobody asked us!” Another ...)."""
    segment = text[quote.end + 1:quote.end + 200].split("\n\n")[0]
    if quote.text.rstrip()[-1:] in ".!?…" and re.match(rf"^{_LEAD}[{_UPPER}]", segment):
        return ""
    opening = re.search(r"\s[„“»\"‚]", segment)
    if opening:
        segment = segment[:opening.start()]
    match = _SENTENCE_BREAK.search(segment)
    return segment[:match.start() + 1] if match else segment


def _name_at(words: str) -> str:
    """The name (or pronoun) at the start of ``words``, after at most a few words of role:
    "die Bürgermeisterin Anna Beispiel" is Anna Beispiel, "the mayor, Jane Doe" Jane Doe."""
    name: list[str] = []
    for position, token in enumerate(words.split()[:8]):
        bare = token.strip(",.;:!?()“”\"'’»«")
        if not name and bare.lower() in _PRONOUNS:
            return bare.lower()
        if bare and bare.lower() not in _NOT_NAMES and re.fullmatch(_NAME_WORD, bare):
            name.append(bare)
            if bare != token:  # punctuation ends the name
                break
        elif name and len(name) < 2 and bare in _PARTICLES:  # Ursula von der Leyen
            name.append(bare)
        elif name or position >= 5:
            break
    while name and name[-1] in _PARTICLES:
        name.pop()
    return " ".join(name[-2:] if len(name) > 3 else name)


def _names_in(clause: str) -> list[tuple[int, str]]:
    """(offset, name) of the names of two words (the last two of a run of capitalised
    words) in ``clause``."""
    found = []
    for match in re.finditer(rf"{_NAME_WORD}(?:\s+{_NAME_WORD})*", clause):
        words = [word for word in match[0].split() if word.lower() not in _NOT_NAMES]
        if len(words) >= 2:  # a longer run starts with roles: "Die Hebamme Petra Lindner"
            found.append((match.start(), " ".join(words[-2:])))
    return found


def _attribute(quote: FoundQuote, text: str, before: str, after: str,
               speakers: _Speakers) -> None:
    clause = before.strip()
    after_verb = re.match(rf"^{_LEAD}{_VERBS}\b\s*(.*)", after, re.IGNORECASE | re.DOTALL)
    if after_verb and _name_at(after_verb[1]):
        _settle(quote, _name_at(after_verb[1]), text, speakers, "after: verb + name")
        return
    after_name = (re.match(rf"^{_LEAD}({_NAME})\s+{_VERBS}\b", after)
                  or re.match(rf"^{_LEAD}({_PRONOUN})\s+{_VERBS}\b", after, re.IGNORECASE))
    if after_name:
        _settle(quote, after_name[1], text, speakers, "after: name + verb")
        return
    pronoun = (re.search(rf"\b{_VERBS}\s+({_PRONOUN})\b|\b({_PRONOUN})\s+{_VERBS}\b", clause,
                         re.IGNORECASE) or re.match(rf"^({_PRONOUN})\b", clause, re.IGNORECASE))
    if pronoun:
        _settle(quote, next(group for group in pronoun.groups() if group), text, speakers,
                "before: pronoun")
        return
    known = speakers.find(clause) or (speakers.find(clause, genitive=True) if quote.block else [])
    if known:
        quote.speaker, quote.person_id = known[0][1], known[0][2]
        quote.rule = "before: a name in the archive or quoted before"
        return
    unnamed = (_INDEFINITE_START.match(clause) or _INDEFINITE_NEAR_VERB.search(clause)
               or _IMPERSONAL.search(clause))
    if unnamed:
        words = unnamed[0].split()
        quote.unnamed_as = " ".join(words[:-1] if re.fullmatch(_VERBS, words[-1], re.IGNORECASE)
                                    and len(words) > 1 else words)
        quote.rule = "before: unnamed subject"
        return
    verb_name = re.search(rf"({_NAME})\s+{_VERBS}\b", clause) or re.search(
        rf"\b{_VERBS}\s+(.*)$", clause)
    if verb_name and _name_at(verb_name[1]):
        _settle(quote, _name_at(verb_name[1]), text, speakers, "before: name + verb")
        return
    colon = re.fullmatch(rf"({_NAME})\s*:", clause)
    if colon:
        _settle(quote, colon[1], text, speakers, "before: name + colon")
        return
    names = _names_in(clause)
    if names:
        _settle(quote, names[0][1], text, speakers, "before: a name in the sentence")


def _settle(quote: FoundQuote, name: str, text: str, speakers: _Speakers, rule: str) -> None:
    """Give the quote the speaker ``name``; a pronoun is the person named last before it."""
    if name.lower() in _PRONOUNS:
        mentions = [(offset, found, person_id)
                    for offset, found, person_id in speakers.find(text[:quote.start])]
        mentions += [(offset, phrase, "") for offset, phrase in _names_in(text[:quote.start])]
        if not mentions:
            return
        _, name, person_id = max(mentions)
        quote.speaker, quote.person_id, quote.rule = name, person_id, rule
        return
    name = " ".join(word for word in name.split() if word.lower() not in _NOT_NAMES)
    if not name:
        return
    name, person_id = speakers.resolve(name)
    if not person_id and " " not in name:  # a surname the article gave in full before
        earlier = re.findall(rf"({_NAME_WORD})\s+{re.escape(name)}\b", text[:quote.start])
        earlier = [first for first in earlier if first.lower() not in _NOT_NAMES]
        if earlier:
            name = f"{earlier[-1]} {name}"
    quote.speaker, quote.person_id, quote.rule = name, person_id, rule


def _kind(before: str, after: str) -> str:
    words = f"{before} {after}".lower()
    for kind, pattern in _KINDS:
        if re.search(pattern, words):
            return kind
    return ""
