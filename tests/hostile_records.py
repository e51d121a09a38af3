"""An archive holding hostile records — markup, script URLs, direction overrides, zero-width
characters, 100 KB strings — in every field a page, a citation or an export shows."""

from __future__ import annotations

from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

from archive.dates import PostedAt
from archive.lifecycle import init_archive, open_store
from archive.records import Person, Source, SourceRef, StatementContent
from index.engines.whoosh.indexer import attach_index

SCRIPT = '<script>alert("xss")</script>'
IMG = '"><img src=x onerror=alert(1)>'
SVG = "'><svg onload=alert(2)>"
JS_URL = "javascript:alert(3)"
RLO = "\u202e"  # RIGHT-TO-LEFT OVERRIDE: reverses what follows if not isolated
ZERO_WIDTH = "\u200b\u200c\u200d\u2060\ufeff"
FORMULA = '=HYPERLINK("http://evil.example","click")'
MARKER = "Zauberwort"  # a word only the hostile statements contain, to search for them
BIG = ("Lorem ipsum dolor " * 6000)[:100_000]
BIG_NAME = ("Name " * 20_000)[:100_000].strip()

HOSTILE_NAME = f"{SCRIPT}{IMG} Eve {RLO}evE{ZERO_WIDTH}"
HOSTILE_TEXT = (f"{FORMULA} {SCRIPT} {MARKER} {IMG} {SVG} {JS_URL} "
                f"{RLO}gnp.exe{ZERO_WIDTH} Null\u200bbreite.\n\nZweiter Absatz {MARKER}. {SCRIPT}")
HOSTILE_STRINGS = (SCRIPT, IMG, SVG, JS_URL)


@dataclass
class HostileArchive:
    data_dir: Path
    statement_id: str  # every hostile field at once
    big_id: str        # a 100 KB text with markup in the middle
    withdrawn_id: str  # a tombstone with a hostile reason


def build_hostile_archive(data_dir: Path) -> HostileArchive:
    """The seed collection plus the hostile records, indexed."""
    init_archive(data_dir)
    with open_store(data_dir) as store:
        attach_index(store, data_dir)
        store.put_person(Person(
            "hostile-person", HOSTILE_NAME, handles=(f"@{IMG}", f"@evil{RLO}"),
            aliases=(SVG,), description=f"{JS_URL} {SCRIPT} " + BIG[:2_000]))
        store.put_person(Person("big-name", BIG_NAME, handles=("@big",)))
        store.put_source(Source("hostile-source", f"{IMG}{SCRIPT} Quelle", lang="de",
                                publisher=f"<b>{SVG}</b>", url=JS_URL, retrieved_at=SCRIPT,
                                description=SCRIPT))
        content = StatementContent(
            person_id="hostile-person", text=HOSTILE_TEXT, kind="post", lang="de",
            original_lang="en", translation_note=SCRIPT,
            posted_at=PostedAt("2024-08-05", "day", "Europe/Berlin"), date_note=IMG,
            platform=f"{SCRIPT}plat", platform_id=IMG, venue=f"<iframe src={JS_URL}>",
            url='https://example.org/?q="><script>alert(4)</script>',
            in_reply_to_external=JS_URL,
            sources=(SourceRef("hostile-source", "wording", note=SCRIPT),))
        statement_id = store.add_statement(content, reason=f"first archived {SCRIPT}")
        store.revise_statement(statement_id, content.with_changes(venue=f"{SVG} Halle"),
                               reason=f"venue corrected {IMG}")
        big_text = BIG[:50_000] + f" {MARKER} {SCRIPT} {IMG} " + BIG[:49_900]
        big_id = store.add_statement(StatementContent(
            person_id="big-name", text=big_text, lang="en", platform="x", platform_id="-1+2",
            posted_at=PostedAt("2015", "year")))
        withdrawn_id = store.add_statement(StatementContent(
            person_id="hostile-person", text=f"soon withdrawn {MARKER}", lang="de"))
        store.withdraw_statement(withdrawn_id, f"withdrawn because {SCRIPT}{IMG}")
    return HostileArchive(data_dir, statement_id, big_id, withdrawn_id)


class PageInventory(HTMLParser):
    """What a browser would build from a page: its elements, their attributes, its text."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []
        self.script_bodies: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, dict(attrs)))
        self._in_script = tag == "script"

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_script = False

    def handle_data(self, data):
        (self.script_bodies if self._in_script else self.text).append(data)


SCRIPT_SCHEMES = ("javascript:", "vbscript:", "data:")


def find_injections(html: str) -> list[str]:
    """Every element or attribute on the page that could run code; [] for a safe page."""
    page = PageInventory()
    page.feed(html)
    page.close()
    found = []
    for tag, attrs in page.elements:
        if tag in ("img", "svg", "iframe", "object", "embed", "base", "meta") and not (
                tag == "meta" and set(attrs) <= {"charset", "name", "content"}):
            found.append(f"<{tag}> element")
        if tag == "script" and attrs.get("src") != "/static/app.js":
            found.append(f"<script> with src {attrs.get('src')!r}")
        for name, value in attrs.items():
            if name.startswith("on"):
                found.append(f"{name}= on <{tag}>")
            if name in ("href", "src", "action", "formaction", "cite") and value:
                squeezed = "".join(value.split()).lower()
                if squeezed.startswith(SCRIPT_SCHEMES):
                    found.append(f"{name}={value[:40]!r} on <{tag}>")
    if any(body.strip() for body in page.script_bodies):
        found.append("an inline script body")
    return found


def visible_text(html: str) -> str:
    page = PageInventory()
    page.feed(html)
    page.close()
    return "".join(page.text)
