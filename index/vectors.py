"""The statements' sentence vectors on disk, beside the search index: derived data that
follows the archive's change journal the way the index does, and the search over them.

``<data>/vectors/`` holds ``manifest.json`` (the format, the segments in order, the last
archive change applied and whether every statement has been encoded) and, per segment,
``NAME.npy`` (float32 rows, one per sentence, memory-mapped so that the processes of a
server share one copy in the page cache) and ``NAME.json`` (one entry per statement: ID,
text hash, number of rows). A later segment's entry for a statement replaces the earlier
ones; an entry without a hash says the statement left the archive. ``encode`` appends a
segment per batch (an interrupted run keeps what it did); ``reindex`` writes fresh segments
and switches the manifest once they are complete. Once more than TAIL_ROWS rows are outside
the proximity graph (``index.vector_graph``, named in the manifest with the segments it
covers), ``encode`` adds them to it; rows outside it are searched exactly. Writers serialise
on a ``flock`` like the index's.
"""

from __future__ import annotations

import json
import os
import secrets
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from archive.store import ArchiveStore
from index.derived_files import write_atomically, write_lock
from index.embedding import DIMENSIONS, cut_sentences, encode_texts
from index.engine import IndexLockTimeoutError
from index.vector_graph import VectorGraph, extend_graph

VECTORS_DIR = "vectors"
MANIFEST_FILE = "manifest.json"
VECTOR_FORMAT = "use-multilingual-3/512/float32/1"
SEGMENT_STATEMENTS = 5_000  # statements per appended segment
# Up to this many changes the journal names what to encode; beyond, the archive's hashes are
# compared with the vectors' (one query instead of reading every changed statement).
JOURNAL_BATCH = 2_000
INLINE_BACKLOG = 200  # statements a search encodes itself before it searches by meaning
INLINE_LOCK_TIMEOUT = 1.0
# Rows outside the graph are searched exactly; once there are more than this many, ``encode``
# adds them to the graph (an exact product over 20,000 rows takes ~2 ms).
TAIL_ROWS = 20_000
ROWS_PER_STATEMENT = 4  # rows asked of the graph per statement asked for


def vectors_path(data_dir: Path) -> Path:
    return Path(data_dir) / VECTORS_DIR


@dataclass
class Manifest:
    segments: list[str] = field(default_factory=list)
    applied_change: int = 0
    complete: bool = False
    # the proximity graph (index.vector_graph): its name and the segments it covers, in order
    graph: dict | None = None


def _read_manifest(root: Path) -> Manifest | None:
    """The manifest, or None when there is none usable (never written, or another format)."""
    try:
        data = json.loads((root / MANIFEST_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if data.get("format") != VECTOR_FORMAT:
        return None
    return Manifest(list(data["segments"]), int(data["applied_change"]), bool(data["complete"]),
                    data.get("graph"))


def _write_manifest(root: Path, manifest: Manifest) -> None:
    write_atomically(root / MANIFEST_FILE, json.dumps(
        {"format": VECTOR_FORMAT, "segments": manifest.segments,
         "applied_change": manifest.applied_change, "complete": manifest.complete,
         "graph": manifest.graph}) + "\n")


def _first_per_owner(owners: np.ndarray, scores: np.ndarray,
                     limit: int) -> tuple[np.ndarray, np.ndarray]:
    """Each owner once with its best score, best first, at most ``limit``."""
    order = np.argsort(-scores, kind="stable")
    owners, scores = owners[order], scores[order]
    _unique, first = np.unique(owners, return_index=True)
    first.sort()
    return owners[first][:limit], scores[first][:limit]


class VectorSet:
    """The live vectors of one manifest: each statement's latest entry and its rows; the rows
    of the segments the graph covers are searched through it, the others exactly."""

    def __init__(self, root: Path, manifest: Manifest):
        self.manifest = manifest
        latest: dict[str, tuple[int, int, str]] = {}  # statement -> (segment, entry, hash)
        segments = []
        for number, name in enumerate(manifest.segments):
            entries = json.loads((root / f"{name}.json").read_text(encoding="utf-8"))["entries"]
            matrix = (np.load(root / f"{name}.npy", mmap_mode="r") if any(e[2] for e in entries)
                      else np.zeros((0, DIMENSIONS), dtype=np.float32))
            segments.append((matrix, entries))
            for position, (statement_id, digest, _rows) in enumerate(entries):
                latest[statement_id] = (number, position, digest)
        self.hashes = {statement_id: digest for statement_id, (_s, _e, digest) in latest.items()
                       if digest}
        self.statement_ids = sorted(self.hashes)
        number_of = self._numbers = {statement_id: index
                                     for index, statement_id in enumerate(self.statement_ids)}
        covered = set(manifest.graph["segments"]) if manifest.graph else set()
        # per segment not covered: its matrix, where each entry's rows start, and the statement
        # number of each entry (-1 where a later entry replaced it); per covered row, its
        # statement number (-1 likewise); per statement, its segment and rows
        self._parts = []
        covered_owners: list[np.ndarray] = []
        self._covered_matrices: list[np.ndarray] = []
        self._matrices = [matrix for matrix, _entries in segments]
        self._where = np.zeros((len(self.statement_ids), 3), dtype=np.int64)
        for number, (matrix, entries) in enumerate(segments):
            starts, counts, owners, row = [], [], [], 0
            for position, (statement_id, digest, rows) in enumerate(entries):
                if rows:
                    current = latest[statement_id][:2] == (number, position) and digest
                    starts.append(row)
                    counts.append(rows)
                    owners.append(number_of[statement_id] if current else -1)
                    if current:
                        self._where[number_of[statement_id]] = (number, row, rows)
                row += rows
            if manifest.segments[number] in covered:
                covered_owners.append(np.repeat(np.array(owners, dtype=np.int64),
                                                np.array(counts, dtype=np.int64)))
                self._covered_matrices.append(matrix)
            elif starts and any(owner >= 0 for owner in owners):
                self._parts.append((matrix, np.array(starts, dtype=np.int64),
                                    np.array(owners, dtype=np.int64)))
        self._covered_owner = (np.concatenate(covered_owners) if covered_owners
                               else np.zeros(0, dtype=np.int64))
        self._covered_starts = np.cumsum([0] + [len(matrix) for matrix in self._covered_matrices])
        self._graph = VectorGraph(root, manifest.graph["name"]) if manifest.graph else None
        if self._graph is not None and self._graph.size != len(self._covered_owner):
            raise ValueError(f"vector graph {manifest.graph['name']} does not match its segments")

    def position(self, statement_id: str) -> int | None:
        """Where a statement stands in ``statement_ids``; None for a statement without vectors."""
        return self._numbers.get(statement_id)

    @property
    def rows(self) -> int:
        return len(self._covered_owner) + sum(int(matrix.shape[0]) for matrix, _s, _o in self._parts)

    @property
    def uncovered_rows(self) -> int:
        """Rows the graph does not cover: searched exactly."""
        return self.rows - len(self._covered_owner)

    def nearest(self, query: np.ndarray, limit: int) -> tuple[np.ndarray, np.ndarray]:
        """The positions (in ``statement_ids``) of at most ``limit`` statements whose best
        sentence is nearest to the query vector, and those sentences' cosine similarities,
        best first. Through the graph where it covers the rows (approximate: a statement
        nearer than those found may be missed), exactly elsewhere."""
        owners, scores = [], []
        if self._graph is not None:
            rows, _estimates = self._graph.nearest_rows(query, limit * ROWS_PER_STATEMENT)
            mine = self._covered_owner[rows]
            owners.append(mine[mine >= 0])
            scores.append(self._score_covered(rows[mine >= 0], query))
        for matrix, starts, part_owners in self._parts:
            per_entry = np.maximum.reduceat(matrix @ query, starts)
            live = part_owners >= 0
            mine, found = part_owners[live], per_entry[live]
            if len(found) > limit:  # one entry per statement here: the best ``limit`` suffice
                keep = np.argpartition(-found, limit)[:limit]
                mine, found = mine[keep], found[keep]
            owners.append(mine)
            scores.append(found)
        if not owners:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)
        return _first_per_owner(np.concatenate(owners), np.concatenate(scores), limit)

    def exact_similarities(self, query: np.ndarray) -> np.ndarray:
        """Every statement's best similarity (in ``statement_ids`` order), reading every row:
        what ``nearest`` approximates, for measuring it."""
        best = np.full(len(self.statement_ids), -2.0, dtype=np.float32)
        if len(self._covered_owner):
            scores = np.concatenate([matrix @ query for matrix in self._covered_matrices])
            live = self._covered_owner >= 0
            np.maximum.at(best, self._covered_owner[live], scores[live])
        for matrix, starts, owners in self._parts:
            per_entry = np.maximum.reduceat(matrix @ query, starts)
            live = owners >= 0
            best[owners[live]] = np.maximum(best[owners[live]], per_entry[live])
        return best

    @property
    def graph(self) -> VectorGraph | None:
        return self._graph

    def _score_covered(self, rows: np.ndarray, query: np.ndarray) -> np.ndarray:
        """The exact dot products of covered rows with the query (the graph's are half
        precision)."""
        scores = np.empty(len(rows), dtype=np.float32)
        segment = np.searchsorted(self._covered_starts, rows, side="right") - 1
        for number in np.unique(segment):
            chosen = segment == number
            local = rows[chosen] - self._covered_starts[number]
            scores[chosen] = self._covered_matrices[number][local] @ query
        return scores

    def similarities(self, positions: list[int], query: np.ndarray) -> list[float]:
        """The exact cosine similarity of each statement's best sentence to the query."""
        found = []
        for position in positions:
            segment, start, count = (int(value) for value in self._where[position])
            found.append(float(np.max(self._matrices[segment][start:start + count] @ query))
                         if count else -1.0)
        return found


def _load(root: Path) -> VectorSet | None:
    manifest = _read_manifest(root)
    return None if manifest is None else VectorSet(root, manifest)


_CACHE: dict[Path, tuple[tuple, VectorSet | None]] = {}
_CACHE_GUARD = threading.Lock()


def get_vector_set(data_dir: Path) -> VectorSet | None:
    """The data directory's live vectors, loaded once per process until the manifest changes;
    None when there are none."""
    root = vectors_path(data_dir).resolve()
    try:
        status = (root / MANIFEST_FILE).stat()
    except FileNotFoundError:
        return None
    stamp = (status.st_ino, status.st_mtime_ns, status.st_size)
    with _CACHE_GUARD:
        cached = _CACHE.get(root)
        if cached is not None and cached[0] == stamp:
            return cached[1]
    try:
        loaded = _load(root)
    except (OSError, ValueError, KeyError):
        return None  # a segment removed by a rebuild meanwhile: the next call reads anew
    with _CACHE_GUARD:
        _CACHE[root] = (stamp, loaded)
    return loaded


def _write_segment(root: Path, statements: list, gone: Iterable[str]) -> str:
    """Encode the statements' sentences into a new segment; its name."""
    entries, sentences = [], []
    for statement in statements:
        parts = cut_sentences(statement.text)
        entries.append([statement.statement_id, statement.revision.text_sha256, len(parts)])
        sentences.extend(parts)
    entries.extend([statement_id, "", 0] for statement_id in sorted(gone))
    name = f"seg-{time.strftime('%Y%m%dT%H%M%S')}-{secrets.token_hex(3)}"
    matrix = encode_texts(sentences)
    with open(root / f"{name}.npy", "wb") as handle:
        np.save(handle, matrix)
        handle.flush()
        os.fsync(handle.fileno())
    write_atomically(root / f"{name}.json", json.dumps({"entries": entries}))
    return name


def _remove_unlisted(root: Path, manifest: Manifest) -> None:
    keep = set(manifest.segments) | ({manifest.graph["name"]} if manifest.graph else set())
    for path in [*root.glob("seg-*"), *root.glob("graph-*")]:
        if path.name.split(".")[0] not in keep:
            path.unlink(missing_ok=True)


def _update_graph(root: Path, manifest: Manifest) -> None:
    """Add the rows outside the graph to it (in a new file) once there are more than
    TAIL_ROWS of them."""
    if VectorSet(root, manifest).uncovered_rows <= TAIL_ROWS:
        return
    matrices = [np.load(root / f"{name}.npy", mmap_mode="r") for name in manifest.segments]
    previous = manifest.graph["name"] if manifest.graph else None
    manifest.graph = {"name": extend_graph(root, matrices, previous),
                      "segments": list(manifest.segments)}


def sync_vectors(store: ArchiveStore, data_dir: Path, *, fresh: bool = False,
                 progress: Callable[[int, int], None] | None = None,
                 lock_timeout: float | None = None, grow_graph: bool = True) -> int:
    """Encode every active statement that has no vectors for its current text, and drop those
    of statements that left the archive (``fresh``: encode everything anew, switching over
    when done); with ``grow_graph``, add the rows to the graph when enough are outside it.
    Returns the number of statements encoded; ``progress(done, todo)`` after each segment.
    Raises IndexLockTimeoutError when another process writes the vectors."""
    root = vectors_path(data_dir)
    root.mkdir(parents=True, exist_ok=True)
    # the index's own kind of lock, on a file of this directory
    with write_lock(root, lock_timeout, "vectors"):
        old = None if fresh else _read_manifest(root)
        manifest = Manifest() if old is None else old
        have = VectorSet(root, manifest).hashes
        upto = store.last_change()
        changed = store.changed_since(manifest.applied_change) if manifest.complete else set()
        if manifest.complete and len(changed) <= JOURNAL_BATCH:
            loaded = store.get_statements(changed)
            target = {statement_id: statement.revision.text_sha256
                      for statement_id, statement in loaded.items() if not statement.is_withdrawn}
            gone = (changed - target.keys()) & have.keys()
        else:
            target = store.current_hashes()
            gone = have.keys() - target.keys()
        todo = sorted(statement_id for statement_id, digest in target.items()
                      if have.get(statement_id) != digest)
        manifest.complete = False
        done = 0
        for start in range(0, max(len(todo), 1 if gone else 0), SEGMENT_STATEMENTS):
            chunk = store.get_statements(todo[start:start + SEGMENT_STATEMENTS])
            manifest.segments.append(_write_segment(root, list(chunk.values()),
                                                    gone if start == 0 else ()))
            done += len(chunk)
            if not fresh:
                _write_manifest(root, manifest)  # an interrupted run keeps what it did
            if progress is not None:
                progress(done, len(todo))
        if grow_graph:
            _update_graph(root, manifest)
        manifest.applied_change, manifest.complete = upto, True
        _write_manifest(root, manifest)
        _remove_unlisted(root, manifest)
        return done


def bring_up_to_date(store: ArchiveStore, data_dir: Path) -> bool:
    """Whether the vectors cover every change of the archive, encoding a small backlog (at
    most INLINE_BACKLOG statements, well under a second: a new archive's seed collection, a
    few new revisions) on the spot; a larger one (an import) waits for ``encode``."""
    vectors = get_vector_set(data_dir)
    follows = vectors is not None and vectors.manifest.complete
    if follows and vectors.manifest.applied_change >= store.last_change():
        return True
    backlog = (len(store.changed_since(vectors.manifest.applied_change)) if follows
               else store.count_statements())
    if backlog > INLINE_BACKLOG:
        return False
    try:
        sync_vectors(store, data_dir, lock_timeout=INLINE_LOCK_TIMEOUT, grow_graph=False)
    except (IndexLockTimeoutError, OSError):
        return False  # another process is encoding, or the data directory is read-only
    return True


def find_vector_drift(store: ArchiveStore, data_dir: Path) -> list[str]:
    """How the vectors differ from the archive's active statements: one line per kind of
    difference with its count (they are derived data: ``encode`` fills them in)."""
    vectors = get_vector_set(data_dir)
    expected = store.current_hashes()
    if vectors is None:
        return [f"vectors: {len(expected)} statement(s) have no vectors for search by meaning"
                " (run: flask --app web encode)"] if expected else []
    missing = sum(1 for statement_id, digest in expected.items()
                  if vectors.hashes.get(statement_id) != digest)
    extra = len(vectors.hashes.keys() - expected.keys())
    problems = []
    if missing:
        problems.append(f"vectors: {missing} statement(s) have no vectors for their current text"
                        " (run: flask --app web encode)")
    if extra:
        problems.append(f"vectors: {extra} statement(s) have vectors but are not active"
                        " (run: flask --app web encode)")
    return problems

