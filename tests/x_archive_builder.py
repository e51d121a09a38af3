"""Building X account exports in a test's temporary directory: part files, long posts with
their notes, deleted and community posts, folders and zips."""

from __future__ import annotations

import json
import zipfile
from datetime import UTC, datetime
from pathlib import Path

X_DATE = "%a %b %d %H:%M:%S +0000 %Y"


def x_date(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime(X_DATE)


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")


def part_text(name: str, elements: list, part: int = 0) -> str:
    return f"window.YTD.{name}.part{part} = " + json.dumps(elements, indent=2, ensure_ascii=False)


def post(tweet_id: str, text: str, when: datetime, **extra) -> dict:
    return {"id_str": tweet_id, "id": tweet_id, "full_text": text, "created_at": x_date(when),
            "lang": "en", "entities": {"urls": [], "user_mentions": [], "hashtags": []}, **extra}


def long_post(tweet_id: str, whole: str, when: datetime, visible: int = 270, **extra) -> dict:
    """A post as tweets.js holds one over 280 characters: its first words, ``…`` and a t.co
    link to itself."""
    link = f"https://t.co/s{tweet_id[-8:]}"
    tweet = post(tweet_id, whole[:visible].rstrip() + "… " + link, when, **extra)
    tweet["entities"]["urls"].append({"url": link, "expanded_url": f"https://twitter.com/i/web/status/{tweet_id}",
                                      "display_url": "twitter.com/i/web/status/1…"})
    return tweet


def note(note_id: str, text: str, created: datetime, updated: datetime | None = None,
         urls: list | None = None, lifecycle: str = "Active") -> dict:
    return {"noteTweet": {
        "noteTweetId": note_id, "createdAt": iso(created), "updatedAt": iso(updated or created),
        "lifecycle": {"value": "0", "name": lifecycle, "originalName": lifecycle, "annotations": {}},
        "core": {"styletags": [], "urls": urls or [], "text": text, "mentions": [], "cashtags": [],
                 "hashtags": []}}}


def account(username: str = "exGenesis", display: str = "Ex Genesis") -> dict[str, str]:
    return {"account.js": part_text("account", [{"account": {
        "username": username, "accountId": "322603863", "accountDisplayName": display}}])}


def export_files(tweets: list | None = None, notes: list | None = None, deleted: list | None = None,
                 community: list | None = None, username: str = "exGenesis") -> dict[str, str]:
    """File name -> text of an export's data folder (only the parts given)."""
    files = account(username)
    if tweets is not None:
        files["tweets.js"] = part_text("tweets", [{"tweet": tweet} for tweet in tweets])
    if notes is not None:
        files["note-tweet.js"] = part_text("note_tweet", notes)
    if deleted is not None:
        files["deleted-tweets.js"] = part_text("deleted_tweets", [{"tweet": tweet} for tweet in deleted])
    if community is not None:
        files["community-tweet.js"] = part_text("community_tweet", [{"tweet": tweet} for tweet in community])
    return files


def write_folder(root: Path, files: dict[str, str]) -> Path:
    data = root / "data"
    data.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (data / name).write_text(text, encoding="utf-8")
    return root


def write_zip(path: Path, files: dict[str, str]) -> Path:
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, text in files.items():
            archive.writestr(f"data/{name}", text)
        archive.writestr("data/manifest.js", "window.__THAR_CONFIG = {}")
        archive.writestr("data/like.js", part_text("like", [{"like": {"tweetId": "5", "fullText": "liked"}}]))
        archive.writestr("data/direct-messages.js", part_text("direct_messages", [
            {"dmConversation": {"conversationId": "1-2", "messages": []}}]))
    return path
