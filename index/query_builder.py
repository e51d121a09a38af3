"""Turning a parsed query and the filter parameters into a query plan (``index.query_plan``),
within bounds, with the words the index knows (``index.engine.Vocabulary``).

Each word meets its plain form and its German and English stems, plus the speakers whose
names contain it (ranked above a mere mention), plus, for German compounds, longer words
that start with it and end in another known word. Prefixes, typos and compounds expand to
at most a fixed number of terms; when a cap is hit the result says so. Filters (speaker,
language, platform, kind, ID, dates) are constant-score terms that do not move the ranking.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field

from archive.citation_ids import InvalidCitationIdError, normalise_citation_id
from archive.records import KINDS
from archive.vocabulary import LANGUAGE_ALIASES, PLATFORM_ALIASES
from index import query_plan as qp
from index.analysis import english_stem_cached, fold, fold_accents, german_stem, query_terms, words_of
from index.date_filters import (
    DateFilterError,
    DateSpan,
    read_date_span,
    span_between,
    span_from,
    span_terms,
    span_to,
)
from index.engine import Vocabulary
from index.metadata_filters import MARKS
from index.query_language import AllOf, AnyOf, Filter, Fuzzy, Not, ParsedQuery, Phrase, Prefix, Word
from index.speakers import SpeakerDirectory

SPEAKER_BOOST = 4.0       # a word that names the speaker outweighs the word in the text
PHRASE_BOOST = 2.0        # the query's words side by side, in order
EXACT_PHRASE_BOOST = 2.0  # a quoted phrase in the forms typed, above its inflected forms
COMPOUND_BOOST = 0.2      # a compound that starts with the word ranks below the word itself
MAX_EXPANSIONS = 50       # terms one prefix or fuzzy word may expand to
MAX_COMPOUNDS = 16        # compounds one word may expand to, the most frequent
MAX_COMPOUND_SCAN = 500   # lexicon entries looked at for one word's compounds
MAX_SCAN = 2_000          # lexicon entries looked at for one expansion
MAX_TOTAL_EXPANSIONS = 300
MAX_PHRASE_WORDS = 16
MAX_FUZZY_LENGTH = 24
EXPANSION_TIME = 0.25       # seconds one query may spend finding near spellings
COMPOUNDS = True
MIN_COMPOUND_PART = 5     # the word typed, folded
MIN_COMPOUND_REST = 4     # the other part of the compound
COMPOUND_LINKS = ("", "s", "es", "n", "en", "er", "e", "ens")
DERIVATIONAL_ENDINGS = frozenset({
    "lich", "liche", "lichen", "licher", "liches", "schaft", "schaften", "heit", "heiten", "keit",
    "keiten", "ung", "ungen", "chen", "lein", "isch", "ische", "ischen", "haft", "hafte", "weise",
    "innen", "ling", "linge", "bare", "baren", "sam", "same", "samen", "ness", "less", "ment",
    "ship", "able", "ings", "ized", "izes", "ers",
})
_LANG_CODE = re.compile(r"^[a-z]{2,3}$")


@dataclass
class BuiltQuery:
    query: qp.Plan | None                # None: no condition (list everything)
    scored: bool = False                 # has words to rank by
    highlight: set[str] = field(default_factory=set)
    notices: list[str] = field(default_factory=list)
    words: list[Word] = field(default_factory=list)  # positive single words, for spelling
    speaker_ids: set[str] = field(default_factory=set)


class QueryBuilder:
    def __init__(self, vocabulary: Vocabulary, speakers: SpeakerDirectory, years: list[int]):
        self.vocabulary = vocabulary
        self.speakers = speakers
        self.years = years
        self.expanded = 0
        self.result = BuiltQuery(None)
        # Typo expansion walks the word lists in Python: past this point a query's
        # remaining fuzzy words are matched exactly, so a search still answers in time.
        self.expansion_deadline = time.monotonic() + EXPANSION_TIME

    def notice(self, text: str) -> None:
        if text not in self.result.notices:
            self.result.notices.append(text)

    # -- leaves ------------------------------------------------------------
    def _has_term(self, term: str) -> bool:
        return self.vocabulary.has_word(term)

    def compounds(self, plain: str) -> list[str]:
        """Known words that are ``plain`` + a link + another known word (German compounds),
        the most frequent first."""
        if not COMPOUNDS or len(plain) < MIN_COMPOUND_PART:
            return []
        found = []
        for text in self.vocabulary.words_starting(plain, MAX_COMPOUND_SCAN):
            rest = text[len(plain):]
            if not rest:
                continue
            for link in COMPOUND_LINKS:
                if rest.startswith(link):
                    tail = rest[len(link):]
                    if (len(tail) >= MIN_COMPOUND_REST and tail not in DERIVATIONAL_ENDINGS
                            and self.vocabulary.frequency(tail) >= 2):
                        found.append((self.vocabulary.frequency(text), text))
                        break
        return [text for _count, text in sorted(found, reverse=True)[:MAX_COMPOUNDS]]

    def word(self, node: Word) -> qp.Plan | None:
        tokens = words_of(node.text)
        if not tokens:
            return None
        if len(tokens) > 1:  # KI-Ausrichtung, t.co: the parts side by side
            return self.phrase(Phrase(" ".join(tokens)), highlight_stems=True)
        token = tokens[0]
        terms = query_terms(token)
        self.result.highlight.update(terms)
        self.result.scored = True
        self.result.words.append(node)
        options: list[qp.Plan] = [qp.Term("words", term) for term in terms]
        for person_id in sorted(self.speakers.match_words([fold(token)])):
            options.append(qp.Term("speaker", person_id, boost=SPEAKER_BOOST))
            self.result.speaker_ids.add(person_id)
        if self.expanded < MAX_TOTAL_EXPANSIONS:
            compounds = self.compounds(terms[0])
            # each compound boosted on its own: an engine may drop the boost of a one-term Or
            options.extend(qp.Term("words", compound, boost=COMPOUND_BOOST) for compound in compounds)
            self.result.highlight.update(compounds)
            self.expanded += len(compounds)
        return options[0] if len(options) == 1 else _or(options)

    def phrase(self, node: Phrase, highlight_stems: bool = False) -> qp.Plan | None:
        tokens = words_of(node.text)
        if not tokens:
            return None
        if len(tokens) > MAX_PHRASE_WORDS:
            self.notice(f"Only the first {MAX_PHRASE_WORDS} words of a phrase were used.")
            tokens = tokens[:MAX_PHRASE_WORDS]
        plain = [fold(token) for token in tokens]
        self.result.highlight.update(plain)
        self.result.scored = True
        if len(plain) == 1:
            return qp.Term("words", plain[0])
        # The words in the forms typed, or inflected in the same order (künstlichen
        # Intelligenz): each word's German or English stem, which the index holds at the
        # word's own position. The forms typed match every variant, so they rank first.
        variants = [qp.Phrase("words", tuple(plain), boost=EXACT_PHRASE_BOOST)]
        for stems in ([german_stem(word) for word in plain],
                      [english_stem_cached(fold_accents(token)) for token in tokens]):
            if stems != plain and all(tuple(stems) != variant.words for variant in variants):
                variants.append(qp.Phrase("words", tuple(stems)))
                self.result.highlight.update(stems)
        return variants[0] if len(variants) == 1 else _or(variants)

    def prefix(self, node: Prefix) -> qp.Plan | None:
        start = fold(node.text)
        capped = False
        words = self.vocabulary.words_starting(start, MAX_SCAN + 1)
        if len(words) > MAX_SCAN:
            capped = True
            words = words[:MAX_SCAN]
        candidates = [(self.vocabulary.frequency(text), text) for text in words]
        room = max(0, min(MAX_EXPANSIONS, MAX_TOTAL_EXPANSIONS - self.expanded))
        if len(candidates) > room:
            capped = True
        chosen = [text for _count, text in sorted(candidates, reverse=True)[:room]]
        self.expanded += len(chosen)
        self.result.scored = True
        if capped:
            self.notice(f"'{node.text}*' matches too many words; only the {len(chosen)} most"
                        " frequent were searched. Type more letters to narrow it.")
        if not chosen:
            return qp.NOTHING
        self.result.highlight.update(chosen)
        return _or([qp.Term("words", text) for text in chosen])

    def fuzzy(self, node: Fuzzy) -> qp.Plan | None:
        tokens = words_of(node.text)
        if len(tokens) != 1:
            return self.word(Word(node.text))
        plain = fold(tokens[0])
        distance = min(node.distance, 1 if len(plain) < 5 else 2)
        if len(plain) < 3 or len(plain) > MAX_FUZZY_LENGTH:
            if len(plain) > MAX_FUZZY_LENGTH:
                self.notice(f"'{node.text}~': words this long are matched exactly.")
            return self.word(Word(node.text))
        if time.monotonic() > self.expansion_deadline:
            self.notice("Some words marked ~ were matched exactly: finding their near spellings"
                        " would take too long.")
            return self.word(Word(node.text))
        room = max(0, min(MAX_EXPANSIONS, MAX_TOTAL_EXPANSIONS - self.expanded))
        found = []
        for term in self.vocabulary.words_within(plain, distance):
            if len(found) >= room:
                self.notice(f"'{node.text}~' is close to too many words; only {room} were searched.")
                break
            found.append(term)
        if plain not in found:
            found.insert(0, plain)
        self.expanded += len(found)
        self.result.highlight.update(found)
        self.result.scored = True
        return _or([qp.Term("words", term) for term in found])

    # -- filters -----------------------------------------------------------
    def speaker_filter(self, value: str) -> qp.Plan:
        person_ids = self.speakers.resolve(value)
        if not person_ids:
            person_ids = self.speakers.resolve_near(value)
            if person_ids:
                names = ", ".join(sorted(self.speakers.display(pid) for pid in person_ids))
                self.notice(f"No speaker is called '{value}'; showing statements by {names}.")
        if not person_ids:
            self.notice(f"No speaker in the archive matches '{value}'.")
            return qp.NOTHING
        self.result.speaker_ids |= person_ids
        return _or([filter_term("speaker", pid) for pid in sorted(person_ids)])

    def date_filter(self, span: DateSpan) -> qp.Plan:
        terms = span_terms(span, self.years)
        if not terms:
            return qp.NOTHING
        return _or([filter_term(name, value) for name, value in terms])

    def filter(self, node: Filter) -> qp.Plan | None:
        name, value = node.name, node.value
        if name == "speaker":
            built = self.speaker_filter(value)
        elif name == "lang":
            code = LANGUAGE_ALIASES.get(value.lower(), value.lower().split("-")[0])
            if not _LANG_CODE.match(code):
                self.notice(f"'lang:{value}' is not a language code such as de or en; ignored.")
                return None
            built = filter_term("lang", code)
        elif name == "platform":
            names = PLATFORM_ALIASES.get(value.lower(), (value.lower(),))
            built = _or([filter_term("platform", platform) for platform in names])
        elif name == "kind":
            if value.lower() not in KINDS:
                self.notice(f"'kind:{value}' is not a kind of statement ({', '.join(KINDS)}); ignored.")
                return None
            built = filter_term("kind", value.lower())
        elif name == "is":
            if value.lower() not in MARKS:
                self.notice(f"'is:{value}' is not one of is:{', is:'.join(MARKS)}; ignored.")
                return None
            built = filter_term(value.lower(), value.lower())
        elif name == "id":
            try:
                built = filter_term("statement_id", normalise_citation_id(re.split(r"[@/]", value)[0]))
            except InvalidCitationIdError as error:
                self.notice(f"'id:{value}' is not a citation ID ({error}).")
                return qp.NOTHING
        else:
            try:
                if name == "range":
                    span = span_between(value, node.end)
                elif name == "from":
                    span = span_from(value)
                elif name == "to":
                    span = span_to(value)
                else:
                    span = read_date_span(value)
            except DateFilterError as error:
                label = f"[{value} TO {node.end}]" if name == "range" else value
                self.notice(f"'{'date' if name == 'range' else name}:{label}' was ignored: {error}.")
                return None
            built = self.date_filter(span)
        return built

    # -- structure ---------------------------------------------------------
    def node(self, node) -> qp.Plan | None:
        if isinstance(node, Word):
            return self.word(node)
        if isinstance(node, Phrase):
            return self.phrase(node)
        if isinstance(node, Prefix):
            return self.prefix(node)
        if isinstance(node, Fuzzy):
            return self.fuzzy(node)
        if isinstance(node, Filter):
            return self.filter(node)
        if isinstance(node, AnyOf):
            options = []
            for child in node.children:
                if isinstance(child, Not):
                    self.notice("An excluded word inside OR has no effect and was ignored.")
                    continue
                built = self.node(child)
                if built is None:
                    return None  # one side has no condition, so neither has the OR
                if built is not qp.NOTHING:
                    options.append(built)
            if not options:
                return qp.NOTHING
            return options[0] if len(options) == 1 else _or(options)
        if isinstance(node, AllOf):
            return self.conjunction(node.children)
        if isinstance(node, Not):
            return self.conjunction([node])
        return None

    def conjunction(self, children: list) -> qp.Plan | None:
        ranked, filters, excluded = [], [], []
        for child in children:
            if isinstance(child, Not):
                inner = child.child
                if isinstance(inner, Not):  # NOT NOT x is x
                    built = self.node(inner.child)
                    if built is not None:
                        (filters if is_filter(inner.child) else ranked).append(built)
                    continue
                scored, highlight = self.result.scored, set(self.result.highlight)
                words = list(self.result.words)
                built = self.node(inner)
                # what is excluded neither ranks, nor is highlighted, nor gets spelling help
                self.result.scored, self.result.highlight, self.result.words = scored, highlight, words
                if built is not None and built is not qp.NOTHING:
                    excluded.append(built)
                continue
            built = self.node(child)
            if built is not None:
                (filters if is_filter(child) else ranked).append(built)
        if any(part is qp.NOTHING for part in ranked + filters):
            return qp.NOTHING
        positive = combine(ranked, filters)
        if excluded:
            negative = excluded[0] if len(excluded) == 1 else _or(excluded)
            return qp.AndNot(positive or qp.Every(), negative)
        return positive

    def phrase_bonus(self, parsed: ParsedQuery, built: qp.Plan) -> qp.Plan:
        """Reward the query's plain words standing side by side in the text, in order."""
        run = [child for child in parsed.root.children if isinstance(child, Word)]
        plain = [fold(token) for child in run for token in words_of(child.text)]
        if len(run) < 2 or len(plain) > MAX_PHRASE_WORDS:
            return built
        return qp.AndMaybe(built, qp.Phrase("words", tuple(plain), boost=PHRASE_BOOST))


def filter_term(field_name: str, value: str) -> qp.Term:
    """A term that restricts. A document matches exactly one term of each filter (one
    speaker, one language, disjoint date terms), so each filter adds the same constant to
    every hit's score and leaves the ranking as it is."""
    return qp.Term(field_name, value)


def is_filter(node) -> bool:
    """Whether a node only filters (fields) and has no words to rank by."""
    if isinstance(node, Filter):
        return True
    if isinstance(node, (AnyOf, AllOf)):
        return all(is_filter(child) for child in node.children)
    return False


def combine(ranked: list[qp.Plan], filters: list[qp.Plan]) -> qp.Plan | None:
    """Ranked parts AND filters (see filter_term for why filters do not move the ranking).
    Whoosh's ConstantScoreQuery reads every filtered document into a list on each search,
    and its Require matcher fails an assertion when skipping by block quality."""
    parts = ranked + filters
    if not parts:
        return None
    return parts[0] if len(parts) == 1 else _and(parts)


def build_query(parsed: ParsedQuery, vocabulary: Vocabulary, speakers: SpeakerDirectory,
                years: list[int], filters: list[Filter]) -> BuiltQuery:
    """The plan for a parsed query string plus the filter parameters."""
    builder = QueryBuilder(vocabulary, speakers, years)
    main = builder.conjunction(parsed.root.children)
    if main is not None and main is not qp.NOTHING and builder.result.scored:
        main = builder.phrase_bonus(parsed, main)
    required = []
    for item in filters:
        built = builder.filter(item)
        if built is not None:
            required.append(built)
    if main is qp.NOTHING or any(part is qp.NOTHING for part in required):
        builder.result.query = qp.NOTHING
    elif builder.result.scored:
        builder.result.query = combine([main], required)
    else:
        builder.result.query = combine([], ([main] if main is not None else []) + required)
    if builder.result.query is None or builder.result.query is qp.NOTHING:
        builder.result.scored = False
    return builder.result


def _or(parts: list) -> qp.Or:
    return qp.Or(tuple(parts))


def _and(parts: list) -> qp.And:
    return qp.And(tuple(parts))
