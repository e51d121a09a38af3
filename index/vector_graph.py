"""The sentence vectors' proximity graph: an HNSW index (``usearch``, half-precision vectors,
inner product) over the rows of some segments (``index.vectors``), so that a query visits a
few hundred vectors near it instead of every one.

Its keys are covered row numbers: the rows of the covered segments counted in their order.
Rows appended later are searched exactly until ``extend_graph`` adds them; a graph is never
changed in place (a new file per build, memory-mapped by the searches).
"""

from __future__ import annotations

import os
import secrets
import time
from pathlib import Path

import numpy as np
from usearch.index import Index

from index.embedding import DIMENSIONS

# Measured on the 79,744 sentence vectors of the two corpora (bench/README.md, Search by
# meaning): 16 links per node and 64 candidates per insertion build in ~20 s on two cores.
CONNECTIVITY = 16
EXPANSION_ADD = 64
EXPANSION_SEARCH = 128  # candidates a search keeps; more than the rows asked for is wasted
ADD_BATCH = 50_000


def graph_file(root: Path, name: str) -> Path:
    return root / f"{name}.usearch"


def _new_index() -> Index:
    return Index(ndim=DIMENSIONS, metric="ip", dtype="f16", connectivity=CONNECTIVITY,
                 expansion_add=EXPANSION_ADD, expansion_search=EXPANSION_SEARCH)


def extend_graph(root: Path, matrices: list[np.ndarray], previous: str | None = None) -> str:
    """A new graph under ``root`` over the rows of ``matrices`` (row numbers run on from one
    matrix to the next): ``previous``'s graph with the rows it lacks added, or a new one.
    Its name."""
    index = _new_index() if previous is None else Index.restore(str(graph_file(root, previous)))
    have = 0 if previous is None else len(index)
    start = 0
    for matrix in matrices:
        end = start + len(matrix)
        for first in range(max(have, start), end, ADD_BATCH):
            last = min(end, first + ADD_BATCH)
            index.add(np.arange(first, last, dtype=np.uint64),
                      np.asarray(matrix[first - start:last - start], dtype=np.float32),
                      threads=os.cpu_count() or 1)
        start = end
    name = f"graph-{time.strftime('%Y%m%dT%H%M%S')}-{secrets.token_hex(3)}"
    partial = root / f"{name}.partial"
    index.save(str(partial))
    with open(partial, "rb") as handle:
        os.fsync(handle.fileno())
    os.replace(partial, graph_file(root, name))
    return name


class VectorGraph:
    """One graph, memory-mapped."""

    def __init__(self, root: Path, name: str):
        self._index = Index.restore(str(graph_file(root, name)), view=True)
        if self._index is None:
            raise ValueError(f"vector graph {name} is not readable")
        self._index.expansion_search = EXPANSION_SEARCH

    @property
    def expansion_search(self) -> int:
        return self._index.expansion_search

    @expansion_search.setter
    def expansion_search(self, candidates: int) -> None:
        self._index.expansion_search = candidates

    @property
    def size(self) -> int:
        return len(self._index)

    def nearest_rows(self, query: np.ndarray, limit: int) -> tuple[np.ndarray, np.ndarray]:
        """The covered row numbers of about the ``limit`` vectors nearest to the query, and
        their inner products with it (in half precision), best first."""
        found = self._index.search(query, limit, threads=1)
        return (np.asarray(found.keys, dtype=np.int64),
                (1.0 - np.asarray(found.distances, dtype=np.float32)))
