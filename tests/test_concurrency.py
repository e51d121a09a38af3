"""Concurrent use: 8 clients search over HTTP while 20,000 statements are imported, and two
imports run at once. Nothing fails, nothing is lost, no result names a statement the archive
does not have, and the index matches the archive at the end."""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from archive.lifecycle import init_archive, open_store
from tests.bulk_statements import IMPORT_OPTIONS, bulk_records, vocabulary, write_jsonl
from tests.conftest import PROJECT_ROOT, running_server

pytestmark = pytest.mark.slow

CLIENTS = 8
IMPORTED = 20_000


def flask(data_dir: Path, *args: str) -> subprocess.Popen:
    env = dict(os.environ, VERBATIM_DATA_DIR=str(data_dir))
    return subprocess.Popen([sys.executable, "-m", "flask", "--app", "web", *args], cwd=PROJECT_ROOT,
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def fetch(url: str) -> tuple[int, dict | None, float]:
    started = time.monotonic()
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            body = json.loads(response.read())
            return response.status, body, time.monotonic() - started
    except urllib.error.HTTPError as error:
        return error.code, None, time.monotonic() - started


def test_searches_during_a_20000_statement_import(tmp_path):
    data_dir = tmp_path / "data"
    init_archive(data_dir)
    words = vocabulary()
    base = write_jsonl(tmp_path / "base.jsonl", bulk_records(2_000, start=0, seed=1, words=words))
    big = write_jsonl(tmp_path / "big.jsonl", bulk_records(IMPORTED, start=2_000, seed=2, words=words))
    first = flask(data_dir, "import", str(base), *IMPORT_OPTIONS)
    assert first.communicate(timeout=300) and first.returncode == 0
    queries = ["", "Auszeit", "speaker:speaker7", "der OR die", words[3], f"{words[10][:4]}*",
               f'"{words[0]} {words[1]}"', f"{words[50]}~", "date:2019", "lang:en " + words[5]]

    with running_server(data_dir, threads=CLIENTS) as base_url:
        results: list[tuple[int, float, bool]] = []  # status, seconds, during the import
        seen: set[str] = set()
        problems: list[str] = []
        importing = threading.Event()
        done = threading.Event()
        guard = threading.Lock()

        def client(number: int) -> None:
            turn = number
            while not done.is_set():
                turn += 1
                query = queries[turn % len(queries)]
                params = {"q": query, "per_page": 20, "page": 1 + turn % 3,
                          "sort": ("relevance", "newest", "oldest")[turn % 3]}
                status, body, seconds = fetch(f"{base_url}/api/search?{urllib.parse.urlencode(params)}")
                ids = [r["statement_id"] for r in body["results"]] if body else []
                if ids and turn % 5 == 0:  # the permalink of a result answers too
                    record_status, record, _ = fetch(f"{base_url}/api/statements/{ids[0]}")
                    if record_status != 200 or record["statement_id"] != ids[0]:
                        problems.append(f"{ids[0]} from a search answers {record_status}")
                with guard:
                    results.append((status, seconds, importing.is_set()))
                    seen.update(ids)
                    if status != 200:
                        problems.append(f"{query!r} answered {status}")

        threads = [threading.Thread(target=client, args=(n,)) for n in range(CLIENTS)]
        for thread in threads:
            thread.start()
        time.sleep(1)
        started = time.monotonic()
        importing.set()
        process = flask(data_dir, "import", str(big), *IMPORT_OPTIONS)
        stdout, stderr = process.communicate(timeout=600)
        import_seconds = time.monotonic() - started
        importing.clear()
        time.sleep(1)
        done.set()
        for thread in threads:
            thread.join()
        assert process.returncode == 0, stderr
        assert f"added {IMPORTED}" in stdout
        final = fetch(f"{base_url}/api/search?q=&per_page=1")[1]

    during = [seconds for status, seconds, flag in results if flag]
    assert not problems, problems[:5]
    assert len(during) >= 50, "too few searches ran during the import"
    # a search that waited for the writer would take as long as the import's write phases
    assert max(during) < min(5.0, import_seconds / 3), (max(during), import_seconds)
    assert statistics.median(during) < 1.0
    with open_store(data_dir, readonly=True) as store:
        assert store.count_statements(include_withdrawn=True) == 6 + 2_000 + IMPORTED
        missing = set(seen) - set(store.existing_statement_ids(sorted(seen)))
    assert not missing, f"results named statements the archive does not have: {sorted(missing)[:5]}"
    assert final["total"] == 6 + 2_000 + IMPORTED
    verified = subprocess.run([sys.executable, "-m", "flask", "--app", "web", "verify"], cwd=PROJECT_ROOT,
                              env=dict(os.environ, VERBATIM_DATA_DIR=str(data_dir)),
                              capture_output=True, text=True)
    assert verified.returncode == 0, verified.stderr
    print(f"{len(results)} requests ({len(during)} during the {import_seconds:.1f} s import), "
          f"0 failed; search latency during import: median {statistics.median(during) * 1000:.0f} ms,"
          f" max {max(during) * 1000:.0f} ms; {len(seen)} distinct statements seen, all in the archive")


def test_two_imports_at_once_wait_for_each_other_and_corrupt_nothing(tmp_path):
    data_dir = tmp_path / "data"
    init_archive(data_dir)
    words = vocabulary()
    one = write_jsonl(tmp_path / "one.jsonl", bulk_records(5_000, start=0, seed=3, words=words))
    two = write_jsonl(tmp_path / "two.jsonl", bulk_records(5_000, start=5_000, seed=4, words=words))
    runs = [flask(data_dir, "import", str(path), *IMPORT_OPTIONS) for path in (one, two, one)]
    outputs = [run.communicate(timeout=600) for run in runs]
    stored = 0
    for run, (_, stderr) in zip(runs, outputs, strict=True):
        assert "Traceback" not in stderr, stderr[-2000:]
        if run.returncode == 0:
            stored += 1
        else:  # refused: the message says the archive was busy and nothing was imported
            assert "nothing imported" in stderr and ("locked" in stderr or "busy" in stderr), stderr
    assert stored >= 2
    with open_store(data_dir, readonly=True) as store:
        total = store.count_statements(include_withdrawn=True)
        for first in (0, 5_000):
            held = len(store.find_by_platform_ids("bulk", [f"bulk-{n}" for n in range(first, first + 5_000)]))
            assert held in (0, 5_000)
    assert total in (6 + 5_000, 6 + 10_000)
    summaries = " ".join(stdout + stderr for stdout, stderr in outputs)
    assert "unchanged 5000" in summaries  # the same file twice: the second adds nothing
    verified = subprocess.run([sys.executable, "-m", "flask", "--app", "web", "verify"], cwd=PROJECT_ROOT,
                              env=dict(os.environ, VERBATIM_DATA_DIR=str(data_dir)),
                              capture_output=True, text=True)
    assert verified.returncode == 0, verified.stderr
