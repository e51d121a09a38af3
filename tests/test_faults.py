"""A read-only or full data directory: writes fail with a clear message (no traceback), nothing
half-written is kept, and the archive stays readable — by the CLI and by the web app.

The data directory sits on a small tmpfs mounted for the test (remounted read-only, or too
small for an import), which needs root; as another user the read-only case uses file modes."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from contextlib import contextmanager
from pathlib import Path

import pytest

from archive.lifecycle import init_archive, open_store
from tests.bulk_statements import IMPORT_OPTIONS, bulk_records, write_jsonl
from tests.conftest import PROJECT_ROOT
from web import create_app


def flask(data_dir: Path, *args: str) -> subprocess.CompletedProcess:
    """The command in its own process, as a user runs it."""
    env = dict(os.environ, VERBATIM_DATA_DIR=str(data_dir))
    return subprocess.run([sys.executable, "-m", "flask", "--app", "web", *args], cwd=PROJECT_ROOT,
                          env=env, capture_output=True, text=True, timeout=300)


def cli(data_dir: Path, *args: str):
    """The command in this process (faster; same code)."""
    app = create_app({"TESTING": True, "DATA_DIR": str(data_dir), "SECRET_KEY": "t"})
    result = app.test_cli_runner().invoke(args=list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result


@contextmanager
def small_filesystem(where: Path, size: str):
    """A tmpfs of ``size`` mounted at ``where`` for the duration; skips where mounting is not allowed."""
    where.mkdir(parents=True, exist_ok=True)
    if os.geteuid() != 0:
        pytest.skip("mounting a small filesystem needs root")
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size},mode=0755", "tmpfs",
                              str(where)], capture_output=True, text=True)
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.strip()}")
    try:
        yield where
    finally:
        if subprocess.run(["umount", str(where)], capture_output=True).returncode != 0:
            subprocess.run(["umount", "-l", str(where)], capture_output=True)


def remount(where: Path, options: str) -> None:
    subprocess.run(["mount", "-o", f"remount,{options}", str(where)], check=True)


def assert_clear_failure(result: subprocess.CompletedProcess, *words: str) -> None:
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Traceback" not in result.stderr, result.stderr[-2000:]
    assert result.stderr.strip().splitlines()[-1].startswith("Error: ")
    for word in words:
        assert word in result.stderr


def assert_readable(data_dir: Path, statements: int) -> None:
    """The CLI reads, verifies and exports; the web app starts and answers searches and permalinks."""
    verified = cli(data_dir, "verify")
    assert verified.exit_code == 0, verified.output
    assert f"OK: {statements} statements" in verified.stdout
    shown = cli(data_dir, "show", "EGYN-534B")
    assert shown.exit_code == 0 and "OpenAI" in shown.stdout
    app = create_app({"TESTING": True, "DATA_DIR": str(data_dir), "SECRET_KEY": "t"})
    client = app.test_client()
    found = client.get("/api/search?q=Auszeit")
    assert found.status_code == 200 and found.get_json()["total"] >= 1
    assert client.get("/s/EGYN-534B").status_code == 200


def test_a_read_only_medium_refuses_writes_clearly_and_stays_readable(tmp_path):
    records = write_jsonl(tmp_path / "new.jsonl", bulk_records(50))
    with small_filesystem(tmp_path / "mnt", "16m") as mount:
        data_dir = mount / "data"
        assert cli(data_dir, "init").exit_code == 0
        remount(mount, "ro")
        assert_clear_failure(flask(data_dir, "import", str(records), *IMPORT_OPTIONS),
                             "nothing imported", "read-only")
        assert cli(data_dir, "init").exit_code == 1
        reindexed = cli(data_dir, "reindex")
        assert reindexed.exit_code == 1 and "Read-only file system" in reindexed.output
        assert_readable(data_dir, 6)
        assert cli(data_dir, "backup", str(tmp_path / "backup")).exit_code == 0
        exported = cli(data_dir, "export", "--output", str(tmp_path / "out.jsonl"))
        assert exported.exit_code == 0 and (tmp_path / "out.jsonl").stat().st_size > 0
        remount(mount, "rw")
        imported = cli(data_dir, "import", str(records), *IMPORT_OPTIONS)
        assert imported.exit_code == 0, imported.output
        assert_readable(data_dir, 56)


def test_read_only_files_and_folders_as_a_normal_user(tmp_path):
    if os.geteuid() == 0:
        pytest.skip("file modes do not stop root; the read-only medium test covers this as root")
    data_dir = tmp_path / "data"
    init_archive(data_dir)
    with open_store(data_dir):
        pass
    records = write_jsonl(tmp_path / "new.jsonl", bulk_records(20))
    paths = [data_dir, *data_dir.rglob("*")]
    modes = {path: path.stat().st_mode for path in paths}
    try:
        for path in sorted(paths, key=lambda p: -len(p.parts)):
            path.chmod(0o555 if path.is_dir() else 0o444)
        assert_clear_failure(flask(data_dir, "import", str(records), *IMPORT_OPTIONS), "nothing imported")
        assert_readable(data_dir, 6)
    finally:
        for path, mode in modes.items():
            path.chmod(mode)


def test_a_full_disk_keeps_the_whole_batch_out(tmp_path):
    records = write_jsonl(tmp_path / "big.jsonl", bulk_records(3_000))
    with small_filesystem(tmp_path / "mnt", "600k") as mount:
        data_dir = mount / "data"
        assert cli(data_dir, "init").exit_code == 0
        result = flask(data_dir, "import", str(records), *IMPORT_OPTIONS)
        assert_clear_failure(result, "nothing imported", "full")
        assert_readable(data_dir, 6)
        assert not [p.name for p in data_dir.rglob("*") if p.name.endswith((".partial", ".tmp"))]
        remount(mount, "size=64m")  # room for the batch, its log entries and the index writers
        imported = cli(data_dir, "import", str(records), *IMPORT_OPTIONS)
        assert imported.exit_code == 0, imported.output
        assert_readable(data_dir, 6 + 3_000)


@pytest.mark.slow
def test_a_full_index_folder_is_drift_that_verify_names_and_reindex_repairs(tmp_path):
    """The archive has room, the index does not: the batch is stored, verify reports the
    drift, and once there is room reindex repairs it."""
    records = write_jsonl(tmp_path / "big.jsonl", bulk_records(3_000))
    data_dir = tmp_path / "data"
    assert cli(data_dir, "init").exit_code == 0
    shutil.rmtree(data_dir / "index")
    with small_filesystem(data_dir / "index", "1m") as index_dir:
        assert cli(data_dir, "reindex").exit_code == 0
        result = flask(data_dir, "import", str(records), *IMPORT_OPTIONS)
        assert result.returncode == 0 and "Traceback" not in result.stderr, result.stderr[-2000:]
        assert "search index not updated now" in result.stderr
        drift = cli(data_dir, "verify")
        assert drift.exit_code == 1 and "missing from the search index" in drift.output
        remount(index_dir, "size=32m")
        assert cli(data_dir, "reindex").exit_code == 0
        assert_readable(data_dir, 6 + 3_000)


def test_a_full_disk_during_backup_leaves_no_partial_backup(tmp_path, data_dir):
    init_archive(data_dir)
    with small_filesystem(tmp_path / "mnt", "64k") as mount:
        result = cli(data_dir, "backup", str(mount / "backup"))
        assert result.exit_code == 1 and "no backup made" in result.output
        assert list(mount.iterdir()) == []
    shutil.rmtree(tmp_path / "mnt", ignore_errors=True)
