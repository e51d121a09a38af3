"""The quote check: did this person say this, in these words, and what is the reference to cite?

A quote (with optional speaker and date filters, as in a search) is answered with a
``QuoteCheck``: the search finds the candidate statements (``index.service``, which forgives a
misquoted sentence), each candidate's stored text is aligned with the quote word by word
(``index.alignment``), and the best passages come back with a verdict, every difference, the
narrowest reference holding the passage, the translation note when the stored words are a
translation, and the plain citation of that reference. The archive itself is never scanned.

Verdicts, of a passage:
- ``verbatim``: the quote's words are in the statement as one passage, in this order, no word
  different (typographic differences are listed but do not count);
- ``close``: one passage differs by a few words (at most ``CLOSE_MAX_EDITS``, and a similarity
  of at least ``CLOSE_MIN_SIMILARITY``);
- ``loose``: at least ``LOOSE_MIN_SHARE`` of the quote's words are in the statement, but not as
  one passage;
- ``not_found``: no candidate comes close.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from archive.citation_ids import CitationRef
from archive.cite import format_citation
from archive.dates import PostedAt
from archive.records import Person, Statement, paragraph_spans, sentence_spans
from archive.store import ArchiveStore, PersonNotFoundError
from archive.vocabulary import language_name
from index.alignment import Alignment, Difference, align, tokenize_quote
from index.engine import SearchEngine
from index.meaning import find_by_meaning, guess_language
from index.results import SearchParameterError
from index.service import INDEX_BEING_BUILT, search
from index.speakers import SpeakerDirectory

VERDICTS = ("verbatim", "close", "loose", "not_found")
VERDICT_WORDS = {
    "verbatim": "Verbatim: the archive holds these exact words.",
    "close": "Close: the archive holds this passage with a few words different.",
    "loose": "Loose: most of these words are in one statement, but not as one passage.",
    "not_found": "Not found: nothing in the archive comes close to these words.",
}
MAX_QUOTE_LENGTH = 5_000
MAX_MATCHES = 5
CANDIDATES = 20          # statements asked of the search
QUERY_WORDS = 32         # the query language's limit: longer quotes are searched by these
# Thresholds, chosen on the evaluation set of bench/check_eval.py (see the README):
CLOSE_MAX_EDITS = 6
CLOSE_MIN_SIMILARITY = 0.75
LOOSE_MIN_SHARE = 0.7
# A statement in another language this close to a quote nothing holds is named as what the
# quote may translate (a paraphrase in the same language scores 0.4-0.7, a translation of a
# sentence 0.75 and more with the multilingual model).
TRANSLATION_MIN_SIMILARITY = 0.6
_QUERY_OPERATORS = {"OR", "AND", "NOT", "TO"}


class QuoteCheckInputError(SearchParameterError):
    """The quote cannot be checked (empty, too long, no words); ``parameter`` is ``quote``."""


@dataclass(frozen=True)
class QuoteMatch:
    """One statement the quote was compared with, and what the comparison found."""

    statement: Statement
    reference: CitationRef
    verdict: str
    similarity: float
    passage: str
    start: int                     # the passage's place in the statement text
    end: int
    differences: tuple[Difference, ...]
    translation_note: str | None
    citation: str


@dataclass(frozen=True)
class Coverage:
    """What the archive holds of the speaker the check was narrowed to."""

    speaker: str                   # the filter as given
    people: tuple[Person, ...]
    statements: int
    first: Statement | None        # the earliest and latest dated statements
    last: Statement | None
    near: bool = False             # the filter names nobody; these people are a typo away

    @property
    def summary(self) -> str:
        if not self.people:
            return f"No speaker in the archive matches {self.speaker!r}."
        who = _join_names([_person_label(person) for person in self.people])
        if not self.statements:
            return f"The archive holds no statements by {who}."
        count = "1 statement" if self.statements == 1 else f"{self.statements:,} statements"
        text = f"The archive holds {count} by {who}"
        if self.first and self.last:
            first = _day(self.first.content.posted_at)
            last = _day(self.last.content.posted_at)
            text += f", from {first} to {last}" if first != last else f", dated {first}"
        return text + "."


@dataclass
class QuoteCheck:
    quote: str
    verdict: str
    matches: list[QuoteMatch] = field(default_factory=list)
    coverage: Coverage | None = None
    notices: list[str] = field(default_factory=list)


def _person_label(person: Person) -> str:
    if person.handles and not person.unnamed:
        return f"{person.name} ({person.handles[0]})"
    return person.name


def _join_names(names: list[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def _day(posted_at: PostedAt) -> str:
    return posted_at.describe().split(" (")[0]


def read_quote(quote: object) -> str:
    """The quote as given, checked: QuoteCheckInputError when it cannot be checked."""
    if not isinstance(quote, str) or not quote.strip():
        raise QuoteCheckInputError("quote", "missing or empty: give the words to check")
    if len(quote) > MAX_QUOTE_LENGTH:
        raise QuoteCheckInputError("quote", f"longer than {MAX_QUOTE_LENGTH:,} characters")
    if "\x00" in quote:
        raise QuoteCheckInputError("quote", "contains a NUL character")
    if not tokenize_quote(quote).words:
        raise QuoteCheckInputError("quote", "no words to check")
    return quote


def search_query(words: tuple[str, ...]) -> str:
    """The quote's words as plain words of the query language: no operator, no phrase."""
    return " ".join(word.lower() if word in _QUERY_OPERATORS else word
                    for word in words[:QUERY_WORDS])


def verdict_of(alignment: Alignment) -> str:
    if alignment.edits == 0:
        return "verbatim"
    if alignment.edits <= CLOSE_MAX_EDITS and alignment.similarity >= CLOSE_MIN_SIMILARITY:
        return "close"
    if alignment.found_share >= LOOSE_MIN_SHARE:
        return "loose"
    return "not_found"


def narrowest_reference(statement: Statement, start: int, end: int) -> CitationRef:
    """The statement ID with the smallest locator (paragraph, sentence) holding the
    characters ``start``–``end`` of its text; the bare ID when that is the whole text."""
    text = statement.text
    bare = CitationRef(statement.statement_id)
    paragraphs = paragraph_spans(text)
    for number, (p_start, p_end) in enumerate(paragraphs, start=1):
        if not p_start <= start < end <= p_end:
            continue
        sentences = sentence_spans(text[p_start:p_end])
        whole = len(paragraphs) == 1
        if len(sentences) > 1:
            for index, (s_start, s_end) in enumerate(sentences, start=1):
                if p_start + s_start <= start and end <= p_start + s_end:
                    return CitationRef(statement.statement_id, paragraph=number, sentence=index)
        return bare if whole else CitationRef(statement.statement_id, paragraph=number)
    return bare


def describe_translation(statement: Statement, store: ArchiveStore) -> str | None:
    """What a check against a translation proves and does not: None for original words."""
    content = statement.content
    if not content.is_translation:
        return None
    language = language_name(content.lang)
    article = "an" if language[:1] in "AEIOU" else "a"
    text = f"The archive holds {article} {language} translation"
    wording = next((ref for ref in content.sources if ref.role == "wording"),
                   content.sources[0] if content.sources else None)
    source = store.get_source(wording.source_id) if wording else None
    if source and source.publisher:
        text += f" printed by {source.publisher}"
    elif source and source.title:
        text += f" printed in “{source.title}”"
    text += f"; the original is {language_name(content.original_lang)}"
    if content.translation_of:
        text += f" ({content.translation_of} in this archive)"
    text += (". The quote was compared with the translation: this is no proof of the"
             " original wording.")
    if content.translation_note:
        text += f" Archive note: {content.translation_note}"
    return text


def _match(statement: Statement, alignment: Alignment, store: ArchiveStore,
           permalink: Callable[[str, str], str], accessed: date) -> QuoteMatch:
    verdict = verdict_of(alignment)
    start, end, differences = alignment.start, alignment.end, alignment.differences
    if verdict == "loose":
        # the words are not one passage: show the span that holds them, and name the words
        # the statement does not have
        start, end = alignment.spread
        differences = tuple(Difference("added", word, "", start, start) for word in alignment.absent)
    reference = narrowest_reference(statement, start, end)
    source_ref = statement.content.sources[0] if statement.content.sources else None
    citation = format_citation(
        "plain", statement, permalink=permalink(statement.statement_id, reference.locator),
        accessed=accessed, locator=reference if reference.locator else None,
        source=store.get_source(source_ref.source_id) if source_ref else None)
    return QuoteMatch(statement, reference, verdict, alignment.similarity,
                      statement.text[start:end], start, end, differences,
                      describe_translation(statement, store), str(citation))


def speaker_coverage(store: ArchiveStore, speaker: str) -> Coverage:
    """The statements the archive holds by the people a speaker filter names (a person ID,
    a handle, a name or part of one, one typo allowed, as in a search)."""
    try:
        people = [store.get_person(speaker.strip())]
    except PersonNotFoundError:
        directory = SpeakerDirectory.build([person for person, count in store.list_people()
                                            if count])
        person_ids = directory.resolve(speaker)
        near = not person_ids
        if near:
            person_ids = directory.resolve_near(speaker)
        people = [directory.people[person_id] for person_id in sorted(person_ids)]
    else:
        near = False
    count, first_id, last_id = store.speaker_coverage(person.person_id for person in people)
    return Coverage(speaker, tuple(people), count,
                    store.get_statement(first_id) if first_id else None,
                    store.get_statement(last_id) if last_id else None, near)


def check_quote(quote: str, *, store: ArchiveStore, engine: SearchEngine,
                permalink: Callable[[str, str], str], speaker: str | None = None,
                date_from: str | None = None, date_to: str | None = None,
                accessed: date | None = None, data_dir: Path | None = None) -> QuoteCheck:
    """Check a quote against the archive; ``permalink(statement_id, locator)`` makes the
    address a citation carries. Raises QuoteCheckInputError for a quote that cannot be
    checked (a SearchParameterError) and SearchParameterError for a bad filter. With the
    data directory, a quote nothing holds is also looked for by meaning, and a statement that
    says the same in another language is named (the quote may be its translation)."""
    quote = read_quote(quote)
    tokens = tokenize_quote(quote)
    page = search(engine, search_query(tokens.words), store=store, speaker=speaker,
                  date_from=date_from, date_to=date_to, per_page=CANDIDATES)
    # The search's own notices speak of the query (near matches, corrected words), which the
    # check does not show; the ones that matter here are made below.
    result = QuoteCheck(quote=quote, verdict="not_found")
    if not page.hits and not engine.is_built():
        result.notices.append(INDEX_BEING_BUILT)
    ranked: list[tuple[tuple, QuoteMatch]] = []
    for rank, hit in enumerate(page.hits):
        statement = hit.statement or store.get_statement(hit.statement_id)
        alignment = align(tokens, statement.text)
        if alignment is None or verdict_of(alignment) == "not_found":
            continue
        match = _match(statement, alignment, store, permalink, accessed or date.today())
        ranked.append(((VERDICTS.index(match.verdict), -match.similarity, rank), match))
    ranked.sort(key=lambda item: item[0])
    result.matches = [match for _key, match in ranked[:MAX_MATCHES]]
    if result.matches:
        result.verdict = result.matches[0].verdict
    if speaker and speaker.strip():
        result.coverage = speaker_coverage(store, speaker)
        if result.coverage.near and result.coverage.people:
            names = _join_names([person.name for person in result.coverage.people])
            result.notices.append(f"No speaker is called {speaker.strip()!r}; the quote was"
                                  f" checked against statements by {names}.")
        if not result.coverage.people:
            result.notices.append(result.coverage.summary)
        elif result.verdict == "not_found":
            result.notices.append(result.coverage.summary[:-1] + "; none is close to the quote.")
    if result.verdict == "loose":
        result.notices.append("Most of the quote's words are in the statement, but not as one"
                              " passage: a paraphrase, or words from several places.")
    best = result.matches[0] if result.matches else None
    if best and best.translation_note:
        result.notices.append("The best match is a translation, not the original wording: see"
                              " its translation note.")
    if result.verdict == "not_found" and data_dir is not None:
        result.notices.extend(_translated_match(quote, engine, store, data_dir, speaker, date_from,
                                                date_to))
    return result


def _translated_match(quote: str, engine: SearchEngine, store: ArchiveStore, data_dir: Path,
                      speaker: str | None, date_from: str | None, date_to: str | None) -> list[str]:
    """A notice naming the statement that says the same in another language, when search by
    meaning finds one close enough (index.meaning); none otherwise."""
    found = find_by_meaning(quote, engine=engine, store=store, data_dir=data_dir, speaker=speaker,
                            date_from=date_from, date_to=date_to, limit=1)
    if not found.hits or found.hits[0].similarity < TRANSLATION_MIN_SIMILARITY:
        return []
    hit = found.hits[0]
    language = language_name(hit.statement.content.lang)
    if not hit.other_language and guess_language(quote):
        return []
    return [f"No statement holds these words, but {hit.statement_id}"
            f" ({hit.statement.speaker.name}, {_day(hit.statement.content.posted_at)}) says the"
            f" same in {language} (similarity {hit.similarity:.2f}): the quote may be a"
            " translation of it."]


def format_check_report(check: QuoteCheck) -> str:
    """The check as plain text for the terminal: the verdict, then each match's reference,
    passage, differences, translation note and citation."""
    lines = [VERDICT_WORDS[check.verdict]]
    lines.extend(check.notices)
    if check.coverage and check.verdict != "not_found":
        lines.append(check.coverage.summary)
    for number, match in enumerate(check.matches, start=1):
        lines += ["", f"{number}. {match.verdict}, similarity {match.similarity:.2f}",
                  f"   reference:   {match.reference}", f"   passage:     {match.passage}"]
        for item in match.differences:
            if item.kind == "added":
                said = f"the quote adds “{item.quote}”"
            elif item.kind == "missing":
                said = f"the quote leaves out “{item.stored}”"
            else:
                said = f"the quote says “{item.quote}”, the statement “{item.stored}”"
            lines.append(f"   {item.kind + ':':<12} {said}")
        if match.translation_note:
            lines.append(f"   translation: {match.translation_note}")
        lines.append(f"   citation:    {match.citation}")
    return "\n".join(lines)
