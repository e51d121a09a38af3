"""The Whoosh schema and how one archived statement becomes one index document.

Nothing is stored twice: the index holds terms and small columns (for filters, facets,
sorting and the drift check); the words themselves stay in the archive and are read from
it for highlighting. Speaker names are not indexed: a name in a query is resolved to person
IDs (index.speakers), so renaming a person needs no re-analysis of their words.
Dates are indexed as year, month and day terms so that date filters
are plain term lookups rather than range scans.
"""

from __future__ import annotations

from whoosh import columns, fields

from archive.records import Statement
from index.analysis import words_value
from index.engines.whoosh.tokenizer import WordsTokenizer
from index.metadata_filters import date_terms, language_of

# Bump when the schema or the analysis changes: an index of another format is rebuilt.
INDEX_FORMAT = "verbatim-index-4"


def build_schema() -> fields.Schema:
    return fields.Schema(
        statement_id=fields.ID(unique=True, sortable=columns.VarBytesColumn()),
        text_hash=fields.COLUMN(columns.VarBytesColumn()),
        date_key=fields.COLUMN(columns.VarBytesColumn()),
        speaker=fields.ID(sortable=columns.RefBytesColumn()),
        lang=fields.ID(sortable=columns.RefBytesColumn()),
        platform=fields.ID(sortable=columns.RefBytesColumn()),
        kind=fields.ID(sortable=columns.RefBytesColumn()),
        year=fields.ID(sortable=columns.RefBytesColumn()),
        month=fields.ID,
        day=fields.ID,
        # "deleted" for a statement the platform no longer shows (a facet and is:deleted);
        # "truncated" for words the platform's export cut (is:truncated).
        deleted=fields.ID(sortable=columns.RefBytesColumn()),
        truncated=fields.ID,
        # Plain word forms and their stems at the same positions (index.analysis).
        words=fields.TEXT(analyzer=WordsTokenizer(), phrase=True),
    )


def build_document(statement: Statement) -> dict:
    """The index document of one active statement."""
    content = statement.content
    lang = language_of(content.lang)
    document = {
        "statement_id": statement.statement_id,
        "text_hash": statement.revision.text_sha256.encode("ascii"),
        "date_key": content.posted_at.sort_key().encode("ascii"),
        "speaker": statement.speaker.person_id,
        "lang": lang,
        "platform": content.platform.lower(),
        "kind": content.kind,
        "words": words_value(statement.text, lang),
        "deleted": "deleted" if content.deleted_on_platform else "",
        "truncated": "truncated" if content.text_truncated else "",
        **date_terms(statement),
    }
    return {name: value for name, value in document.items() if value not in ("", [])}
