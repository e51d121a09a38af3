"""Citation IDs: format, normalising, the check character, near misses, references."""

from __future__ import annotations

import random

import pytest

from archive.citation_ids import (
    ALPHABET,
    CitationRef,
    InvalidCitationIdError,
    compact_citation_id,
    has_valid_check,
    mint_citation_id,
    near_miss_candidates,
    normalise_citation_id,
    parse_citation_ref,
)

SAMPLE = ["FGPN-RXWX", "EGYN-534B", "N92U-REDF", "M53G-3GCT", "N5NT-5ZJF", "MJF5-GVT6"]


def sample_ids(count: int = 200) -> list[str]:
    return SAMPLE + [mint_citation_id() for _ in range(count)]


def test_minted_ids_are_short_readable_and_valid():
    for citation_id in sample_ids(500):
        compact = compact_citation_id(citation_id)
        assert len(compact) <= 12
        assert set(compact) <= set(ALPHABET)
        assert not set(compact) & set("01ILO")
        assert normalise_citation_id(citation_id) == citation_id


def test_alphabet_avoids_confusable_characters():
    assert not set(ALPHABET) & set("01ILO")
    assert len(set(ALPHABET)) == len(ALPHABET) == 31


@pytest.mark.parametrize("typed", ["egyn-534b", "EGYN534B", "  egyn 534b\n", "Egyn_534B", "eg-yn-53-4b"])
def test_variants_normalise_to_the_canonical_form(typed):
    assert normalise_citation_id(typed) == "EGYN-534B"


def test_every_single_substitution_is_detected():
    for citation_id in sample_ids():
        compact = compact_citation_id(citation_id)
        for position in range(len(compact)):
            for char in ALPHABET:
                if char == compact[position]:
                    continue
                typo = compact[:position] + char + compact[position + 1:]
                assert not has_valid_check(typo), (citation_id, typo)
                with pytest.raises(InvalidCitationIdError):
                    normalise_citation_id(typo)


def test_every_adjacent_transposition_is_detected():
    for citation_id in sample_ids():
        compact = compact_citation_id(citation_id)
        for position in range(len(compact) - 1):
            if compact[position] == compact[position + 1]:
                continue
            chars = list(compact)
            chars[position], chars[position + 1] = chars[position + 1], chars[position]
            with pytest.raises(InvalidCitationIdError, match="check character"):
                normalise_citation_id("".join(chars))


@pytest.mark.parametrize("typed, message", [
    ("", "empty"),
    ("EGYN-534", "8 characters"),
    ("EGYN-534BB", "8 characters"),
    ("EGYN-5340", "never contain '0'"),
    ("EGYL-534B", "never contain 'L'"),
    ("EGYN-534C", "check character"),
])
def test_invalid_ids_say_why(typed, message):
    with pytest.raises(InvalidCitationIdError, match=message):
        normalise_citation_id(typed)


def test_near_miss_finds_the_intended_id_for_each_kind_of_typo():
    rng = random.Random(7)
    for citation_id in sample_ids(50):
        compact = compact_citation_id(citation_id)
        position = rng.randrange(len(compact))
        wrong = rng.choice([c for c in ALPHABET if c != compact[position]])
        substituted = compact[:position] + wrong + compact[position + 1:]
        swapped = compact[1] + compact[0] + compact[2:]
        dropped = compact[:position] + compact[position + 1:]
        for typo in (substituted, swapped, dropped):
            if typo != compact:
                assert citation_id in near_miss_candidates(typo)


def test_near_miss_maps_look_alike_characters():
    # A reader copying "EGYN-534B" might type a zero for no reason; O and 0 are never in IDs
    assert "EGYN-534B" in near_miss_candidates("EGYN-5O4B")
    assert "EGYN-534B" in near_miss_candidates("EGYN-504B")


def test_near_miss_candidates_are_few():
    # one typo yields a handful of valid candidates, so an archive rarely holds two of them
    counts = [len(near_miss_candidates(compact_citation_id(i)[:3] + "X" + compact_citation_id(i)[4:]))
              for i in sample_ids(50)]
    assert max(counts) <= 40


@pytest.mark.parametrize("typed, expected", [
    ("EGYN-534B", CitationRef("EGYN-534B")),
    ("egyn534b@2", CitationRef("EGYN-534B", revision=2)),
    ("EGYN-534B/p3", CitationRef("EGYN-534B", paragraph=3)),
    ("EGYN-534B/P3.S2", CitationRef("EGYN-534B", paragraph=3, sentence=2)),
    (" EGYN-534B@1/p2.s1 ", CitationRef("EGYN-534B", 1, 2, 1)),
])
def test_references_parse_and_print_canonically(typed, expected):
    ref = parse_citation_ref(typed)
    assert ref == expected
    assert parse_citation_ref(str(ref)) == ref


@pytest.mark.parametrize("typed", ["EGYN-534B/p0", "EGYN-534B@0", "EGYN-534B/x3", "EGYN-534B@", "/p3"])
def test_bad_references_are_rejected(typed):
    with pytest.raises(InvalidCitationIdError):
        parse_citation_ref(typed)
