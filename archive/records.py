"""The records of the archive — Person, Source, Statement, Revision — and their validation.

This module is the one definition of what a statement is. A ``Statement``
is the current revision of a citable text plus its identity (ID, status,
tombstone) and history; a ``Revision`` is one immutable snapshot of text
and metadata. ``to_dict`` gives the one JSON shape every surface uses.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import asdict, dataclass, field, fields, replace

from archive.dates import PostedAt

KINDS = ("post", "reply", "repost", "letter", "remark", "interview", "speech", "article", "other")
STATUSES = ("active", "withdrawn")
SOURCE_ROLES = ("wording", "date", "attribution", "context")
DELETED_BY = ("account", "unknown")
MAX_TEXT_LENGTH = 200_000

_LANG_TAG = re.compile(r"^[a-zA-Z]{2,3}(-[a-zA-Z0-9]{2,8})*$")
_PERSON_ID = re.compile(r"[a-z0-9][a-z0-9_.-]{0,63}")
_SURROGATE = re.compile("[\ud800-\udfff]")
# A person ID ending so would be read as the JSON twin or the Atom feed of another speaker's page.
RESERVED_ID_SUFFIXES = (".json", ".atom")


class InvalidRecordError(ValueError):
    """A record breaks a rule; the message names the field."""


def canonical_text(text: str) -> str:
    """The canonical form that the integrity hash covers.

    Unicode NFC, and every line break (CRLF, CR, NEL, LS, PS) as a single
    LF. Nothing else changes: spaces, punctuation and case stay verbatim.
    """
    text = text.replace("\r\n", "\n")
    text = re.sub("[\r\u0085\u2028\u2029]", "\n", text)
    return unicodedata.normalize("NFC", text)


def hash_text(text: str) -> str:
    """SHA-256 (hex) of the canonical form, UTF-8 encoded."""
    return hashlib.sha256(canonical_text(text).encode("utf-8")).hexdigest()


_PARAGRAPH_BREAK = re.compile(r"\n\s*\n")


def paragraph_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of each paragraph of a canonical text, without its surrounding white
    space; paragraphs are separated by one or more blank lines."""
    spans, start = [], 0
    for gap in [*_PARAGRAPH_BREAK.finditer(text), None]:
        end = gap.start() if gap else len(text)
        part = text[start:end]
        if part.strip():
            first = start + len(part) - len(part.lstrip())
            spans.append((first, start + len(part.rstrip())))
        if gap:
            start = gap.end()
    return spans


def split_paragraphs(text: str) -> list[str]:
    """Paragraphs are separated by one or more blank lines."""
    text = canonical_text(text)
    return [text[start:end] for start, end in paragraph_spans(text)]


_SENTENCE_END = re.compile(
    r"(?:(?<=[.!?…])|(?<=[.!?…][\"'”’)]))\s+(?=[\"'„“‚(]?[A-ZÄÖÜ0-9])"
)


def sentence_spans(paragraph: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence in ``paragraph``; the gaps between them are white space."""
    spans, start = [], 0
    for gap in _SENTENCE_END.finditer(paragraph):
        spans.append((start, gap.start()))
        start = gap.end()
    spans.append((start, len(paragraph)))
    return [(a, b) for a, b in spans if paragraph[a:b].strip()]


def split_sentences(paragraph: str) -> list[str]:
    """A light sentence splitter: after . ! ? … (and closing quotes) followed by space and a
    capital or digit."""
    return [paragraph[a:b].strip() for a, b in sentence_spans(paragraph)]


def check_unicode(record: object) -> None:
    """InvalidRecordError naming the first text field of ``record`` (a dataclass) that holds a
    lone surrogate: JSON can escape one (``"\\ud800"``), but it is no character and cannot be
    stored as UTF-8."""
    for item in fields(record):
        value = getattr(record, item.name)
        texts = value if isinstance(value, tuple) else (value,)
        for text in texts:
            if isinstance(text, str) and _SURROGATE.search(text):
                raise InvalidRecordError(f"{item.name}: contains a lone surrogate"
                                         f" (U+{ord(_SURROGATE.search(text)[0]):04X}), not a character")


def check_identifier(value: str, name: str) -> None:
    if not _PERSON_ID.fullmatch(value) or value.endswith(RESERVED_ID_SUFFIXES):
        raise InvalidRecordError(
            f"{name}: {value!r} must be lower-case letters, digits, '-', '_' or '.', at most 64,"
            f" not ending in {' or '.join(RESERVED_ID_SUFFIXES)}")


def check_lang(value: str, name: str) -> str:
    if value and not _LANG_TAG.match(value):
        raise InvalidRecordError(f"{name}: {value!r} is not a BCP 47 language tag")
    return value


@dataclass(frozen=True, slots=True)
class Person:
    """Someone statements are attributed to. ``unnamed`` marks a speaker the
    source does not name ("an X user"); such a person is never given a name."""

    person_id: str
    name: str
    handles: tuple[str, ...] = ()
    aliases: tuple[str, ...] = ()
    description: str = ""
    unnamed: bool = False

    def validate(self) -> Person:
        check_unicode(self)
        check_identifier(self.person_id, "person_id")
        if not self.name.strip():
            raise InvalidRecordError("name: a person needs a display name")
        return self

    def to_dict(self) -> dict:
        data = asdict(self)
        data["handles"] = list(self.handles)
        data["aliases"] = list(self.aliases)
        return data

    @classmethod
    def from_dict(cls, data: dict) -> Person:
        return cls(
            person_id=data["person_id"], name=data["name"],
            handles=tuple(data.get("handles") or ()), aliases=tuple(data.get("aliases") or ()),
            description=data.get("description") or "", unnamed=bool(data.get("unnamed")),
        ).validate()


@dataclass(frozen=True, slots=True)
class Source:
    """Where the archive got words from: an article, an export file, a dataset."""

    source_id: str
    title: str
    lang: str = ""
    publisher: str = ""
    url: str = ""
    retrieved_at: str = ""
    description: str = ""

    def validate(self) -> Source:
        check_unicode(self)
        check_identifier(self.source_id, "source_id")
        if not self.title.strip():
            raise InvalidRecordError("title: a source needs a title")
        check_lang(self.lang, "lang")
        return self

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> Source:
        known = {f.name for f in fields(cls)}
        return cls(**{k: v or "" for k, v in data.items() if k in known}).validate()


@dataclass(frozen=True, slots=True)
class SourceRef:
    """A statement's link to a source, with the role the source plays."""

    source_id: str
    role: str = "wording"
    note: str = ""

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True, slots=True)
class PlatformDeletion:
    """That the platform no longer shows a statement: when it was deleted there (ISO 8601 cut
    to ``precision``, as ``PostedAt``) and by whom as far as known (``account``: the
    account's own export lists it as deleted; ``unknown``)."""

    at: str = ""
    precision: str = "unknown"
    by: str = "unknown"

    @property
    def when(self) -> PostedAt:
        return PostedAt(self.at, self.precision)

    def validate(self) -> PlatformDeletion:
        try:
            self.when  # noqa: B018 - validates at against precision
        except ValueError as error:
            raise InvalidRecordError(f"deleted_on_platform: {error}") from None
        if self.by not in DELETED_BY:
            raise InvalidRecordError(f"deleted_on_platform: by {self.by!r} is not one of"
                                     f" {', '.join(DELETED_BY)}")
        return self

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: object) -> PlatformDeletion | None:
        if data is None:
            return None
        if not isinstance(data, dict) or set(data) - {"at", "precision", "by"}:
            raise InvalidRecordError("deleted_on_platform: expected null or an object with at,"
                                     " precision, by")
        return cls(**{key: str(value or "") for key, value in data.items()}).validate()


@dataclass(frozen=True, slots=True)
class StatementContent:
    """Everything a revision fixes: the text and its metadata.

    The citation ID and the revision history live outside: correcting any
    field here makes a new revision.
    """

    person_id: str
    text: str
    kind: str = "post"
    lang: str = ""
    original_lang: str = ""
    translation_of: str = ""
    translation_note: str = ""
    posted_at: PostedAt = field(default_factory=PostedAt)
    date_note: str = ""
    platform: str = ""
    platform_id: str = ""
    venue: str = ""
    url: str = ""
    in_reply_to: str = ""
    in_reply_to_external: str = ""
    reported_by: str = ""
    sources: tuple[SourceRef, ...] = ()
    display_text: str = ""
    # The words are only the beginning: the platform's export cut them (an X post over 280
    # characters without its note-tweet.js entry). Never shown as whole words.
    text_truncated: bool = False
    deleted_on_platform: PlatformDeletion | None = None

    @property
    def is_translation(self) -> bool:
        return bool(self.original_lang) and self.original_lang != self.lang

    def validate(self) -> StatementContent:
        if not self.person_id:
            raise InvalidRecordError("speaker: a statement needs a speaker (an unnamed one is allowed)")
        check_unicode(self)
        if not self.text or not self.text.strip():
            raise InvalidRecordError("text: a statement needs its words")
        if len(self.text) > MAX_TEXT_LENGTH:
            raise InvalidRecordError(f"text: longer than {MAX_TEXT_LENGTH} characters")
        if "\x00" in self.text:
            raise InvalidRecordError("text: contains a NUL character")
        if self.kind not in KINDS:
            raise InvalidRecordError(f"kind: {self.kind!r} is not one of {', '.join(KINDS)}")
        check_lang(self.lang, "lang")
        check_lang(self.original_lang, "original_lang")
        for ref in self.sources:
            if ref.role not in SOURCE_ROLES:
                roles = ", ".join(SOURCE_ROLES)
                raise InvalidRecordError(f"sources: role {ref.role!r} is not one of {roles}")
        if self.url and not re.match(r"^https?://", self.url):
            raise InvalidRecordError("url: only http and https addresses are kept")
        if not isinstance(self.text_truncated, bool):
            raise InvalidRecordError("text_truncated: expected true or false")
        if self.deleted_on_platform is not None:
            self.deleted_on_platform.validate()
        return self

    def to_dict(self) -> dict:
        data = {f.name: getattr(self, f.name) for f in fields(self)}
        data["posted_at"] = self.posted_at.to_dict()
        data["sources"] = [ref.to_dict() for ref in self.sources]
        deletion = self.deleted_on_platform
        data["deleted_on_platform"] = deletion.to_dict() if deletion else None
        return data

    @classmethod
    def from_dict(cls, data: dict) -> StatementContent:
        known = {f.name for f in fields(cls)}
        unknown = set(data) - known
        if unknown:
            raise InvalidRecordError(f"unknown statement field(s): {', '.join(sorted(unknown))}")
        values = dict(data)
        posted = values.get("posted_at") or {}
        if not isinstance(posted, dict):
            raise InvalidRecordError("posted_at: expected an object with value, precision, timezone")
        values["posted_at"] = PostedAt(**posted)
        values["sources"] = tuple(SourceRef(**ref) for ref in values.get("sources") or ())
        values["deleted_on_platform"] = PlatformDeletion.from_dict(values.get("deleted_on_platform"))
        values["text_truncated"] = values.get("text_truncated") or False
        for name in known - {"posted_at", "sources", "deleted_on_platform", "text_truncated"}:
            if name in values and values[name] is None:
                values[name] = ""
        return cls(**values).validate()

    def with_changes(self, **changes) -> StatementContent:
        return replace(self, **changes).validate()


@dataclass(frozen=True, slots=True)
class Revision:
    """One immutable version of a statement."""

    revision: int
    content: StatementContent
    text_sha256: str
    reason: str
    created_at: str

    def to_dict(self) -> dict:
        return {
            "revision": self.revision, "reason": self.reason, "created_at": self.created_at,
            "text_sha256": self.text_sha256, **self.content.to_dict(),
        }


@dataclass(frozen=True, slots=True)
class Statement:
    """A citable statement: its ID, its current (or requested) revision, and its history."""

    statement_id: str
    status: str
    revision: Revision
    revisions: tuple[Revision, ...]
    speaker: Person
    created_at: str
    withdrawn_reason: str = ""
    withdrawn_at: str = ""

    @property
    def content(self) -> StatementContent:
        return self.revision.content

    @property
    def text(self) -> str:
        return self.revision.content.text

    @property
    def is_withdrawn(self) -> bool:
        return self.status == "withdrawn"

    @property
    def is_current(self) -> bool:
        return self.revision.revision == self.revisions[-1].revision

    def paragraphs(self) -> list[str]:
        return split_paragraphs(self.text)

    def to_dict(self) -> dict:
        """The record as the JSON API and the export show it."""
        content = self.content.to_dict()
        person_id = content.pop("person_id")
        return {
            "statement_id": self.statement_id,
            "status": self.status,
            "revision": self.revision.revision,
            "current_revision": self.revisions[-1].revision,
            "text_sha256": self.revision.text_sha256,
            "speaker": self.speaker.to_dict() | {"person_id": person_id},
            **content,
            "created_at": self.created_at,
            "withdrawn_reason": self.withdrawn_reason or None,
            "withdrawn_at": self.withdrawn_at or None,
            "revisions": [
                {"revision": r.revision, "reason": r.reason, "created_at": r.created_at,
                 "text_sha256": r.text_sha256}
                for r in self.revisions
            ],
        }
