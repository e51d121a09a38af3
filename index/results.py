"""What a search returns: the contract between ``index.service`` and the web layer.

The web layer reads these plain objects and never touches Whoosh. Field
names here are the names the JSON API uses; they never change name or type.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from archive.records import Statement

SORTS = ("relevance", "newest", "oldest")
FACETS = ("speaker", "year", "lang", "platform", "kind", "deleted")
MAX_PER_PAGE = 100
MAX_FACET_VALUES = 50  # values listed per facet, the most frequent first
# A query longer than this is refused (400); the parser reads at most QUERY_READ_LENGTH of it.
MAX_QUERY_LENGTH = 10_000


class SearchParameterError(ValueError):
    """A filter or paging parameter is invalid; ``parameter`` names it."""

    def __init__(self, parameter: str, message: str):
        super().__init__(f"{parameter}: {message}")
        self.parameter = parameter
        self.message = message


@dataclass(frozen=True)
class FacetValue:
    value: str   # what goes into the filter (person_id, "2024", "de", "x", "post")
    label: str   # what a person reads ("Sam Altman", "2024", "German", "X", "post")
    count: int   # statements in the whole result set with this value


@dataclass(frozen=True)
class SearchHit:
    statement_id: str
    score: float
    snippet_html: str  # statement text HTML-escaped, only <mark>…</mark> added
    # where the snippet lies in the statement text (characters): 0 and len(text) when whole
    snippet_start: int = 0
    snippet_end: int = 0
    # the statement as the search read it from the archive to cut the snippet, so that the
    # caller need not read it again (not part of the JSON shape)
    statement: Statement | None = field(default=None, compare=False, repr=False)


@dataclass
class SearchPage:
    query: str
    total: int
    page: int
    per_page: int
    sort: str
    hits: list[SearchHit] = field(default_factory=list)
    facets: dict[str, list[FacetValue]] = field(default_factory=dict)
    suggestion: str | None = None
    notices: list[str] = field(default_factory=list)
    # found by meaning, not by these words (index.meaning.MeaningHit; web.search_request)
    meaning_hits: list = field(default_factory=list)
