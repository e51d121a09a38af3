"""The command line: init, show, verify — run through Flask's CLI runner."""

from __future__ import annotations

import sqlite3

from archive.data_dir import archive_path


def test_init_is_idempotent(runner, data_dir):
    result = runner.invoke(args=["init"])
    assert result.exit_code == 0, result.output
    assert "already present 6" in result.output
    assert archive_path(data_dir).exists()


def test_show_prints_text_metadata_and_hash(runner):
    result = runner.invoke(args=["show", " egyn534b "])
    assert result.exit_code == 0, result.output
    assert "Sam Altman @sama" in result.output
    assert "weitere 45 Minuten :))" in result.output
    assert "sha256:    " in result.output
    assert "in reply to: FGPN-RXWX" in result.output


def test_show_rejects_bad_and_unknown_ids(runner):
    bad = runner.invoke(args=["show", "EGYN-534C"])
    assert bad.exit_code != 0 and "check character" in bad.output
    unknown = runner.invoke(args=["show", "FGPN-RXWY"])
    assert unknown.exit_code != 0


def test_verify_passes_then_reports_tampering(runner, data_dir):
    ok = runner.invoke(args=["verify"])
    assert ok.exit_code == 0 and "OK: 6 statements" in ok.output
    with sqlite3.connect(archive_path(data_dir)) as raw:
        raw.execute("UPDATE revisions SET text = text || ' ' WHERE statement_id = 'M53G-3GCT'")
    bad = runner.invoke(args=["verify"])
    assert bad.exit_code == 1
    assert "M53G-3GCT@1" in bad.output
