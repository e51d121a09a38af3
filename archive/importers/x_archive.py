"""X (Twitter) account archives: a folder, the .zip as downloaded, or one part file.

Part files are ``window.YTD.NAME.partN = [ ... ]``, read an element at a time
(``x_stream``). Public words of the account are read: posts (``tweets.js``,
``tweet.js``, ``tweets-partN.js``; elements ``{"tweet": {...}}`` or, in older
exports, the tweet itself), posts it deleted (``deleted-tweets.js``, kept with
a record of the deletion), posts in Communities (``community-tweet.js``) and
the whole text of long posts (``note-tweet.js``, see ``x_notes``).
``account.js`` names the speaker, ``profile.js`` adds the bio. Tweet text is
HTML-escaped by X (``&amp;``) and is unescaped exactly once; t.co links are
expanded into ``display_text`` while ``text`` keeps the words as posted. Edits
(``edit_info``) become revisions of the first version.
"""

from __future__ import annotations

import html
import io
import json
import re
import zipfile
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path, PurePosixPath
from typing import BinaryIO

from archive.dates import InvalidDateError, PostedAt, parse_posted_at
from archive.importers.files import (
    MAX_ACCOUNT_FILE_BYTES,
    MAX_DOCUMENT_BYTES,
    check_file_inside,
    decode_document,
    open_binary,
    read_document,
)
from archive.importers.mapping import PENDING_SPEAKER, ImportOptions
from archive.importers.records import (
    Candidate,
    ImportFileError,
    ParsedFile,
    RecordProblem,
    SpeakerRef,
    source_for_file,
)
from archive.importers.x_notes import NoteIndex, read_note, visible_prefix
from archive.importers.x_stream import PartReader
from archive.records import (
    InvalidRecordError,
    Person,
    PlatformDeletion,
    SourceRef,
    StatementContent,
)

# What each kind of part file holds: its file names and the data names it may assign.
_PART_KINDS = {
    "tweets": (re.compile(r"^tweets?(?:-part\d+)?\.js$"), ("tweets", "tweet")),
    "deleted": (re.compile(r"^deleted-tweets?(?:-part\d+)?\.js$"), ("deleted_tweets", "deleted_tweet")),
    "community": (re.compile(r"^community-tweets?(?:-part\d+)?\.js$"),
                  ("community_tweet", "community_tweets")),
    "notes": (re.compile(r"^note-tweets?(?:-part\d+)?\.js$"), ("note_tweet", "note_tweets")),
}
_POST_KINDS = ("tweets", "deleted", "community")
_ACCOUNT_FILES = ("account.js", "profile.js")
_X_DATE = "%a %b %d %H:%M:%S %z %Y"
# The most all part files of one export may hold together (uncompressed, as declared): far
# beyond a real account's export, and a bound for a zip whose parts expand without end.
MAX_EXPORT_BYTES = 16 * 1024**3
# X's own language codes that name no language: undetermined, and its private q.. codes.
_NO_LANGUAGE = re.compile(r"^(und|q[a-z]{2})$")


@dataclass(frozen=True)
class _Part:
    """One part file of an export: where it is and how to open it."""

    kind: str
    label: str
    size: int
    opener: Callable[[], AbstractContextManager[BinaryIO]]

    def read(self) -> PartReader:
        return PartReader(self.opener, self.label, self.size)


@dataclass
class _Version:
    """One tweet of an edit chain, before the chain becomes a candidate."""

    order: int
    tweet_id: str
    content: StatementContent
    location: str
    parent: str
    fallback: str
    raw: str


_ZIP_ERRORS = (zipfile.BadZipFile, OSError, EOFError, RuntimeError, NotImplementedError)


@contextmanager
def _zip_member(path: Path, name: str) -> Iterator[BinaryIO]:
    try:
        archive = zipfile.ZipFile(path)
        member = archive.open(name)
    except _ZIP_ERRORS as error:  # encrypted, an unknown compression, damaged
        raise ImportFileError(f"{path.name}: cannot read {name} in the zip ({error})") from None
    with archive, member:
        yield member


def _kind_of(name: str) -> str | None:
    for kind, (pattern, _) in _PART_KINDS.items():
        if pattern.match(name):
            return kind
    return None


class _Bundle:
    """The files of one export: part files (opened when read) and the small account files."""

    def __init__(self, path: Path):
        self.path = path
        self.parts: list[_Part] = []
        self.account: dict[str, str] = {}        # file name -> text
        if path.is_dir():
            self._read_folder(path)
        elif zipfile.is_zipfile(path):
            self._read_zip(path)
        else:
            # One part file: itself, with the account and notes files beside it.
            self.parts.append(_Part(_kind_of(path.name) or "tweets", path.name, path.stat().st_size,
                                    lambda: open_binary(path)))
            for sibling in sorted(path.parent.glob("*.js")):
                if sibling.name in _ACCOUNT_FILES:
                    self._add_account_file(path.parent, sibling)
                elif _kind_of(sibling.name) == "notes" and sibling != path:
                    self._add_file(path.parent, sibling)
        if not any(part.kind in _POST_KINDS for part in self.parts):
            raise ImportFileError(f"{path.name}: no tweets.js or tweet.js (or tweets-partN.js) in it")
        notes = sum(part.size for part in self.parts if part.kind == "notes")
        if notes > MAX_DOCUMENT_BYTES:  # notes are held in memory to be matched
            raise ImportFileError(f"{path.name}: its note-tweet files hold more than"
                                  f" {MAX_DOCUMENT_BYTES // 2**20} MiB together")
        total = sum(part.size for part in self.parts)
        if total > MAX_EXPORT_BYTES:
            raise ImportFileError(f"{path.name}: its part files hold more than"
                                  f" {MAX_EXPORT_BYTES // 2**30} GiB together")

    def _add_file(self, folder: Path, file: Path) -> None:
        check_file_inside(file, folder)
        self.parts.append(_Part(_kind_of(file.name), str(file.relative_to(folder)),
                                file.stat().st_size, lambda: open_binary(file)))

    def _read_folder(self, folder: Path) -> None:
        for file in sorted(folder.rglob("*.js")):
            if _kind_of(file.name):
                self._add_file(folder, file)
            elif file.name in _ACCOUNT_FILES:
                self._add_account_file(folder, file)

    def _add_account_file(self, folder: Path, file: Path) -> None:
        check_file_inside(file, folder)
        if file.stat().st_size > MAX_ACCOUNT_FILE_BYTES:
            raise ImportFileError(f"{file.name}: larger than {MAX_ACCOUNT_FILE_BYTES // 2**20} MiB")
        self.account[file.name] = read_document(file)

    def _read_zip(self, path: Path) -> None:
        try:
            with zipfile.ZipFile(path) as archive:
                for info in sorted(archive.infolist(), key=lambda item: item.filename):
                    name = PurePosixPath(info.filename).name
                    kind = _kind_of(name)
                    if info.is_dir() or not (kind or name in _ACCOUNT_FILES):
                        continue
                    if kind:
                        self.parts.append(_Part(kind, info.filename, info.file_size,
                                                lambda member=info.filename: _zip_member(path, member)))
                        continue
                    if info.file_size > MAX_ACCOUNT_FILE_BYTES:
                        raise ImportFileError(f"{info.filename}: larger than"
                                              f" {MAX_ACCOUNT_FILE_BYTES // 2**20} MiB")
                    self.account[name] = decode_document(archive.read(info), info.filename)
        except _ZIP_ERRORS as error:
            raise ImportFileError(f"{path.name}: cannot read the zip ({error})") from None

    def parts_of(self, *kinds: str) -> list[_Part]:
        return [part for part in self.parts if part.kind in kinds]


def _elements(part: _Part) -> Iterator[tuple[str, object, PartReader]]:
    """(location, element, reader) of every element of ``part``, after checking that the
    part assigns the data its file name promises."""
    with part.read() as reader:
        expected = _PART_KINDS[part.kind][1]
        if reader.name not in expected:
            raise ImportFileError(f"{part.label}: holds window.YTD.{reader.name}, not {expected[0]}")
        for position, element in reader:
            yield f"{part.label} element {position}", element, reader


def _first_object(text: str, label: str, key: str) -> dict:
    with PartReader(lambda: io.BytesIO(text.encode("utf-8")), label) as reader:
        for _, element in reader:
            if isinstance(element, dict) and isinstance(element.get(key), dict):
                return element[key]
    return {}


def read_account(bundle: _Bundle) -> Person | None:
    """The account holder from account.js (and profile.js for the bio), if present."""
    if "account.js" not in bundle.account:
        return None
    account = _first_object(bundle.account["account.js"], "account.js", "account")
    username = str(account.get("username") or "").strip()
    if not username:
        return None
    description = ""
    if "profile.js" in bundle.account:
        profile = _first_object(bundle.account["profile.js"], "profile.js", "profile")
        bio = profile.get("description")
        if isinstance(bio, dict):
            description = str(bio.get("bio") or "")
    name = str(account.get("accountDisplayName") or "").strip() or username
    return Person(person_id=PENDING_SPEAKER, name=name, handles=(f"@{username}",),
                  description=description)


def _list(value: object) -> list:
    return value if isinstance(value, list) else []


def _text(value: object) -> str:
    return value if isinstance(value, str) else "" if value is None else str(value)


def read_x_date(text: str) -> PostedAt:
    try:
        moment = datetime.strptime(text, _X_DATE)
    except ValueError:
        return parse_posted_at(text)
    return PostedAt(moment.isoformat(timespec="seconds"), "second", "")


def _moment(text: str) -> datetime | None:
    try:
        return datetime.strptime(text, _X_DATE)
    except ValueError:
        return None


def expand_links(text: str, tweet: dict) -> str:
    """The text with every t.co link replaced by the address it stands for."""
    entities = tweet.get("entities") if isinstance(tweet.get("entities"), dict) else {}
    for group in ("urls", "media"):
        items = entities.get(group) if isinstance(entities.get(group), list) else []
        for item in items:
            if not isinstance(item, dict):
                continue
            short, expanded = _text(item.get("url")), _text(item.get("expanded_url"))
            if short.startswith("https://t.co/") and expanded:
                text = text.replace(short, expanded)
    return text


def _edit_chain(tweet: dict) -> tuple[str, list[str]]:
    """(first tweet ID of the edit chain, the chain's tweet IDs in order)."""
    own = _text(tweet.get("id_str") or tweet.get("id"))
    info = tweet.get("edit_info") if isinstance(tweet.get("edit_info"), dict) else {}
    if isinstance(info.get("edit"), dict):
        edit = info["edit"]
        control = edit.get("editControlInitial") if isinstance(edit.get("editControlInitial"), dict) else {}
        chain = [_text(item) for item in _list(control.get("editTweetIds")) if item]
        return _text(edit.get("initialTweetId")) or (chain[0] if chain else own), chain
    if isinstance(info.get("initial"), dict):
        chain = [_text(item) for item in _list(info["initial"].get("editTweetIds")) if item]
        return own, chain
    return own, [own]


def _reply_link(tweet: dict) -> tuple[str, str]:
    parent = _text(tweet.get("in_reply_to_status_id_str") or tweet.get("in_reply_to_status_id"))
    if not parent:
        return "", ""
    screen_name = _text(tweet.get("in_reply_to_screen_name"))
    return parent, f"https://x.com/{screen_name or 'i'}/status/{parent}"


@dataclass
class _Extra:
    """What deleted-tweets.js or community-tweet.js says of a post that tweets.js may also hold."""

    deleted_at: str | None = None
    community_id: str = ""


def _unwrap(element: object) -> dict | None:
    tweet = element.get("tweet", element) if isinstance(element, dict) else None
    return tweet if isinstance(tweet, dict) else None


def _tweet_id(tweet: dict) -> str:
    return _text(tweet.get("id_str") or tweet.get("id")).strip()


def _read_extras(bundle: _Bundle) -> dict[str, _Extra]:
    """Post ID -> what the deleted and community parts say of it (a first, light pass:
    the posts themselves are read later, once)."""
    extras: dict[str, _Extra] = {}
    for part in bundle.parts_of("deleted", "community"):
        for _, element, _ in _elements(part):
            tweet = _unwrap(element)
            if tweet is None or not _tweet_id(tweet):
                continue
            extra = extras.setdefault(_tweet_id(tweet), _Extra())
            if part.kind == "deleted":
                extra.deleted_at = _text(tweet.get("deleted_at")).strip()
            else:
                extra.community_id = _text(tweet.get("community_id_str") or tweet.get("community_id"))
    return extras


def _read_notes(bundle: _Bundle, parsed: ParsedFile) -> NoteIndex:
    notes = NoteIndex()
    for part in bundle.parts_of("notes"):
        for location, element, _ in _elements(part):
            note = read_note(element, location)
            if isinstance(note, RecordProblem):
                parsed.problems.append(note)
            else:
                notes.add(note)
    return notes


def parse_x_archive(path: Path, options: ImportOptions,
                    progress: Callable[[int, float], None] | None = None) -> ParsedFile:
    """Read an X archive. The account, the notes and the IDs of deleted and community posts
    are read here; the posts are read as the candidates are consumed, an element at a
    time. Bad posts are RecordProblems naming file and element; a part that is not JSON (or
    no part at all) raises ImportFileError, here or while the candidates are read."""
    bundle = _Bundle(path)
    source = source_for_file(path, "x-archive")
    parsed = ParsedFile("x-archive", source)
    account = read_account(bundle)
    notes = _read_notes(bundle, parsed)
    extras = _read_extras(bundle)

    handle = options.speaker.strip().lstrip("@")
    if not handle and account is not None:
        handle = account.handles[0].lstrip("@")
    if not handle:
        handle = _infer_owner(bundle)
    if not handle:
        raise ImportFileError(
            f"{path.name}: no account.js beside the tweets to name the account; give --speaker HANDLE")
    speaker = SpeakerRef(handle, account if (account and not options.speaker.strip()) else None)
    reading = _Reading(bundle, parsed, speaker, handle, notes, extras, progress)
    parsed.candidates = reading.candidates(path.name)
    return parsed


@dataclass
class _Reading:
    """One pass over the posts of an export, yielding candidates as it goes. Posts of an edit
    chain wait for the end (they may be anywhere in the parts); a post of tweets.js that the
    deleted or community parts also list is read once, from tweets.js, with what they add."""

    bundle: _Bundle
    parsed: ParsedFile
    speaker: SpeakerRef
    handle: str
    notes: NoteIndex
    extras: dict[str, _Extra]
    progress: Callable[[int, float], None] | None
    chains: dict[str, list[_Version]] = field(default_factory=dict)
    read_from_tweets: set[str] = field(default_factory=set)

    def candidates(self, name: str) -> Iterator[Candidate]:
        parsed = self.parsed
        parts = self.bundle.parts_of("tweets") + self.bundle.parts_of("community", "deleted")
        total = sum(part.size for part in parts) or 1
        done = 0
        for part in parts:
            for location, element, reader in _elements(part):
                tweet = _unwrap(element)
                tweet_id = _tweet_id(tweet) if tweet else ""
                if part.kind != "tweets" and tweet_id in self.read_from_tweets:
                    continue
                if part.kind == "deleted" and self.extras.get(tweet_id, _Extra()).community_id:
                    continue  # read with the community part
                parsed.records_read += 1
                if self.progress and parsed.records_read % 1000 == 0:
                    self.progress(parsed.records_read, (done + reader.bytes_read) / total)
                raw = json.dumps(element, ensure_ascii=False)
                if tweet is None:
                    parsed.problems.append(RecordProblem(location, "not a tweet object", raw))
                    continue
                if part.kind == "tweets" and tweet_id in self.extras:
                    self.read_from_tweets.add(tweet_id)
                candidate = self._read(tweet, tweet_id, location, raw)
                if candidate is not None:
                    yield candidate
            done += part.size
        for first, versions in self.chains.items():
            yield _chain_candidate(first, versions, self.speaker)
        if parsed.records_read == 0:
            raise ImportFileError(f"{name}: the archive holds no tweets")

    def _read(self, tweet: dict, tweet_id: str, location: str, raw: str) -> Candidate | None:
        extra = self.extras.get(tweet_id, _Extra())
        try:
            tweet_id, content = _read_tweet(tweet, self.handle, self.parsed.source.source_id, self.notes)
            content = _with_extra(content, extra)
        except (InvalidRecordError, InvalidDateError) as error:
            self.parsed.problems.append(RecordProblem(location, str(error), raw))
            return None
        first, chain = _edit_chain(tweet)
        parent, fallback = _reply_link(tweet)
        version = _Version(chain.index(tweet_id) if tweet_id in chain else len(chain), tweet_id,
                           content, location, parent, fallback, raw)
        if first == tweet_id and len(chain) <= 1:
            return _chain_candidate(tweet_id, [version], self.speaker)
        self.chains.setdefault(first, []).append(version)
        return None


def _with_extra(content: StatementContent, extra: _Extra) -> StatementContent:
    changes: dict = {}
    if extra.community_id:
        changes["venue"] = f"X Community {extra.community_id}"
    if extra.deleted_at is not None:
        when = read_x_date(extra.deleted_at) if extra.deleted_at else PostedAt()
        changes["deleted_on_platform"] = PlatformDeletion(when.value, when.precision, "account")
    return content.with_changes(**changes) if changes else content


def _chain_candidate(first: str, versions: list[_Version], speaker: SpeakerRef) -> Candidate:
    """One statement whose revisions are the versions of an edit chain, under the first
    version's ID (one version for a post never edited)."""
    versions.sort(key=lambda item: (item.order, int(item.tweet_id) if item.tweet_id.isdigit() else 0))
    entries = []
    for index, version in enumerate(versions):
        content = version.content
        if content.platform_id != first:
            content = content.with_changes(platform_id=first)
        entries.append((content, "" if index == 0 else f"edited on X (tweet {version.tweet_id})"))
    last = versions[-1]
    return Candidate(location=versions[0].location, speaker=speaker, versions=entries,
                     reply_to=last.parent, reply_fallback=last.fallback, raw=last.raw)


def _infer_owner(bundle: _Bundle) -> str:
    """The account holder's handle when a tweet replies to another tweet of the
    same archive: an archive holds only its owner's tweets (a first pass over the posts)."""
    own_ids: set[str] = set()
    replies: list[tuple[str, str]] = []
    for part in bundle.parts_of("tweets"):
        for _, element, _ in _elements(part):
            tweet = _unwrap(element)
            if tweet is None:
                continue
            own_ids.add(_tweet_id(tweet))
            parent = _text(tweet.get("in_reply_to_status_id_str"))
            screen_name = _text(tweet.get("in_reply_to_screen_name"))
            if parent and re.fullmatch(r"[A-Za-z0-9_]{1,50}", screen_name):
                replies.append((parent, screen_name))
    return next((screen_name for parent, screen_name in replies if parent in own_ids), "")


def _read_tweet(tweet: dict, handle: str, source_id: str,
                notes: NoteIndex | None = None) -> tuple[str, StatementContent]:
    """(tweet ID, content) of one post. A post the export cut (``… https://t.co/…`` linking to
    itself) gets the whole text of its note; without one it keeps the cut words and is
    marked ``text_truncated``."""
    tweet_id = _text(tweet.get("id_str") or tweet.get("id")).strip()
    if not tweet_id:
        raise InvalidRecordError("id_str: the tweet has no ID")
    raw_text = tweet.get("full_text", tweet.get("text"))
    if not isinstance(raw_text, str):
        raise InvalidRecordError("full_text: the tweet has no text")
    text = html.unescape(raw_text)
    display = expand_links(text, tweet)
    created = _text(tweet.get("created_at")).strip()
    posted_at = read_x_date(created) if created else PostedAt()
    truncated = False
    prefix = visible_prefix(text, tweet, tweet_id)
    if prefix is not None:
        note = notes.find(_moment(created), prefix) if notes else None
        if note is None:
            truncated = True
        else:
            text, display = note.text, expand_links(note.display_text or note.text, tweet)
    lang = _text(tweet.get("lang")).strip()
    if _NO_LANGUAGE.match(lang):
        lang = ""
    parent, _ = _reply_link(tweet)
    kind = "reply" if parent else "repost" if text.startswith("RT @") else "post"
    content = StatementContent(
        person_id=PENDING_SPEAKER, text=text, kind=kind, lang=lang, posted_at=posted_at,
        platform="x", platform_id=tweet_id, url=f"https://x.com/{handle}/status/{tweet_id}",
        display_text=display if display != text else "", text_truncated=truncated,
        sources=(SourceRef(source_id, "wording"),),
    ).validate()
    return tweet_id, content
