"""Which withdrawn statements a search's filters cover: the tombstones a search feed lists.

A withdrawn statement leaves the index, and its words are never searched again (a query
matched against them would tell, word by word, what the tombstone hides). Its speaker,
language, platform, kind and date stay public, so the filters of a search (as the search reads
them: ``index.query_builder``) select tombstones by those alone.
"""

from __future__ import annotations

from archive.records import Statement
from archive.store import ArchiveStore
from archive.vocabulary import LANGUAGE_ALIASES, PLATFORM_ALIASES
from index.date_filters import DateFilterError, DateSpan, span_between, span_from, span_terms, span_to
from index.query_language import Filter
from index.search import read_filters
from index.speakers import SpeakerDirectory

# Withdrawals looked at for a search's tombstones, the latest first.
WITHDRAWALS_READ = 500


def _date_terms(statement: Statement) -> set[tuple[str, str]]:
    """The statement's year / month / day, to its precision (as the index files them)."""
    posted = statement.content.posted_at
    if posted.precision == "unknown":
        return set()
    terms = {("year", posted.value[:4])}
    if posted.precision != "year":
        terms.add(("month", posted.value[:7]))
    if posted.precision not in ("year", "month"):
        terms.add(("day", posted.value[:10]))
    return terms


def _span(item: Filter) -> DateSpan:
    if item.name == "range":
        return span_between(item.value, item.end)
    return span_from(item.value) if item.name == "from" else span_to(item.value)


def _covers(item: Filter, statement: Statement, speakers: SpeakerDirectory) -> bool:
    content = statement.content
    if item.name == "speaker":
        people = speakers.resolve(item.value) or speakers.resolve_near(item.value)
        return statement.speaker.person_id in people
    if item.name == "lang":
        code = LANGUAGE_ALIASES.get(item.value.lower(), item.value.lower().split("-")[0])
        return content.lang.lower().split("-")[0] == code
    if item.name == "platform":
        return content.platform.lower() in PLATFORM_ALIASES.get(item.value.lower(), (item.value.lower(),))
    if item.name == "kind":
        return content.kind == item.value.lower()
    if item.name in ("from", "to", "range"):
        terms = _date_terms(statement)
        if not terms:
            return False
        try:
            year = int(statement.content.posted_at.value[:4])
            return bool(terms & set(span_terms(_span(item), [year])))
        except DateFilterError:
            return False
    return True  # not a filter a search parameter makes


def covered_tombstones(withdrawn: list[Statement], filters: list[Filter],
                       speakers: SpeakerDirectory) -> list[Statement]:
    """The withdrawn statements (in their order) that every filter covers."""
    return [statement for statement in withdrawn
            if statement.is_withdrawn and all(_covers(item, statement, speakers) for item in filters)]


def search_tombstones(store: ArchiveStore, *, limit: int, speaker: str | None = None, lang: str | None = None,
                      platform: str | None = None, kind: str | None = None, date_from: str | None = None,
                      date_to: str | None = None) -> list[Statement]:
    """Up to ``limit`` of the latest withdrawn statements a search with these filters covers,
    the latest withdrawal first. Raises SearchParameterError for a bad filter, as the search."""
    filters = read_filters(speaker=speaker, lang=lang, platform=platform, kind=kind,
                           date_from=date_from, date_to=date_to)
    withdrawn = store.withdrawn_statements(limit=WITHDRAWALS_READ)
    if not withdrawn:
        return []
    speakers = SpeakerDirectory.build([person for person, _count in store.list_people()])
    return covered_tombstones(withdrawn, filters, speakers)[:limit]
