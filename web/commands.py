"""Command-line interface (``flask --app web COMMAND``): thin wrappers around plain functions."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import with_appcontext

from archive.addition import AdditionRefusedError, QuoteRequest, add_quote
from archive.backup import BackupError, back_up_archive
from archive.citation_ids import InvalidCitationIdError, parse_citation_ref
from archive.draft import make_draft
from archive.export import export_archive, export_to_file
from archive.extraction import extract_quotes
from archive.importers import FORMATS, ImportFileError, ImportOptions, MappingError, import_file
from archive.importers.mapping import ENTITY_MODES, parse_assignments
from archive.importers.progress import ProgressDisplay
from archive.importers.rejects import default_rejects_path, write_rejects
from archive.integrity import check_archive, check_checkpoint
from archive.lifecycle import init_archive, open_store
from archive.log import LogError, parse_head, read_head, read_json_file, verify_statement_proof
from archive.records import KINDS
from archive.rules import ALLOWED_CHANGES
from archive.store import RevisionNotFoundError, StatementNotFoundError, StoreError
from archive.summary import format_statement_summary
from index.engine import IndexLockTimeoutError
from index.quote_check import check_quote, format_check_report
from index.results import SearchParameterError
from index.vectors import find_vector_drift, sync_vectors
from web.hosts import LOCAL_BASE_URL
from web.payloads import permalink
from web.resources import get_data_dir, get_engine


def open_writable_store():
    """The store for a command that writes: the search index follows every commit."""
    store = open_store(get_data_dir())
    try:
        get_engine().follow(store)
    except BaseException:
        store.close()
        raise
    return store


@click.command("init")
@with_appcontext
def init_command() -> None:
    """Create the data directory and load the seed collection."""
    try:
        report = init_archive(get_data_dir())
        with open_writable_store():  # builds the search index, or brings it up to date
            pass
    except (StoreError, OSError) as error:
        raise click.ClickException(f"archive not initialised: {error}") from None
    click.echo(f"Archive ready in {get_data_dir()}: seed statements added {report.added},"
               f" already present {report.unchanged}.")


@click.command("show")
@with_appcontext
@click.argument("reference")
def show_command(reference: str) -> None:
    """Print one statement (ID, ID@revision) with its metadata and hash."""
    try:
        ref = parse_citation_ref(reference)
    except InvalidCitationIdError as error:
        raise click.ClickException(f"{reference!r}: {error}") from None
    with open_store(get_data_dir()) as store:
        try:
            statement = store.get_statement(ref.statement_id, ref.revision)
        except (StatementNotFoundError, RevisionNotFoundError):
            raise click.ClickException(f"no statement {ref}") from None
        click.echo(format_statement_summary(statement, store))


@click.command("check")
@with_appcontext
@click.argument("quote")
@click.option("--speaker", default="", help="Person ID, handle or name, as in a search.")
@click.option("--from", "date_from", default="", help="Statements on or after this date.")
@click.option("--to", "date_to", default="", help="Statements on or before this date.")
def check_command(quote: str, speaker: str, date_from: str, date_to: str) -> None:
    """Check QUOTE against the archive: the verdict, the reference, every difference and the
    citation. Exit 0 when the words are verbatim, 1 otherwise, 2 for bad input."""
    names = {"quote": "QUOTE", "speaker": "--speaker", "date_from": "--from", "date_to": "--to"}
    # permalinks are built on the configured base URL, as a request would build them
    with open_store(get_data_dir()) as store, \
            current_app.test_request_context(base_url=current_app.config["BASE_URL"] or LOCAL_BASE_URL):
        try:
            result = check_quote(quote, store=store, engine=get_engine(), permalink=permalink,
                                 speaker=speaker or None, date_from=date_from or None,
                                 date_to=date_to or None, data_dir=get_data_dir())
        except SearchParameterError as error:  # the quote or a filter
            raise click.UsageError(f"{names.get(error.parameter, error.parameter)}:"
                                   f" {error.message}") from None
    click.echo(format_check_report(result))
    if result.verdict != "verbatim":
        sys.exit(1)


def read_checkpoint(path: Path, name: str = "checkpoint"):
    try:
        return parse_head(read_json_file(path, name), name)
    except LogError as error:
        raise click.ClickException(str(error)) from None


@click.command("verify")
@with_appcontext
@click.option("--checkpoint", "checkpoint_file", type=click.Path(path_type=Path),
              help="A log head kept earlier (`checkpoint --output FILE`): prove that the log"
                   " still extends it.")
def verify_command(checkpoint_file: Path | None) -> None:
    """Re-hash every stored revision, check links, recompute the log from the stored records;
    exit 1 on any problem."""
    checkpoint = read_checkpoint(checkpoint_file) if checkpoint_file else None
    proven = ""
    with open_store(get_data_dir()) as store:
        problems, notices = check_archive(store)
        problems += get_engine().drift(store)
        vector_lines = find_vector_drift(store, get_data_dir())
        count = store.count_statements(include_withdrawn=True)
        size = store.log_size()
        if checkpoint is not None:
            try:
                proven = check_checkpoint(store, checkpoint)
            except LogError as error:
                problems.insert(0, f"checkpoint: {error}")
    if notices:
        click.echo(f"Notice: {len(notices)} statement(s) hold only the words the platform's export"
                   " kept; import an export with their whole text (X: note-tweet.js) to complete them:")
        for notice in notices:
            click.echo(f"  {notice}")
    for line in vector_lines:  # derived data that `encode` completes: not a problem
        click.echo(line)
    for problem in problems:
        click.echo(problem, err=True)
    if problems:
        first = next((p for p in problems if p.startswith(("checkpoint:", "log entry"))),
                     problems[0])
        raise click.ClickException(f"{len(problems)} problem(s) in {count} statements and"
                                   f" {size} log entries; first: {first}")
    click.echo(f"OK: {count} statements, every revision matches its hash; the {size} log"
               " entries match the stored records; the search index matches the archive."
               + (f" Checkpoint: {proven}." if proven else ""))


@click.command("checkpoint")
@with_appcontext
@click.option("--output", "-o", type=click.Path(path_type=Path),
              help="Also write the head to this file, for `verify --checkpoint`.")
def checkpoint_command(output: Path | None) -> None:
    """Print the head of the archive's log as JSON: {"size", "root", "at"}."""
    with open_store(get_data_dir()) as store:
        text = json.dumps(read_head(store).to_dict())
    if output is not None:
        try:
            output.write_text(text + "\n", encoding="utf-8")
        except OSError as error:
            raise click.ClickException(f"cannot write {output}: {error.strerror or error}") from None
    click.echo(text)


@click.command("verify-proof")
@click.argument("proof_file", type=click.Path(path_type=Path))
@click.option("--checkpoint", "checkpoint_file", type=click.Path(path_type=Path), required=True,
              help="The log head you kept (GET /api/log/head or `checkpoint`).")
@click.option("--consistency", "consistency_file", type=click.Path(path_type=Path),
              help="GET /api/log/consistency?first=CHECKPOINT_SIZE&second=PROOF_HEAD_SIZE.")
@click.option("--text", "text_file", type=click.Path(path_type=Path),
              help="A file with the quoted words: check that a logged revision has them.")
def verify_proof_command(proof_file: Path, checkpoint_file: Path, consistency_file: Path | None,
                         text_file: Path | None) -> None:
    """Check a citation with the JSON answers alone (no archive needed): PROOF_FILE is
    GET /api/statements/ID/proof; exit 1 unless every entry is in a log that extends the
    checkpoint."""
    checkpoint = read_checkpoint(checkpoint_file)
    try:
        answer = read_json_file(proof_file, "proof")
        extension = read_json_file(consistency_file, "consistency proof") if consistency_file else None
        text = text_file.read_text(encoding="utf-8") if text_file else None
        lines = verify_statement_proof(answer, checkpoint, extension, text)
    except OSError as error:
        raise click.ClickException(f"cannot read {text_file}: {error.strerror or error}") from None
    except LogError as error:
        raise click.ClickException(f"not proven: {error}") from None
    for line in lines:
        click.echo(line)
    click.echo("OK: proven against the checkpoint.")


@click.command("import")
@with_appcontext
@click.argument("path", type=click.Path(path_type=Path))
@click.option("--format", "format_name", type=click.Choice(FORMATS), help="Default: detected from the file.")
@click.option("--map", "mappings", multiple=True, metavar="FIELD=COLUMN", help="Read FIELD from COLUMN.")
@click.option("--set", "constants", multiple=True, metavar="FIELD=VALUE", help="FIELD is VALUE for all.")
@click.option("--speaker", default="", help="Person ID, handle or name of the speaker of every record.")
@click.option("--default-timezone", default="", help="Time zone of dates without an offset (default UTC).")
@click.option("--html-entities", type=click.Choice(ENTITY_MODES), default="auto",
              help="Decode &amp; and the like once: auto = for platform x.")
@click.option("--skip-invalid", is_flag=True, help="Store the valid records, write the rest to --rejects.")
@click.option("--rejects", type=click.Path(path_type=Path), help="Rejects file (with --skip-invalid).")
@click.option("--allow", "allow", multiple=True, type=click.Choice(ALLOWED_CHANGES),
              help="Let the import make this change to stored statements (repeatable).")
def import_command(path: Path, format_name: str | None, mappings: tuple[str, ...],
                   constants: tuple[str, ...], speaker: str, default_timezone: str,
                   html_entities: str, skip_invalid: bool, rejects: Path | None,
                   allow: tuple[str, ...]) -> None:
    """Import PATH (X archive, JSONL, CSV, a Verbatim export or a source bundle; may be
    gzipped) in one transaction."""
    try:
        options = ImportOptions(format_name or "", parse_assignments(mappings, "--map"),
                                parse_assignments(constants, "--set"), default_timezone, speaker,
                                html_entities, skip_invalid, frozenset(allow)).check()
    except MappingError as error:
        raise click.UsageError(str(error)) from None
    progress = ProgressDisplay(sys.stderr, is_tty=sys.stderr.isatty())
    try:
        with open_writable_store() as store:
            report = import_file(store, path, options, progress)
    except ImportFileError as error:
        progress.finish()
        for problem in error.problems:
            click.echo(problem, err=True)
        raise click.ClickException(f"nothing imported from {path.name}") from None
    except MappingError as error:
        progress.finish()
        raise click.UsageError(str(error)) from None
    except StoreError as error:
        progress.finish()
        raise click.ClickException(f"nothing imported from {path.name}: {error}") from None
    progress.finish()
    for problem in report.problems:
        click.echo(f"{path.name} {problem}", err=True)
    if report.problems and report.stored:
        target = rejects or default_rejects_path(path)
        write_rejects(report.problems, target)
        click.echo(f"{report.rejected} rejected record(s) with reasons in {target}", err=True)
    click.echo(report.summary())
    if not report.stored:
        raise click.ClickException(
            f"{report.rejected} problem(s); nothing stored (--skip-invalid stores the valid records)")


@click.command("export")
@with_appcontext
@click.option("--output", "-o", type=click.Path(path_type=Path), help="File to write (default: stdout).")
def export_command(output: Path | None) -> None:
    """Write the whole archive as JSONL (people, sources, statements with every revision)."""
    with open_store(get_data_dir()) as store:
        if output is None:
            export_archive(store, sys.stdout)
            return
        try:
            counts = export_to_file(store, output)
        except OSError as error:
            raise click.ClickException(f"cannot write {output}: {error.strerror or error}") from None
    click.echo(f"Exported {counts['statements']} statements, {counts['people']} people and"
               f" {counts['sources']} sources to {output}.", err=True)


@click.command("reindex")
@with_appcontext
def reindex_command() -> None:
    """Rebuild the search index from the archive (searches keep working meanwhile)."""
    with open_store(get_data_dir()) as store:
        try:
            count = get_engine().rebuild(store)
        except (OSError, IndexLockTimeoutError) as error:
            raise click.ClickException(f"search index not rebuilt: {error}") from None
        try:
            encoded = sync_vectors(store, get_data_dir(), fresh=True)
        except (OSError, IndexLockTimeoutError) as error:
            raise click.ClickException(f"vectors not rebuilt: {error}") from None
    click.echo(f"Search index rebuilt: {count} statements. Vectors rebuilt: {encoded} statements.")


@click.command("encode")
@with_appcontext
def encode_command() -> None:
    """Compute the sentence vectors that search by meaning needs, for every statement without
    them (after an import; resumes where an interrupted run stopped)."""
    progress = ProgressDisplay(sys.stderr, is_tty=sys.stderr.isatty())
    with open_store(get_data_dir()) as store:
        try:
            count = sync_vectors(store, get_data_dir(),
                                 progress=lambda done, todo: progress(done, done / max(todo, 1)))
        except (OSError, IndexLockTimeoutError) as error:
            progress.finish()
            raise click.ClickException(f"vectors not computed: {error}") from None
    progress.finish()
    click.echo(f"Vectors computed: {count} statement(s); search by meaning is complete.")


@click.command("backup")
@with_appcontext
@click.argument("destination", type=click.Path(path_type=Path))
def backup_command(destination: Path) -> None:
    """Snapshot the archive into the new folder DESTINATION while the service runs: the SQLite
    file (online backup) and its JSONL export."""
    try:
        report = back_up_archive(get_data_dir(), destination)
    except BackupError as error:
        raise click.ClickException(f"no backup made: {error}") from None
    except OSError as error:
        raise click.ClickException(f"no backup made: cannot write {destination}:"
                                   f" {error.strerror or error}") from None
    click.echo(f"Backed up {report.statements} statements, {report.people} people and"
               f" {report.sources} sources to {report.destination}"
               " (archive.sqlite3 and its export archive.jsonl).")


def read_text_option(path: Path | None, option: str) -> str:
    if path is None:
        return ""
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise click.UsageError(f"{option}: {path} is not UTF-8 text") from None
    except OSError as error:
        raise click.UsageError(f"{option}: cannot read {path}: {error.strerror or error}") from None


@click.command("add")
@with_appcontext
@click.option("--speaker", default="", help="Person ID, @handle or name (a new name is a new person).")
@click.option("--text", default="", help="The words, verbatim.")
@click.option("--text-file", type=click.Path(path_type=Path), help="A UTF-8 file with the words.")
@click.option("--source-title", default="", help="Title of the article, speech, interview...")
@click.option("--source-url", default="", help="Its address; a stored source with it is reused.")
@click.option("--publisher", default="")
@click.option("--source-lang", default="", help="Language of the source (BCP 47).")
@click.option("--retrieved-at", default="", help="When the source was read (YYYY-MM-DD; default today).")
@click.option("--posted-at", default="", help="When the words were said (2024, Aug 2024, 2024-08-05...).")
@click.option("--date-note", default="")
@click.option("--lang", default="", help="Language of the words (BCP 47).")
@click.option("--original-lang", default="", help="Language they were said in, for a translation.")
@click.option("--translation-note", default="")
@click.option("--kind", default="remark", show_default=True, help=f"One of {', '.join(KINDS)}.")
@click.option("--venue", default="")
@click.option("--in-reply-to", default="", help="Citation ID of the statement it answers.")
@click.option("--reported-by", default="", help="Citation ID of the statement that reports it.")
@click.option("--source-file", type=click.Path(path_type=Path),
              help="The source's text: the words must occur in it verbatim.")
def add_command(speaker: str, text: str, text_file: Path | None, source_title: str,
                source_url: str, publisher: str, source_lang: str, retrieved_at: str,
                posted_at: str, date_note: str, lang: str, original_lang: str,
                translation_note: str, kind: str, venue: str, in_reply_to: str,
                reported_by: str, source_file: Path | None) -> None:
    """Add one statement with its source as provenance; print its citation ID and permalink.
    The same words by the same speaker are the stored statement, which gains the source."""
    if text and text_file:
        raise click.UsageError("--text and --text-file: give the words once")
    request = QuoteRequest(
        speaker, text or read_text_option(text_file, "--text-file"), source_title, source_url,
        publisher, source_lang, retrieved_at, posted_at, date_note, lang, original_lang,
        translation_note, kind, venue, in_reply_to, reported_by,
        read_text_option(source_file, "--source-file"), source_file.name if source_file else "")
    try:
        with open_writable_store() as store:
            result = add_quote(store, request)
    except AdditionRefusedError as error:
        for problem in error.problems:
            click.echo(problem, err=True)
        raise click.ClickException(f"{len(error.problems)} problem(s); nothing stored") from None
    except StoreError as error:
        raise click.ClickException(f"nothing stored: {error}") from None
    with current_app.test_request_context(base_url=current_app.config["BASE_URL"] or LOCAL_BASE_URL):
        link = permalink(result.statement_id)
    if result.outcome == "added":
        click.echo(f"Added {result.statement_id} (source {result.source_id}"
                   + (", new speaker" if result.new_speaker else "") + f"): {link}")
    elif result.outcome == "source added":
        click.echo(f"{result.statement_id} holds these words already; it now also cites the"
                   f" source {result.source_id} (a new revision): {link}")
    else:
        click.echo(f"{result.statement_id} holds these words already, with this source;"
                   f" nothing changed: {link}")


@click.command("extract")
@with_appcontext
@click.argument("article_file", metavar="ARTICLE", type=click.Path(path_type=Path))
@click.option("--source-url", default="", help="The article's address.")
@click.option("--source-title", default="", help="Its title (default: its first line).")
@click.option("--lang", default="", help="Its language (default: guessed, de or en).")
@click.option("--output", "-o", type=click.Path(path_type=Path), required=True,
              help="The draft bundle to write (JSON); check it, then `import` it.")
def extract_command(article_file: Path, source_url: str, source_title: str, lang: str,
                    output: Path) -> None:
    """Draft a source bundle from the quotes in ARTICLE (a German or English text file): each
    quoted passage with the speaker and kind the article gives. Stores nothing."""
    text = read_text_option(article_file, "ARTICLE")
    try:
        with open_store(get_data_dir(), readonly=True) as store:
            extraction = extract_quotes(text, [person for person, _ in store.list_people()])
            draft = make_draft(extraction, store, article_name=article_file.name,
                               source_title=source_title, source_url=source_url, lang=lang)
    except StoreError as error:
        raise click.ClickException(f"cannot read the archive: {error}") from None
    try:
        output.write_text(json.dumps(draft, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    except OSError as error:
        raise click.ClickException(f"cannot write {output}: {error.strerror or error}") from None
    quotes = extraction.quotes
    click.echo(f"{len(quotes)} quote(s) in {article_file.name}; attributed"
               f" {len(quotes) - len(extraction.unattributed)}; draft written to {output}.")
    for number, item in enumerate(draft["statements"], start=1):
        quote = quotes[number - 1]
        who = quote.speaker or (f"unnamed ({quote.unnamed_as})" if quote.unnamed_as else "?")
        stored = f" = {item['statement_id']}" if "statement_id" in item else ""
        click.echo(f"  {number}. {who} [{quote.kind or 'kind not stated'}]{stored}:"
                   f" {' '.join(quote.text.split())[:70]}")
    for item in draft["extraction"]["unattributed"]:
        click.echo(f"Not attributed: statement {item['statement']} ({item['text']!r});"
                   " fill in its person_id before importing.", err=True)


def init_app(app: Flask) -> None:
    for command in (init_command, show_command, check_command, verify_command, import_command,
                    export_command, reindex_command, encode_command, backup_command,
                    checkpoint_command, verify_proof_command, add_command, extract_command):
        app.cli.add_command(command)
