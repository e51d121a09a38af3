"""Citation styles: each style against hand-written strings for the seed statements, the style
registry, locators and their errors, escaping, revisions and partial dates."""

from __future__ import annotations

import re
from datetime import date

import pytest

from archive.citation_ids import parse_citation_ref
from archive.cite import (
    CITATION_STYLES,
    CitationLocatorError,
    LocatorOutOfRangeError,
    UnknownCitationStyleError,
    cited_passage,
    format_apa,
    format_bibtex,
    format_chicago_bib,
    format_chicago_note,
    format_citation,
    format_csl_json,
    format_mla,
    format_plain,
    format_ris,
)
from archive.dates import PostedAt
from archive.records import Person, StatementContent

HOST = "https://verbatim.example/s/"
ACCESSED = date(2026, 11, 27)
SOURCE_TITLE = ("OpenAI-Führungskräfte weiterhin im Umbruch: Präsident Brockman nimmt Auszeit, "
                "Mitbegründer wechselt zur Konkurrenz")
ALTMAN_TITLE_160 = ("Danke für alles, was du für OpenAI getan hast! Du bist ein herausragender "
                    "Forscher mit tiefgreifenden Überlegungen zu Produkten und Gesellschaft, und "
                    "vor allem")
SCHULMAN_TITLE_160 = ("Heute habe ich Folgendes mit meinen Kollegen bei OpenAI geteilt: Ich habe "
                      "die schwierige Entscheidung getroffen, OpenAI zu verlassen. Ich treffe "
                      "diese Wahl")
REMARK = ("Einerseits scheint es absurd, jetzt über allgemeine künstliche Intelligenz zu "
          "sprechen, aber andererseits denke ich, dass es sehr vernünftig ist, und deshalb halte "
          "ich es für wichtig, darüber zu sprechen.")
REMARK_TITLE_160 = ("Einerseits scheint es absurd, jetzt über allgemeine künstliche Intelligenz "
                    "zu sprechen, aber andererseits denke ich, dass es sehr vernünftig ist, und "
                    "deshalb")
UNNAMED = "Wir wissen, was nach einer langen Auszeit passiert... ahem."

EXPECTED = {
    "EGYN-534B": {
        "apa": "Altman, S. [@sama]. (2024, August 5). Danke für alles, was du für OpenAI getan "
               "hast! Du bist ein herausragender Forscher mit tiefgreifenden Überlegungen zu "
               "Produkten und [Post, translated from English]. X. Verbatim, EGYN-534B. "
               "https://verbatim.example/s/EGYN-534B",
        "mla": "@sama [Sam Altman]. “Danke für alles, was du für OpenAI getan hast! Du bist ein "
               "herausragender Forscher mit tiefgreifenden Überlegungen zu Produkten und "
               "Gesellschaft, und vor allem . . .” X, 5 Aug. 2024. Translated from English. "
               "Verbatim, EGYN-534B, https://verbatim.example/s/EGYN-534B.",
        "chicago-note": f"Sam Altman (@sama), “{ALTMAN_TITLE_160},” X, August 5, 2024, translated "
                        "from English, Verbatim, EGYN-534B, https://verbatim.example/s/EGYN-534B.",
        "chicago-bib": f"Altman, Sam (@sama). “{ALTMAN_TITLE_160}.” X, August 5, 2024. Translated "
                       "from English. Verbatim, EGYN-534B. https://verbatim.example/s/EGYN-534B.",
        "bibtex": "@misc{EGYN-534B,\n"
                  "  author = {Altman, Sam},\n"
                  "  title = {{Danke} für alles, was du für {OpenAI} getan hast! {Du} bist ein "
                  "herausragender {Forscher} mit tiefgreifenden {Überlegungen} zu {Produkten} und "
                  "{Gesellschaft}, und vor allem},\n"
                  "  howpublished = {Reply on X},\n"
                  "  year = {2024},\n"
                  "  month = aug,\n"
                  f"  note = {{Translated from English. Wording from: {SOURCE_TITLE}. Verbatim "
                  "citation ID EGYN-534B.},\n"
                  "  url = {https://verbatim.example/s/EGYN-534B},\n"
                  "  urldate = {2026-11-27}\n"
                  "}",
        "csl-json": {
            "id": "EGYN-534B", "type": "post", "title": ALTMAN_TITLE_160,
            "author": [{"family": "Altman", "given": "Sam"}],
            "issued": {"date-parts": [[2024, 8, 5]]},
            "container-title": "X", "genre": "Reply", "language": "de",
            "note": f"Translated from English. Wording from: {SOURCE_TITLE}.",
            "archive": "Verbatim", "archive_location": "EGYN-534B",
            "URL": "https://verbatim.example/s/EGYN-534B",
            "accessed": {"date-parts": [[2026, 11, 27]]},
        },
        "ris": "TY  - BLOG\n"
               "AU  - Altman, Sam\n"
               f"TI  - {ALTMAN_TITLE_160}\n"
               "T2  - X\n"
               "M3  - Reply\n"
               "PY  - 2024\n"
               "DA  - 2024/08/05/\n"
               "LA  - de\n"
               "N1  - Translated from English.\n"
               f"N1  - Wording from: {SOURCE_TITLE}.\n"
               "AN  - EGYN-534B\n"
               "DP  - Verbatim\n"
               "UR  - https://verbatim.example/s/EGYN-534B\n"
               "Y2  - 2026/11/27\n"
               "ER  - ",
        "plain": "“Danke für alles, was du für OpenAI getan hast! Du bist ein herausragender "
                 "Forscher mit tiefgreifenden Überlegungen zu Produkten und Gesellschaft, und vor "
                 "allem bist du ein guter Freund für uns alle. Wir werden dich sehr vermissen und "
                 "dafür sorgen, dass du stolz auf diesen Ort bist. ¶ (Als ich John 2015 zum ersten "
                 "Mal in einem Café in Berkeley traf, sagte er: 'Einerseits scheint es absurd, "
                 "jetzt über allgemeine künstliche Intelligenz zu sprechen, aber andererseits "
                 "denke ich, dass es sehr vernünftig ist, und deshalb halte ich es für wichtig, "
                 "darüber zu sprechen.' Dann skizzierte er wichtige Teile der ursprünglichen "
                 "OpenAI-Strategie. Das dauerte etwa 15 Minuten, und dann unterhielten wir uns "
                 "peinlich berührt weitere 45 Minuten :))” — Sam Altman (@sama), reply on X, "
                 "5 August 2024 (America/Los_Angeles), translated from English. EGYN-534B "
                 "https://verbatim.example/s/EGYN-534B",
    },
    "FGPN-RXWX/p2": {
        "apa": "Schulman, J. [@johnschulman2]. (2024, August 5). Heute habe ich Folgendes mit "
               "meinen Kollegen bei OpenAI geteilt: Ich habe die schwierige Entscheidung "
               "getroffen, OpenAI zu verlassen. Ich [Letter, translated from English]. X. "
               "Verbatim, FGPN-RXWX, para. 2. https://verbatim.example/s/FGPN-RXWX/p2",
        "mla": "@johnschulman2 [John Schulman]. “Heute habe ich Folgendes mit meinen Kollegen bei "
               "OpenAI geteilt: Ich habe die schwierige Entscheidung getroffen, OpenAI zu "
               "verlassen. Ich treffe diese Wahl . . .” Letter posted on X, 5 Aug. 2024. "
               "Translated from English. Verbatim, FGPN-RXWX, par. 2, "
               "https://verbatim.example/s/FGPN-RXWX/p2.",
        "chicago-note": f"John Schulman (@johnschulman2), “{SCHULMAN_TITLE_160},” letter posted "
                        "on X, August 5, 2024, translated from English, Verbatim, FGPN-RXWX, "
                        "par. 2, https://verbatim.example/s/FGPN-RXWX/p2.",
        "chicago-bib": f"Schulman, John (@johnschulman2). “{SCHULMAN_TITLE_160}.” Letter posted "
                       "on X, August 5, 2024. Translated from English. Verbatim, FGPN-RXWX, "
                       "par. 2. https://verbatim.example/s/FGPN-RXWX/p2.",
        "bibtex": "@misc{FGPN-RXWX-p2,\n"
                  "  author = {Schulman, John},\n"
                  "  title = {{Heute} habe ich {Folgendes} mit meinen {Kollegen} bei {OpenAI} "
                  "geteilt: {Ich} habe die schwierige {Entscheidung} getroffen, {OpenAI} zu "
                  "verlassen. {Ich} treffe diese {Wahl}},\n"
                  "  howpublished = {Letter posted on X},\n"
                  "  year = {2024},\n"
                  "  month = aug,\n"
                  f"  note = {{Translated from English. Wording from: {SOURCE_TITLE}. Verbatim "
                  "citation ID FGPN-RXWX/p2 (paragraph 2).},\n"
                  "  url = {https://verbatim.example/s/FGPN-RXWX/p2},\n"
                  "  urldate = {2026-11-27}\n"
                  "}",
        "csl-json": {
            "id": "FGPN-RXWX/p2", "type": "post", "title": SCHULMAN_TITLE_160,
            "author": [{"family": "Schulman", "given": "John"}],
            "issued": {"date-parts": [[2024, 8, 5]]},
            "container-title": "X", "genre": "Letter", "language": "de",
            "note": f"Translated from English. Wording from: {SOURCE_TITLE}.",
            "archive": "Verbatim", "archive_location": "FGPN-RXWX/p2",
            "URL": "https://verbatim.example/s/FGPN-RXWX/p2",
            "accessed": {"date-parts": [[2026, 11, 27]]},
        },
        "ris": "TY  - BLOG\n"
               "AU  - Schulman, John\n"
               f"TI  - {SCHULMAN_TITLE_160}\n"
               "T2  - X\n"
               "M3  - Letter\n"
               "PY  - 2024\n"
               "DA  - 2024/08/05/\n"
               "LA  - de\n"
               "N1  - Translated from English.\n"
               f"N1  - Wording from: {SOURCE_TITLE}.\n"
               "AN  - FGPN-RXWX/p2\n"
               "DP  - Verbatim\n"
               "UR  - https://verbatim.example/s/FGPN-RXWX/p2\n"
               "Y2  - 2026/11/27\n"
               "ER  - ",
        "plain": "“Ich habe die schwierige Entscheidung getroffen, OpenAI zu verlassen. Ich treffe "
                 "diese Wahl, weil ich mich noch stärker auf KI-Ausrichtung konzentrieren und ein "
                 "neues Kapitel in meiner Karriere beginnen möchte, in dem ich wieder praktische "
                 "technische Arbeit leisten kann. Ich habe beschlossen, dieses Ziel bei Anthropic "
                 "zu verfolgen, wo ich glaube, dass ich neue Perspektiven gewinnen und mit "
                 "Menschen zusammenarbeiten kann, die tief in die Themen eintauchen, die mich am "
                 "meisten interessieren.” — John Schulman (@johnschulman2), letter posted on X, "
                 "5 August 2024 (America/Los_Angeles), translated from English, paragraph 2. "
                 "FGPN-RXWX/p2 https://verbatim.example/s/FGPN-RXWX/p2",
    },
    "N92U-REDF": {
        "apa": "Schulman, J. (2015). Einerseits scheint es absurd, jetzt über allgemeine "
               "künstliche Intelligenz zu sprechen, aber andererseits denke ich, dass es sehr "
               "vernünftig ist [Remark, a café in Berkeley, reported in EGYN-534B, translated "
               "from English]. Verbatim, N92U-REDF. https://verbatim.example/s/N92U-REDF",
        "mla": f"Schulman, John. “{REMARK}” Remark, a café in Berkeley, 2015. Reported in "
               "EGYN-534B. Translated from English. Verbatim, N92U-REDF, "
               "https://verbatim.example/s/N92U-REDF.",
        "chicago-note": f"John Schulman, “{REMARK_TITLE_160},” remark, a café in Berkeley, 2015, "
                        "reported in EGYN-534B, translated from English, Verbatim, N92U-REDF, "
                        "https://verbatim.example/s/N92U-REDF.",
        "chicago-bib": f"Schulman, John. “{REMARK_TITLE_160}.” Remark, a café in Berkeley, 2015. "
                       "Reported in EGYN-534B. Translated from English. Verbatim, N92U-REDF. "
                       "https://verbatim.example/s/N92U-REDF.",
        "bibtex": "@misc{N92U-REDF,\n"
                  "  author = {Schulman, John},\n"
                  "  title = {{Einerseits} scheint es absurd, jetzt über allgemeine künstliche "
                  "{Intelligenz} zu sprechen, aber andererseits denke ich, dass es sehr "
                  "vernünftig ist, und deshalb},\n"
                  "  howpublished = {Remark, a café in Berkeley},\n"
                  "  year = {2015},\n"
                  "  note = {Translated from English. Reported in EGYN-534B. Wording from: "
                  f"{SOURCE_TITLE}. Verbatim citation ID N92U-REDF.}},\n"
                  "  url = {https://verbatim.example/s/N92U-REDF},\n"
                  "  urldate = {2026-11-27}\n"
                  "}",
        "csl-json": {
            "id": "N92U-REDF", "type": "speech", "title": REMARK_TITLE_160,
            "author": [{"family": "Schulman", "given": "John"}],
            "issued": {"date-parts": [[2015]]},
            "genre": "Remark", "event-place": "a café in Berkeley", "language": "de",
            "note": f"Translated from English. Reported in EGYN-534B. Wording from: {SOURCE_TITLE}.",
            "archive": "Verbatim", "archive_location": "N92U-REDF",
            "URL": "https://verbatim.example/s/N92U-REDF",
            "accessed": {"date-parts": [[2026, 11, 27]]},
        },
        "ris": "TY  - GEN\n"
               "AU  - Schulman, John\n"
               f"TI  - {REMARK_TITLE_160}\n"
               "M3  - Remark\n"
               "CY  - a café in Berkeley\n"
               "PY  - 2015\n"
               "DA  - 2015///\n"
               "LA  - de\n"
               "N1  - Translated from English.\n"
               "N1  - Reported in EGYN-534B.\n"
               f"N1  - Wording from: {SOURCE_TITLE}.\n"
               "AN  - N92U-REDF\n"
               "DP  - Verbatim\n"
               "UR  - https://verbatim.example/s/N92U-REDF\n"
               "Y2  - 2026/11/27\n"
               "ER  - ",
        "plain": f"“{REMARK}” — John Schulman, remark, a café in Berkeley, 2015, reported in "
                 "EGYN-534B, translated from English. N92U-REDF "
                 "https://verbatim.example/s/N92U-REDF",
    },
    "N5NT-5ZJF": {
        "apa": f"{UNNAMED} [Post, translated from English]. (n.d.). X. Verbatim, N5NT-5ZJF. "
               "https://verbatim.example/s/N5NT-5ZJF",
        "mla": f"“{UNNAMED}” X. Translated from English. Verbatim, N5NT-5ZJF, "
               "https://verbatim.example/s/N5NT-5ZJF. Accessed 27 Nov. 2026.",
        "chicago-note": "“Wir wissen, was nach einer langen Auszeit passiert... ahem,” X, n.d., "
                        "translated from English, Verbatim, N5NT-5ZJF, accessed November 27, "
                        "2026, https://verbatim.example/s/N5NT-5ZJF.",
        "chicago-bib": f"“{UNNAMED}” X, n.d. Translated from English. Verbatim, N5NT-5ZJF. "
                       "Accessed November 27, 2026. https://verbatim.example/s/N5NT-5ZJF.",
        "bibtex": "@misc{N5NT-5ZJF,\n"
                  "  title = {{Wir} wissen, was nach einer langen {Auszeit} passiert... ahem.},\n"
                  "  howpublished = {Reply on X},\n"
                  f"  note = {{Translated from English. Wording from: {SOURCE_TITLE}. Verbatim "
                  "citation ID N5NT-5ZJF.},\n"
                  "  url = {https://verbatim.example/s/N5NT-5ZJF},\n"
                  "  urldate = {2026-11-27}\n"
                  "}",
        "csl-json": {
            "id": "N5NT-5ZJF", "type": "post", "title": UNNAMED,
            "container-title": "X", "genre": "Reply", "language": "de",
            "note": f"Translated from English. Wording from: {SOURCE_TITLE}.",
            "archive": "Verbatim", "archive_location": "N5NT-5ZJF",
            "URL": "https://verbatim.example/s/N5NT-5ZJF",
            "accessed": {"date-parts": [[2026, 11, 27]]},
        },
        "ris": "TY  - BLOG\n"
               f"TI  - {UNNAMED}\n"
               "T2  - X\n"
               "M3  - Reply\n"
               "LA  - de\n"
               "N1  - Translated from English.\n"
               f"N1  - Wording from: {SOURCE_TITLE}.\n"
               "AN  - N5NT-5ZJF\n"
               "DP  - Verbatim\n"
               "UR  - https://verbatim.example/s/N5NT-5ZJF\n"
               "Y2  - 2026/11/27\n"
               "ER  - ",
        "plain": f"“{UNNAMED}” — Unnamed X user, reply on X, date unknown, translated from "
                 "English. N5NT-5ZJF https://verbatim.example/s/N5NT-5ZJF",
    },
}


def cite(store, style: str, reference: str, *, with_source: bool = True):
    """Cite a seed statement the way the web layer does: permalink with the locator, today's
    date fixed, the statement's wording source."""
    ref = parse_citation_ref(reference)
    statement = store.get_statement(ref.statement_id, ref.revision)
    source = store.get_source(statement.content.sources[0].source_id) if with_source else None
    return format_citation(style, statement, permalink=HOST + reference, accessed=ACCESSED,
                           locator=ref if ref.locator or ref.revision else None, source=source)


@pytest.mark.parametrize("reference", list(EXPECTED))
@pytest.mark.parametrize("style", list(CITATION_STYLES))
def test_each_style_matches_the_hand_written_citation(store, style, reference):
    assert cite(store, style, reference) == EXPECTED[reference][style]


def test_registry_has_the_api_style_names_in_order():
    assert list(CITATION_STYLES) == ["apa", "mla", "chicago-note", "chicago-bib", "bibtex",
                                     "csl-json", "ris", "plain"]
    assert CITATION_STYLES["apa"] is format_apa
    assert CITATION_STYLES["mla"] is format_mla
    assert CITATION_STYLES["chicago-note"] is format_chicago_note
    assert CITATION_STYLES["chicago-bib"] is format_chicago_bib
    assert CITATION_STYLES["bibtex"] is format_bibtex
    assert CITATION_STYLES["csl-json"] is format_csl_json
    assert CITATION_STYLES["ris"] is format_ris
    assert CITATION_STYLES["plain"] is format_plain


@pytest.mark.parametrize("style", ["harvard", "APA", "", "csl_json"])
def test_unknown_style_is_refused_with_the_known_names(store, style):
    statement = store.get_statement("EGYN-534B")
    with pytest.raises(UnknownCitationStyleError) as raised:
        format_citation(style, statement, permalink=HOST + "EGYN-534B", accessed=ACCESSED)
    assert isinstance(raised.value, ValueError)
    message = str(raised.value)
    assert repr(style) in message
    for known in CITATION_STYLES:
        assert known in message


def test_unknown_style_that_is_not_a_string_is_refused(store):
    statement = store.get_statement("EGYN-534B")
    with pytest.raises(UnknownCitationStyleError):
        format_citation(["apa"], statement, permalink=HOST, accessed=ACCESSED)


@pytest.mark.parametrize("style", list(CITATION_STYLES))
@pytest.mark.parametrize("reference, message", [
    ("EGYN-534B/p3", "EGYN-534B has 2 paragraph(s), not 3"),
    ("N5NT-5ZJF/p1.s2", "paragraph 1 of N5NT-5ZJF has 1 sentence(s), not 2"),
])
def test_a_locator_past_the_end_is_refused_in_every_style(store, style, reference, message):
    with pytest.raises(LocatorOutOfRangeError, match=re.escape(message)) as raised:
        cite(store, style, reference)
    assert isinstance(raised.value, ValueError)


def test_a_locator_of_another_statement_or_revision_is_refused(store):
    statement = store.get_statement("EGYN-534B")
    with pytest.raises(CitationLocatorError, match="does not belong to statement EGYN-534B"):
        format_apa(statement, permalink=HOST, accessed=ACCESSED,
                   locator=parse_citation_ref("FGPN-RXWX/p1"))
    with pytest.raises(CitationLocatorError, match="asks for revision 2"):
        format_plain(statement, permalink=HOST, accessed=ACCESSED,
                     locator=parse_citation_ref("EGYN-534B@2/p1"))


def test_sentence_locator_quotes_only_that_sentence(store):
    assert cite(store, "plain", "EGYN-534B/p2.s2") == (
        "“Dann skizzierte er wichtige Teile der ursprünglichen OpenAI-Strategie.” — Sam Altman "
        "(@sama), reply on X, 5 August 2024 (America/Los_Angeles), translated from English, "
        "paragraph 2, sentence 2. EGYN-534B/p2.s2 https://verbatim.example/s/EGYN-534B/p2.s2"
    )
    assert cite(store, "apa", "EGYN-534B/p2.s2").endswith(
        "X. Verbatim, EGYN-534B, para. 2, sentence 2. "
        "https://verbatim.example/s/EGYN-534B/p2.s2"
    )
    assert cite(store, "bibtex", "EGYN-534B/p2.s2").startswith("@misc{EGYN-534B-p2-s2,\n")


def test_cited_passage_follows_the_archive_paragraph_and_sentence_split(store):
    statement = store.get_statement("FGPN-RXWX")
    assert cited_passage(statement) == statement.text
    assert cited_passage(statement, parse_citation_ref("FGPN-RXWX/p1")) == (
        "Heute habe ich Folgendes mit meinen Kollegen bei OpenAI geteilt:")
    assert cited_passage(statement, parse_citation_ref("FGPN-RXWX/p4.s3")) == (
        "Und es war eine Fahrt.")


def test_without_a_source_the_machine_formats_leave_it_out(store):
    bibtex = cite(store, "bibtex", "N5NT-5ZJF", with_source=False)
    assert "  note = {Translated from English. Verbatim citation ID N5NT-5ZJF.},\n" in bibtex
    assert cite(store, "csl-json", "N5NT-5ZJF", with_source=False)["note"] == (
        "Translated from English.")
    assert "Wording from" not in cite(store, "ris", "N5NT-5ZJF", with_source=False)


def add_statement(store, person: Person, **content) -> str:
    store.put_person(person)
    return store.add_statement(StatementContent(person_id=person.person_id, **content))


def test_an_earlier_revision_is_cited_with_its_revision_number(store):
    statement = store.get_statement("N5NT-5ZJF")
    store.revise_statement("N5NT-5ZJF", statement.content.with_changes(
        text=UNNAMED + " :)"), "a smiley the article printed was missing")
    old = store.get_statement("N5NT-5ZJF", 1)
    assert format_plain(old, permalink=HOST + "N5NT-5ZJF@1", accessed=ACCESSED) == (
        f"“{UNNAMED}” — Unnamed X user, reply on X, date unknown, translated from English. "
        "N5NT-5ZJF@1 https://verbatim.example/s/N5NT-5ZJF@1"
    )
    ref = parse_citation_ref("N5NT-5ZJF@1/p1")
    assert format_bibtex(old, permalink=HOST + "N5NT-5ZJF@1/p1", accessed=ACCESSED,
                         locator=ref).startswith("@misc{N5NT-5ZJF-r1-p1,\n")
    current = store.get_statement("N5NT-5ZJF")
    assert format_ris(current, permalink=HOST, accessed=ACCESSED).count("AN  - N5NT-5ZJF\n") == 1


def test_bibtex_escapes_tex_specials_and_braces_capitals(store):
    person = Person("ada-example", "Ada Ex_ample", handles=("@ada",))
    statement_id = add_statement(
        store, person, kind="post", lang="en", platform="x",
        text="50% of R&D costs $5 for #C users_x: ~ ^ \\ {braces} — Überall iPhone.",
        posted_at=PostedAt("2023-02", "month"),
    )
    entry = format_bibtex(store.get_statement(statement_id), permalink=HOST + statement_id,
                          accessed=ACCESSED)
    assert "  author = {Ex\\_ample, Ada},\n" in entry
    assert ("  title = {50\\% of {R}\\&{D} costs \\$5 for \\#{C} users\\_x: \\textasciitilde{} "
            "\\textasciicircum{} \\textbackslash{} \\{braces\\} — {Überall} {iPhone}.},\n") in entry
    assert "  year = {2023},\n  month = feb,\n" in entry
    assert "translated" not in entry.lower()


def test_bibtex_keeps_a_name_with_and_as_one_author(store):
    person = Person("simon-and-garfunkel", "Simon and Garfunkel")
    statement_id = add_statement(store, person, kind="speech", text="Hello darkness.")
    entry = format_bibtex(store.get_statement(statement_id), permalink=HOST, accessed=ACCESSED)
    assert "  author = {{Simon and Garfunkel}},\n" in entry


def test_ris_has_one_tag_per_line_even_for_multi_line_text(store):
    person = Person("ben-example", "Ben Example")
    statement_id = add_statement(
        store, person, kind="interview", lang="de",
        text="Erste Zeile\nzweite Zeile.\n\nZweiter Absatz.",
        posted_at=PostedAt("2021-03-04T10:15+01:00", "minute"),
    )
    record = format_ris(store.get_statement(statement_id), permalink=HOST, accessed=ACCESSED)
    lines = record.split("\n")
    assert all(re.fullmatch(r"[A-Z][A-Z0-9]  - .*", line) for line in lines)
    assert lines[0] == "TY  - PCOMM" and lines[-1] == "ER  - "
    assert "TI  - Erste Zeile zweite Zeile. Zweiter Absatz." in lines
    assert "DA  - 2021/03/04/" in lines


def test_twitter_posts_are_tweets_and_partial_dates_keep_their_precision(store):
    person = Person("donald-example", "Donald J. Example", handles=("realExample",),
                    aliases=("Example",))
    statement_id = add_statement(store, person, kind="post", lang="en", platform="twitter",
                                 text="Short post.", posted_at=PostedAt("2016-11", "month"))
    statement = store.get_statement(statement_id)
    kwargs = {"permalink": HOST + statement_id, "accessed": ACCESSED}
    assert format_apa(statement, **kwargs) == (
        f"Example, D. J. [@realExample]. (2016, November). Short post. [Tweet]. Twitter. "
        f"Verbatim, {statement_id}. {HOST}{statement_id}"
    )
    assert format_mla(statement, **kwargs) == (
        f"@realExample [Donald J. Example]. “Short post.” Twitter, Nov. 2016. Verbatim, "
        f"{statement_id}, {HOST}{statement_id}."
    )
    assert format_chicago_note(statement, **kwargs) == (
        f"Donald J. Example (@realExample), “Short post,” Twitter, November 2016, Verbatim, "
        f"{statement_id}, {HOST}{statement_id}."
    )
    assert format_csl_json(statement, **kwargs)["issued"] == {"date-parts": [[2016, 11]]}
    assert "DA  - 2016/11//\n" in format_ris(statement, **kwargs)


def test_an_unnamed_speaker_is_never_given_a_name(store):
    for style in CITATION_STYLES:
        citation = cite(store, style, "MJF5-GVT6")
        text = citation if isinstance(citation, str) else repr(citation)
        if style != "plain":
            assert "Unnamed" not in text
        assert "Jemand" not in text and "Nutzer" not in text
    assert "author" not in cite(store, "csl-json", "MJF5-GVT6")
    assert "AU  - " not in cite(store, "ris", "MJF5-GVT6")


def _open_directional_state(text: str, end: int) -> list[str]:
    """The explicit embeddings, overrides and isolates still open at ``text[end]``, following
    UAX #9's rules X2-X8: a PDF closes an embedding or override of its own isolate, a PDI
    closes its isolate with everything opened inside it, and unmatched closers are ignored."""
    stack: list[str] = []
    for char in text[:end]:
        if char in "\u202a\u202b\u202d\u202e":
            stack.append("embedding")
        elif char == "\u202c" and stack and stack[-1] == "embedding":
            stack.pop()
        elif char in "\u2066\u2067\u2068":
            stack.append("isolate")
        elif char == "\u2069" and "isolate" in stack:
            while stack.pop() != "isolate":
                pass
    return stack


@pytest.mark.parametrize("style", ["apa", "mla", "chicago-note", "chicago-bib", "plain"])
def test_direction_controls_in_a_record_cannot_reorder_the_rest_of_a_citation(store, style):
    """An override (RLO) or an embedding left open in a name, a venue or the words, and a stray
    PDI that would close an isolate early, stay inside their own field."""
    person = Person(person_id="mallory", name="Mallory \u202eyrollaM", handles=("@mal\u202bory",))
    statement_id = add_statement(
        store, person, kind="remark", lang="en", venue="Café \u2069\u202eBerlin",
        text="Words \u2069\u2069 then \u202eevil\u2067 open")
    statement = store.get_statement(statement_id)
    citation = format_citation(style, statement, permalink=HOST + statement_id, accessed=ACCESSED)
    assert "\u202eyrollaM" in citation and "\u202eevil" in citation  # the words stay verbatim
    for tail in (statement_id, HOST):
        assert _open_directional_state(citation, citation.rindex(tail)) == [], citation


def test_citations_of_left_to_right_records_carry_no_isolation_marks(store):
    for style in ("apa", "mla", "chicago-note", "chicago-bib", "plain"):
        assert not re.search("[\u2066-\u2069]", cite(store, style, "EGYN-534B"))
