"""German and English analysis: folding, stemming, and the terms a text and a query produce."""

from __future__ import annotations

import threading

import pytest

from index.analysis import document_terms, english_stem, fold, german_stem, query_terms


@pytest.mark.parametrize("spellings", [
    ("Führungskräfte", "Fuhrungskrafte", "Fuehrungskraefte", "FÜHRUNGSKRÄFTE"),
    ("Straße", "Strasse", "STRASSE"),
    ("Café", "Cafe"),
    ("Überlegungen", "Uberlegungen", "Ueberlegungen"),
    ("Grüße", "Grusse", "Gruesse"),
])
def test_spellings_with_and_without_umlauts_fold_to_one_form(spellings):
    assert len({fold(word) for word in spellings}) == 1


def test_sharp_s_becomes_ss_not_s():
    # a generic accent map turns ß into s, which would make Straße meet "Strase"
    assert fold("Straße") == "strasse"


@pytest.mark.parametrize("word", ["neue", "Frauen", "Steuer", "Feuer", "Quelle", "bauen"])
def test_ae_oe_ue_after_a_vowel_or_q_stay_as_they_are(word):
    assert fold(word) == word.lower()


@pytest.mark.parametrize("forms", [
    ("Freund", "Freunde", "Freundes"),
    ("verlasse", "verlassen"),
    ("Kollege", "Kollegen"),
    ("künstliche", "künstlichen", "kuenstlichen"),
])
def test_german_inflections_share_a_stem(forms):
    assert len({german_stem(fold(word)) for word in forms}) == 1


def test_light_german_stemmer_keeps_derivations_apart():
    # Snowball's step 3 reduces Sicherheit to "sich" (the pronoun); the light stemmer does not
    assert german_stem("sicherheit") == "sicherheit"
    assert german_stem(fold("Ausrichtung")) != german_stem(fold("ausrichten"))


def test_a_query_word_meets_the_stems_of_both_languages():
    assert {"running", "run"} <= set(query_terms("running"))
    assert "freund" in query_terms("Freunde")


def test_document_terms_put_stems_beside_the_plain_form():
    terms = document_terms("Meine Freunde", "de")
    assert terms == ["meine", "+mein", "freunde", "+freund"]
    # English text gets English stems only
    assert document_terms("running dogs", "en") == ["running", "+run", "dogs", "+dog"]


def test_apostrophes_however_typed_split_words_alike():
    from index.analysis import tokenize, words_of

    assert words_of("donʼt") == words_of("don’t") == words_of("don't") == ["don", "t"]
    assert document_terms("Trumpʼs", "en") == document_terms("Trump's", "en")
    assert [start for _word, start, _end in tokenize("Iʼm here")] == [0, 2, 4]


def test_english_stems_are_the_same_when_threads_stem_at_once():
    """A server's threads stem at the same time: each gets the stems one thread alone gets
    (a Snowball stemmer object shared by threads mixes up their words)."""
    words = [stem + suffix
             for stem in ("connect", "relat", "general", "happi", "nation", "hope", "argu", "organ")
             for suffix in ("ing", "ed", "ational", "ness", "fully", "ization", "iveness", "ly")] * 200
    expected = [english_stem(word) for word in words]
    results: list = []

    def stem_all() -> None:
        try:
            results.append([english_stem(word) for word in words])
        except Exception as error:  # noqa: BLE001 - the race shows as any error
            results.append(error)

    threads = [threading.Thread(target=stem_all) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == [expected] * 8
