"""The JSON shapes of the API, defined once: a search page, a statement, a speaker, a quote check.

HTML pages render from the same objects, and their ``.json`` twins answer
with exactly these payloads, so the two can be compared key by key.
"""

from __future__ import annotations

from flask import url_for

from archive.records import Person, Statement
from archive.rules import REFERENCES
from index.quote_check import Coverage, QuoteCheck, QuoteMatch
from index.results import FACETS, SearchPage
from web.contexts import StatementContext
from web.hosts import absolute_url


def permalink(statement_id: str, locator: str = "") -> str:
    reference = f"{statement_id}/{locator}" if locator else statement_id
    return absolute_url(url_for("pages.statement", reference=reference))


def speaker_url(person_id: str) -> str:
    """The absolute URL of a speaker's page."""
    return absolute_url(url_for("pages.speaker", person_id=person_id))


def speaker_brief(person: Person) -> dict:
    return {"person_id": person.person_id, "name": person.name, "handles": list(person.handles),
            "unnamed": person.unnamed}


def statement_facts(statement: Statement) -> dict:
    """Who, when, what language and kind, where: the fields every list of statements shows."""
    content = statement.content
    return {
        "speaker": speaker_brief(statement.speaker),
        "posted_at": content.posted_at.value or None,
        "date_precision": content.posted_at.precision,
        "date_display": content.posted_at.describe(),
        "lang": content.lang,
        "kind": content.kind,
        "platform": content.platform or None,
        "platform_id": content.platform_id or None,
    }


def build_result_item(statement: Statement, snippet_html: str) -> dict:
    content = statement.content
    return {
        "statement_id": statement.statement_id,
        "url": permalink(statement.statement_id),
        **statement_facts(statement),
        "original_url": content.url or None,
        "text": statement.text,
        "snippet_html": snippet_html,
        "text_truncated": content.text_truncated,
        "deleted_on_platform": (content.deleted_on_platform.to_dict()
                                if content.deleted_on_platform else None),
    }


def build_search_payload(page: SearchPage, statements: dict[str, Statement]) -> dict:
    return {
        "query": page.query,
        "total": page.total,
        "page": page.page,
        "per_page": page.per_page,
        "sort": page.sort,
        "results": [build_result_item(statements[hit.statement_id], hit.snippet_html)
                    for hit in page.hits if hit.statement_id in statements],
        "facets": {name: [{"value": f.value, "label": f.label, "count": f.count}
                          for f in page.facets.get(name, [])] for name in FACETS},
        "suggestion": page.suggestion,
        "notices": list(page.notices),
        "meaning_results": [build_result_item(hit.statement, hit.snippet_html)
                            | {"similarity": hit.similarity} for hit in page.meaning_hits],
    }


def statement_brief(statement: Statement) -> dict:
    """A statement another one links to or from: its ID, permalink and speaker."""
    return {"statement_id": statement.statement_id, "url": permalink(statement.statement_id),
            "speaker": speaker_brief(statement.speaker)}


def build_statement_payload(context: StatementContext) -> dict:
    """The full record: every field, the revision history, hash, links and sources, the
    stored statements it links to, and those that reply to it or that it reports."""
    statement = context.statement
    record = statement.to_dict()
    record["revision_url"] = permalink(f"{statement.statement_id}@{statement.revision.revision}")
    record["date_display"] = statement.content.posted_at.describe()
    record["paragraphs"] = statement.paragraphs()
    record["sources"] = [{**ref.to_dict(), **(source.to_dict() if source else {})}
                         for ref, source in context.sources]
    for name in REFERENCES:
        record[name] = record[name] or None
        record[f"{name}_url"] = permalink(record[name]) if record[name] else None
    for name in ("translation_note", "date_note", "platform", "platform_id",
                 "venue", "in_reply_to_external", "display_text", "original_lang"):
        if name in record and record[name] == "":
            record[name] = None
    record["linked"] = {name: statement_brief(target) for name, target in context.linked.items()}
    record["replies"] = [statement_brief(reply) for reply in context.replies]
    record["reported_here"] = [statement_brief(reported) for reported in context.reported_here]
    record["original_url"] = statement.content.url or None
    record["url"] = permalink(statement.statement_id)  # the API's "url" is always the permalink
    return record


def build_speaker_payload(person: Person, statement_count: int | None = None,
                          statements: list[Statement] | None = None) -> dict:
    payload = person.to_dict() | {
        "url": speaker_url(person.person_id)}
    if statement_count is not None:
        payload["statement_count"] = statement_count
    if statements is not None:
        payload["statements"] = [_tombstone_item(s) if s.is_withdrawn
                                 else build_result_item(s, "") | {"status": s.status}
                                 for s in statements]
    return payload


def _tombstone_item(statement: Statement) -> dict:
    """A withdrawn statement in a list: where it was and why it went, never its words."""
    return {"statement_id": statement.statement_id, "url": permalink(statement.statement_id),
            "status": statement.status, "withdrawn_at": statement.withdrawn_at,
            "withdrawn_reason": statement.withdrawn_reason}


def _dated(statement: Statement | None) -> dict | None:
    if statement is None:
        return None
    posted_at = statement.content.posted_at
    return {"statement_id": statement.statement_id, "posted_at": posted_at.value or None,
            "date_precision": posted_at.precision, "date_display": posted_at.describe()}


def build_coverage_payload(coverage: Coverage) -> dict:
    return {"speaker": coverage.speaker,
            "people": [speaker_brief(person) for person in coverage.people],
            "statements": coverage.statements, "first": _dated(coverage.first),
            "last": _dated(coverage.last), "summary": coverage.summary}


def build_match_payload(match: QuoteMatch) -> dict:
    statement = match.statement
    return {
        "statement_id": statement.statement_id,
        "reference": str(match.reference),
        "url": permalink(statement.statement_id, match.reference.locator),
        **statement_facts(statement),
        "verdict": match.verdict,
        "similarity": match.similarity,
        "passage": match.passage,
        "passage_start": match.start,
        "passage_end": match.end,
        "differences": [{"kind": item.kind, "quote": item.quote, "stored": item.stored,
                         "start": item.start, "end": item.end} for item in match.differences],
        "translation_note": match.translation_note,
        "citation": match.citation,
    }


def build_check_payload(check: QuoteCheck) -> dict:
    return {
        "quote": check.quote,
        "verdict": check.verdict,
        "matches": [build_match_payload(match) for match in check.matches],
        "coverage": build_coverage_payload(check.coverage) if check.coverage else None,
        "notices": list(check.notices),
    }
