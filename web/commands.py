"""Command-line interface (``flask --app web COMMAND``): thin wrappers around plain functions."""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import with_appcontext

from archive.citation_ids import InvalidCitationIdError, parse_citation_ref
from archive.integrity import verify_archive
from archive.lifecycle import init_archive, open_store
from archive.store import RevisionNotFoundError, StatementNotFoundError
from archive.summary import format_statement_summary
from web.resources import get_data_dir


def open_writable_store():
    """The store for a command that writes: the search index follows every commit."""
    return open_store(get_data_dir())


@click.command("init")
@with_appcontext
def init_command() -> None:
    """Create the data directory and load the seed collection."""
    report = init_archive(get_data_dir())
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


@click.command("verify")
@with_appcontext
def verify_command() -> None:
    """Re-hash every stored revision and check links; exit 1 on any problem."""
    with open_store(get_data_dir()) as store:
        problems = verify_archive(store)
        count = store.count_statements(include_withdrawn=True)
    for problem in problems:
        click.echo(problem, err=True)
    if problems:
        raise click.ClickException(f"{len(problems)} problem(s) in {count} statements")
    click.echo(f"OK: {count} statements, every revision matches its hash.")


def init_app(app: Flask) -> None:
    for command in (init_command, show_command, verify_command):
        app.cli.add_command(command)
