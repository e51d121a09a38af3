"""A source bundle drafted from an article's quotes (``flask --app web extract``), for a person
to check and then import; nothing here writes to the archive.

The draft cites the article as the one source and carries its text, so the import checks every
statement's words against it. A speaker the archive knows is named by person ID; a new name
becomes a new person; a speaker the article does not name becomes an unnamed person; words the
archive already holds by that speaker carry their citation ID; a quote inside another names
it with ``reported_by: "#N"``. A quote whose speaker was not found has an empty
``person_id``: the import refuses it until a person fills it in. The top-level
``extraction`` key (ignored by the import) lists what the rules could not settle.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import UTC, datetime

from archive.extraction import Extraction, FoundQuote
from archive.importers.bundle import BUNDLE_VERSION, find_stored_source, new_source_id
from archive.importers.records import BUNDLE_FORMATS, SpeakerRef
from archive.importers.speakers import SpeakerResolver
from archive.records import Person, hash_text
from archive.store import ArchiveStore

_GERMAN_WORDS = frozenset("der die das und nicht ist ich sie er wir mit auf für von den dass"
                          " sich ein eine zu im".split())
_ENGLISH_WORDS = frozenset("the and not is i she he we with on for of that a an to in it was"
                           " said".split())


def guess_language(text: str) -> str:
    """"de" or "en", by the commoner function words; "" when neither is clear."""
    words = text.lower().split()
    german = sum(word in _GERMAN_WORDS for word in words)
    english = sum(word in _ENGLISH_WORDS for word in words)
    if german == english:
        return ""
    return "de" if german > english else "en"


def make_draft(extraction: Extraction, store: ArchiveStore, *, article_name: str,
               source_title: str = "", source_url: str = "", lang: str = "") -> dict:
    """The bundle draft of ``extraction`` against the archive in ``store`` (read only)."""
    article = extraction.article
    lang = lang or guess_language(article)
    title = source_title or article.strip().split("\n", 1)[0].strip()[:300] or article_name
    stored_sources = store.list_sources()
    found = find_stored_source(stored_sources, title, source_url)
    source = found.to_dict() if found else None
    if source is None:
        source = {"source_id": new_source_id(title, {s.source_id for s in stored_sources}),
                  "title": title, "lang": lang, "publisher": "", "url": source_url,
                  "retrieved_at": datetime.now(UTC).date().isoformat(),
                  "description": f"Drafted by extract from {article_name}."}
    source["text"] = article
    stored_people = [person for person, _ in store.list_people()]
    resolver = SpeakerResolver(stored_people)
    unnamed_stored = [person.person_id for person in stored_people if person.unnamed]
    taken = {person.person_id for person in stored_people}
    new_people: list[dict] = []
    statements: list[dict] = []
    unattributed: list[dict] = []
    for number, quote in enumerate(extraction.quotes, start=1):
        person_id = _speaker(quote, resolver, unnamed_stored, taken, new_people, store, title)
        item: dict = {"person_id": person_id, "text": quote.text, "kind": quote.kind or "other",
                      "lang": lang}
        stored_id = _stored_statement(store, person_id, quote.text) if person_id else ""
        if stored_id:
            item = {"statement_id": stored_id, **item}
        if quote.parent is not None:
            item["reported_by"] = f"#{quote.parent + 1}"
        statements.append(item)
        if not person_id:
            unattributed.append({"statement": number, "text": _preview(quote.text)})
    new_people += [person.to_dict() for person in resolver.new_people]
    return {
        "format": BUNDLE_FORMATS[0], "version": BUNDLE_VERSION,
        "people": new_people, "sources": [source], "statements": statements,
        "extraction": {
            "article": article_name,
            "quotes": len(statements),
            "unattributed": unattributed,
            "kind_not_stated": [number for number, quote in enumerate(extraction.quotes, 1)
                                if not quote.kind],
            "rules": [quote.rule or "none" for quote in extraction.quotes],
            "check": "A draft: check every statement's words, speaker and kind against the"
                     " article, fill in the empty person_id fields, then import it.",
        },
    }


def _speaker(quote: FoundQuote, resolver: SpeakerResolver, unnamed_stored: list[str],
             taken: set[str], new_people: list[dict], store: ArchiveStore, title: str) -> str:
    if quote.person_id:
        return quote.person_id
    if quote.speaker:
        return _named_person(quote.speaker, resolver, taken, new_people)
    if not quote.unnamed_as:
        return ""
    for person_id in unnamed_stored:  # words an unnamed speaker already has in the archive
        if _stored_statement(store, person_id, quote.text):
            return person_id
    number = 1
    while f"unnamed-speaker-{number}" in taken:
        number += 1
    person = Person(f"unnamed-speaker-{number}", "Unnamed speaker",
                    description=f"Not named by the source: \"{quote.unnamed_as}\" in {title}",
                    unnamed=True).validate()
    taken.add(person.person_id)
    new_people.append(person.to_dict())
    return person.person_id


def _named_person(name: str, resolver: SpeakerResolver, taken: set[str],
                  new_people: list[dict]) -> str:
    """The stored person of that name, one this draft made already, or a new one."""
    if " " in name:  # a one-word name would be read as a handle
        return resolver.resolve(SpeakerRef(name))
    for person in new_people:
        if person["name"] == name:
            return person["person_id"]
    slug = re.sub(r"[^a-z0-9]+", "-", unicodedata.normalize("NFKD", name).encode(
        "ascii", "ignore").decode().lower()).strip("-") or "speaker"
    person_id, number = slug, 1
    while person_id in taken:
        number += 1
        person_id = f"{slug}-{number}"
    taken.add(person_id)
    new_people.append(Person(person_id, name).validate().to_dict())
    return person_id


def _stored_statement(store: ArchiveStore, person_id: str, text: str) -> str:
    digest = hash_text(text)
    return store.find_by_text_hashes(person_id, [digest]).get(digest, "")


def _preview(text: str, length: int = 80) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= length else flat[:length - 1] + "…"
