"""Long X posts: recognising a post the export cut, and finding its whole text in ``note-tweet.js``.

``tweets.js`` holds a post over 280 characters only up to ``… https://t.co/…``,
the link pointing to the post itself (``/i/web/status/<its ID>``); the whole
text is a note (``window.YTD.note_tweet``, elements ``{"noteTweet": {…}}``).
Exports carry no common ID in every version, so a note belongs to a post when
it was created (or, for an edited note, updated) within a second of the post
and its text begins with the post's visible words. Notes are few beside the
posts, so they are held in memory, keyed by second, while the posts stream.
"""

from __future__ import annotations

import html
import re
import unicodedata
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from archive.importers.records import RecordProblem

_CUT_END = re.compile(r"\s*…\s*(https://t\.co/[A-Za-z0-9]+)\s*$")
_SELF_STATUS = re.compile(r"/i/web/status/(\d+)/?$")
_ANY_LINK = re.compile(r"https?://\S+")
_SPACES = re.compile(r"\s+")
# Lifecycle names that say a note no longer stands (any other value counts as live).
_DEAD = re.compile(r"delet|remov|tombstone", re.IGNORECASE)


def _entity_list(entities: object, group: str) -> list:
    value = entities.get(group) if isinstance(entities, dict) else None
    return value if isinstance(value, list) else []


def visible_prefix(text: str, tweet: dict, tweet_id: str) -> str | None:
    """The words a cut post shows before ``… https://t.co/…``, or None when the post is whole.
    Cut means: the text ends in ``…`` and one t.co link whose entity points to this very post
    (a shared link to another post or page is not a cut)."""
    match = _CUT_END.search(text)
    if not match:
        return None
    for item in _entity_list(tweet.get("entities"), "urls"):
        if isinstance(item, dict) and item.get("url") == match[1]:
            status = _SELF_STATUS.search(str(item.get("expanded_url") or ""))
            if status and status[1] == tweet_id:
                return text[:match.start()]
    return None


def _comparable(text: str) -> str:
    """Text as the prefix test sees it: links dropped (t.co in one place, expanded in the
    other), white space collapsed, Unicode NFC."""
    return _SPACES.sub(" ", _ANY_LINK.sub(" ", unicodedata.normalize("NFC", text))).strip()


def _second(text: str) -> datetime | None:
    try:
        moment = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).replace(microsecond=0)


@dataclass(frozen=True, slots=True)
class Note:
    """One note: the whole text of a long post (HTML entities decoded, as for posts)."""

    note_id: str
    text: str
    display_text: str
    created: datetime | None
    updated: datetime | None
    live: bool

    @property
    def comparable(self) -> str:
        return _comparable(self.text)


def read_note(element: object, location: str) -> Note | RecordProblem:
    """A note from one element of ``note-tweet.js``, or why it cannot be one."""
    note = element.get("noteTweet", element) if isinstance(element, dict) else None
    core = note.get("core") if isinstance(note, dict) else None
    text = core.get("text") if isinstance(core, dict) else None
    if not isinstance(text, str) or not text.strip():
        return RecordProblem(location, "not a note (noteTweet.core.text is missing)")
    text = html.unescape(text)
    display = text
    for item in _entity_list(core, "urls"):
        if not isinstance(item, dict):
            continue
        short = str(item.get("shortUrl") or item.get("url") or "")
        expanded = str(item.get("expandedUrl") or item.get("expanded_url") or "")
        if short.startswith("https://t.co/") and expanded:
            display = display.replace(short, expanded)
    lifecycle = note.get("lifecycle") if isinstance(note.get("lifecycle"), dict) else {}
    state = " ".join(str(lifecycle.get(key) or "") for key in ("name", "value", "originalName"))
    return Note(str(note.get("noteTweetId") or ""), text, display if display != text else "",
                _second(str(note.get("createdAt") or "")), _second(str(note.get("updatedAt") or "")),
                not _DEAD.search(state))


class NoteIndex:
    """The notes of an export, found by the second a post was made and its visible words."""

    def __init__(self) -> None:
        self._by_second: dict[datetime, list[Note]] = {}
        self.count = 0

    def add(self, note: Note) -> None:
        self.count += 1
        for moment in {note.created, note.updated} - {None}:
            self._by_second.setdefault(moment, []).append(note)

    def find(self, posted: datetime | None, prefix: str) -> Note | None:
        """The note of a post made at ``posted`` whose visible words are ``prefix``: created or
        updated within a second of the post, its text starting with those words. Among
        several, a live note before a deleted one, the closest in time, then the latest
        update (an edited note's last words)."""
        if posted is None or not self._by_second:
            return None
        posted = posted.astimezone(UTC).replace(microsecond=0)
        start = _comparable(prefix)
        found: dict[str, tuple[tuple, Note]] = {}
        for offset in (0, -1, 1):
            for note in self._by_second.get(posted + timedelta(seconds=offset), ()):
                if not note.comparable.startswith(start) or len(note.comparable) <= len(start):
                    continue
                rank = (note.live, -abs(offset), note.updated or note.created)
                key = note.note_id or str(id(note))
                if key not in found or found[key][0] < rank:
                    found[key] = (rank, note)
        if not found:
            return None
        return max(found.values(), key=lambda item: item[0])[1]
