"""Which withdrawn statements a search's filters cover: the tombstones a search feed lists.

A withdrawn statement leaves the index, and its words are never searched again (a query
matched against them would tell, word by word, what the tombstone hides). Its speaker,
language, platform, kind and date stay public, so the filters of a search (as the search reads
them: ``index.query_builder``) select tombstones by those alone.
"""

from __future__ import annotations

from archive.records import Statement
from archive.store import ArchiveStore
from index.metadata_filters import filter_check
from index.query_language import Filter
from index.search_parameters import read_filters
from index.speakers import SpeakerDirectory

# Withdrawals looked at for a search's tombstones, the latest first.
WITHDRAWALS_READ = 500


def covered_tombstones(withdrawn: list[Statement], filters: list[Filter],
                       speakers: SpeakerDirectory) -> list[Statement]:
    """The withdrawn statements (in their order) that every filter covers."""
    checks = [filter_check(item, speakers) for item in filters]
    return [statement for statement in withdrawn
            if statement.is_withdrawn and all(check(statement) for check in checks)]


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
    # the people (a count over every statement) only for a speaker filter
    wanted = any(item.name == "speaker" for item in filters)
    speakers = SpeakerDirectory.build([person for person, _count in store.list_people()] if wanted else [])
    return covered_tombstones(withdrawn, filters, speakers)[:limit]
