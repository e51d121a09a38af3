"""Keeping the index equal to the archive: follow every commit, rebuild, and report drift.

The archive journals every changed statement ID (``ArchiveStore.changed_since``); the index
records the last journal entry it has applied. Each sync indexes everything changed since
then, so a write that could not be indexed at once (the lock was busy, the process died)
is picked up by the next write, the next start or ``reindex``, and is never lost.
"""

from __future__ import annotations

import logging
import os
import shutil
from collections.abc import Iterable, Iterator
from pathlib import Path

from whoosh.index import FileIndex

from archive.records import Statement
from archive.store import ArchiveStore, StatementNotFoundError
from index.engine import IndexLockTimeoutError
from index.engines.whoosh.directory import IndexDirectory, get_index_directory
from index.engines.whoosh.internals import install_fixes
from index.engines.whoosh.schema import build_document

log = logging.getLogger(__name__)

# A batch at least this big is written by two worker processes (Whoosh's MpWriter).
PARALLEL_BATCH = 5_000
# Postings a writer keeps in memory before it sorts them out to temporary files; each such
# run costs a pickle round trip, so a larger pool halves the indexing time of a big import.
WRITER_MEMORY_MB = 1024


def _load(store: ArchiveStore, statement_ids: set[str], gone: set[str]) -> Iterator[Statement]:
    """The active statements among the IDs, streamed; the IDs that must leave the index
    are added to ``gone`` as they are met (complete once the stream is exhausted)."""
    if len(statement_ids) > 2_000 and len(statement_ids) * 4 >= store.count_statements(
            include_withdrawn=True):
        seen = set()
        for statement in store.iter_statements():
            if statement.statement_id in statement_ids:
                seen.add(statement.statement_id)
                if statement.is_withdrawn:
                    gone.add(statement.statement_id)
                else:
                    yield statement
        gone |= statement_ids - seen
        return
    for statement_id in sorted(statement_ids):
        try:
            statement = store.get_statement(statement_id)
        except StatementNotFoundError:
            gone.add(statement_id)
            continue
        if statement.is_withdrawn:
            gone.add(statement_id)
        else:
            yield statement


def _open_writer(ix: FileIndex, batch_size: int):
    install_fixes()
    if batch_size >= PARALLEL_BATCH and (os.cpu_count() or 1) > 1:
        return ix.writer(procs=2, multisegment=True, batchsize=500,
                         limitmb=WRITER_MEMORY_MB // 2)
    return ix.writer(limitmb=WRITER_MEMORY_MB)


def _write(ix: FileIndex, statements: Iterable[Statement], gone: Iterable[str], *, fresh: bool,
           size: int) -> int:
    """One writer commit for the whole batch (streamed); returns the number written."""
    writer = _open_writer(ix, size)
    count = 0
    try:
        # Replace only what the index holds: update_document would search the index for
        # every new statement first. Statements stream through, so a big import is never
        # held in memory twice.
        with ix.reader() as reader:
            for statement in statements:
                if not fresh and ("statement_id", statement.statement_id) in reader:
                    writer.delete_by_term("statement_id", statement.statement_id)
                writer.add_document(**build_document(statement))
                count += 1
        # after the stream: a streamed load names what left the archive as it goes
        for statement_id in gone:
            writer.delete_by_term("statement_id", statement_id)
        writer.commit()
    except BaseException:
        _abandon(writer)
        raise
    return count


def _abandon(writer) -> None:
    """Let go of a writer that failed (a full disk): Whoosh releases its write lock only on
    a commit or cancel that succeeds, and a lock kept here would block every later write."""
    if getattr(writer, "is_closed", False):
        return
    try:
        writer.cancel()
    except Exception:  # the cancel itself may fail on the same full disk
        if getattr(writer, "writelock", None) is not None:
            writer.writelock.release()
        writer.is_closed = True


def _apply_changes(directory: IndexDirectory, generation: Path, ix: FileIndex, store: ArchiveStore,
                   since: int, extra: Iterable[str] = ()) -> int:
    """Index every statement changed after journal entry ``since``; returns how many."""
    upto = store.last_change()  # read first: a change committed meanwhile is applied next time
    changed = store.changed_since(since) | set(extra)
    if changed:
        gone: set[str] = set()
        _write(ix, _load(store, changed, gone), gone, fresh=False, size=len(changed))
    directory.record_applied_change(generation, upto)
    return len(changed)


def _rebuild_locked(directory: IndexDirectory, store: ArchiveStore) -> int:
    generation, ix = directory.create_generation()
    try:
        since = store.last_change()
        count = _write(ix, store.iter_statements(include_withdrawn=False), (), fresh=True,
                       size=store.count_statements())
        _apply_changes(directory, generation, ix, store, since)
    except BaseException:
        shutil.rmtree(generation, ignore_errors=True)
        raise
    directory.publish(generation)
    return count


def rebuild(store: ArchiveStore, data_dir: Path) -> int:
    """Build a fresh index of the archive's active statements and switch to it; returns
    the number indexed. Searches keep using the old index until the new one is complete."""
    directory = get_index_directory(data_dir)
    with directory.write_lock():
        return _rebuild_locked(directory, store)


def sync_index(store: ArchiveStore, data_dir: Path, extra: Iterable[str] = (), *,
               lock_timeout: float | None = None) -> int:
    """Bring the index up to the archive: build it if there is none, else index every
    change it has not applied yet. Returns the number of statements (re)indexed."""
    directory = get_index_directory(data_dir)
    with directory.write_lock(lock_timeout):
        live = directory.live_generation()
        if live is None:
            return _rebuild_locked(directory, store)
        generation, ix = live
        return _apply_changes(directory, generation, ix, store, directory.applied_change(), extra)


def index_statements(store: ArchiveStore, statement_ids: Iterable[str], data_dir: Path) -> int:
    """Index (or re-index, or drop when withdrawn or gone) these statements, with any other
    change the index has not applied yet, in one writer commit."""
    return sync_index(store, data_dir, statement_ids)


def remove_statement(store: ArchiveStore, statement_id: str, data_dir: Path) -> None:
    """Drop one statement from the index (the archive decides: call after withdrawal)."""
    directory = get_index_directory(data_dir)
    with directory.write_lock():
        live = directory.live_generation()
        if live is not None:
            _write(live[1], [], [statement_id], fresh=False, size=0)


def attach_index(store: ArchiveStore, data_dir: Path) -> None:
    """Make the index follow every commit of this store, and bring it up to date now."""
    if store.readonly:
        return
    data_dir = Path(data_dir)
    if not any(getattr(listener, "index_data_dir", None) == data_dir for listener in store.listeners):
        def follow(changed_store: ArchiveStore, changed: set[str]) -> None:
            try:
                sync_index(changed_store, data_dir, changed)
            except (IndexLockTimeoutError, OSError) as error:
                # The archive has the change and journals it; the next sync indexes it.
                log.warning("search index not updated now (%s); it catches up on the next write,"
                            " start or reindex", error)
            except Exception:
                # The write is committed and journalled: an indexing fault must not report it
                # as failed. verify names the drift and reindex repairs it.
                log.exception("search index not updated after a committed write;"
                              " run: flask --app web reindex")

        follow.index_data_dir = data_dir
        store.listeners.append(follow)
    sync_index(store, data_dir)


def find_index_drift(store: ArchiveStore, data_dir: Path) -> list[str]:
    """One line per difference between the index and the archive's active statements:
    missing from the index, in the index but not active, indexed with another text hash."""
    directory = get_index_directory(data_dir)
    if directory.live_generation() is None:
        return ["index: there is no search index (run: flask --app web reindex)"]
    expected = store.current_hashes()
    found: dict[str, str] = {}
    problems = []
    with directory.searcher() as searcher:
        reader = searcher.reader()
        ids = reader.column_reader("statement_id")
        hashes = reader.column_reader("text_hash")
        for docnum in reader.all_doc_ids():
            statement_id = ids[docnum].decode("ascii") if isinstance(ids[docnum], bytes) else ids[docnum]
            digest = hashes[docnum].decode("ascii")
            if statement_id in found:
                problems.append(f"index: {statement_id} is indexed more than once")
            found[statement_id] = digest
    for statement_id in sorted(expected.keys() - found.keys()):
        problems.append(f"index: {statement_id} is missing from the search index")
    for statement_id in sorted(found.keys() - expected.keys()):
        problems.append(f"index: {statement_id} is in the search index but not an active statement")
    for statement_id in sorted(expected.keys() & found.keys()):
        if expected[statement_id] != found[statement_id]:
            problems.append(f"index: {statement_id} is indexed with an old text"
                            f" (hash {found[statement_id][:12]}…, archive {expected[statement_id][:12]}…)")
    return problems


def prepare_store_index(store: ArchiveStore, data_dir: Path, *, lock_timeout: float = 5.0) -> None:
    """At start: build the index if there is none (an existing archive works at once), or
    apply changes it missed. If another process is writing the index, leave it to them."""
    try:
        sync_index(store, data_dir, lock_timeout=lock_timeout)
    except IndexLockTimeoutError:
        log.info("search index busy at start; the writing process keeps it current")
    except OSError as error:
        # A read-only or full data directory: searches use the index as it is, and
        # the next write, start or reindex that can write brings it up to date.
        log.warning("search index not brought up to date at start (%s)", error)
