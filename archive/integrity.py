"""Checks that the stored archive is what was written: hashes and references; and notices
of statements whose words are known to be incomplete."""

from __future__ import annotations

from archive.cite import TRUNCATED_NOTE
from archive.store import Store


def check_archive(store: Store) -> tuple[list[str], list[str]]:
    """(problems, notices). A problem is a revision whose text no longer matches its SHA-256
    or a link (reply, report, translation) to a missing statement. A notice is an active
    statement marked ``text_truncated``: not a fault of the archive (the record says what it
    is), but words to complete from a fuller export."""
    problems = store.find_hash_mismatches()
    notices = []
    for statement in store.iter_statements():
        content = statement.content
        for name in ("in_reply_to", "reported_by", "translation_of"):
            target = getattr(content, name)
            if target and not store.has_statement(target):
                problems.append(f"{statement.statement_id}: {name} points to missing {target}")
        if content.text_truncated and not statement.is_withdrawn:
            post = f" ({content.platform} {content.platform_id})" if content.platform_id else ""
            notices.append(f"{statement.statement_id}{post}: {TRUNCATED_NOTE}")
    return problems, notices


def verify_archive(store: Store) -> list[str]:
    """The problems of ``check_archive``."""
    return check_archive(store)[0]
