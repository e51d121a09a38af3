"""One statement added by hand (``flask --app web add``), with its source as provenance.

The request is checked field by field (every problem is reported, naming its option), turned
into a one-statement source bundle and stored by the bundle code, so it follows the bundle's
rules: a stored source with the same URL is reused, the same words by the same speaker are the
stored statement (gaining the source as a revision), and nothing is stored on any problem.
With the article's text, the words must occur in it verbatim (``archive.article_check``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime

from archive.article_check import NotInArticleError, check_in_article
from archive.citation_ids import InvalidCitationIdError, normalise_citation_id
from archive.dates import InvalidDateError, parse_posted_at
from archive.importers.bundle import (
    BUNDLE_VERSION,
    BundleReport,
    find_stored_source,
    load_bundle,
    new_source_id,
)
from archive.importers.records import BUNDLE_FORMATS, SpeakerRef
from archive.importers.speakers import SpeakerResolver
from archive.records import KINDS, InvalidRecordError, Source, check_lang
from archive.store import ArchiveStore


class AdditionRefusedError(ValueError):
    """The statement is not stored; ``problems`` holds one line per reason."""

    def __init__(self, problems: list[str]):
        super().__init__("; ".join(problems))
        self.problems = problems


@dataclass
class QuoteRequest:
    """What ``add`` is told: the words, their speaker, their source, and the metadata. An
    empty field is not given. ``article_text`` is the source's text, read from
    ``article_name``, when the words are to be checked against it."""

    speaker: str
    text: str
    source_title: str
    source_url: str = ""
    publisher: str = ""
    source_lang: str = ""
    retrieved_at: str = ""
    posted_at: str = ""
    date_note: str = ""
    lang: str = ""
    original_lang: str = ""
    translation_note: str = ""
    kind: str = "remark"
    venue: str = ""
    in_reply_to: str = ""
    reported_by: str = ""
    article_text: str = ""
    article_name: str = ""


@dataclass(frozen=True)
class AdditionResult:
    """What became of the statement: "added", "source added" or "unchanged"."""

    statement_id: str
    outcome: str
    source_id: str
    new_speaker: bool


def add_quote(store: ArchiveStore, request: QuoteRequest) -> AdditionResult:
    """Store one statement with its source in one transaction, or raise
    AdditionRefusedError listing every problem (nothing stored)."""
    bundle, problems, new_speaker = build_bundle(store, request)
    if problems:
        raise AdditionRefusedError(problems)
    with store.transaction():  # an error raised inside undoes the bundle's writes too
        report: BundleReport = load_bundle(store, bundle, "add")
        if not report.stored:
            raise AdditionRefusedError([problem.reason for problem in report.problems])
        statement_id, outcome = report.outcomes[0]
        if outcome == "withdrawn":
            raise AdditionRefusedError([f"these words by this speaker are the withdrawn"
                                        f" statement {statement_id}; a withdrawn statement is"
                                        " not revised"])
    return AdditionResult(statement_id, outcome, bundle["sources"][0]["source_id"], new_speaker)


def build_bundle(store: ArchiveStore, request: QuoteRequest) -> tuple[dict, list[str], bool]:
    """The one-statement bundle for ``request``, the problems found (each naming its
    option), and whether the speaker is a new person."""
    problems: list[str] = []
    people, person_id = [], ""
    if not request.speaker.strip():
        problems.append("--speaker: who said it is needed (a person ID, @handle or name)")
    else:
        resolver = SpeakerResolver([person for person, _ in store.list_people()])
        try:
            person_id = resolver.resolve(SpeakerRef(request.speaker.strip()))
            people = [person.to_dict() for person in resolver.new_people]
        except ValueError as error:
            problems.append(f"--speaker: {error}")
    if not request.text.strip():
        problems.append("--text: the words are needed (--text or --text-file)")
    if request.kind not in KINDS:
        problems.append(f"--kind: {request.kind!r} is not one of {', '.join(KINDS)}")
    for option, value in (("--lang", request.lang), ("--original-lang", request.original_lang),
                          ("--source-lang", request.source_lang)):
        try:
            check_lang(value, option)
        except InvalidRecordError as error:
            problems.append(str(error))
    posted = None
    try:
        posted = parse_posted_at(request.posted_at or None)
    except InvalidDateError as error:
        problems.append(f"--posted-at: {error}")
    retrieved = request.retrieved_at or datetime.now(UTC).date().isoformat()
    try:
        date.fromisoformat(retrieved)
    except ValueError:
        problems.append(f"--retrieved-at: {retrieved!r} is not a date (YYYY-MM-DD)")
    links = {}
    for option, value in (("--in-reply-to", request.in_reply_to),
                          ("--reported-by", request.reported_by)):
        if not value:
            continue
        try:
            links[option] = normalise_citation_id(value)
        except InvalidCitationIdError as error:
            problems.append(f"{option}: {value!r}: {error}")
            continue
        if not store.has_statement(links[option]):
            problems.append(f"{option}: no statement {links[option]} in the archive")
    source, source_problems = _source_for(store, request, retrieved)
    problems += source_problems
    if request.article_text and request.text.strip():
        try:
            check_in_article(request.text, request.article_text,
                             request.article_name or "the source file")
        except NotInArticleError as error:
            problems.append(f"--source-file: {error}")
    statement = {
        "person_id": person_id, "text": request.text, "kind": request.kind,
        "lang": request.lang, "original_lang": request.original_lang,
        "translation_note": request.translation_note,
        "posted_at": posted.to_dict() if posted else None, "date_note": request.date_note,
        "venue": request.venue, "in_reply_to": links.get("--in-reply-to", ""),
        "reported_by": links.get("--reported-by", ""),
        "sources": [{"source_id": source.get("source_id", ""), "role": "wording", "note": ""}],
    }
    bundle = {"format": BUNDLE_FORMATS[0], "version": BUNDLE_VERSION, "people": people,
              "sources": [source], "statements": [statement]}
    return bundle, problems, bool(people)


def _source_for(store: ArchiveStore, request: QuoteRequest, retrieved: str) -> tuple[dict, list[str]]:
    """The source record to cite: the stored one with the same URL (or, without a URL, the
    same title and no URL), else a new one with an ID made from the title."""
    problems = []
    title, url = request.source_title.strip(), request.source_url.strip()
    if not title:
        problems.append("--source-title: the source's title is needed")
    if url and not re.match(r"^https?://\S+$", url):
        problems.append(f"--source-url: {url!r} is not an http or https address")
    if problems:
        return {}, problems
    stored = store.list_sources()
    found = find_stored_source(stored, title, url)
    if found is not None:
        return found.to_dict(), []
    source_id = new_source_id(title, {source.source_id for source in stored})
    try:
        source = Source(source_id, title, request.source_lang, request.publisher, url, retrieved,
                        "Added with the statement quoted from it.").validate()
    except InvalidRecordError as error:
        return {}, [f"source: {error}"]
    return source.to_dict(), []
