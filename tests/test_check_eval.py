"""bench/check_eval.py on a small slice of the real corpora: the table it prints comes from
real checks (a case of every form, the expected verdicts)."""

from __future__ import annotations

import pytest

from bench.check_eval import check_cases, format_table, summarise
from bench.quote_cases import FORMS, build_quote_cases, import_corpora
from tests.conftest import CORPORA

pytestmark = pytest.mark.skipif(not CORPORA.is_dir(), reason="../shared/corpora is not beside the project")


def test_the_evaluation_checks_every_form_and_reports_what_it_found(tmp_path):
    cases = build_quote_cases(per_form=2, lines=800)
    import_corpora(tmp_path / "data", lines=800)
    figures = summarise(check_cases(tmp_path / "data", cases))
    assert list(figures) == list(FORMS)
    assert figures["exact"]["verdicts"] == {"verbatim": 2} and figures["exact"]["right"] == 1.0
    assert figures["replaced"]["named"] == 1.0
    assert figures["unrelated"]["verbatim_or_close"] == 0.0
    table = format_table(figures)
    assert table.count("\n") == len(FORMS) + 1 and "| exact | 2 | 1.000 | verbatim 2 |" in table
