"""The word-by-word alignment behind the quote check: which stored words a quote corresponds
to, and every difference, on texts (no archive)."""

from __future__ import annotations

import re
import unicodedata

from hypothesis import given
from hypothesis import strategies as st

from archive.records import paragraph_spans, split_paragraphs
from index.alignment import align, tokenize_quote

LETTER = ("Ich habe die schwierige Entscheidung getroffen, OpenAI zu verlassen. Ich treffe diese "
          "Wahl, weil ich mich noch stärker auf KI-Ausrichtung konzentrieren möchte.")


def check(quote: str, text: str = LETTER):
    found = align(tokenize_quote(quote), text)
    assert found is not None
    return found, text[found.start:found.end], [(d.kind, d.quote, d.stored) for d in found.differences]


def test_a_misremembered_word_is_named_with_the_stored_word_in_the_stored_passage():
    found, passage, differences = check("Ich habe die schwere Entscheidung getroffen, OpenAI zu verlassen")
    assert passage == "Ich habe die schwierige Entscheidung getroffen, OpenAI zu verlassen"
    assert differences == [("replaced", "schwere", "schwierige")]
    assert found.edits == 1 and found.similarity == round(1 - 1 / 9, 4)
    replaced = found.differences[0]
    assert LETTER[replaced.start:replaced.end] == "schwierige"


def test_part_of_a_sentence_is_the_exact_stored_words_without_trailing_punctuation():
    found, passage, differences = check("getroffen, OpenAI zu verlassen")
    assert (found.edits, passage, differences) == (0, "getroffen, OpenAI zu verlassen", [])


def test_typographic_differences_are_listed_but_are_no_edits():
    text = "Er sagte: \"Das ist gut\" – und ging. Wir wissen, was passiert... ahem. It's done."
    quote = "er sagte: „Das ist gut“ - und ging. Wir  wissen, was passiert… ahem. It’s done."
    found, passage, differences = check(quote, text)
    assert found.edits == 0 and passage == text[:-1]
    assert [kind for kind, _q, _s in differences] == ["typographic"] * 4
    assert ("typographic", "er sagte: „Das", "Er sagte: \"Das") in differences
    assert ("typographic", "Wir  wissen", "Wir wissen") in differences
    assert ("typographic", "gut“ - und", "gut\" – und") in differences
    # neighbouring words with differences are one difference
    assert ("typographic", "passiert… ahem. It’s", "passiert... ahem. It's") in differences


def test_a_quote_in_decomposed_unicode_matches_and_says_so():
    quote = unicodedata.normalize("NFD", "noch stärker auf")
    found, passage, differences = check(quote)
    assert found.edits == 0 and passage == "noch stärker auf"
    assert differences == [("typographic", unicodedata.normalize("NFD", "stärker"), "stärker")]


def test_a_left_out_word_is_missing_and_an_extra_word_is_added():
    found, passage, differences = check("Ich habe die schwierige Entscheidung getroffen, zu verlassen")
    assert differences == [("missing", "", "OpenAI")]
    assert passage.endswith("OpenAI zu verlassen")
    found, _passage, differences = check("Ich habe die sehr schwierige Entscheidung getroffen")
    assert differences == [("added", "sehr", "")]
    added = found.differences[0]
    assert added.start == added.end == LETTER.index("die") + 3  # where the quote puts it


def test_a_word_added_before_a_sentence_is_added_not_a_replaced_word_of_the_sentence_before():
    text = "Heute habe ich Folgendes geteilt:\n\n" + LETTER
    _found, passage, differences = check("Also ich habe die schwierige Entscheidung getroffen", text)
    assert passage == "Ich habe die schwierige Entscheidung getroffen"
    assert ("added", "Also", "") in differences and all(kind != "replaced" for kind, *_ in differences)
    # and after a sentence: the next sentence's first word is not taken for the quote's last
    _found, passage, differences = check("OpenAI zu verlassen, sagte er", LETTER)
    assert passage == "OpenAI zu verlassen"
    assert differences == [("added", "sagte er", "")]


def test_a_different_first_word_inside_the_sentence_is_still_replaced():
    text = "Heute habe ich Folgendes geteilt:\n\n" + LETTER
    _found, passage, differences = check("Du habe die schwierige Entscheidung getroffen", text)
    assert passage == "Ich habe die schwierige Entscheidung getroffen"
    assert differences == [("replaced", "Du", "Ich")]


def test_one_word_against_two_pairs_the_most_similar_word():
    _found, _passage, differences = check("Ich habe die sehr schwere Entscheidung getroffen")
    assert differences == [("added", "sehr", ""), ("replaced", "schwere", "schwierige")]
    _found, _passage, differences = check("Ich habe die schwierig Entscheidung getroffen")
    assert differences == [("replaced", "schwierig", "schwierige")]


def test_shuffled_words_are_all_found_in_the_span_that_holds_them():
    shuffled = "verlassen OpenAI zu Entscheidung die getroffen schwierige habe Ich"
    found = align(tokenize_quote(shuffled), LETTER)
    assert found.found_share == 1.0 and found.edits > 3
    start, end = found.spread
    assert LETTER[start:end] == "Ich habe die schwierige Entscheidung getroffen, OpenAI zu verlassen"
    unknown = align(tokenize_quote("Ich habe die Bahn genommen"), LETTER)
    assert unknown.found_share == 3 / 5 and unknown.absent == ("Bahn", "genommen")


def test_a_quote_longer_than_the_text_and_a_text_without_its_words():
    found, passage, differences = check("Wir wissen, was nach einer langen Auszeit passiert und mehr",
                                        "Wir wissen, was nach einer langen Auszeit passiert...")
    assert passage == "Wir wissen, was nach einer langen Auszeit passiert"
    assert differences == [("added", "und mehr", "")]
    assert align(tokenize_quote("völlig andere Worte"), LETTER) is None


def test_a_word_repeated_in_the_text_aligns_with_the_passage_not_the_first_occurrence():
    text = "Ich bin froh. " * 30 + "Ich bin sehr froh, dass ich hier bin."
    found, passage, _differences = check("Ich bin sehr froh, dass ich da bin", text)
    assert passage == "Ich bin sehr froh, dass ich hier bin" and found.edits == 1


_PARAGRAPH_TEXT = st.lists(st.sampled_from(["a", "b c", " ", "\n", "\n\n", " \n \n", "\u2003", "x."]),
                           max_size=12).map("".join)


@given(_PARAGRAPH_TEXT)
def test_paragraph_spans_are_the_paragraphs_a_reference_counts(text):
    spans = paragraph_spans(text)
    assert [text[a:b] for a, b in spans] == split_paragraphs(text)
    assert split_paragraphs(text) == [p.strip() for p in re.split(r"\n\s*\n", text) if p.strip()]
