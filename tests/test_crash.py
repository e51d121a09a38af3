"""SIGKILL an import at random points: the archive then holds all of the batch or none of it,
`verify` names any statement the index misses, `reindex` repairs it, and no stale lock delays
the next write."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from archive.integrity import verify_archive
from archive.lifecycle import init_archive, open_store
from tests.bulk_statements import IMPORT_OPTIONS, bulk_records, vocabulary, write_jsonl
from tests.conftest import PROJECT_ROOT

pytestmark = pytest.mark.slow

KILLS = 10
BATCH = 1_500


def flask(data_dir: Path, *args: str, wait: bool = True):
    env = dict(os.environ, VERBATIM_DATA_DIR=str(data_dir))
    command = [sys.executable, "-m", "flask", "--app", "web", *args]
    if not wait:
        return subprocess.Popen(command, cwd=PROJECT_ROOT, env=env, stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL)
    return subprocess.run(command, cwd=PROJECT_ROOT, env=env, capture_output=True, text=True,
                          timeout=300)


def stored_of(data_dir: Path, first: int) -> int:
    """How many statements of the batch numbered from ``first`` the archive holds."""
    with open_store(data_dir, readonly=True) as store:
        ids = [f"bulk-{number}" for number in range(first, first + BATCH)]
        return len(store.find_by_platform_ids("bulk", ids))


def test_an_import_killed_at_random_points_is_all_or_nothing(tmp_path):
    data_dir = tmp_path / "data"
    init_archive(data_dir)
    words = vocabulary()
    rng = random.Random(int(os.environ.get("VERBATIM_CRASH_SEED", "20261127")))

    # One import run to the end tells how long a whole run takes.
    started = time.monotonic()
    calibration = write_jsonl(tmp_path / "batch-0.jsonl", bulk_records(BATCH, words=words))
    done = flask(data_dir, "import", str(calibration), *IMPORT_OPTIONS)
    assert done.returncode == 0, done.stderr
    whole_run = time.monotonic() - started
    expected = 6 + BATCH

    outcomes = {"none": 0, "all, index behind": 0, "all, index current": 0}
    for kill in range(1, KILLS + 1):
        first = kill * BATCH
        path = write_jsonl(tmp_path / f"batch-{kill}.jsonl",
                           bulk_records(BATCH, start=first, seed=kill, words=words))
        process = flask(data_dir, "import", str(path), *IMPORT_OPTIONS, wait=False)
        if kill % 2:
            delay = rng.uniform(0.2, whole_run * 1.1)  # anywhere in the run
            time.sleep(delay)
        else:
            # right after the archive commits, while the index is being written
            delay = rng.uniform(0.0, 0.25)
            deadline = time.monotonic() + 60
            while stored_of(data_dir, first) == 0 and process.poll() is None:
                assert time.monotonic() < deadline
                time.sleep(0.01)
            time.sleep(delay)
        process.send_signal(signal.SIGKILL)
        process.wait()

        held = stored_of(data_dir, first)
        assert held in (0, BATCH), f"kill {kill} after {delay:.2f} s left {held} of {BATCH}"
        expected += held
        with open_store(data_dir, readonly=True) as store:
            assert verify_archive(store) == []
            assert store.count_statements(include_withdrawn=True) == expected

        verified = flask(data_dir, "verify")
        if verified.returncode == 0:
            outcomes["all, index current" if held else "none"] += 1
        else:
            # only the index can be behind, and verify names each statement it misses
            drift = verified.stderr.strip().splitlines()[:-1]
            assert held == BATCH and 0 < len(drift) <= BATCH, verified.stderr[-2000:]
            assert all("missing from the search index" in line for line in drift), drift[:3]
            outcomes["all, index behind"] += 1
            repaired = flask(data_dir, "reindex")
            assert repaired.returncode == 0, repaired.stderr
            assert flask(data_dir, "verify").returncode == 0

        # the next write goes through at once: no lock of the dead process is left
        started = time.monotonic()
        one = write_jsonl(tmp_path / f"one-{kill}.jsonl", [
            {"t": f"Nach dem Abbruch {kill}.", "s": "@after", "d": "2024-01-01",
             "i": f"after-{kill}", "l": "de"}])
        after = flask(data_dir, "import", str(one), *IMPORT_OPTIONS)
        assert after.returncode == 0, after.stderr
        assert time.monotonic() - started < 15
        expected += 1

    final = flask(data_dir, "verify")
    assert final.returncode == 0, final.stderr
    assert f"OK: {expected} statements" in final.stdout
    print(f"{KILLS} kills survived: {outcomes}; whole run {whole_run:.1f} s")
    assert sum(outcomes.values()) == KILLS
