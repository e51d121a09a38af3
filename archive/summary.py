"""A statement as plain text for the terminal (``flask --app web show``)."""

from __future__ import annotations

from archive.records import Statement


def format_statement_summary(statement: Statement, store=None) -> str:
    """The text and every field a reader needs to check and cite it."""
    content = statement.content
    speaker = statement.speaker
    lines = [f"{statement.statement_id}  (revision {statement.revision.revision}"
             f" of {statement.revisions[-1].revision}, {statement.status})"]
    if statement.is_withdrawn:
        lines.append(f"WITHDRAWN {statement.withdrawn_at}: {statement.withdrawn_reason}")
    who = speaker.name + (" (unnamed in the source)" if speaker.unnamed else "")
    if speaker.handles:
        who += " " + " ".join(speaker.handles)
    lines.append(f"speaker:   {who}" + (f" — {speaker.description}" if speaker.description else ""))
    lines.append(f"kind:      {content.kind}")
    lines.append(f"date:      {content.posted_at.describe()}"
                 + (f" — {content.date_note}" if content.date_note else ""))
    language = content.lang or "unknown"
    if content.is_translation:
        language += f" (translated from {content.original_lang})"
    lines.append(f"language:  {language}")
    for label, value in (("platform", content.platform), ("venue", content.venue),
                         ("url", content.url), ("in reply to", content.in_reply_to),
                         ("reply to", content.in_reply_to_external),
                         ("reported by", content.reported_by),
                         ("translation", content.translation_note)):
        if value:
            lines.append(f"{label + ':':<10} {value}")
    for ref in content.sources:
        title = ref.source_id
        if store is not None and (source := store.get_source(ref.source_id)):
            title = f"{source.title} [{ref.source_id}]"
        lines.append(f"source:    {title} ({ref.role}{': ' + ref.note if ref.note else ''})")
    lines.append(f"sha256:    {statement.revision.text_sha256}")
    for revision in statement.revisions:
        lines.append(f"rev {revision.revision}:     {revision.created_at} — {revision.reason}")
    lines.append("")
    lines.append(statement.text)
    return "\n".join(lines)
