"""Pasted quotes: the evaluation cases drawn from the real corpora, and the search that
forgives a quote that is misremembered, shuffled or has a typo."""

from __future__ import annotations

import pytest

from bench.quote_cases import FORMS, build_quote_cases
from tests.conftest import CORPORA

needs_corpora = pytest.mark.skipif(not CORPORA.is_dir(), reason="../shared/corpora is not beside the project")


@needs_corpora
def test_quote_cases_are_the_same_for_a_seed_and_hold_every_form_in_both_languages():
    cases = build_quote_cases(per_form=6, lines=1500)
    assert cases == build_quote_cases(per_form=6, lines=1500)
    assert cases != build_quote_cases(per_form=6, lines=1500, seed=1)
    expected = {(form, lang) for form in FORMS for lang in ("de", "en")}
    assert {(case.form, case.lang) for case in cases} == expected
    for case in cases:
        words = case.span.split()
        assert 9 <= len(words) <= 14
        if case.form == "exact":
            assert case.query == case.span
        if case.form == "replaced":
            stored, quoted = case.replaced
            assert stored in case.span and quoted in case.query and stored.lower() != quoted.lower()
            assert len(case.query.split()) == len(words)
        if case.form == "dropped_typo":
            assert len(case.query.split()) == len(words) - 1 and case.typo[1] in case.query
        if case.form == "shuffled":
            assert sorted(case.query.split()) == sorted(words) and case.query != case.span
