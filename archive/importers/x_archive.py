"""X (Twitter) account archives: ``tweets.js``/``tweet.js`` part files, a folder, or the .zip.

Each part file is ``window.YTD.tweets.partN = [ ... ]`` with JSON after the
assignment; elements are ``{"tweet": {...}}`` or (older exports) the tweet
itself. ``account.js`` names the speaker, ``profile.js`` adds the bio. Tweet
text is HTML-escaped by X (``&amp;``) and is unescaped exactly once; t.co
links are expanded into ``display_text`` while ``text`` keeps the words as
posted. Edits (``edit_info``) become revisions of the first version.
"""

from __future__ import annotations

import html
import json
import re
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path, PurePosixPath

from archive.dates import InvalidDateError, PostedAt, parse_posted_at
from archive.importers.files import MAX_DOCUMENT_BYTES, decode_document, read_document
from archive.importers.mapping import PENDING_SPEAKER, ImportOptions
from archive.importers.records import (
    Candidate,
    ImportFileError,
    ParsedFile,
    RecordProblem,
    SpeakerRef,
    source_for_file,
)
from archive.records import InvalidRecordError, Person, SourceRef, StatementContent

_ASSIGNMENT = re.compile(r"^\s*window\.YTD\.([A-Za-z0-9_]+)\.part(\d+)\s*=\s*")
_TWEET_FILE = re.compile(r"^tweets?(?:-part\d+)?\.js$")
_ACCOUNT_FILES = ("account.js", "profile.js")
_X_DATE = "%a %b %d %H:%M:%S %z %Y"
# X's own language codes that name no language: undetermined, and its private q.. codes.
_NO_LANGUAGE = re.compile(r"^(und|q[a-z]{2})$")
_JS_LITERAL_HINT = re.compile(r"^\s*[A-Za-z_$][A-Za-z0-9_$]*\s*:|'", re.MULTILINE)


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


def _parse_part(text: str, label: str) -> tuple[str, list]:
    """(data name, elements) of one ``window.YTD.NAME.partN = [...]`` file."""
    match = _ASSIGNMENT.match(text)
    if not match:
        raise ImportFileError(f"{label}: not an X archive part (it should start with"
                              " 'window.YTD.tweets.part0 = [')")
    body = text[match.end():].rstrip().removesuffix(";")
    try:
        data = json.loads(body)
    except RecursionError:
        raise ImportFileError(f"{label}: JSON nested too deeply") from None
    except json.JSONDecodeError as error:
        line = text.count("\n", 0, match.end() + error.pos) + 1
        if _JS_LITERAL_HINT.search(body[:4096]):
            raise ImportFileError(
                f"{label} line {line}: JavaScript but not JSON (unquoted keys or single quotes,"
                " as left by a code formatter such as Prettier); import the file exactly as X"
                " exported it") from None
        if not body.endswith("]"):
            raise ImportFileError(f"{label} line {line}: {error.msg}; the file ends before its"
                                  " list is closed (cut short?)") from None
        raise ImportFileError(f"{label} line {line} column {error.colno}: not JSON ({error.msg})") from None
    if not isinstance(data, list):
        raise ImportFileError(f"{label}: expected a list after the assignment, found {type(data).__name__}")
    return match[1], data


class _Bundle:
    """The files of one export: tweet parts and account files, from a file, folder or zip."""

    def __init__(self, path: Path):
        self.path = path
        self.parts: list[tuple[str, str]] = []   # (label, text)
        self.account: dict[str, str] = {}        # file name -> text
        if path.is_dir():
            self._read_folder(path)
        elif zipfile.is_zipfile(path):
            self._read_zip(path)
        else:
            self.parts.append((path.name, read_document(path)))
            for name in _ACCOUNT_FILES:
                sibling = path.parent / name
                if sibling.is_file():
                    self.account[name] = read_document(sibling)
        if not self.parts:
            raise ImportFileError(f"{path.name}: no tweets.js or tweet.js (or tweets-partN.js) in it")

    def _read_folder(self, folder: Path) -> None:
        for file in sorted(folder.rglob("*.js")):
            if _TWEET_FILE.match(file.name):
                self.parts.append((str(file.relative_to(folder)), read_document(file)))
            elif file.name in _ACCOUNT_FILES:
                self.account[file.name] = read_document(file)

    def _read_zip(self, path: Path) -> None:
        try:
            with zipfile.ZipFile(path) as archive:
                for info in sorted(archive.infolist(), key=lambda item: item.filename):
                    name = PurePosixPath(info.filename).name
                    if info.is_dir() or not (_TWEET_FILE.match(name) or name in _ACCOUNT_FILES):
                        continue
                    if info.file_size > MAX_DOCUMENT_BYTES:
                        raise ImportFileError(f"{info.filename}: larger than"
                                              f" {MAX_DOCUMENT_BYTES // 2**20} MiB")
                    text = decode_document(archive.read(info), info.filename)
                    if name in _ACCOUNT_FILES:
                        self.account[name] = text
                    else:
                        self.parts.append((info.filename, text))
        except (zipfile.BadZipFile, OSError, EOFError, RuntimeError, NotImplementedError) as error:
            raise ImportFileError(f"{path.name}: cannot read the zip ({error})") from None


def _first_object(text: str, label: str, key: str) -> dict:
    _, data = _parse_part(text, label)
    for element in data:
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


def parse_x_archive(path: Path, options: ImportOptions,
                    progress: Callable[[int, float], None] | None = None) -> ParsedFile:
    """Read an X archive. Bad tweets are RecordProblems naming file and element;
    a part that is not JSON (or no part at all) raises ImportFileError."""
    bundle = _Bundle(path)
    source = source_for_file(path, "x-archive")
    parsed = ParsedFile("x-archive", source)
    account = read_account(bundle)
    tweets: list[tuple[str, dict, str]] = []  # (location, tweet, raw)
    for label, text in bundle.parts:
        name, elements = _parse_part(text, label)
        if name not in ("tweets", "tweet"):
            raise ImportFileError(f"{label}: holds window.YTD.{name}, not tweets")
        for position, element in enumerate(elements, start=1):
            location = f"{label} element {position}"
            parsed.records_read += 1
            if progress and parsed.records_read % 1000 == 0:
                progress(parsed.records_read, position / max(len(elements), 1))
            tweet = element.get("tweet", element) if isinstance(element, dict) else None
            raw = json.dumps(element, ensure_ascii=False)
            if not isinstance(tweet, dict):
                parsed.problems.append(RecordProblem(location, "not a tweet object", raw))
                continue
            tweets.append((location, tweet, raw))
    if parsed.records_read == 0:
        raise ImportFileError(f"{path.name}: the archive holds no tweets")

    handle = options.speaker.strip().lstrip("@")
    if not handle and account is not None:
        handle = account.handles[0].lstrip("@")
    if not handle:
        handle = _infer_owner(tweets)
    if not handle:
        raise ImportFileError(
            f"{path.name}: no account.js beside the tweets to name the account; give --speaker HANDLE")
    speaker = SpeakerRef(handle, account if (account and not options.speaker.strip()) else None)

    chains: dict[str, list[_Version]] = {}
    for location, tweet, raw in tweets:
        try:
            tweet_id, content = _read_tweet(tweet, handle, source.source_id)
        except (InvalidRecordError, InvalidDateError) as error:
            parsed.problems.append(RecordProblem(location, str(error), raw))
            continue
        first, chain = _edit_chain(tweet)
        order = chain.index(tweet_id) if tweet_id in chain else len(chain)
        parent, fallback = _reply_link(tweet)
        chains.setdefault(first, []).append(
            _Version(order, tweet_id, content, location, parent, fallback, raw))

    for first, versions in chains.items():
        versions.sort(key=lambda item: (item.order, int(item.tweet_id) if item.tweet_id.isdigit() else 0))
        entries = []
        for index, version in enumerate(versions):
            content = version.content
            if content.platform_id != first:
                content = content.with_changes(platform_id=first)
            entries.append((content, "" if index == 0 else f"edited on X (tweet {version.tweet_id})"))
        last = versions[-1]
        parsed.candidates.append(Candidate(
            location=versions[0].location, speaker=speaker, versions=entries, reply_to=last.parent,
            reply_fallback=last.fallback, raw=last.raw))
    return parsed


def _infer_owner(tweets: list[tuple[str, dict, str]]) -> str:
    """The account holder's handle when a tweet replies to another tweet of the
    same archive: an archive holds only its owner's tweets."""
    own_ids = {_text(tweet.get("id_str") or tweet.get("id")) for _, tweet, _ in tweets}
    for _, tweet, _ in tweets:
        parent = _text(tweet.get("in_reply_to_status_id_str"))
        screen_name = _text(tweet.get("in_reply_to_screen_name"))
        if parent and parent in own_ids and re.fullmatch(r"[A-Za-z0-9_]{1,50}", screen_name):
            return screen_name
    return ""


def _read_tweet(tweet: dict, handle: str, source_id: str) -> tuple[str, StatementContent]:
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
    lang = _text(tweet.get("lang")).strip()
    if _NO_LANGUAGE.match(lang):
        lang = ""
    parent, _ = _reply_link(tweet)
    kind = "reply" if parent else "repost" if text.startswith("RT @") else "post"
    content = StatementContent(
        person_id=PENDING_SPEAKER, text=text, kind=kind, lang=lang, posted_at=posted_at,
        platform="x", platform_id=tweet_id, url=f"https://x.com/{handle}/status/{tweet_id}",
        display_text=display if display != text else "",
        sources=(SourceRef(source_id, "wording"),),
    ).validate()
    return tweet_id, content
