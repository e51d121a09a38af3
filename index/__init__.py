"""The search index: everything Whoosh, derived from the archive and rebuildable at any time.

The web layer uses these functions only and never touches a Whoosh object: ``search``
answers a query with a ``SearchPage``; ``attach_index`` makes the index follow every
commit of a store; ``rebuild`` and ``find_index_drift`` are the repair and check tools.
"""

from index.directory import IndexLockTimeoutError, IndexUnavailableError
from index.indexer import (
    attach_index,
    find_index_drift,
    index_statements,
    rebuild,
    remove_statement,
    sync_index,
)
from index.results import FacetValue, SearchHit, SearchPage, SearchParameterError
from index.search import search, search_ids


def is_index_built(data_dir) -> bool:
    """Whether the data directory has a usable search index."""
    from pathlib import Path

    from index.directory import get_index_directory

    return get_index_directory(Path(data_dir)).is_built()


__all__ = [
    "FacetValue", "IndexLockTimeoutError", "IndexUnavailableError", "SearchHit", "SearchPage",
    "SearchParameterError", "attach_index", "find_index_drift", "index_statements",
    "is_index_built", "rebuild", "remove_statement", "search", "search_ids", "sync_index",
]
