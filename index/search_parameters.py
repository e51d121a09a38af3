"""A search's parameters — filters, order, paging — checked and read as filters, the same for
every engine (``index.engine``); SearchParameterError names the first bad one."""

from __future__ import annotations

import re

from archive.records import KINDS
from index.date_filters import DateFilterError, read_date_span, span_between
from index.query_language import Filter
from index.results import MAX_PER_PAGE, SORTS, SearchParameterError

MAX_RESULT_WINDOW = 10_000
_PARAMETER_TEXT = re.compile(r"^[^\x00-\x1f\x7f]{1,200}$")


def check_parameters(speaker, lang, platform, kind, date_from, date_to, sort, page,
                     per_page) -> list[Filter]:
    """The filter parameters as filters; SearchParameterError naming the first bad one."""
    if sort not in SORTS:
        raise SearchParameterError("sort", f"must be one of {', '.join(SORTS)}")
    if not isinstance(page, int) or isinstance(page, bool) or page < 1:
        raise SearchParameterError("page", "must be a whole number from 1")
    if not isinstance(per_page, int) or isinstance(per_page, bool) or not 1 <= per_page <= MAX_PER_PAGE:
        raise SearchParameterError("per_page", f"must be a whole number from 1 to {MAX_PER_PAGE}")
    if (page - 1) * per_page >= MAX_RESULT_WINDOW:
        raise SearchParameterError("page", f"only the first {MAX_RESULT_WINDOW:,} results can be"
                                           " paged through; narrow the search")
    filters = []
    for name, value in (("speaker", speaker), ("lang", lang), ("platform", platform),
                        ("kind", kind), ("date_from", date_from), ("date_to", date_to)):
        if value is None or value == "":
            continue
        if not isinstance(value, str) or not _PARAMETER_TEXT.match(value):
            raise SearchParameterError(name, "must be a short text without control characters")
        value = value.strip()
        if name == "lang" and not re.match(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$", value):
            raise SearchParameterError("lang", f"{value[:20]!r} is not a language tag such as de or en")
        if name == "kind" and value.lower() not in KINDS:
            raise SearchParameterError("kind", f"must be one of {', '.join(KINDS)}")
        if name in ("date_from", "date_to"):
            try:
                read_date_span(value)
            except DateFilterError as error:
                raise SearchParameterError(name, str(error)) from None
            filters.append(Filter("from" if name == "date_from" else "to", value))
            continue
        filters.append(Filter(name, value))
    return _joined_dates(filters)


def read_filters(*, speaker: str | None = None, lang: str | None = None, platform: str | None = None,
                 kind: str | None = None, date_from: str | None = None,
                 date_to: str | None = None) -> list[Filter]:
    """A search's filter parameters as filters, as ``search`` reads them; SearchParameterError
    naming the first bad one."""
    return check_parameters(speaker, lang, platform, kind, date_from, date_to, "relevance", 1, 1)


def _joined_dates(filters: list[Filter]) -> list[Filter]:
    """``from`` and ``to`` together as one date range: the few date terms of the span,
    instead of two long lists of terms (everything after, everything before) that the
    ranking had to intersect document by document. The same statements pass."""
    starts = [item for item in filters if item.name == "from"]
    ends = [item for item in filters if item.name == "to"]
    if len(starts) != 1 or len(ends) != 1:
        return filters
    try:
        span_between(starts[0].value, ends[0].value)
    except DateFilterError:
        return filters  # a range that ends before it starts: the two filters find nothing
    return ([item for item in filters if item.name not in ("from", "to")]
            + [Filter("range", starts[0].value, ends[0].value)])
