"""Import progress: a redrawn bar on a terminal, plain lines in a log."""

from __future__ import annotations

import io

from archive.importers.progress import ProgressDisplay


def test_plain_lines_when_not_a_terminal():
    stream = io.StringIO()
    display = ProgressDisplay(stream, is_tty=False, every=1000)
    for records in range(500, 3001, 500):
        display(records, records / 3000)
    display.finish()
    lines = stream.getvalue().splitlines()
    assert [line.split(" records")[0] for line in lines] == ["read 1,000", "read 2,000", "read 3,000"]
    assert "\r" not in stream.getvalue() and "/s" in lines[0] and "s left" in lines[0]


def test_bar_with_rate_and_time_left_on_a_terminal():
    stream = io.StringIO()
    display = ProgressDisplay(stream, is_tty=True, width=10)
    display(2500, 0.5)
    output = stream.getvalue()
    assert output.startswith("\r[#####-----] 2,500 records") and "/s" in output and "s left" in output
    display.finish()
    assert stream.getvalue().endswith("\r")


def test_cli_prints_progress_lines_and_summary(runner, tmp_path):
    path = tmp_path / "many.jsonl"
    path.write_text("".join(f'{{"text": "Satz {n}.", "speaker": "ann"}}\n' for n in range(10_500)),
                    encoding="utf-8")
    result = runner.invoke(args=["import", str(path)])
    assert result.exit_code == 0, result.output
    assert "read 10,000 records" in result.stderr
    assert "added 10500, revised 0, unchanged 0, rejected 0" in result.stdout
