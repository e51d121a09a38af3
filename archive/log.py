"""The archive's tamper-evident log: one entry for every change of what the archive says, in
canonical bytes, each the leaf of an RFC 9162 Merkle tree (``archive.merkle``).

An entry is canonical JSON (sorted keys, no white space between tokens, UTF-8) of one of:

- ``{"type": "person", "person": {…}}`` — a person added or changed (``Person.to_dict``);
- ``{"type": "source", "source": {…}}`` — a source added or changed (``Source.to_dict``);
- ``{"type": "revision", "statement_id", "revision", "text_sha256", "content": {…},
  "reason", "created_at"}`` — a new statement (revision 1, which also carries the statement's
  ``statement_created_at``) or a correction; ``content`` is ``StatementContent.to_dict``
  without the text, whose SHA-256 of the canonical (NFC) form stands for it;
- ``{"type": "withdrawal", "statement_id", "reason", "withdrawn_at"}``.

Fields at their default value are left out of ``person``, ``source`` and ``content``, so a
field added to the records later does not change the entries written before it. The head of
the log (size, root, time) is the checkpoint a reader keeps; later heads are proven to extend
it with a consistency proof. This module builds entries, heads and proofs, and checks the JSON
answers of the API against a checkpoint; the store (``archive.store``) keeps the entries.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from archive.dates import now_utc
from archive.merkle import (
    MerkleTree,
    hash_leaf,
    verify_consistency,
    verify_inclusion,
)
from archive.records import (
    InvalidRecordError,
    Person,
    Source,
    Statement,
    StatementContent,
    hash_text,
)

if TYPE_CHECKING:
    from archive.store import ArchiveStore

ENTRY_TYPES = ("person", "source", "revision", "withdrawal")
_BLANK_PERSON = Person("", "").to_dict()
_BLANK_SOURCE = Source("", "").to_dict()
_BLANK_CONTENT = StatementContent("", "").to_dict()


class LogError(ValueError):
    """A checkpoint or proof cannot be read, or does not prove what it should; the message
    says which."""


def _without_defaults(data: dict, blank: dict) -> dict:
    return {name: value for name, value in data.items()
            if name not in blank or value != blank[name]}


def person_entry(person: Person) -> dict:
    return {"type": "person", "person": _without_defaults(person.to_dict(), _BLANK_PERSON)}


def source_entry(source: Source) -> dict:
    return {"type": "source", "source": _without_defaults(source.to_dict(), _BLANK_SOURCE)}


def revision_entry(statement_id: str, revision: int, content: StatementContent | dict,
                   text_sha256: str, reason: str, created_at: str,
                   statement_created_at: str) -> dict:
    """``content`` is the revision's content or its ``to_dict()`` (the text may be left out)."""
    if isinstance(content, StatementContent):
        content = content.to_dict()
    data = _without_defaults(content, _BLANK_CONTENT)
    data.pop("text", None)
    entry = {"type": "revision", "statement_id": statement_id, "revision": revision,
             "text_sha256": text_sha256, "content": data, "reason": reason,
             "created_at": created_at}
    if revision == 1:
        entry["statement_created_at"] = statement_created_at
    return entry


def withdrawal_entry(statement_id: str, reason: str, withdrawn_at: str) -> dict:
    return {"type": "withdrawal", "statement_id": statement_id, "reason": reason,
            "withdrawn_at": withdrawn_at}


def statement_entries(statement: Statement, digests: list[str]) -> list[dict]:
    """A stored statement's entries (``digests``: its revisions' text hashes): its revisions
    in order, then its withdrawal."""
    entries = [revision_entry(statement.statement_id, revision.revision, revision.content,
                              digest, revision.reason, revision.created_at,
                              statement.created_at)
               for revision, digest in zip(statement.revisions, digests, strict=True)]
    if statement.is_withdrawn:
        entries.append(withdrawal_entry(statement.statement_id, statement.withdrawn_reason,
                                        statement.withdrawn_at))
    return entries


def encode_entry(entry: dict) -> str:
    """The canonical JSON text of an entry; its UTF-8 bytes are the leaf."""
    text = json.dumps(entry, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as error:
        raise InvalidRecordError(f"{describe_entry(entry)}: text that is not valid Unicode"
                                 f" ({error.reason})") from None
    return text


def leaf_of(entry_text: str) -> bytes:
    return hash_leaf(entry_text.encode("utf-8"))


def entry_key(entry: dict) -> tuple[str, str, int]:
    """(type, subject, revision): what the entry is about, as the log table indexes it."""
    kind = entry["type"]
    if kind == "person":
        return kind, entry["person"]["person_id"], 0
    if kind == "source":
        return kind, entry["source"]["source_id"], 0
    return kind, entry["statement_id"], entry.get("revision", 0)


def describe_entry(entry: dict) -> str:
    kind, subject, revision = entry_key(entry)
    if kind == "revision":
        return f"statement {subject} revision {revision}"
    if kind == "withdrawal":
        return f"withdrawal of {subject}"
    return f"{kind} {subject}"


@dataclass(frozen=True)
class LogHead:
    """A checkpoint: the number of entries, the tree head over them, and when it was read."""

    size: int
    root: str
    at: str

    def to_dict(self) -> dict:
        return {"size": self.size, "root": self.root, "at": self.at}


# A process keeps one tree per archive and extends it as the log grows: entries are
# never changed, so a head or a proof costs a few hashes instead of a pass over the log.
_trees: dict[str, MerkleTree] = {}
_trees_lock = threading.Lock()


def current_tree(store: ArchiveStore) -> MerkleTree:
    """The tree of every entry in ``store``'s log, kept between calls in this process."""
    key = store.location
    with _trees_lock:
        size = store.log_size()
        tree = _trees.get(key)
        if tree is not None and (tree.size > size or (
                tree.size and store.log_leaf_hash(tree.size - 1) != tree.leaf(tree.size - 1))):
            tree = None  # another archive at the same path (restored, replaced)
        if tree is None:
            tree = MerkleTree()
        for leaf in store.log_leaf_hashes(tree.size, size):
            tree.append(leaf)
        _trees[key] = tree
        return tree


def read_head(store: ArchiveStore) -> LogHead:
    with store.read_snapshot():
        tree = current_tree(store)
    return LogHead(tree.size, tree.root().hex(), now_utc())


def statement_proof(store: ArchiveStore, statement_id: str) -> dict:
    """The log entries of a statement (its revisions, and its withdrawal if any) with their
    inclusion proofs against the current head."""
    with store.read_snapshot():
        tree = current_tree(store)
        rows = store.log_entries_about(statement_id, tree.size)
    head = LogHead(tree.size, tree.root().hex(), now_utc())
    entries = []
    for index, text in rows:
        entry = json.loads(text)
        entries.append({"index": index, "type": entry["type"], "revision": entry.get("revision"),
                        "entry": text, "leaf_hash": tree.leaf(index).hex(),
                        "inclusion_proof": [node.hex() for node in tree.inclusion_proof(index)]})
    return {"statement_id": statement_id, "head": head.to_dict(), "entries": entries}


def consistency(store: ArchiveStore, first: int, second: int | None = None) -> dict:
    """The consistency proof from the log at ``first`` entries to ``second`` (default: now).
    Raises ProofError for sizes the log cannot prove."""
    with store.read_snapshot():
        tree = current_tree(store)
        second = tree.size if second is None else second
        proof = tree.consistency_proof(first, second)
        return {"first": first, "second": second, "first_root": tree.root(first).hex(),
                "second_root": tree.root(second).hex(), "proof": [node.hex() for node in proof]}


# -- checking the API's answers against a checkpoint: needs only the JSON ------------------

def _hash_value(value, name: str) -> bytes:
    try:
        digest = bytes.fromhex(value)
    except (TypeError, ValueError):
        raise LogError(f"{name}: not a hex SHA-256") from None
    if len(digest) != 32:
        raise LogError(f"{name}: not a hex SHA-256")
    return digest


def _size_value(value, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise LogError(f"{name}: not a log size")
    return value


def parse_head(data, name: str = "checkpoint") -> LogHead:
    if not isinstance(data, dict):
        raise LogError(f"{name}: expected {{\"size\", \"root\", \"at\"}}")
    size = _size_value(data.get("size"), f"{name} size")
    _hash_value(data.get("root"), f"{name} root")
    return LogHead(size, data["root"].lower(), str(data.get("at") or ""))


def read_json_file(path: Path, name: str):
    try:
        return json.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as error:
        raise LogError(f"cannot read {name} {path}: {error.strerror or error}") from None
    except ValueError as error:
        raise LogError(f"{name} {path} is not JSON ({error})") from None


def check_extends(checkpoint: LogHead, head: LogHead, consistency_answer: dict | None) -> str:
    """Prove that ``head`` extends ``checkpoint`` with the consistency proof the API gave;
    returns a line saying what was proven, raises LogError otherwise."""
    if head.size < checkpoint.size:
        raise LogError(f"the log has {head.size} entries, fewer than the checkpoint's"
                       f" {checkpoint.size}: history was removed")
    if head.size == checkpoint.size:
        if head.root != checkpoint.root:
            raise LogError(f"the log at {head.size} entries has root {head.root},"
                           f" the checkpoint {checkpoint.root}: history was rewritten")
        return f"the head is the checkpoint ({head.size} entries)"
    if checkpoint.size == 0:
        return f"every log extends an empty checkpoint ({head.size} entries now)"
    if not isinstance(consistency_answer, dict):
        raise LogError(f"a consistency proof from {checkpoint.size} to {head.size} entries"
                       " is needed (GET /api/log/consistency)")
    if (consistency_answer.get("first"), consistency_answer.get("second")) != (
            checkpoint.size, head.size):
        raise LogError(f"the consistency proof is not from {checkpoint.size} to {head.size}"
                       " entries")
    proof = consistency_answer.get("proof")
    if not isinstance(proof, list):
        raise LogError("consistency proof: no list of hashes")
    nodes = [_hash_value(node, "consistency proof") for node in proof]
    if not verify_consistency(checkpoint.size, head.size, bytes.fromhex(checkpoint.root),
                              bytes.fromhex(head.root), nodes):
        raise LogError(f"the log at {head.size} entries does not extend the checkpoint at"
                       f" {checkpoint.size}: history before the checkpoint was rewritten")
    return f"the log at {head.size} entries extends the checkpoint at {checkpoint.size}"


def verify_statement_proof(proof_answer, checkpoint: LogHead,
                           consistency_answer: dict | None = None,
                           text: str | None = None) -> list[str]:
    """Check a statement's proof (GET /api/statements/ID/proof): every entry is in the log
    whose head it names, that head extends ``checkpoint``, and, when ``text`` is given, a
    revision's hash is that of the text. One line per fact proven; raises LogError."""
    if not isinstance(proof_answer, dict) or not isinstance(proof_answer.get("entries"), list):
        raise LogError("proof: expected the answer of GET /api/statements/ID/proof")
    head = parse_head(proof_answer.get("head"), "proof head")
    lines = [check_extends(checkpoint, head, consistency_answer)]
    root = bytes.fromhex(head.root)
    hashes = set()
    for item in proof_answer["entries"]:
        if not isinstance(item, dict) or not isinstance(item.get("entry"), str):
            raise LogError("proof: an entry without its text")
        index = _size_value(item.get("index"), "entry index")
        path = item.get("inclusion_proof")
        if not isinstance(path, list):
            raise LogError(f"entry {index}: no inclusion proof")
        nodes = [_hash_value(node, f"entry {index} inclusion proof") for node in path]
        try:
            entry = json.loads(item["entry"])
            label = describe_entry(entry)
        except (ValueError, KeyError, TypeError, AttributeError):
            raise LogError(f"entry {index}: not a log entry") from None
        if entry.get("statement_id") != proof_answer.get("statement_id"):
            raise LogError(f"entry {index} is about {label}, not {proof_answer.get('statement_id')}")
        if not verify_inclusion(leaf_of(item["entry"]), index, head.size, nodes, root):
            raise LogError(f"entry {index} ({label}) is not in the log at {head.size} entries")
        lines.append(f"entry {index} ({label}) is in the log at {head.size} entries")
        if entry.get("text_sha256"):
            hashes.add(entry["text_sha256"])
    if text is not None:
        digest = hash_text(text)
        if digest not in hashes:
            raise LogError(f"the text hashes to {digest}, which no revision in the proof has")
        lines.append(f"the text is that of a logged revision (SHA-256 {digest})")
    return lines

