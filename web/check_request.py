"""A quote check request: its parameters (query string or JSON body) read and run, shared by
the page, its JSON twin and the API."""

from __future__ import annotations

from collections.abc import Mapping

from index.quote_check import QuoteCheck, check_quote
from index.results import SearchParameterError
from web.errors import ApiError
from web.payloads import permalink
from web.resources import get_data_dir, get_engine, get_store
from web.search_request import parameter_error

CHECK_FIELDS = ("quote", "speaker", "from", "to")
# The longest query string a check is sent as a GET (the form's, the bookmarklet's): it fits,
# with the path and a base URL's prefix, in the request line every server takes (gunicorn's
# is 4,094 bytes). A longer quote is posted, or cut by the bookmarklet.
SHAREABLE_QUERY_LENGTH = 3000


def read_check_body(body: object) -> dict[str, str]:
    """The parameters of a POSTed check: a JSON object with ``quote`` and optional
    ``speaker``, ``from``, ``to`` (strings or null)."""
    if not isinstance(body, dict):
        raise ApiError(400, "The request body must be a JSON object such as {\"quote\": \"…\"}.")
    params = {}
    for name in CHECK_FIELDS:
        value = body.get(name)
        if value is None:
            continue
        if not isinstance(value, str):
            raise ApiError(400, f"Parameter '{name}' must be a string.")
        params[name] = value
    return params


def run_check(params: Mapping[str, str]) -> QuoteCheck:
    """Check ``params['quote']`` with the filters; ApiError 400 naming the parameter at fault."""
    filters = {name: (params.get(name) or "").strip() or None for name in ("speaker", "from", "to")}
    try:
        return check_quote(params.get("quote", ""), store=get_store(), engine=get_engine(),
                           permalink=permalink, speaker=filters["speaker"],
                           date_from=filters["from"], date_to=filters["to"],
                           data_dir=get_data_dir())
    except SearchParameterError as error:  # the quote or a filter
        raise parameter_error(error) from None
