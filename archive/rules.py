"""The archive's domain rules, above any store: what a new statement, a revision and a
withdrawal must be, how an import matches a record with what is stored, and which changes
to stored statements need the operator's allowance.

Every ``ArchiveStore`` checks its writes with these functions — the single writes
(``add_statement``, ``revise_statement``, ``withdraw_statement``) and the bulk writes of
import and restore (``insert_statements``, ``append_revisions``) alike — and raises the
``InvalidRecordError`` they raise before it stores anything.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, fields, replace

from archive.records import (
    InvalidRecordError,
    Revision,
    Statement,
    StatementContent,
    canonical_text,
    hash_text,
)
from archive.store import ArchiveStore, StatementNotFoundError

REFERENCES = ("in_reply_to", "reported_by", "translation_of")
# The changes to stored statements an import makes only when the operator allows them.
ALLOWED_CHANGES = ("speaker-change", "backdated-revision", "withdrawal")


# -- writes ------------------------------------------------------------------------------

def check_new_statements(statements: Sequence[Statement], taken: Iterable[str]) -> None:
    """New statements are whole: IDs new (not ``taken``, not twice), revisions numbered from
    1, each valid and with a reason, hashes (when given) those of the texts, a known status."""
    ids = [statement.statement_id for statement in statements]
    if len(set(ids)) != len(ids):
        raise InvalidRecordError("statement_id: the same ID twice in one batch")
    taken = set(taken)
    if taken:
        raise InvalidRecordError(f"statement_id: {min(taken)} is already taken")
    for statement in statements:
        numbers = [revision.revision for revision in statement.revisions]
        if numbers != list(range(1, len(numbers) + 1)):
            raise InvalidRecordError(
                f"{statement.statement_id}: revisions must be numbered 1, 2, 3, ...")
        for revision in statement.revisions:
            revision.content.validate()
            if not revision.reason.strip():
                raise InvalidRecordError(
                    f"{statement.statement_id}@{revision.revision}: a revision needs a reason")
            check_text_hash(statement.statement_id, revision)
        if statement.status not in ("active", "withdrawn"):
            raise InvalidRecordError(f"{statement.statement_id}: unknown status")


def check_text_hash(statement_id: str, revision: Revision) -> str:
    """The SHA-256 of the revision's canonical text, which its ``text_sha256`` (when given)
    must be."""
    digest = hash_text(canonical_text(revision.content.text))
    if revision.text_sha256 and revision.text_sha256 != digest:
        raise InvalidRecordError(
            f"{statement_id}@{revision.revision}: text_sha256 does not match the text")
    return digest


def changes_nothing(current: StatementContent, content: StatementContent) -> bool:
    """Whether a revision with ``content`` would say exactly what ``current`` says."""
    return current == content.with_changes(text=canonical_text(content.text))


def check_revisions(current: dict[str, Statement], additions: Sequence[tuple[str, Revision]],
                    now: str) -> list[tuple[str, Revision]]:
    """The additions numbered on from their statements (``current``: the stored ones, at
    their current revision), dated ``now`` where they have no time. A revision is refused
    for a statement that is not stored or is withdrawn, without a reason, with invalid
    content, or when it changes nothing against the revision before it."""
    numbers: dict[str, int] = {}
    latest: dict[str, StatementContent] = {}
    numbered = []
    for statement_id, revision in additions:
        stored = current.get(statement_id)
        if stored is None:
            raise StatementNotFoundError(statement_id)
        if stored.is_withdrawn:
            raise InvalidRecordError(f"{statement_id} is withdrawn and cannot be revised")
        if not revision.reason.strip():
            raise InvalidRecordError(f"{statement_id}: a revision needs a reason")
        content = revision.content.validate()
        if changes_nothing(latest.get(statement_id, stored.content), content):
            raise InvalidRecordError(f"{statement_id}: the revision changes nothing")
        latest[statement_id] = content
        numbers[statement_id] = numbers.get(statement_id, stored.revisions[-1].revision) + 1
        numbered.append((statement_id, Revision(numbers[statement_id], content, "",
                                                revision.reason, revision.created_at or now)))
    return numbered


def check_withdrawal(current: Statement, reason: str) -> None:
    """A withdrawal needs a reason, and a statement is withdrawn once. What it does: the
    statement keeps its ID and every revision, answers with the reason, and leaves search."""
    if not reason.strip():
        raise InvalidRecordError(f"{current.statement_id}: a withdrawal needs a reason")
    if current.is_withdrawn:
        raise InvalidRecordError(f"{current.statement_id} is already withdrawn")


def check_references(store: ArchiveStore, items: Sequence[tuple[str, StatementContent]],
                     new_ids: Iterable[str] = ()) -> None:
    """Every speaker, source and link target (reply, report, translation) of the contents is
    stored, or, for link targets, among ``new_ids`` (written in the same call); no statement
    points to itself."""
    new_ids = set(new_ids)
    people, sources = store.person_ids(), store.source_ids()
    targets = {getattr(content, name) for _, content in items for name in REFERENCES}
    targets -= {""} | new_ids
    known = new_ids | set(store.existing_statement_ids(sorted(targets)))
    for statement_id, content in items:
        if content.person_id not in people:
            raise InvalidRecordError(
                f"{statement_id}: speaker: no person {content.person_id!r} in the archive")
        for name in REFERENCES:
            target = getattr(content, name)
            if target == statement_id:
                raise InvalidRecordError(f"{statement_id}: {name}: a statement cannot point to"
                                         " itself")
            if target and target not in known:
                raise InvalidRecordError(
                    f"{statement_id}: {name}: no statement {target!r} in the archive")
        for ref in content.sources:
            if ref.source_id not in sources:
                raise InvalidRecordError(
                    f"{statement_id}: sources: no source {ref.source_id!r} in the archive")


def new_records(records: Sequence, key: str, stored: Iterable[str]) -> list:
    """The people or sources to add in bulk: those whose ``key`` is neither stored nor taken
    by an earlier one of the list (stored ones are left as they are)."""
    new, seen = [], set(stored)
    for record in records:
        if getattr(record, key) not in seen:
            seen.add(getattr(record, key))
            new.append(record)
    return new


# -- imports: matching a record with what is stored --------------------------------------

def comparable(content: StatementContent) -> StatementContent:
    """What an import compares: the canonical text and every field but the sources (an
    import adds its source, never drops one)."""
    return replace(content, text=canonical_text(content.text), sources=())


def match_key(content: StatementContent) -> tuple[str, str, str]:
    """What a record is matched by: platform and platform ID, or, without a platform ID,
    speaker and text hash."""
    if content.platform_id:
        return ("platform", content.platform, content.platform_id)
    return ("hash", content.person_id, hash_text(content.text))


def fingerprint(content: StatementContent) -> int:
    """What makes two records of one key the same statement, as a 64-bit hash (for this
    process only: it is never stored)."""
    return hash(comparable(content))


def changed_fields(old: StatementContent, new: StatementContent) -> list[str]:
    """The fields that differ, sources aside (an import adds its source, never drops one)."""
    return [f.name for f in fields(StatementContent) if f.name != "sources" and (
        (canonical_text(old.text) != canonical_text(new.text)) if f.name == "text"
        else getattr(old, f.name) != getattr(new, f.name))]


def keep_whole_text(stored: StatementContent, new: StatementContent) -> StatementContent:
    """``new``, but with the stored words when ``new`` is marked truncated and the stored text
    is whole and begins with the words ``new`` shows before its cut: an export that lacks a
    long post's whole text never replaces the whole text already archived."""
    if not new.text_truncated or stored.text_truncated:
        return new
    visible = canonical_text(new.text.rsplit("…", 1)[0]).rstrip()
    if not canonical_text(stored.text).startswith(visible):
        return new
    return replace(new, text=stored.text, display_text=stored.display_text, text_truncated=False)


def revision_reason(title: str, old: StatementContent, new: StatementContent) -> str:
    """The reason of a revision an import of ``title`` makes."""
    names = changed_fields(old, new)
    if old.text_truncated and not new.text_truncated and "text" in names:
        return (f"re-imported from {title}: the whole text, which the earlier export had cut"
                f" ({', '.join(names)} changed)")
    return f"re-imported from {title}: {', '.join(names)} changed"


@dataclass(frozen=True)
class Rematch:
    """What an import does to a stored statement it matched: ``outcome`` is "unchanged",
    "withdrawn" (left alone), "refused" (``refusal`` says why) or "revised" (``revisions``,
    unnumbered, to append)."""

    outcome: str
    revisions: tuple[Revision, ...] = ()
    refusal: str = ""


def rematch(current: Statement, versions: Sequence[tuple[StatementContent, str]], title: str,
            now: str, allow: Iterable[str] = ()) -> Rematch:
    """Match a record's versions (oldest first) with the stored statement. Unchanged when its
    latest version is the stored one; else the versions after the last one stored (or the
    latest, when none is) become revisions, keeping every stored source; a version that
    repeats the one before it adds none."""
    versions = [(keep_whole_text(current.content, content), reason) for content, reason in versions]
    stored = comparable(current.content)
    matches = [index for index, (content, _) in enumerate(versions)
               if comparable(content) == stored]
    if matches and matches[-1] == len(versions) - 1:
        return Rematch("unchanged")
    if current.is_withdrawn:
        return Rematch("withdrawn")
    if matches:
        pending = versions[matches[-1] + 1:]
    else:
        content = versions[-1][0]
        pending = [(content, revision_reason(title, current.content, content))]
    sources = current.content.sources
    revisions: list[Revision] = []
    latest = current.content
    for content, reason in pending:
        merged = replace(content, sources=sources + tuple(
            ref for ref in content.sources if ref not in sources))
        if not changes_nothing(latest, merged):  # a version repeated: no revision of its own
            revisions.append(Revision(0, merged, "", reason or f"changed in {title}", now))
            latest = merged
    refusal = refused_speaker_change(current, revisions, allow)
    if refusal:
        return Rematch("refused", refusal=refusal)
    return Rematch("revised", tuple(revisions))


# -- imports: changes that need the operator's allowance ---------------------------------

def refused_speaker_change(stored: Statement, added: Sequence[Revision],
                           allow: Iterable[str]) -> str:
    """Why revisions that name another speaker are refused without ``speaker-change``; ''
    when they are not."""
    speakers = {revision.content.person_id for revision in added} - {stored.content.person_id}
    if not speakers or "speaker-change" in allow:
        return ""
    return (f"{stored.statement_id} is stored as said by {stored.content.person_id}; this record"
            f" names {sorted(speakers)[0]}. A change of speaker is refused (import with --allow"
            " speaker-change to make it a revision)")


def refused_change(stored: Statement, incoming: Statement, allow: Iterable[str]) -> str:
    """Why the revisions (or the withdrawal) an export adds to a stored statement are refused
    without the operator's ``--allow``; '' when they are not."""
    allow = frozenset(allow)
    added = incoming.revisions[len(stored.revisions):]
    refusal = refused_speaker_change(stored, added, allow)
    if refusal:
        return refusal
    latest = stored.revisions[-1].created_at
    if "backdated-revision" not in allow and any(revision.created_at < latest for revision in added):
        return (f"{stored.statement_id}: the export adds a revision dated before the latest stored"
                f" one ({latest}); refused (import with --allow backdated-revision)")
    if incoming.is_withdrawn and "withdrawal" not in allow:
        return (f"{stored.statement_id}: the export withdraws a stored statement; refused"
                " (import with --allow withdrawal)")
    return ""


def same_statement(stored: Statement, incoming: Statement) -> bool:
    """Whether an exported statement is the stored one, times and all."""
    return (stored.status, stored.created_at, stored.withdrawn_reason, stored.withdrawn_at,
            stored.revisions) == (incoming.status, incoming.created_at, incoming.withdrawn_reason,
                                  incoming.withdrawn_at, incoming.revisions)


def same_but_times(stored: Statement, incoming: Statement) -> bool:
    """The same words, metadata, reasons and status, archived at other times — as when
    both archives loaded the seed collection on their own first start."""
    def strip(statement: Statement) -> tuple:
        return (statement.status, statement.withdrawn_reason,
                tuple((r.revision, r.content, r.text_sha256, r.reason) for r in statement.revisions))
    return strip(stored) == strip(incoming)


def continues(stored: Statement, incoming: Statement) -> bool:
    """Whether an exported statement is the stored one with more revisions (or withdrawn
    since): what a restore may add to a stored statement."""
    prefix = len(stored.revisions)
    return (stored.created_at == incoming.created_at and not stored.is_withdrawn
            and incoming.revisions[:prefix] == stored.revisions
            and len(incoming.revisions) >= prefix)
