"""Checks that the stored archive is what was written: hashes and references."""

from __future__ import annotations

from archive.store import Store


def verify_archive(store: Store) -> list[str]:
    """One line per problem: a revision whose text no longer matches its
    SHA-256, or a link (reply, report, translation) to a missing statement."""
    problems = store.find_hash_mismatches()
    for statement in store.iter_statements():
        for name in ("in_reply_to", "reported_by", "translation_of"):
            target = getattr(statement.content, name)
            if target and not store.has_statement(target):
                problems.append(f"{statement.statement_id}: {name} points to missing {target}")
    return problems
