"""The statements' sentence vectors on disk, beside the search index: derived data that
follows the archive's change journal the way the index does, and the exact search over them.

``<data>/vectors/`` holds ``manifest.json`` (the format, the segments in order, the last
archive change applied and whether every statement has been encoded) and, per segment,
``NAME.npy`` (float32 rows, one per sentence, memory-mapped so that the processes of a
server share one copy in the page cache) and ``NAME.json`` (one entry per statement: ID,
text hash, number of rows). A later segment's entry for a statement replaces the earlier
ones; an entry without a hash says the statement left the archive. ``encode`` appends a
segment per batch (an interrupted run keeps what it did); ``reindex`` writes fresh segments
and switches the manifest once they are complete. Writers serialise on a ``flock`` like the
index's.
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

VECTORS_DIR = "vectors"
MANIFEST_FILE = "manifest.json"
VECTOR_FORMAT = "use-multilingual-3/512/float32/1"
SEGMENT_STATEMENTS = 5_000  # statements per appended segment
# Up to this many changes the journal names what to encode; beyond, the archive's hashes are
# compared with the vectors' (one query instead of reading every changed statement).
JOURNAL_BATCH = 2_000
INLINE_BACKLOG = 200  # statements a search encodes itself before it searches by meaning
INLINE_LOCK_TIMEOUT = 1.0


def vectors_path(data_dir: Path) -> Path:
    return Path(data_dir) / VECTORS_DIR


@dataclass
class Manifest:
    segments: list[str] = field(default_factory=list)
    applied_change: int = 0
    complete: bool = False


def _read_manifest(root: Path) -> Manifest | None:
    """The manifest, or None when there is none usable (never written, or another format)."""
    try:
        data = json.loads((root / MANIFEST_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if data.get("format") != VECTOR_FORMAT:
        return None
    return Manifest(list(data["segments"]), int(data["applied_change"]), bool(data["complete"]))


def _write_manifest(root: Path, manifest: Manifest) -> None:
    write_atomically(root / MANIFEST_FILE, json.dumps(
        {"format": VECTOR_FORMAT, "segments": manifest.segments,
         "applied_change": manifest.applied_change, "complete": manifest.complete}) + "\n")


class VectorSet:
    """The live vectors of one manifest: each statement's latest entry and its rows."""

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
        # per segment: its matrix, where each entry's rows start, and the statement number of
        # each entry (-1 where a later entry replaced it)
        self._parts = []
        for number, (matrix, entries) in enumerate(segments):
            starts, owners, row = [], [], 0
            for position, (statement_id, digest, rows) in enumerate(entries):
                if rows:
                    current = latest[statement_id][:2] == (number, position) and digest
                    starts.append(row)
                    owners.append(number_of[statement_id] if current else -1)
                row += rows
            if starts and any(owner >= 0 for owner in owners):
                self._parts.append((matrix, np.array(starts, dtype=np.int64),
                                    np.array(owners, dtype=np.int64)))

    def position(self, statement_id: str) -> int | None:
        """Where a statement stands in ``statement_ids`` (and in ``best_similarities``); None
        for a statement without vectors."""
        return self._numbers.get(statement_id)

    @property
    def rows(self) -> int:
        return sum(int(matrix.shape[0]) for matrix, _s, _o in self._parts)

    def best_similarities(self, query: np.ndarray) -> np.ndarray:
        """Per statement (in ``statement_ids`` order), its best sentence's cosine similarity to
        the query vector (-1 for a statement without vectors)."""
        best = np.full(len(self.statement_ids), -1.0, dtype=np.float32)
        for matrix, starts, owners in self._parts:
            scores = matrix @ query
            per_entry = np.maximum.reduceat(scores, starts)
            live = owners >= 0
            best[owners[live]] = np.maximum(best[owners[live]], per_entry[live])
        return best


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
    keep = set(manifest.segments)
    for path in root.glob("seg-*"):
        if path.name.split(".")[0] not in keep:
            path.unlink(missing_ok=True)


def sync_vectors(store: ArchiveStore, data_dir: Path, *, fresh: bool = False,
                 progress: Callable[[int, int], None] | None = None,
                 lock_timeout: float | None = None) -> int:
    """Encode every active statement that has no vectors for its current text, and drop those
    of statements that left the archive (``fresh``: encode everything anew, switching over
    when done). Returns the number of statements encoded; ``progress(done, todo)`` after each
    segment. Raises IndexLockTimeoutError when another process writes the vectors."""
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
        sync_vectors(store, data_dir, lock_timeout=INLINE_LOCK_TIMEOUT)
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

