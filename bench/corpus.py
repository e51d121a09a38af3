"""The benchmark corpora: the two real tweet corpora read in place, and larger corpora
generated from them (recombined sentences, real and invented speakers, plausible dates),
the same for the same seed and size."""

from __future__ import annotations

import gzip
import json
import random
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
CORPORA = PROJECT_ROOT.parent / "shared" / "corpora"
SEED = 20_240_805


@dataclass(frozen=True)
class RealCorpus:
    """One real corpus file and the import options that map its fields."""

    path: Path
    text: str
    speaker: str
    posted_at: str
    platform_id: str
    lang: str

    def import_options(self):
        """The same mapping as ``import_arguments``, as the importer's options."""
        from archive.importers import ImportOptions

        return ImportOptions(mapping={"text": self.text, "speaker": self.speaker,
                                      "posted_at": self.posted_at, "platform_id": self.platform_id},
                             constants={"platform": "x", "lang": self.lang}).check()

    def import_arguments(self) -> list[str]:
        return [str(self.path), "--map", f"text={self.text}", "--map", f"speaker={self.speaker}",
                "--map", f"posted_at={self.posted_at}", "--map", f"platform_id={self.platform_id}",
                "--set", "platform=x", "--set", f"lang={self.lang}"]


REAL_CORPORA = (
    RealCorpus(CORPORA / "de-politicians-tweets" / "tweets.jsonl.gz", "full_text", "twitter_handle",
               "created_at", "status_id", "de"),
    RealCorpus(CORPORA / "trump-tweets" / "trump_tweets.jsonl.gz", "text", "author", "created_at",
               "id", "en"),
)


@dataclass(frozen=True)
class Record:
    """One statement in the shape both engines load (the generated files' line shape)."""

    platform_id: str
    speaker: str      # the handle as written
    posted_at: str    # ISO 8601, UTC
    lang: str
    text: str

    def as_json(self) -> dict:
        return {"platform_id": self.platform_id, "speaker": self.speaker, "posted_at": self.posted_at,
                "lang": self.lang, "text": self.text}


def person_id_of(handle: str) -> str:
    """The person ID an import gives a new handle (lower case, leading _ . - dropped)."""
    return handle.lstrip("_.-@").lower()


def read_real_records(corpora: tuple[RealCorpus, ...] = REAL_CORPORA,
                      lines: int | None = None) -> Iterator[Record]:
    """Every record of the real corpora (the first ``lines`` of each when given), HTML
    entities decoded as the importer does for X."""
    from html import unescape

    for corpus in corpora:
        with gzip.open(corpus.path, "rt", encoding="utf-8") as handle:
            for number, line in enumerate(handle):
                if lines is not None and number >= lines:
                    break
                raw = json.loads(line)
                yield Record(str(raw[corpus.platform_id]), raw[corpus.speaker], raw[corpus.posted_at],
                             corpus.lang, unescape(raw[corpus.text]))


_SENTENCE_END = re.compile(r"(?<=[.!?…])\s+")
_FIRST_NAMES = ("Anna", "Lukas", "Sophie", "Jonas", "Marie", "Felix", "Laura", "Paul", "Julia", "Tim",
                "Sarah", "Jan", "Lena", "David", "Emma", "Max", "Hannah", "Leon", "Clara", "Simon",
                "Mary", "James", "Linda", "Robert", "Susan", "Michael", "Karen", "William", "Nancy",
                "Thomas")
_LAST_NAMES = ("Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Meyer", "Wagner", "Becker",
               "Schulz", "Hoffmann", "Koch", "Bauer", "Richter", "Klein", "Wolf", "Schröder",
               "Neumann", "Schwarz", "Zimmermann", "Braun", "Krüger", "Hofmann", "Hartmann", "Lange",
               "Smith", "Johnson", "Brown", "Miller", "Davis", "Wilson", "Moore", "Taylor", "Clark")


@dataclass
class _Speaker:
    handle: str
    lang: str
    first: datetime
    last: datetime
    weight: float


def _speakers(records: list[Record], rng: random.Random, invented: int) -> list[_Speaker]:
    """The real speakers with their own span and volume, plus invented ones like them."""
    spans: dict[str, list] = {}
    for record in records:
        moment = datetime.fromisoformat(record.posted_at.replace("Z", "+00:00"))
        span = spans.setdefault(record.speaker, [record.lang, moment, moment, 0])
        span[1], span[2], span[3] = min(span[1], moment), max(span[2], moment), span[3] + 1
    speakers = [_Speaker(handle, lang, first, last, float(count))
                for handle, (lang, first, last, count) in sorted(spans.items())]
    used = {speaker.handle.lower() for speaker in speakers}
    latest = max(speaker.last for speaker in speakers)  # nobody speaks after the corpora end
    while invented:
        first_name, last_name = rng.choice(_FIRST_NAMES), rng.choice(_LAST_NAMES)
        handle = rng.choice(("{f}{l}", "{f}_{l}", "{l}{f}", "{f}{l}MdB", "Real{f}{l}")).format(
            f=first_name, l=last_name.replace("ü", "ue").replace("ö", "oe"))
        if handle.lower() in used:
            continue
        used.add(handle.lower())
        model = rng.choice(speakers[:len(spans)])
        start = model.first - timedelta(days=rng.randrange(0, 2000))
        end = min(start + timedelta(days=rng.randrange(200, 3000)), latest)
        speakers.append(_Speaker(handle, model.lang, start, end,
                                 1000.0 / (1 + len(speakers) - len(spans)) ** 0.8))
        invented -= 1
    return speakers


def generate_records(size: int, seed: int = SEED) -> Iterator[Record]:
    """``size`` statements recombined from the real corpora's sentences: 1 to 3 sentences of
    the speaker's language, a date inside the speaker's active span. Deterministic."""
    rng = random.Random(seed)
    real = list(read_real_records())
    sentences: dict[str, list[str]] = {"de": [], "en": []}
    for record in real:
        for sentence in _SENTENCE_END.split(record.text.strip()):
            if len(sentence) >= 12:
                sentences[record.lang].append(sentence)
    speakers = _speakers(real, rng, invented=max(20, size // 2_000))
    weights = [speaker.weight for speaker in speakers]
    chosen = rng.choices(speakers, weights=weights, k=size)
    for number, speaker in enumerate(chosen, 1):
        pool = sentences[speaker.lang]
        count = rng.choices((1, 2, 3), weights=(5, 3, 2))[0]
        text = " ".join(rng.choice(pool) for _ in range(count))
        seconds = int((speaker.last - speaker.first).total_seconds())
        moment = speaker.first + timedelta(seconds=rng.randrange(max(1, seconds)))
        posted_at = moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        yield Record(f"gen{seed}-{number:07d}", speaker.handle, posted_at, speaker.lang, text)


def write_generated(size: int, path: Path, seed: int = SEED) -> Path:
    """Write the generated corpus as JSON Lines (the importer reads each field by name)."""
    with open(path, "w", encoding="utf-8") as handle:
        for record in generate_records(size, seed):
            handle.write(json.dumps(record.as_json(), ensure_ascii=False) + "\n")
    return path


def read_generated(path: Path) -> Iterator[Record]:
    with open(path, encoding="utf-8") as handle:
        for line in handle:
            yield Record(**json.loads(line))
