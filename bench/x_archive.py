"""``python -m bench.x_archive``: generate an X account archive of 100,000 posts (a
``tweets.js`` of about 200 MB, shaped like a real export, plus ``note-tweet.js`` and
``account.js``) and import it into an empty data directory, reporting the importer's peak
memory and wall time. ``--project DIR`` runs the import with another checkout's code, so
the same archive measures two versions."""

from __future__ import annotations

import argparse
import json
import random
import resource
import shutil
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

from bench.corpus import SEED, generate_records
from bench.processes import PROJECT_ROOT, PYTHON, environment, run_measured

OUT = Path(__file__).resolve().parent / "out" / "x-archive"
MB = 1024 * 1024
FIRST_ID = 1_300_000_000_000_000_000
LONG_EVERY = 100  # one post in a hundred is a long post, cut in tweets.js, whole in note-tweet.js
_X_DATE = "%a %b %d %H:%M:%S +0000 %Y"
_SIZES = {name: {"w": "1200", "h": "900", "resize": "fit"} for name in ("medium", "small", "large")}


def _tweet(number: int, text: str, posted: datetime, lang: str, rng: random.Random,
           cut: dict | None = None) -> dict:
    """One element of ``tweets.js`` with the fields a real export carries; ``cut``, the link
    entity of a long post cut by the export (its text already ends in it)."""
    tweet_id = str(FIRST_ID + number)
    link = f"https://t.co/{rng.randrange(36 ** 10):010x}"
    urls = [{"url": link, "expanded_url": f"https://example.org/{number}", "display_url":
             f"example.org/{number}", "indices": ["0", "23"]}] if number % 4 == 0 else []
    media = [{"expanded_url": f"https://twitter.com/bench/status/{tweet_id}/photo/1",
              "indices": ["0", "23"], "url": f"https://t.co/{rng.randrange(36 ** 10):010x}",
              "media_url": "http://pbs.twimg.com/media/bench.jpg", "id_str": tweet_id,
              "id": tweet_id, "media_url_https": "https://pbs.twimg.com/media/bench.jpg",
              "sizes": _SIZES, "type": "photo", "display_url": "pic.twitter.com/bench"}
             ] if number % 2 == 0 else []
    if urls and not cut:
        text = f"{text} {link}"
    if media and not cut:
        text = f"{text} {media[0]['url']}"
    if cut:
        urls.append(cut)
    return {"tweet": {
        "edit_info": {"initial": {"editTweetIds": [tweet_id],
                                  "editableUntil": posted.strftime("%Y-%m-%dT%H:%M:%S.000Z"),
                                  "editsRemaining": "5", "isEditEligible": False}},
        "retweeted": False,
        "source": "<a href=\"https://mobile.twitter.com\" rel=\"nofollow\">Twitter Web App</a>",
        "entities": {"hashtags": [], "symbols": [], "user_mentions": [], "urls": urls,
                     **({"media": media} if media else {})},
        "display_text_range": ["0", str(len(text))],
        "favorite_count": str(rng.randrange(500)),
        "id_str": tweet_id, "truncated": False, "retweet_count": str(rng.randrange(50)),
        "id": tweet_id, "created_at": posted.strftime(_X_DATE), "favorited": False,
        "full_text": text, "lang": lang,
        **({"extended_entities": {"media": media}} if media else {}),
    }}


def _long_post(number: int, text: str, filler: str) -> tuple[str, str, dict]:
    """(the note's whole text, the cut text tweets.js holds, the self link entity)."""
    whole = text
    while len(whole) <= 300:
        whole = f"{whole} {filler}"
    tweet_id = str(FIRST_ID + number)
    link = f"https://t.co/n{number:09d}"
    cut = whole[:270].rstrip() + "… " + link
    return whole, cut, {"url": link, "expanded_url": f"https://twitter.com/i/web/status/{tweet_id}",
                        "display_url": "twitter.com/i/web/status/1…", "indices": ["272", "295"]}


def write_archive(size: int, folder: Path, seed: int = SEED) -> Path:
    """The archive folder ``folder/data`` with ``size`` posts; returns ``folder``."""
    data = folder / "data"
    data.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    notes = []
    with open(data / "tweets.js", "w", encoding="utf-8") as handle:
        handle.write("window.YTD.tweets.part0 = [ ")
        previous = ""
        for number, record in enumerate(generate_records(size, seed), 1):
            posted = datetime.fromisoformat(record.posted_at.replace("Z", "+00:00")).astimezone(UTC)
            text = record.text
            if number % LONG_EVERY == 0:
                whole, text, link = _long_post(number, text, previous or text)
                notes.append({"noteTweet": {
                    "noteTweetId": str(FIRST_ID + 10 ** 15 + number),
                    "updatedAt": posted.strftime("%Y-%m-%dT%H:%M:%S.000Z"),
                    "lifecycle": {"value": "0", "name": "Active", "originalName": "Active",
                                  "annotations": {}},
                    "createdAt": posted.strftime("%Y-%m-%dT%H:%M:%S.000Z"),
                    "core": {"styletags": [], "urls": [], "text": whole, "mentions": [],
                             "cashtags": [], "hashtags": []}}})
                element = _tweet(number, text, posted, record.lang, rng, cut=link)
            else:
                element = _tweet(number, text, posted, record.lang, rng)
            previous = record.text
            if number > 1:
                handle.write(", ")
            handle.write(json.dumps(element, indent=2, separators=(",", " : "), ensure_ascii=False))
        handle.write(" ]")
    (data / "note-tweet.js").write_text(
        "window.YTD.note_tweet.part0 = " + json.dumps(notes, indent=2, ensure_ascii=False), encoding="utf-8")
    (data / "account.js").write_text("window.YTD.account.part0 = " + json.dumps([{"account": {
        "username": "benchaccount", "accountId": "1", "accountDisplayName": "Bench Account"}}]),
        encoding="utf-8")
    return folder


def measure(archive: Path, project: Path, work: Path) -> dict:
    """Import ``archive`` with ``project``'s code into a new data directory under ``work``."""
    data_dir = work / "data"
    shutil.rmtree(data_dir, ignore_errors=True)
    env = environment(data_dir) | {"PYTHONPATH": str(project)}
    finished = run_measured([PYTHON, "-m", "flask", "--app", "web", "import", str(archive)], env,
                            cwd=project)
    return {"import_s": round(finished.seconds, 1),
            "import_memory_mb": round(finished.peak_memory / MB),
            "import_rss_mb": round(finished.peak_rss / MB),
            "summary": finished.stdout.strip().splitlines()[-1]}


def parse_only(reader: str, tweets_js: Path) -> dict:
    """Read every element of ``tweets_js`` with one streaming reader, in this process: the
    elements read, seconds, peak RSS (MB). ``stream``: Verbatim's own (x_stream); ``ijson``:
    ijson's C backend over the same bytes after the assignment."""
    started = time.perf_counter()
    count = 0
    if reader == "ijson":
        import ijson

        with open(tweets_js, "rb") as handle:
            while handle.read(1) != b"=":
                pass
            for _element in ijson.items(handle, "item", use_float=True):
                count += 1
    else:
        from archive.importers.x_stream import PartReader

        with PartReader(lambda: open(tweets_js, "rb"), tweets_js.name) as part:
            for _position, _element in part:
                count += 1
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    return {"reader": reader, "elements": count, "seconds": round(time.perf_counter() - started, 1),
            "peak_rss_mb": round(peak / MB)}


def compare_readers(tweets_js: Path) -> list[dict]:
    """Each streaming reader in a fresh process, so that peak memory is its own."""
    results = []
    readers = ["stream"]
    try:
        import ijson  # noqa: F401 - only measured, not a dependency of the importer
        readers.append("ijson")
    except ImportError:
        print("ijson is not installed: only Verbatim's reader is timed", file=sys.stderr)
    for reader in readers:
        finished = run_measured([PYTHON, "-m", "bench.x_archive", "--parse-only", reader,
                                 str(tweets_js)], environment())
        results.append(json.loads(finished.stdout))
    return results


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.x_archive", description=__doc__)
    parser.add_argument("--size", type=int, default=100_000, help="posts in tweets.js (default 100,000)")
    parser.add_argument("--project", type=Path, default=PROJECT_ROOT,
                        help="the checkout whose importer runs (default: this one)")
    parser.add_argument("--out", type=Path, default=OUT, help="work directory (default bench/out/x-archive)")
    parser.add_argument("--keep", action="store_true", help="keep the generated archive and data directory")
    parser.add_argument("--compare-readers", action="store_true",
                        help="also time reading tweets.js with Verbatim's reader and with ijson")
    parser.add_argument("--parse-only", nargs=2, metavar=("READER", "TWEETS_JS"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.parse_only:
        print(json.dumps(parse_only(args.parse_only[0], Path(args.parse_only[1]))))
        return
    work = args.out
    archive = work / "archive"
    if not (archive / "data" / "tweets.js").is_file() or not args.keep:
        shutil.rmtree(archive, ignore_errors=True)
        write_archive(args.size, archive)
    tweets_mb = (archive / "data" / "tweets.js").stat().st_size / MB
    print(f"archive: {args.size:,} posts, tweets.js {tweets_mb:.0f} MB", file=sys.stderr)
    figures = {"posts": args.size, "tweets_js_mb": round(tweets_mb), "project": str(args.project.resolve()),
               **measure(archive, args.project.resolve(), work)}
    if args.compare_readers:
        figures["readers"] = compare_readers(archive / "data" / "tweets.js")
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)
    print(json.dumps(figures, indent=1))


if __name__ == "__main__":
    main()
