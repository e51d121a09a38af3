"""Verbatim's own export (``flask --app web export``) read back, IDs and revisions included.

Restoring keeps everything: citation IDs, revision numbers, reasons,
creation times, hashes and tombstones. Into an archive that already holds
some of it, an identical record is unchanged, a stored statement whose
revisions are a prefix of the exported ones gains the rest, and anything
else is a conflict reported for its line. Into an archive whose log is the
start of the export's (an empty archive, or one holding just the seed
collection), the export's log (version 2) is restored as it was, once it is
shown to describe exactly the records restored, so the head is the same;
elsewhere the restored records are logged as any other write.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from archive.citation_ids import InvalidCitationIdError, normalise_citation_id
from archive.data_dir import SEED_FILE
from archive.dates import InvalidDateError
from archive.export import EXPORT_FORMAT, EXPORT_VERSION
from archive.importers.files import MAX_LINE_BYTES, LineReader, decode_line
from archive.importers.loader import ImportReport, run_in_one_transaction
from archive.importers.mapping import ImportOptions
from archive.importers.records import ImportFileError, ParsedFile, RecordProblem
from archive.integrity import find_log_problems
from archive.log import leaf_of
from archive.merkle import MerkleTree
from archive.records import (
    STATUSES,
    InvalidRecordError,
    Person,
    Revision,
    Source,
    Statement,
    StatementContent,
    hash_text,
)
from archive.rules import ALLOWED_CHANGES, continues, refused_change, same_but_times, same_statement
from archive.store import ArchiveStore

_PLACEHOLDER = Person("restoring", "restoring")


def _read_statement(data: dict) -> Statement:
    try:
        statement_id = normalise_citation_id(str(data["statement_id"]))
        status = data["status"]
        if status not in STATUSES:
            raise InvalidRecordError(f"status: {status!r} is not one of {', '.join(STATUSES)}")
        revisions = []
        for item in data["revisions"]:
            content = StatementContent.from_dict(item["content"])
            digest = str(item["text_sha256"])
            if hash_text(content.text) != digest:
                raise InvalidRecordError(
                    f"revision {item['revision']}: text_sha256 does not match the text")
            revisions.append(Revision(int(item["revision"]), content, digest, str(item["reason"]),
                                      str(item["created_at"])))
        if not revisions:
            raise InvalidRecordError("a statement needs at least one revision")
        return Statement(statement_id, status, revisions[-1], tuple(revisions), _PLACEHOLDER,
                         str(data["created_at"]), str(data.get("withdrawn_reason") or ""),
                         str(data.get("withdrawn_at") or ""))
    except KeyError as error:
        raise InvalidRecordError(f"missing field {error}") from None
    except InvalidCitationIdError as error:
        raise InvalidRecordError(f"statement_id: {error}") from None
    except (TypeError, AttributeError, ValueError) as error:
        if isinstance(error, InvalidRecordError | InvalidDateError):
            raise
        raise InvalidRecordError(f"malformed statement ({error})") from None


def parse_verbatim(path: Path, options: ImportOptions,
                   progress: Callable[[int, float], None] | None = None) -> ParsedFile:
    """Read an export; a bad line is a RecordProblem, a missing or foreign header an ImportFileError."""
    parsed = ParsedFile("verbatim", None)
    lines = LineReader(path)
    header_seen = False
    for number, raw in lines:
        location = f"line {number}"
        if raw is None:
            if not header_seen:
                raise ImportFileError(f"{path.name} line 1: no Verbatim export header")
            parsed.problems.append(RecordProblem(
                location, f"longer than {MAX_LINE_BYTES // 2**20} MiB; skipped unread"))
            continue
        if not raw.strip():
            continue
        try:
            text = decode_line(raw, number)
            data = json.loads(text)
        except RecursionError:
            data, text = None, raw.decode("utf-8", "replace")
        except ValueError as error:
            if not header_seen:
                raise ImportFileError(f"{path.name} line {number}: not a Verbatim export ({error})") from None
            parsed.problems.append(RecordProblem(location, f"not JSON ({error})",
                                                 raw.decode("utf-8", "replace")))
            continue
        if not header_seen:
            if not isinstance(data, dict) or data.get("format") != EXPORT_FORMAT:
                raise ImportFileError(f"{path.name}: line {number} is not a Verbatim export header"
                                      f" ({{\"format\": \"{EXPORT_FORMAT}\", ...}})")
            version = data.get("version")
            if not isinstance(version, int) or version > EXPORT_VERSION or version < 1:
                raise ImportFileError(f"{path.name}: export format version {version!r}; this"
                                      f" software reads versions 1 to {EXPORT_VERSION}")
            header_seen = True
            parsed.log_head = data.get("log") if isinstance(data.get("log"), dict) else None
            continue
        parsed.records_read += 1
        if progress and parsed.records_read % 1000 == 0:
            progress(parsed.records_read, lines.fraction)
        if not isinstance(data, dict):
            parsed.problems.append(RecordProblem(location, "expected a JSON object", text))
            continue
        record = data.pop("record", None)
        try:
            if record == "person":
                parsed.people.append(Person.from_dict(data))
            elif record == "source":
                parsed.sources.append(Source.from_dict(data))
            elif record == "statement":
                parsed.statements.append(_read_statement(data))
                parsed.statement_locations.append(location)
            elif record == "log":
                if data.get("index") != len(parsed.log_entries) or not isinstance(
                        data.get("entry"), str):
                    raise InvalidRecordError(f"log entry {len(parsed.log_entries)} expected here")
                parsed.log_entries.append(data["entry"])
            else:
                raise InvalidRecordError(f"unknown record type {record!r}")
        except (ValueError, KeyError, TypeError, AttributeError) as error:
            # Person/Source/StatementContent validate values assumed to be text; any
            # value of the wrong JSON type ends up here as a record problem.
            reason = str(error) if isinstance(error, ValueError) else f"malformed record ({error})"
            parsed.problems.append(RecordProblem(location, reason, text))
    if not header_seen:
        raise ImportFileError(f"{path.name}: the file is empty")
    return parsed


def load_verbatim(store: ArchiveStore, parsed: ParsedFile, options: ImportOptions,
                  path_label: str) -> ImportReport:
    """Restore an export in one transaction (rolled back on any problem unless skip_invalid)."""
    return run_in_one_transaction(store, parsed, options, path_label, _restore)


def _holds_only_the_seed(store: ArchiveStore) -> bool:
    """Whether the archive is new: nothing in it but the seed collection as loaded (which a new
    data directory gets at its first start), or nothing at all."""
    seed_ids = {item["statement_id"]
                for item in json.loads(SEED_FILE.read_text(encoding="utf-8"))["statements"]}
    if store.count_statements(include_withdrawn=True) > len(seed_ids):
        return False
    return all(statement.statement_id in seed_ids and len(statement.revisions) == 1
               and not statement.is_withdrawn for statement in store.iter_statements())


def _restore(store: ArchiveStore, parsed: ParsedFile, report: ImportReport, options: ImportOptions) -> None:
    stored = [entry for _, entry, _ in store.iter_log()]
    # Restoring into a new archive takes the export as it is; into one that holds more, the
    # changes an export makes to stored statements need the operator's --allow.
    allow = frozenset(ALLOWED_CHANGES) if _holds_only_the_seed(store) else options.allow
    _restore_records(store, parsed, report, allow)
    if parsed.log_entries and parsed.log_entries[:len(stored)] == stored:
        _restore_log(store, parsed, report)


def _restore_log(store: ArchiveStore, parsed: ParsedFile, report: ImportReport) -> None:
    """Put the export's log in place of the entries the restore wrote, when the header's
    head is that of the entries and they describe exactly the archive now stored."""
    head = parsed.log_head or {}
    tree = MerkleTree(leaf_of(entry) for entry in parsed.log_entries)
    if (head.get("size"), head.get("root")) != (tree.size, tree.root().hex()):
        report.problems.append(RecordProblem(
            "log", "the export's log entries do not have the head its header gives"))
        return
    written = [entry for _, entry, _ in store.iter_log()]
    store.replace_log(parsed.log_entries)
    problems = find_log_problems(store)
    if problems:
        store.replace_log(written)
        report.problems.append(RecordProblem(
            "log", f"the export's log does not describe its records ({problems[0][1]});"
                   " the restored records are logged as imported"))


def _restore_records(store: ArchiveStore, parsed: ParsedFile, report: ImportReport,
                     allow: frozenset[str]) -> None:
    stored_people = {person.person_id: person for person, _ in store.list_people()}
    new_people = []
    for person in parsed.people:
        stored = stored_people.get(person.person_id)
        if stored is None:
            new_people.append(person)
            stored_people[person.person_id] = person
        elif stored != person:
            report.problems.append(RecordProblem(
                f"person {person.person_id}", "differs from the person stored under that ID"))
    store.insert_people(new_people)
    report.new_people = len(new_people)
    new_sources = []
    for source in parsed.sources:
        stored_source = store.get_source(source.source_id)
        if stored_source is None:
            new_sources.append(source)
        elif stored_source != source:
            report.problems.append(RecordProblem(
                f"source {source.source_id}", "differs from the source stored under that ID"))
    store.insert_sources(new_sources)

    ids = [statement.statement_id for statement in parsed.statements]
    existing = store.get_statements(ids)
    fresh, additions, withdrawals = [], [], []
    for location, statement in zip(parsed.statement_locations, parsed.statements, strict=True):
        speaker = stored_people.get(statement.content.person_id, _PLACEHOLDER)
        statement = Statement(statement.statement_id, statement.status, statement.revision,
                              statement.revisions, speaker, statement.created_at,
                              statement.withdrawn_reason, statement.withdrawn_at)
        stored = existing.get(statement.statement_id)
        if stored is None:
            fresh.append(statement)
            continue
        if same_statement(stored, statement):
            report.unchanged += 1
            continue
        if same_but_times(stored, statement):
            report.unchanged += 1
            report.kept_archive_times += 1
            continue
        if continues(stored, statement):
            refusal = refused_change(stored, statement, allow)
            if refusal:
                report.problems.append(RecordProblem(location, refusal))
                continue
            additions.extend((statement.statement_id, revision)
                             for revision in statement.revisions[len(stored.revisions):])
            if statement.is_withdrawn:
                withdrawals.append(statement)
            report.revised += 1
            continue
        report.problems.append(RecordProblem(
            location, f"{statement.statement_id} differs from the stored statement with that ID"
            " (its revisions are not a continuation of the stored ones)"))
    store.insert_statements(fresh)
    report.added = len(fresh)
    report.revisions_added = store.append_revisions(additions)
    for statement in withdrawals:
        store.withdraw_statement(statement.statement_id, statement.withdrawn_reason,
                                 withdrawn_at=statement.withdrawn_at)
