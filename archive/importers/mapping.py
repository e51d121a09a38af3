"""Field mapping for tabular imports (JSONL, CSV): which column feeds which statement field.

``--map text=full_text`` names a column (a dotted path reaches into nested
JSON objects), ``--set lang=de`` a constant. A field neither mapped nor set
is read from a column of the same name when there is one.
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

from dateutil import tz

from archive.dates import InvalidDateError, PostedAt, parse_posted_at
from archive.importers.records import Candidate, SpeakerRef
from archive.records import InvalidRecordError, SourceRef, StatementContent
from archive.rules import ALLOWED_CHANGES

MAPPABLE_FIELDS = (
    "text", "speaker", "posted_at", "platform", "platform_id", "lang", "original_lang", "kind",
    "url", "venue", "date_note", "in_reply_to", "in_reply_to_external",
)
ENTITY_MODES = ("auto", "decode", "keep")
PENDING_SPEAKER = "pending"
_ISO_TIMESTAMP = re.compile(
    r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:?\d{2})?$")


class MappingError(ValueError):
    """A ``--map``/``--set`` option is malformed or names an unknown field."""


# Changes to stored statements that an import makes only when the operator names them:
# who said the words, a revision dated before the latest stored one, a withdrawal.


@dataclass
class ImportOptions:
    """Everything the command line can say about one import."""

    format_name: str = ""
    mapping: dict[str, str] = field(default_factory=dict)
    constants: dict[str, str] = field(default_factory=dict)
    default_timezone: str = ""
    speaker: str = ""
    html_entities: str = "auto"
    skip_invalid: bool = False
    allow: frozenset[str] = frozenset()

    def check(self) -> ImportOptions:
        for change in self.allow:
            if change not in ALLOWED_CHANGES:
                raise MappingError(f"--allow: {change!r} is not one of {', '.join(ALLOWED_CHANGES)}")
        for name in list(self.mapping) + list(self.constants):
            if name not in MAPPABLE_FIELDS:
                raise MappingError(
                    f"unknown field {name!r}; fields are {', '.join(MAPPABLE_FIELDS)}")
        both = set(self.mapping) & set(self.constants)
        if both:
            raise MappingError(f"{', '.join(sorted(both))}: given by both --map and --set")
        if self.default_timezone and tz.gettz(self.default_timezone) is None:
            raise MappingError(f"--default-timezone: unknown time zone {self.default_timezone!r}")
        if self.html_entities not in ENTITY_MODES:
            raise MappingError(f"html entities: one of {', '.join(ENTITY_MODES)}")
        return self


def parse_assignments(values: tuple[str, ...] | list[str], option: str) -> dict[str, str]:
    """``("text=full_text", ...)`` -> ``{"text": "full_text"}``; raises MappingError."""
    result: dict[str, str] = {}
    for value in values:
        name, sep, target = value.partition("=")
        name = name.strip()
        if not sep or not name:
            raise MappingError(f"{option} {value!r}: expected FIELD=VALUE")
        if name in result:
            raise MappingError(f"{option}: {name} given twice")
        result[name] = target if option == "--set" else target.strip()
    return result


def read_date(text: str, default_timezone: str) -> PostedAt:
    """``parse_posted_at`` with a fast path for full ISO timestamps, which
    large datasets are made of (dateutil is too slow for 40,000 rows)."""
    if _ISO_TIMESTAMP.match(text):
        try:
            moment = datetime.fromisoformat(text)
        except ValueError:
            return parse_posted_at(text, default_timezone)
        zone_name = ""
        if moment.tzinfo is None:
            zone = tz.gettz(default_timezone) if default_timezone else tz.UTC
            moment = moment.replace(tzinfo=zone)
            zone_name = default_timezone
        return PostedAt(moment.isoformat(timespec="seconds"), "second", zone_name)
    return parse_posted_at(text, default_timezone)


def _scalar(value: object, column: str) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    raise InvalidRecordError(f"{column}: expected text or a number, not {type(value).__name__}")


def lookup(row: Mapping, path: str) -> object:
    """The value at a column name or dotted path; KeyError when absent."""
    if path in row:
        return row[path]
    value: object = row
    for part in path.split("."):
        if not isinstance(value, Mapping) or part not in value:
            raise KeyError(path)
        value = value[part]
    return value


class RowReader:
    """Turns one row (a dict) into a Candidate under the import's options."""

    def __init__(self, options: ImportOptions, columns: set[str] | None, source_id: str):
        self.options = options
        self.source_id = source_id
        self.plan: dict[str, str] = dict(options.mapping)
        for name in MAPPABLE_FIELDS:
            if name not in self.plan and name not in options.constants and (
                    columns is None or name in columns):
                self.plan.setdefault(name, name)
        # A record without its text or speaker is bad; other fields may be absent in some
        # records, but a mapped column that no record has is a mistake in the mapping.
        self.required = {"text", "speaker"} & set(options.mapping)
        self.columns_found: set[str] = set()

    def _get(self, row: Mapping, name: str) -> str:
        if name in self.options.constants:
            return self.options.constants[name]
        column = self.plan.get(name)
        if column is None:
            return ""
        try:
            value = lookup(row, column)
            self.columns_found.add(column)
        except KeyError:
            if name in self.required:
                raise InvalidRecordError(f"no column {column!r} (mapped to {name})") from None
            return ""
        return _scalar(value, column)

    def unused_mappings(self) -> list[str]:
        """``'column' (mapped to field)`` for each mapped column no record had."""
        return [f"{column!r} (mapped to {name})" for name, column in self.options.mapping.items()
                if column not in self.columns_found]

    def read(self, row: Mapping, location: str, raw: str) -> Candidate:
        text = self._get(row, "text")
        platform = self._get(row, "platform").strip()
        decode = self.options.html_entities == "decode" or (
            self.options.html_entities == "auto" and platform == "x")
        if decode:
            text = html.unescape(text)
        speaker = self._get(row, "speaker").strip() or self.options.speaker.strip()
        if not speaker:
            raise InvalidRecordError("speaker: empty (map it with --map speaker=COLUMN or give --speaker)")
        date_text = self._get(row, "posted_at").strip()
        try:
            posted_at = read_date(date_text, self.options.default_timezone) if date_text else PostedAt()
        except InvalidDateError as error:
            raise InvalidRecordError(f"posted_at: {error}") from None
        reply_to = self._get(row, "in_reply_to").strip()
        external = self._get(row, "in_reply_to_external").strip()
        kind = self._get(row, "kind").strip()
        if not kind:
            if reply_to or external:
                kind = "reply"
            elif platform == "x" and text.startswith("RT @"):
                kind = "repost"
            else:
                kind = "post"
        content = StatementContent(
            person_id=PENDING_SPEAKER, text=text, kind=kind,
            lang=self._get(row, "lang").strip(), original_lang=self._get(row, "original_lang").strip(),
            posted_at=posted_at, date_note=self._get(row, "date_note"), platform=platform,
            platform_id=self._get(row, "platform_id").strip(), venue=self._get(row, "venue"),
            url=self._get(row, "url").strip(), in_reply_to_external=external,
            sources=(SourceRef(self.source_id, "wording"),),
        ).validate()
        fallback = reply_to
        if reply_to and platform == "x":
            fallback = f"https://x.com/i/status/{reply_to}"
        elif reply_to and platform:
            fallback = f"{platform}:{reply_to}"
        return Candidate(location, SpeakerRef(speaker), [(content, "")], reply_to=reply_to,
                         reply_fallback=fallback, raw=raw)
