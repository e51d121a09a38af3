"""A search request: reading its parameters and running it, shared by the page and the API."""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from archive.records import Statement
from archive.store import StatementNotFoundError
from index import service
from index.meaning import add_meaning_hits
from index.results import MAX_PER_PAGE, MAX_QUERY_LENGTH, SORTS, SearchPage, SearchParameterError
from web.errors import ApiError
from web.resources import get_data_dir, get_engine, get_store

FILTERS = ("speaker", "lang", "platform", "kind", "from", "to")
# Every parameter a search reads; links to other pages of a search carry these and no others.
SEARCH_PARAMETERS = ("q", *FILTERS, "sort", "page", "per_page")


def read_link_params(args: Mapping[str, str]) -> dict[str, str]:
    """The search's own non-empty parameters, for building links to the same search. Nothing
    else is passed on: ``url_for`` would take ``_external``, ``_anchor``, ``_method`` or
    ``endpoint`` as its own keywords."""
    return {name: args[name] for name in SEARCH_PARAMETERS if args.get(name)}


def read_int(args: Mapping[str, str], name: str, default: int, low: int, high: int | None) -> int:
    raw = args.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ApiError(400, f"Parameter '{name}' must be a whole number, not {raw[:20]!r}.") from None
    if value < low or (high is not None and value > high):
        limit = f"from {low} to {high}" if high is not None else f"at least {low}"
        raise ApiError(400, f"Parameter '{name}' must be {limit}, not {value}.")
    return value


def read_search_args(args: Mapping[str, str]) -> dict:
    """Keyword arguments for the engine's ``search`` (minus the store); ApiError 400 naming
    the parameter at fault."""
    query = args.get("q", "")
    if len(query) > MAX_QUERY_LENGTH:
        raise ApiError(400, f"Parameter 'q' is longer than {MAX_QUERY_LENGTH} characters.")
    sort = args.get("sort") or "relevance"
    if sort not in SORTS:
        raise ApiError(400, f"Parameter 'sort' must be one of {', '.join(SORTS)}, not {sort[:20]!r}.")
    values = {name: (args.get(name) or "").strip() or None for name in FILTERS}
    return {
        "query": query,
        "speaker": values["speaker"], "lang": values["lang"], "platform": values["platform"],
        "kind": values["kind"], "date_from": values["from"], "date_to": values["to"],
        "sort": sort,
        "page": read_int(args, "page", 1, 1, 10_000),
        "per_page": read_int(args, "per_page", 20, 1, MAX_PER_PAGE),
    }


def iter_search_statements(args: Mapping[str, str]) -> Iterator[Statement]:
    """Every statement the search finds, in result order (no paging window: for exports).
    Bad parameters raise ApiError 400 on the first ``next``, before anything is sent."""
    params = read_search_args(args)
    for name in ("page", "per_page"):
        del params[name]
    try:
        statement_ids = service.search_ids(get_engine(), params.pop("query"), store=get_store(),
                                           **params)
    except SearchParameterError as error:
        raise parameter_error(error) from None
    for statement_id in statement_ids:
        try:
            # get_store() each time: a streamed response outlives the request's first store
            statement = get_store().get_statement(statement_id)
        except StatementNotFoundError:
            continue  # the index ranks; the archive decides what exists
        if not statement.is_withdrawn:
            yield statement


def parameter_error(error: SearchParameterError) -> ApiError:
    name = {"date_from": "from", "date_to": "to"}.get(error.parameter, error.parameter)
    return ApiError(400, f"Parameter '{name}': {error.message}")


def run_search(args: Mapping[str, str]) -> tuple[SearchPage, dict[str, Statement]]:
    """Search the index and load the hits' statements from the archive, in hit order."""
    params = read_search_args(args)
    store = get_store()
    try:
        page = service.search(get_engine(), store=store, **params)
    except SearchParameterError as error:
        raise parameter_error(error) from None
    add_meaning_hits(page, get_engine(), store, get_data_dir(), params)
    statements = {}
    for hit in page.hits:
        statement = hit.statement  # read from the archive by this search already
        if statement is None:
            try:
                statement = store.get_statement(hit.statement_id)
            except StatementNotFoundError:
                continue  # the index ranks; the archive decides what exists
        if not statement.is_withdrawn:
            statements[hit.statement_id] = statement
    return page, statements
