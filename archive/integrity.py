"""Checks that the stored archive is what was written: hashes, references, and the log; and
notices of statements whose words are known to be incomplete.

The log check recomputes every entry from the stored records and every leaf from its entry,
so a record changed in the database file without the log (or the log without its record)
is found; ``check_checkpoint`` proves that the log still extends a head kept earlier, which
finds a rewrite of history even when every hash in the file was recomputed.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from archive.cite import TRUNCATED_NOTE
from archive.log import (
    LogHead,
    check_extends,
    describe_entry,
    encode_entry,
    entry_key,
    leaf_of,
    person_entry,
    revision_entry,
    source_entry,
    withdrawal_entry,
)
from archive.merkle import MerkleTree
from archive.records import hash_text
from archive.store import ArchiveStore

_UNLOGGED = float("inf")  # sorts problems without a log entry after those with one


def verify_archive(store: ArchiveStore) -> list[str]:
    """One line per problem: a revision whose text no longer matches its SHA-256, a statement
    whose revisions are not whole, a link (reply, report, translation) to a missing statement,
    or a record that differs from its log entry (these by entry, the first bad one first)."""
    problems = store.find_hash_mismatches()
    problems += store.find_broken_statements()
    problems += store.find_broken_links()
    problems += [problem for _, problem in find_log_problems(store)]
    return problems


def find_truncated_notices(store: ArchiveStore) -> list[str]:
    """One line per active statement marked ``text_truncated``: not a fault of the archive (the
    record says what it is), but words to complete from a fuller export."""
    notices = []
    for statement in store.iter_statements(include_withdrawn=False):
        content = statement.content
        if content.text_truncated:
            post = f" ({content.platform} {content.platform_id})" if content.platform_id else ""
            notices.append(f"{statement.statement_id}{post}: {TRUNCATED_NOTE}")
    return notices


def check_archive(store: ArchiveStore) -> tuple[list[str], list[str]]:
    """(problems, notices): ``verify_archive``, and ``find_truncated_notices`` for an archive
    without problems (a broken statement cannot be read whole)."""
    problems = verify_archive(store)
    return problems, [] if problems else find_truncated_notices(store)


@dataclass
class _Replay:
    """What the log says the archive holds: the last entry about each person and source,
    and each statement's revisions and withdrawal, as (entry index, leaf hash)."""

    people: dict[str, tuple[int, bytes]] = field(default_factory=dict)
    sources: dict[str, tuple[int, bytes]] = field(default_factory=dict)
    revisions: dict[tuple[str, int], tuple[int, bytes]] = field(default_factory=dict)
    withdrawals: dict[str, tuple[int, bytes]] = field(default_factory=dict)
    labels: dict[int, str] = field(default_factory=dict)


def find_log_problems(store: ArchiveStore) -> list[tuple[float, str]]:
    """(entry index, problem) for every log entry that is not the leaf it claims, is out of
    order, or differs from the stored record it describes; sorted by entry."""
    problems: list[tuple[float, str]] = []
    replay = _replay_log(store, problems)

    def compare(logged: tuple[int, bytes] | None, expected: dict, what: str) -> None:
        if logged is None:
            problems.append((_UNLOGGED, f"{what} is stored but not in the log"))
        elif logged[1] != leaf_of(encode_entry(expected)):
            problems.append((logged[0], f"log entry {logged[0]} ({replay.labels[logged[0]]}):"
                                        f" the stored {what} differs from its entry"))

    for person, _ in store.list_people():
        compare(replay.people.pop(person.person_id, None), person_entry(person),
                f"person {person.person_id}")
    for source in store.list_sources():
        compare(replay.sources.pop(source.source_id, None), source_entry(source),
                f"source {source.source_id}")
    for row in store.iter_revision_rows():
        statement_id, number, text, content_json, reason, created_at, statement_created_at = row
        what = f"statement {statement_id} revision {number}"
        logged = replay.revisions.pop((statement_id, number), None)
        try:
            content = json.loads(content_json)  # as stored: content.to_dict() without the text
            if not isinstance(content, dict):
                raise ValueError("not an object")
        except ValueError as error:
            problems.append((logged[0] if logged else _UNLOGGED,
                             f"{what}: the stored metadata cannot be read ({error})"))
            continue
        compare(logged, revision_entry(statement_id, number, content, hash_text(text), reason,
                                       created_at, statement_created_at or ""), what)
    for statement_id, status, reason, withdrawn_at in store.iter_statement_states():
        logged = replay.withdrawals.pop(statement_id, None)
        if status == "withdrawn" or logged is not None:
            if status != "withdrawn":
                problems.append((logged[0], f"log entry {logged[0]} (withdrawal of"
                                            f" {statement_id}): the stored statement is active"))
                continue
            compare(logged, withdrawal_entry(statement_id, reason, withdrawn_at),
                    f"withdrawal of {statement_id}")
    for kind, left in (("person", replay.people), ("source", replay.sources),
                       ("revision", replay.revisions), ("withdrawal", replay.withdrawals)):
        for index, _ in left.values():
            problems.append((index, f"log entry {index} ({replay.labels[index]}): no such"
                                    f" {'record' if kind in ('person', 'source') else kind}"
                                    " in the archive"))
    problems.sort(key=lambda item: item[0])
    return problems


def _replay_log(store: ArchiveStore, problems: list[tuple[float, str]]) -> _Replay:
    replay = _Replay()
    counts: dict[str, int] = {}
    for position, (index, text, leaf) in enumerate(store.iter_log()):
        if index != position:
            problems.append((position, f"log entry {position} is missing (the log jumps to"
                                       f" {index})"))
            break
        if leaf != leaf_of(text):
            problems.append((index, f"log entry {index}: its leaf hash is not the hash of the"
                                    " entry"))
        try:
            entry = json.loads(text)
            label = describe_entry(entry)
        except (ValueError, KeyError, TypeError, AttributeError):
            problems.append((index, f"log entry {index}: not a log entry"))
            continue
        # An entry not in canonical form cannot equal the one recomputed from its record.
        replay.labels[index] = label
        kind, subject, revision = entry_key(entry)
        if kind == "person":
            replay.people[subject] = (index, leaf)
        elif kind == "source":
            replay.sources[subject] = (index, leaf)
        elif kind == "revision":
            if revision != counts.get(subject, 0) + 1 or subject in replay.withdrawals:
                problems.append((index, f"log entry {index} ({label}): out of order (after"
                                        f" revision {counts.get(subject, 0)})"))
            counts[subject] = max(counts.get(subject, 0), revision)
            replay.revisions.setdefault((subject, revision), (index, leaf))
        elif kind == "withdrawal":
            if subject in replay.withdrawals or subject not in counts:
                problems.append((index, f"log entry {index} ({label}): out of order"))
            replay.withdrawals.setdefault(subject, (index, leaf))
        else:
            problems.append((index, f"log entry {index}: unknown type {kind!r}"))
    return replay


def build_tree(store: ArchiveStore) -> MerkleTree:
    """The tree recomputed from the stored entries (not from their stored leaf hashes)."""
    return MerkleTree(leaf_of(text) for _, text, _ in store.iter_log())


def check_checkpoint(store: ArchiveStore, checkpoint: LogHead) -> str:
    """Prove with a consistency proof that the log extends ``checkpoint``; the line says what
    was proven. Raises LogError when it does not."""
    tree = build_tree(store)
    head = LogHead(tree.size, tree.root().hex(), "")
    answer = None
    if 0 < checkpoint.size <= tree.size:
        answer = {"first": checkpoint.size, "second": tree.size,
                  "proof": [node.hex() for node in tree.consistency_proof(checkpoint.size)]}
    return check_extends(checkpoint, head, answer)

