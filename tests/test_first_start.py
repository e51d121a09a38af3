"""A server's workers start together on an empty data directory: the archive is created,
migrated and seeded once, every worker comes up, and the index matches the archive."""

from __future__ import annotations

import os
import subprocess
import sys
import time

from archive.integrity import verify_archive
from archive.lifecycle import open_store
from index.engines.whoosh.indexer import find_index_drift
from tests.conftest import PROJECT_ROOT

STARTERS = 6

# Each process waits for the gate file, so that all of them open the new archive at once.
START = """
import os, sys, time
gate = sys.argv[1]
while not os.path.exists(gate):
    time.sleep(0.001)
from web import create_app
create_app()
"""


def test_workers_starting_together_create_the_archive_once(tmp_path):
    data_dir = tmp_path / "data"
    gate = tmp_path / "go"
    env = dict(os.environ, VERBATIM_DATA_DIR=str(data_dir))
    starters = [subprocess.Popen([sys.executable, "-c", START, str(gate)], cwd=PROJECT_ROOT, env=env,
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                for _ in range(STARTERS)]
    time.sleep(1.0)  # let every interpreter reach the gate
    gate.touch()
    for starter in starters:
        _, errors = starter.communicate(timeout=120)
        assert starter.returncode == 0, errors
    with open_store(data_dir) as store:
        assert store.count_statements() == 6
        assert verify_archive(store) == []
        assert find_index_drift(store, data_dir) == []
