"""Source bundles: several statements of one or more sources at once, with the people and the
sources they name — the shape of ``fixtures/seed.json``.

A bundle is one JSON object: ``format`` ("verbatim-bundle", or "verbatim-seed" for the seed
collection), ``version`` (1), ``people``, ``sources`` and ``statements``. A statement is the
record's fields (as ``StatementContent`` has them) plus, optionally, ``statement_id`` (a
citation ID minted before; it must pass its check character and not be taken by other words)
and ``archived_at`` (the time of its first revision); its links (``in_reply_to``,
``reported_by``, ``translation_of``) name a citation ID or ``#N``, the N-th statement of the
bundle, stored before it. A source may carry its whole ``text``:
then every statement taking its wording from that source must occur in it verbatim. Any other
top-level key (a draft's notes) is ignored.

Loading is all or nothing and idempotent: people and sources not stored are added (stored ones
are left as they are; a source whose URL is stored is that stored source), a statement whose
words the speaker already has in the archive is that statement — it gains the bundle's
sources as a revision saying so, or is unchanged — and the rest are added.
"""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path

from archive.article_check import NotInArticleError, check_in_article
from archive.citation_ids import InvalidCitationIdError, normalise_citation_id
from archive.dates import InvalidDateError
from archive.importers.files import read_document
from archive.importers.loader import ImportReport, run_in_one_transaction
from archive.importers.mapping import ImportOptions
from archive.importers.records import BUNDLE_FORMATS, ImportFileError, ParsedFile, RecordProblem
from archive.records import (
    InvalidRecordError,
    Person,
    Source,
    SourceRef,
    StatementContent,
    canonical_text,
    hash_text,
)
from archive.store import ArchiveStore

BUNDLE_VERSION = 1
# Keys of a bundle's statement that are not fields of the record.
STATEMENT_EXTRAS = ("statement_id", "archived_at")


@dataclass
class BundleReport(ImportReport):
    """An import report that also says what became of each statement: (citation ID,
    "added" | "source added" | "unchanged" | "withdrawn"), in the bundle's order."""

    outcomes: list[tuple[str, str]] = field(default_factory=list)


@dataclass
class _Sources:
    """The bundle's sources as stored: bundle source ID -> stored source, and their texts."""

    stored: dict[str, Source] = field(default_factory=dict)
    texts: dict[str, str] = field(default_factory=dict)


def new_source_id(title: str, taken: set[str]) -> str:
    """A source ID made from ``title`` ("source-" and its words), none of ``taken``."""
    slug = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode().lower()
    slug = ("source-" + re.sub(r"[^a-z0-9]+", "-", slug).strip("-"))[:56].rstrip("-")
    source_id, number = slug, 1
    while source_id in taken:
        number += 1
        source_id = f"{slug}-{number}"
    return source_id


def find_stored_source(stored: list[Source], title: str, url: str) -> Source | None:
    """The stored source with this URL, or, without a URL, the one with this title and none."""
    for source in stored:
        if (url and source.url == url) or (not url and not source.url and source.title == title):
            return source
    return None


def read_bundle(path: Path) -> dict:
    """The bundle in ``path``; ImportFileError when it is not JSON or not a bundle."""
    text = read_document(path)
    try:
        data = json.loads(text)
    except (ValueError, RecursionError) as error:
        raise ImportFileError(f"{path.name}: not JSON ({error})") from None
    check_bundle_header(data, path.name)
    return data


def check_bundle_header(data: object, label: str) -> None:
    """ImportFileError unless ``data`` is a bundle this software reads."""
    if not isinstance(data, dict) or data.get("format") not in BUNDLE_FORMATS:
        raise ImportFileError(f"{label}: not a source bundle (expected a JSON object with"
                              f" \"format\": \"{BUNDLE_FORMATS[0]}\")")
    version = data.get("version")
    if version != BUNDLE_VERSION:
        raise ImportFileError(f"{label}: bundle version {version!r}; this software reads"
                              f" version {BUNDLE_VERSION}")
    for key in ("people", "sources", "statements"):
        if not isinstance(data.get(key, []), list):
            raise ImportFileError(f"{label}: {key} must be a list")


def load_bundle(store: ArchiveStore, data: dict, label: str, *, reason: str = "",
                update_records: bool = False, skip_invalid: bool = False) -> BundleReport:
    """Store the bundle ``data`` (named ``label`` in reports) in one transaction: nothing
    when there is any problem, unless ``skip_invalid``. ``reason`` is the reason of each
    new statement's first revision (default: "first archived from" the source's title).
    ``update_records`` puts the bundle's people and sources in place of the stored ones
    (the seed collection's own records), instead of leaving stored ones as they are. Inside
    a caller's transaction the rollback is the caller's: raise when ``stored`` is False."""
    check_bundle_header(data, label)
    report = BundleReport(label, "bundle")

    def apply(store: ArchiveStore, parsed: ParsedFile, report: ImportReport,
              options: ImportOptions) -> None:
        _load(store, data, report, reason, update_records)

    run_in_one_transaction(store, ParsedFile("bundle", None), ImportOptions(skip_invalid=skip_invalid),
                           label, apply, report)
    if not report.stored:
        report.outcomes = []
    return report


def _load(store: ArchiveStore, data: dict, report: BundleReport, reason: str,
          update_records: bool) -> None:
    _store_people(store, data.get("people", []), report, update_records)
    sources = _store_sources(store, data.get("sources", []), report, update_records)
    taken_here: dict[int, str] = {}
    for number, item in enumerate(data.get("statements", []), start=1):
        report.read += 1
        location = f"statements[{number}]"
        if isinstance(item, dict) and item.get("statement_id"):
            location += f" ({item['statement_id']})"
        try:
            outcome = _store_statement(store, item, sources, reason, taken_here)
            taken_here[number] = outcome[0]
        except (InvalidRecordError, InvalidDateError, NotInArticleError) as error:
            report.problems.append(RecordProblem(location, str(error), json.dumps(item)[:2000]))
            continue
        except (TypeError, AttributeError, KeyError) as error:
            report.problems.append(RecordProblem(location, f"malformed statement ({error})"))
            continue
        report.outcomes.append(outcome)
        if outcome[1] == "added":
            report.added += 1
        elif outcome[1] == "source added":
            report.revised += 1
            report.revisions_added += 1
        elif outcome[1] == "withdrawn":
            report.withdrawn_left_alone += 1
        else:
            report.unchanged += 1


def _store_people(store: ArchiveStore, items: list, report: BundleReport, update: bool) -> None:
    stored = store.person_ids()
    for number, item in enumerate(items, start=1):
        try:
            if not isinstance(item, dict):
                raise InvalidRecordError("expected an object")
            person = Person.from_dict(item)
        except (InvalidRecordError, KeyError, TypeError, AttributeError) as error:
            reason = str(error) if isinstance(error, InvalidRecordError) else f"missing {error}"
            report.problems.append(RecordProblem(f"people[{number}]", reason))
            continue
        if update:
            store.put_person(person)
        elif person.person_id not in stored:
            store.insert_people([person])
            report.new_people += 1
        stored.add(person.person_id)


def _store_sources(store: ArchiveStore, items: list, report: BundleReport, update: bool) -> _Sources:
    sources = _Sources()
    by_url = {source.url: source for source in store.list_sources() if source.url}
    for number, item in enumerate(items, start=1):
        location = f"sources[{number}]"
        try:
            if not isinstance(item, dict):
                raise InvalidRecordError("expected an object")
            source = Source.from_dict(item)
            text = item.get("text") or ""
            if not isinstance(text, str):
                raise InvalidRecordError("text: expected the source's text as a string")
        except (InvalidRecordError, KeyError, TypeError, AttributeError) as error:
            reason = str(error) if isinstance(error, InvalidRecordError) else f"malformed ({error})"
            report.problems.append(RecordProblem(location, reason))
            continue
        if text:
            sources.texts[source.source_id] = text
        if update:
            sources.stored[source.source_id] = store.put_source(source)
            continue
        stored = by_url.get(source.url) if source.url else None
        if stored is None:
            stored = store.get_source(source.source_id)
            if stored is not None and source.url and stored.url and stored.url != source.url:
                report.problems.append(RecordProblem(
                    f"{location} ({source.source_id})",
                    f"source_id: taken by a stored source with another URL ({stored.url})"))
                continue
        if stored is None:
            store.insert_sources([source])
            stored = source
            if source.url:
                by_url[source.url] = source
        sources.stored[source.source_id] = stored
    return sources


def _store_statement(store: ArchiveStore, item: object, sources: _Sources, reason: str,
                     taken_here: dict[int, str]) -> tuple[str, str]:
    if not isinstance(item, dict):
        raise InvalidRecordError("expected an object")
    fields = {key: value for key, value in item.items() if key not in STATEMENT_EXTRAS}
    if "sources" not in fields and len(sources.stored) == 1:
        fields["sources"] = [{"source_id": next(iter(sources.stored)), "role": "wording"}]
    local_refs = list(fields.get("sources") or ())
    refs = []
    for ref in local_refs:
        if not isinstance(ref, dict) or not ref.get("source_id"):
            raise InvalidRecordError("sources: each needs a source_id")
        source_id = ref["source_id"]
        if source_id in sources.stored:
            ref = {**ref, "source_id": sources.stored[source_id].source_id}
        elif store.get_source(source_id) is None:
            raise InvalidRecordError(f"sources: no source {source_id!r} in the bundle or the archive")
        refs.append(ref)
    fields["sources"] = refs
    for name in ("in_reply_to", "reported_by", "translation_of"):
        value = str(fields.get(name) or "")
        if value.startswith("#"):  # the N-th statement of this bundle
            target = taken_here.get(int(value[1:])) if value[1:].isdigit() else None
            if target is None:
                raise InvalidRecordError(f"{name}: {value} is not a statement stored earlier"
                                         " in this bundle")
            fields[name] = target
        elif value:
            try:
                fields[name] = normalise_citation_id(str(fields[name]))
            except InvalidCitationIdError as error:
                raise InvalidRecordError(f"{name}: {error}") from None
    content = StatementContent.from_dict(fields)
    if content.person_id not in store.person_ids():
        raise InvalidRecordError(f"person_id: no person {content.person_id!r} in the bundle or"
                                 " the archive")
    for ref in local_refs:
        text = sources.texts.get(ref["source_id"])
        if text and ref.get("role", "wording") == "wording":
            check_in_article(content.text, text, f"the text of source {ref['source_id']!r}")

    statement_id = ""
    if item.get("statement_id"):
        try:
            statement_id = normalise_citation_id(str(item["statement_id"]))
        except InvalidCitationIdError as error:
            raise InvalidRecordError(f"statement_id: {error}") from None
        if statement_id in taken_here.values():
            raise InvalidRecordError(f"statement_id: {statement_id} twice in the bundle")
    archived_at = str(item.get("archived_at") or "")
    if archived_at:
        try:
            datetime.fromisoformat(archived_at)
        except ValueError:
            raise InvalidRecordError(f"archived_at: {archived_at!r} is not an ISO 8601 time") from None

    same = _same_words(store, content, statement_id)
    if same:
        return same, _add_sources(store, same, content.sources, sources)
    if statement_id and store.has_statement(statement_id):
        raise InvalidRecordError(f"statement_id: {statement_id} is taken by another statement"
                                 " (other words or another speaker); leave statement_id out to"
                                 " get a new one")
    titles = [source.title for source in sources.stored.values()
              if source.source_id in {ref.source_id for ref in content.sources}]
    first_reason = reason or f"first archived from {titles[0] if titles else 'a source bundle'}"
    new_id = store.add_statement(content, statement_id=statement_id or None, reason=first_reason,
                                 created_at=archived_at or None)
    return new_id, "added"


def _same_words(store: ArchiveStore, content: StatementContent, statement_id: str) -> str:
    """The stored statement these words by this speaker are: the one with ``statement_id``
    when any of its revisions has them, else the speaker's statement with these words now;
    '' when there is none. Other words under ``statement_id`` are a clash."""
    text = canonical_text(content.text)
    if statement_id and store.has_statement(statement_id):
        stored = store.get_statement(statement_id)
        if stored.content.person_id == content.person_id and any(
                canonical_text(revision.content.text) == text for revision in stored.revisions):
            return statement_id
        return ""
    found = store.find_by_text_hashes(content.person_id, [hash_text(text)])
    match = found.get(hash_text(text), "")
    if match and statement_id:
        raise InvalidRecordError(f"statement_id: these words by {content.person_id} are stored"
                                 f" as {match}; give that ID or none")
    return match


def _add_sources(store: ArchiveStore, statement_id: str, refs: tuple[SourceRef, ...],
                 sources: _Sources) -> str:
    """Give the stored statement the sources it lacks, as one revision saying so."""
    stored = store.get_statement(statement_id)
    have = {ref.source_id for ref in stored.content.sources}
    missing = tuple(ref for ref in refs if ref.source_id not in have)
    if not missing:
        return "unchanged"
    if stored.is_withdrawn:
        return "withdrawn"
    titles = {source.source_id: source.title for source in sources.stored.values()}
    named = "; ".join(f"{titles.get(ref.source_id, ref.source_id)} ({ref.source_id})"
                      for ref in missing)
    content = replace(stored.content, sources=stored.content.sources + missing)
    store.revise_statement(statement_id, content,
                           f"the same words from a further source: {named}")
    return "source added"
