"""Citations of archived statements, one function per style: APA 7, MLA 9, Chicago 17 (note and
bibliography), BibTeX, CSL-JSON, RIS and a plain "quote + ID + permalink" line.

Every citation names the work (speaker, the post's own words as its title, date, platform),
marks a translation ("translated from English"), and points into the archive with the citation
ID and the permalink. A ``CitationRef`` with a paragraph or sentence narrows the citation to that
passage. Output is plain text (no italics); ``CITATION_STYLES`` maps the API's style names to
the functions and ``format_citation`` picks one by name.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from datetime import date, datetime

from archive.citation_ids import CitationRef
from archive.dates import PostedAt
from archive.records import Person, Source, Statement, split_paragraphs, split_sentences
from archive.vocabulary import KIND_LABELS, language_name, platform_name

ARCHIVE_NAME = "Verbatim"
APA_TITLE_WORDS = 20  # APA 7 (10.15): the first 20 words of a post stand in for its title
CHICAGO_TITLE_CHARACTERS = 160  # CMOS 17 (14.209): up to the first 160 characters of a post
MLA_FULL_TITLE_CHARACTERS = 280  # MLA 9 reproduces a short post whole; longer ones are cut

MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December")
MLA_MONTHS = ("Jan.", "Feb.", "Mar.", "Apr.", "May", "June", "July", "Aug.", "Sept.", "Oct.",
              "Nov.", "Dec.")
BIBTEX_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")

# Kinds that exist only as platform posts; other kinds published on a platform are
# "letter posted on X".
POST_KINDS = ("post", "reply", "repost")
TRUNCATED_NOTE = "text cut by the platform's export"
CSL_TYPES = {
    "post": "post", "reply": "post", "repost": "post", "remark": "speech",
    "interview": "interview", "speech": "speech", "article": "article", "other": "document",
}


class UnknownCitationStyleError(ValueError):
    """A citation style name that is not in ``CITATION_STYLES``; the message lists the known ones."""


class CitationLocatorError(ValueError):
    """A locator that does not belong to the statement being cited (another ID or revision)."""


class LocatorOutOfRangeError(CitationLocatorError):
    """A locator past the end of the statement: paragraph N of a text with fewer paragraphs, or
    sentence M of a paragraph with fewer sentences."""


# --- the parts every style draws on -------------------------------------------------------


def cited_passage(statement: Statement, locator: CitationRef | None = None) -> str:
    """The words a citation covers: the whole text, one paragraph, or one sentence.

    Raises LocatorOutOfRangeError when the paragraph or sentence does not exist, and
    CitationLocatorError when the locator names another statement or revision.
    """
    check_locator(statement, locator)
    if locator is None or locator.paragraph is None:
        return statement.text
    paragraphs = split_paragraphs(statement.text)
    if locator.paragraph > len(paragraphs):
        raise LocatorOutOfRangeError(
            f"{statement.statement_id} has {len(paragraphs)} paragraph(s), not {locator.paragraph}"
        )
    paragraph = paragraphs[locator.paragraph - 1]
    if locator.sentence is None:
        return paragraph
    sentences = split_sentences(paragraph)
    if locator.sentence > len(sentences):
        raise LocatorOutOfRangeError(
            f"paragraph {locator.paragraph} of {statement.statement_id} has "
            f"{len(sentences)} sentence(s), not {locator.sentence}"
        )
    return sentences[locator.sentence - 1]


def check_locator(statement: Statement, locator: CitationRef | None) -> None:
    """Raise CitationLocatorError if ``locator`` points at another statement or revision."""
    if locator is None:
        return
    if locator.statement_id != statement.statement_id:
        raise CitationLocatorError(
            f"locator {locator} does not belong to statement {statement.statement_id}"
        )
    if locator.revision is not None and locator.revision != statement.revision.revision:
        raise CitationLocatorError(
            f"locator {locator} asks for revision {locator.revision}, "
            f"but revision {statement.revision.revision} was given"
        )
    if locator.sentence is not None and locator.paragraph is None:
        raise CitationLocatorError(f"locator {locator} names a sentence without its paragraph")


def _citation_id(statement: Statement, locator: CitationRef | None) -> str:
    """The ID, with ``@N`` when an earlier revision (or an explicit one) is cited."""
    explicit = locator is not None and locator.revision is not None
    if explicit or not statement.is_current:
        return f"{statement.statement_id}@{statement.revision.revision}"
    return statement.statement_id


def _reference(statement: Statement, locator: CitationRef | None) -> str:
    """The archive's own notation: ``ID``, ``ID@2``, ``ID/p2``, ``ID@2/p2.s1``."""
    reference = _citation_id(statement, locator)
    if locator is not None and locator.locator:
        reference += f"/{locator.locator}"
    return reference


def _pinpoint(locator: CitationRef | None, paragraph_word: str) -> str:
    """``para. 2`` / ``par. 2, sentence 1`` in the abbreviation a style uses; '' without one."""
    if locator is None or locator.paragraph is None:
        return ""
    text = f"{paragraph_word} {locator.paragraph}"
    if locator.sentence is not None:
        text += f", sentence {locator.sentence}"
    return text


def _translated_from(statement: Statement) -> str:
    """``translated from English`` for a translation, '' for words in their own language."""
    if not statement.content.is_translation:
        return ""
    return f"translated from {language_name(statement.content.original_lang)}"


def _platform_name(statement: Statement) -> str:
    return platform_name(statement.content.platform)


def _medium(statement: Statement) -> str:
    """What the statement is and where it appeared: ``reply on X``, ``letter posted on X``,
    ``remark, a café in Berkeley``."""
    content = statement.content
    label = KIND_LABELS[content.kind]
    platform = _platform_name(statement)
    if platform:
        label += f" on {platform}" if content.kind in POST_KINDS else f" posted on {platform}"
    if content.venue:
        label += f", {content.venue}"
    return label


def describe_deletion(statement: Statement, dates: Callable[[tuple[int, ...]], str] | None = None) -> str:
    """``deleted on X on 18 February 2023`` (to the day, or less as the record knows it) for
    a statement the platform no longer shows, the date as ``dates`` writes date parts (a
    style's own form); '' for any other statement."""
    deletion = statement.content.deleted_on_platform
    if deletion is None:
        return ""
    where = f"deleted on {_platform_name(statement) or 'the platform'}"
    when = deletion.when
    if when.precision == "unknown":
        return where
    if dates is not None:
        return f"{where} on {dates(_date_parts(when))}"
    if when.precision in ("minute", "second"):
        when = PostedAt(when.value[:10], "day")
    return f"{where} on {when.describe()}"


def record_marks(statement: Statement, dates: Callable[[tuple[int, ...]], str] | None = None) -> list[str]:
    """What a reader must know of the record beside its words: cut by the platform's export,
    deleted on the platform (its date as ``dates`` writes it). Every citation style and page
    shows these."""
    marks = [TRUNCATED_NOTE] if statement.content.text_truncated else []
    deletion = describe_deletion(statement, dates)
    return marks + ([deletion] if deletion else [])


def _reported_in(statement: Statement) -> str:
    reporter = statement.content.reported_by
    return f"reported in {reporter}" if reporter else ""


def _capitalise(text: str) -> str:
    return text[:1].upper() + text[1:]


# Unicode's directional formatting characters: embeddings and overrides (LRE RLE PDF LRO RLO),
# isolates (LRI RLI FSI PDI) and marks (LRM RLM ALM).
_ISOLATE_OPENERS = "\u2066\u2067\u2068"
_ISOLATE_CLOSER = "\u2069"
_FIRST_STRONG_ISOLATE = "\u2068"
_BIDI_CLASSES = {"R", "AL", "AN", "LRE", "RLE", "PDF", "LRO", "RLO", "LRI", "RLI", "FSI", "PDI"}


def _isolate(text: str) -> str:
    """A record's field as it goes into a prose citation: between FSI and PDI when it holds
    right-to-left letters or directional controls, so that an override in a name or quote
    cannot reorder the rest of the citation; unchanged otherwise.

    A PDI closes every embedding and override opened inside its isolate (UAX #9, X6a). A
    field's own stray PDI would close the wrapper early, so each gets an FSI of its own in
    front, and each isolate the field leaves open gets its PDI at the end.
    """
    if not any(unicodedata.bidirectional(char) in _BIDI_CLASSES for char in text):
        return text
    depth, stray = 0, 0
    for char in text:
        if char in _ISOLATE_OPENERS:
            depth += 1
        elif char == _ISOLATE_CLOSER:
            if depth:
                depth -= 1
            else:
                stray += 1
    return _FIRST_STRONG_ISOLATE * (1 + stray) + text + _ISOLATE_CLOSER * (1 + depth)


def _one_line(text: str) -> str:
    """Paragraph breaks and runs of white space as single spaces (for titles and tag values)."""
    return " ".join(text.split())


def _trim_cut(text: str) -> str:
    """A cut text ends on a word, not on the comma or dash that followed it."""
    return text.rstrip(" ,;:–—-")


def _title_words(text: str, count: int = APA_TITLE_WORDS) -> str:
    words = text.split()
    if len(words) <= count:
        return " ".join(words)
    return _trim_cut(" ".join(words[:count]))


def _title_characters(text: str, limit: int = CHICAGO_TITLE_CHARACTERS) -> str:
    """Up to ``limit`` characters, cut after a whole word."""
    line = _one_line(text)
    if len(line) <= limit:
        return line
    cut = line[: limit + 1]
    cut = cut[: cut.rfind(" ")] if " " in cut else line[:limit]
    return _trim_cut(cut)


def _speaker_handle(statement: Statement) -> str:
    """The speaker's handle, shown only for statements made on a platform."""
    if not statement.content.platform or not statement.speaker.handles:
        return ""
    handle = statement.speaker.handles[0]
    return handle if handle.startswith("@") else f"@{handle}"


def _name_parts(person: Person) -> tuple[str, str]:
    """(family, given). An alias that ends the name is the family name ("van Gogh");
    otherwise the last word is. A one-word name is all family name."""
    name = _one_line(person.name)
    for alias in sorted(person.aliases, key=len, reverse=True):
        alias = _one_line(alias)
        if alias and name != alias and name.endswith(" " + alias):
            return alias, name[: -len(alias) - 1]
    given, _, family = name.rpartition(" ")
    return family, given


def _initials(given: str) -> str:
    """``John Paul`` -> ``J. P.``, ``Jean-Paul`` -> ``J.-P.``"""
    return " ".join(
        "-".join(part[0] + "." for part in word.split("-") if part) for word in given.split()
    )


def _date_parts(posted_at: PostedAt) -> tuple[int, ...]:
    """(year,), (year, month) or (year, month, day) in the record's own precision and zone."""
    if posted_at.precision == "unknown":
        return ()
    if posted_at.precision in ("minute", "second"):
        moment = datetime.fromisoformat(posted_at.value)
        return moment.year, moment.month, moment.day
    return tuple(int(part) for part in posted_at.value.split("-"))


def _end_with(text: str, mark: str) -> str:
    """Add a period or comma unless the text already ends a sentence."""
    return text if text.endswith((".", "!", "?", "…")) else text + mark


def _quoted_title(title: str, mark: str) -> str:
    """A title in quotation marks with the following period or comma placed inside them, as
    Chicago and MLA do; a title ending in ? ! or … keeps its own mark, and a title's own final
    period turns into the comma ("… tweets,")."""
    if mark == "," and title.endswith(".") and not title.endswith(".."):
        title = title[:-1] + ","
    elif not title.endswith((".", "!", "?", "…")):
        title += mark
    return f"“{title}”"


def _join_sentences(parts: list[str]) -> str:
    return " ".join(_end_with(_capitalise(part), ".") for part in parts if part)


# --- the styles ----------------------------------------------------------------------------


def _apa_date(parts: tuple[int, ...]) -> str:
    """``2024, August 5``, ``2024, August``, ``2015`` or ``n.d.``"""
    if not parts:
        return "n.d."
    text = str(parts[0])
    if len(parts) > 1:
        text += f", {MONTHS[parts[1] - 1]}"
    if len(parts) > 2:
        text += f" {parts[2]}"
    return text


def format_apa(statement: Statement, *, permalink: str, accessed: date,
               locator: CitationRef | None = None, source: Source | None = None) -> str:
    """APA 7 reference entry (10.15 social media).

    ``Altman, S. [@sama]. (2024, August 5). <first 20 words> [Post, translated from English].
    X. Verbatim, EGYN-534B. <permalink>``. An unnamed speaker is not an author: the words move
    into the author position, as APA does for works without an author. Dates missing give
    ``(n.d.)``. The archived copy is stable, so no retrieval date is given (``accessed`` is
    unused); a locator adds ``para. N``.
    """
    cited_passage(statement, locator)
    content = statement.content
    title = _isolate(_title_words(statement.text))
    platform = _isolate(_platform_name(statement))
    if content.kind in POST_KINDS and platform:
        description = "Tweet" if content.platform.lower() == "twitter" else "Post"
    else:
        description = _capitalise(KIND_LABELS[content.kind])
        if content.venue:
            description += f", {_isolate(content.venue)}"
    extras = [_reported_in(statement), _translated_from(statement), *record_marks(statement)]
    description = ", ".join([description] + [extra for extra in extras if extra])
    when = f"({_apa_date(_date_parts(content.posted_at))})."
    handle = _isolate(_speaker_handle(statement))
    work = f"{title} [{description}]."
    if statement.speaker.unnamed:
        lead = f"{handle}. {when} {work}" if handle else f"{work} {when}"
    else:
        family, given = _name_parts(statement.speaker)
        author = f"{_isolate(family)}, {_isolate(_initials(given))}" if given else _isolate(family)
        if handle:
            author += f" [{handle}]"
        lead = f"{_end_with(author, '.')} {when} {work}"
    archive = f"{ARCHIVE_NAME}, {_citation_id(statement, locator)}"
    pinpoint = _pinpoint(locator, "para.")
    if pinpoint:
        archive += f", {pinpoint}"
    site = f" {platform}." if platform else ""
    return f"{lead}{site} {archive}. {permalink}"


def _mla_date(parts: tuple[int, ...]) -> str:
    if not parts:
        return ""
    text = str(parts[0])
    if len(parts) > 1:
        text = f"{MLA_MONTHS[parts[1] - 1]} {text}"
    if len(parts) > 2:
        text = f"{parts[2]} {text}"
    return text


def format_mla(statement: Statement, *, permalink: str, accessed: date,
               locator: CitationRef | None = None, source: Source | None = None) -> str:
    """MLA 9 works-cited entry.

    ``@sama [Sam Altman]. "<the post>." X, 5 Aug. 2024. Translated from English. Verbatim,
    EGYN-534B, <permalink>.`` A post up to 280 characters is its own title; a longer one is cut
    after a word near 160 characters and ends in an ellipsis. Handles lead for platform posts
    with the real name in brackets; an unnamed speaker is left out and the entry starts with the
    title. Without a date the entry ends with ``Accessed <date>.``; a locator adds ``par. N``.
    """
    cited_passage(statement, locator)
    content = statement.content
    line = _one_line(statement.text)
    if len(line) <= MLA_FULL_TITLE_CHARACTERS:
        title = _isolate(line)
    else:
        title = _isolate(_title_characters(line)) + " . . ."
    handle = _isolate(_speaker_handle(statement))
    if statement.speaker.unnamed:
        author = handle
    elif handle:
        author = f"{handle} [{_isolate(_one_line(statement.speaker.name))}]"
    else:
        family, given = _name_parts(statement.speaker)
        author = f"{_isolate(family)}, {_isolate(given)}" if given else _isolate(family)
    pieces = [f"{_end_with(author, '.')} " if author else ""]
    pieces.append(_quoted_title(title, "."))
    platform = _isolate(_platform_name(statement))
    first_container = [platform] if platform and content.kind in POST_KINDS else []
    if not first_container:
        first_container.append(_isolate(_capitalise(_medium(statement))))
    when = _mla_date(_date_parts(content.posted_at))
    if when:
        first_container.append(when)
    pieces.append(" " + _end_with(", ".join(first_container), "."))
    supplements = [_capitalise(_reported_in(statement)), _capitalise(_translated_from(statement)),
                   *map(_capitalise, record_marks(statement, _mla_date))]
    for supplement in supplements:
        if supplement:
            pieces.append(" " + _end_with(supplement, "."))
    archive = [ARCHIVE_NAME, _citation_id(statement, locator)]
    pinpoint = _pinpoint(locator, "par.")
    if pinpoint:
        archive.append(pinpoint)
    archive.append(permalink)
    pieces.append(" " + ", ".join(archive) + ".")
    if not when:
        pieces.append(f" Accessed {accessed.day} {MLA_MONTHS[accessed.month - 1]} {accessed.year}.")
    return "".join(pieces)


def _chicago_date(parts: tuple[int, ...]) -> str:
    if not parts:
        return "n.d."
    if len(parts) == 1:
        return str(parts[0])
    if len(parts) == 2:
        return f"{MONTHS[parts[1] - 1]} {parts[0]}"
    return f"{MONTHS[parts[1] - 1]} {parts[2]}, {parts[0]}"


def _chicago_medium(statement: Statement) -> str:
    """``X`` for posts (CMOS 14.209), ``letter posted on X``, ``remark, a café in Berkeley``."""
    platform = _platform_name(statement)
    if platform and statement.content.kind in POST_KINDS:
        return platform
    return _medium(statement)


def _chicago_elements(
    statement: Statement, locator: CitationRef | None, accessed: date
) -> tuple[str, list[str], list[str]]:
    """(title, facts after the title, archive elements) shared by note and bibliography."""
    content = statement.content
    title = _isolate(_title_characters(statement.text))
    facts = [_isolate(_chicago_medium(statement)), _chicago_date(_date_parts(content.posted_at))]
    facts += [extra for extra in (_reported_in(statement), _translated_from(statement),
                                  *record_marks(statement, _chicago_date)) if extra]
    archive = [ARCHIVE_NAME, _citation_id(statement, locator)]
    pinpoint = _pinpoint(locator, "par.")
    if pinpoint:
        archive.append(pinpoint)
    if content.posted_at.precision == "unknown":
        # CMOS 14.12: an undated source gets the date it was consulted
        archive.append(f"accessed {MONTHS[accessed.month - 1]} {accessed.day}, {accessed.year}")
    return title, facts, archive


def _chicago_author(statement: Statement, *, inverted: bool) -> str:
    """``Sam Altman (@sama)`` for a note, ``Altman, Sam (@sama)`` for the bibliography; an
    unnamed speaker is only their handle, if any (never a name)."""
    handle = _isolate(_speaker_handle(statement))
    if statement.speaker.unnamed:
        return handle
    if inverted:
        family, given = _name_parts(statement.speaker)
        name = f"{_isolate(family)}, {_isolate(given)}" if given else _isolate(family)
    else:
        name = _isolate(_one_line(statement.speaker.name))
    return name + (f" ({handle})" if handle else "")


def format_chicago_note(statement: Statement, *, permalink: str, accessed: date,
                        locator: CitationRef | None = None, source: Source | None = None) -> str:
    """Chicago 17 full note (14.209 social media).

    ``Sam Altman (@sama), "<first 160 characters>," X, August 5, 2024, translated from English,
    Verbatim, EGYN-534B, <permalink>.`` An unnamed speaker is left out and the note starts with
    the title; an undated one reads ``n.d.`` and gets ``accessed <date>``; a locator adds
    ``par. N``.
    """
    cited_passage(statement, locator)
    title, facts, archive = _chicago_elements(statement, locator, accessed)
    author = _chicago_author(statement, inverted=False)
    lead = f"{author}, " if author else ""
    return f"{lead}{_quoted_title(title, ',')} {', '.join(facts + archive + [permalink])}."


def format_chicago_bib(statement: Statement, *, permalink: str, accessed: date,
                       locator: CitationRef | None = None, source: Source | None = None) -> str:
    """Chicago 17 bibliography entry (14.209).

    ``Altman, Sam (@sama). "<first 160 characters>." X, August 5, 2024. Translated from
    English. Verbatim, EGYN-534B. <permalink>.`` Unnamed speakers and missing dates as in the
    note; a locator adds ``Par. N.`` before the archive.
    """
    cited_passage(statement, locator)
    title, facts, archive = _chicago_elements(statement, locator, accessed)
    author = _chicago_author(statement, inverted=True)
    medium_and_date = _capitalise(", ".join(facts[:2]))
    pieces = [f"{_end_with(author, '.')} " if author else "", _quoted_title(title, "."),
              " " + _end_with(medium_and_date, ".")]
    pieces += [" " + _end_with(_capitalise(extra), ".") for extra in facts[2:]]
    consulted = [element for element in archive if element.startswith("accessed ")]
    located = [element for element in archive if element not in consulted]
    pieces.append(" " + ", ".join(located) + ".")
    pieces += [" " + _capitalise(element) + "." for element in consulted]
    pieces.append(f" {permalink}.")
    return "".join(pieces)


_BIBTEX_SPECIAL = {
    "\\": r"\textbackslash{}", "{": r"\{", "}": r"\}", "%": r"\%", "&": r"\&", "$": r"\$",
    "#": r"\#", "_": r"\_", "~": r"\textasciitilde{}", "^": r"\textasciicircum{}",
}
_BIBTEX_WORD = re.compile(r"[^\W_]+(?:[-'’][^\W_]+)*")


def escape_bibtex(text: str) -> str:
    """Escape TeX's special characters on one line; letters outside ASCII stay as UTF-8."""
    return _escape_tex(_one_line(text))


def _escape_tex(text: str) -> str:
    return "".join(_BIBTEX_SPECIAL.get(char, char) for char in text)


def protect_bibtex_title(text: str) -> str:
    """Escape a title and brace every word with a capital letter, so that styles which
    lower-case titles keep ``{OpenAI}`` and German nouns as written."""
    text = _one_line(text)
    out, position = [], 0
    for match in _BIBTEX_WORD.finditer(text):
        out.append(_escape_tex(text[position:match.start()]))
        word = match.group()
        out.append(f"{{{word}}}" if any(char.isupper() for char in word) else word)
        position = match.end()
    out.append(_escape_tex(text[position:]))
    return "".join(out)


def _notes(statement: Statement, source: Source | None) -> list[str]:
    """The sentences machine formats carry in a note field: translation, report, source."""
    notes = [_capitalise(_translated_from(statement)), _capitalise(_reported_in(statement)),
             *map(_capitalise, record_marks(statement))]
    if source is not None:
        notes.append(f"Wording from: {_one_line(source.title)}")
    return [note for note in notes if note]


def format_bibtex(statement: Statement, *, permalink: str, accessed: date,
                  locator: CitationRef | None = None, source: Source | None = None) -> str:
    """A BibTeX ``@misc`` entry keyed by the reference (``FGPN-RXWX-p2``), with ``url`` and
    ``urldate``; the title is the first 160 characters with capitalised words braced, and an
    unnamed speaker gets no ``author`` field."""
    cited_passage(statement, locator)
    key = re.sub(r"[^A-Za-z0-9-]+", "-", _reference(statement, locator).replace("@", "-r"))
    fields: list[tuple[str, str]] = []
    if not statement.speaker.unnamed:
        family, given = _name_parts(statement.speaker)
        if given and " and " not in f" {statement.speaker.name.lower()} ":
            name = escape_bibtex(f"{family}, {given}")
        else:
            # braced: one name, not a list of authors ("and") or a surname to invert
            name = "{" + escape_bibtex(statement.speaker.name) + "}"
        fields.append(("author", "{" + name + "}"))
    fields.append(("title", "{" + protect_bibtex_title(_title_characters(statement.text)) + "}"))
    fields.append(("howpublished", "{" + escape_bibtex(_capitalise(_medium(statement))) + "}"))
    parts = _date_parts(statement.content.posted_at)
    if parts:
        fields.append(("year", "{" + str(parts[0]) + "}"))
    if len(parts) > 1:
        fields.append(("month", BIBTEX_MONTHS[parts[1] - 1]))
    entry = f"{ARCHIVE_NAME} citation ID {_reference(statement, locator)}"
    pinpoint = _pinpoint(locator, "paragraph")
    if pinpoint:
        entry += f" ({pinpoint})"
    note = _join_sentences([*_notes(statement, source), entry])
    fields.append(("note", "{" + escape_bibtex(note) + "}"))
    fields.append(("url", "{" + permalink + "}"))
    fields.append(("urldate", "{" + accessed.isoformat() + "}"))
    body = ",\n".join(f"  {name} = {value}" for name, value in fields)
    return f"@misc{{{key},\n{body}\n}}"


def _csl_type(statement: Statement) -> str:
    kind = statement.content.kind
    if kind == "letter":
        # a letter published as a post is cited as the post; a private one as correspondence
        return "post" if statement.content.platform else "personal_communication"
    return CSL_TYPES[kind]


def format_csl_json(statement: Statement, *, permalink: str, accessed: date,
                    locator: CitationRef | None = None, source: Source | None = None) -> dict:
    """A CSL-JSON item (CSL 1.0.2 variables).

    Types: ``post`` for posts, replies, reposts and letters published on a platform,
    ``personal_communication`` for other letters, ``speech`` for remarks and speeches,
    ``interview``, ``article``, else ``document``. The archive is ``archive`` and the reference
    ``archive_location``; an unnamed speaker has no ``author``, an undated one no ``issued``.
    """
    cited_passage(statement, locator)
    content = statement.content
    item: dict = {"id": _reference(statement, locator), "type": _csl_type(statement),
                  "title": _title_characters(statement.text)}
    if not statement.speaker.unnamed:
        family, given = _name_parts(statement.speaker)
        item["author"] = [{"family": family, "given": given} if given else {"literal": family}]
    parts = _date_parts(content.posted_at)
    if parts:
        item["issued"] = {"date-parts": [list(parts)]}
    platform = _platform_name(statement)
    if platform:
        item["container-title"] = platform
    item["genre"] = _capitalise(KIND_LABELS[content.kind])
    if content.venue:
        item["event-place"] = content.venue
    if content.lang:
        item["language"] = content.lang
    note = _join_sentences(_notes(statement, source))
    if note:
        item["note"] = note
    item["archive"] = ARCHIVE_NAME
    item["archive_location"] = _reference(statement, locator)
    item["URL"] = permalink
    item["accessed"] = {"date-parts": [[accessed.year, accessed.month, accessed.day]]}
    return item


def _ris_type(statement: Statement) -> str:
    if statement.content.platform and statement.content.kind in (*POST_KINDS, "letter"):
        return "BLOG"  # a (micro)blog post; Zotero and EndNote read it as one
    if statement.content.kind in ("letter", "interview"):
        return "PCOMM"
    return "GEN"


def format_ris(statement: Statement, *, permalink: str, accessed: date,
               locator: CitationRef | None = None, source: Source | None = None) -> str:
    """A RIS record, one ``TAG  - value`` per line (LF line ends), from ``TY`` to ``ER``.

    ``TY  - BLOG`` for posts (``T2`` the platform), ``PCOMM`` for private letters and
    interviews, ``GEN`` otherwise; ``M3`` the kind, ``AN`` the reference, ``DP`` the archive,
    ``DA`` as ``YYYY/MM/DD/`` with empty parts where the date is partial.
    """
    cited_passage(statement, locator)
    content = statement.content
    lines = [("TY", _ris_type(statement))]
    if not statement.speaker.unnamed:
        family, given = _name_parts(statement.speaker)
        lines.append(("AU", f"{family}, {given}" if given else family))
    lines.append(("TI", _title_characters(statement.text)))
    platform = _platform_name(statement)
    if platform:
        lines.append(("T2", platform))
    lines.append(("M3", _capitalise(KIND_LABELS[content.kind])))
    if content.venue:
        lines.append(("CY", content.venue))
    parts = _date_parts(content.posted_at)
    if parts:
        lines.append(("PY", str(parts[0])))
        padded = [f"{parts[0]:04d}"] + [f"{part:02d}" for part in parts[1:]]
        lines.append(("DA", "/".join(padded + [""] * (4 - len(padded)))))
    if content.lang:
        lines.append(("LA", content.lang))
    for note in _notes(statement, source):
        lines.append(("N1", _end_with(note, ".")))
    lines.append(("AN", _reference(statement, locator)))
    lines.append(("DP", ARCHIVE_NAME))
    lines.append(("UR", permalink))
    lines.append(("Y2", accessed.strftime("%Y/%m/%d")))
    lines.append(("ER", ""))
    return "\n".join(f"{tag}  - {_one_line(value)}".rstrip() if tag != "ER" else "ER  - "
                     for tag, value in lines)


def format_plain(statement: Statement, *, permalink: str, accessed: date,
                 locator: CitationRef | None = None, source: Source | None = None) -> str:
    """One line: ``"<quote>" — <speaker>, <medium>, <date>, translated from English.
    <reference> <permalink>``.

    The quote is the whole text, or only the located paragraph or sentence; paragraph breaks
    inside it are shown as `` ¶ ``. The speaker is the archive's name for them, which for an
    unnamed speaker is a description ("Unnamed X user"), never a guessed name.
    """
    passage = cited_passage(statement, locator)
    quote = _isolate(" ¶ ".join(_one_line(paragraph) for paragraph in split_paragraphs(passage)))
    speaker = _isolate(_one_line(statement.speaker.name))
    handle = _isolate(_speaker_handle(statement))
    if handle:
        speaker += f" ({handle})"
    facts = [speaker, _isolate(_medium(statement)), statement.content.posted_at.describe(),
             _reported_in(statement), _translated_from(statement), *record_marks(statement),
             _pinpoint(locator, "paragraph")]
    return (f"“{quote}” — {', '.join(fact for fact in facts if fact)}. "
            f"{_reference(statement, locator)} {permalink}")


CitationFormatter = Callable[..., "str | dict"]

CITATION_STYLES: dict[str, CitationFormatter] = {
    "apa": format_apa,
    "mla": format_mla,
    "chicago-note": format_chicago_note,
    "chicago-bib": format_chicago_bib,
    "bibtex": format_bibtex,
    "csl-json": format_csl_json,
    "ris": format_ris,
    "plain": format_plain,
}


def format_citation(style: str, statement: Statement, **kwargs) -> str | dict:
    """Format ``statement`` in the named style (keyword arguments as for the style functions).

    Raises UnknownCitationStyleError naming the known styles.
    """
    try:
        formatter = CITATION_STYLES[style]
    except (KeyError, TypeError):
        raise UnknownCitationStyleError(
            f"unknown citation style {style!r}; known styles: {', '.join(CITATION_STYLES)}"
        ) from None
    return formatter(statement, **kwargs)
