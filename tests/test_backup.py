"""`flask --app web backup DEST`: a consistent snapshot while the service runs and imports write;
restoring it into an empty data directory (the SQLite copy, or the export) passes verify."""

from __future__ import annotations

import io
import shutil
import threading
import urllib.request

import pytest

from archive.backup import BACKUP_EXPORT, BackupError, back_up_archive
from archive.data_dir import ARCHIVE_FILE as BACKUP_DATABASE
from archive.export import export_archive
from archive.importers import ImportOptions, import_file
from archive.lifecycle import init_archive, open_store
from tests.bulk_statements import bulk_records, write_jsonl
from tests.conftest import running_server
from web import create_app

BATCH = 40
OPTIONS = ImportOptions(mapping={"text": "t", "speaker": "s", "posted_at": "d", "platform_id": "i",
                                 "lang": "l"}, constants={"platform": "bulk"})


def cli(data_dir, *args):
    app = create_app({"TESTING": True, "DATA_DIR": str(data_dir), "LOAD_SEED": False})
    return app.test_cli_runner().invoke(args=list(args))


def exported(data_dir) -> str:
    with open_store(data_dir) as store:
        handle = io.StringIO()
        export_archive(store, handle)
        return handle.getvalue()


@pytest.fixture
def filled(data_dir, tmp_path):
    init_archive(data_dir)
    with open_store(data_dir) as store:
        import_file(store, write_jsonl(tmp_path / "first.jsonl", bulk_records(BATCH)), OPTIONS)
        store.withdraw_statement(store.find_by_platform_id("bulk", "bulk-3"), "test withdrawal")
    return data_dir


def test_backup_and_restore_from_the_sqlite_copy(filled, tmp_path):
    result = cli(filled, "backup", str(tmp_path / "backup"))
    assert result.exit_code == 0, result.output
    assert f"Backed up {BATCH + 6} statements" in result.output
    backup = tmp_path / "backup"
    assert sorted(p.name for p in backup.iterdir()) == sorted([BACKUP_DATABASE, BACKUP_EXPORT])
    assert not list(tmp_path.glob(".backup.partial-*"))
    assert (backup / BACKUP_EXPORT).read_text(encoding="utf-8") == exported(filled)

    restored = tmp_path / "restored"
    restored.mkdir()
    shutil.copy(backup / BACKUP_DATABASE, restored / BACKUP_DATABASE)
    assert cli(restored, "reindex").exit_code == 0
    verified = cli(restored, "verify")
    assert verified.exit_code == 0, verified.output
    assert f"OK: {BATCH + 6} statements" in verified.output
    assert exported(restored) == exported(filled)


def test_restore_from_the_export_reproduces_the_archive(filled, tmp_path):
    assert cli(filled, "backup", str(tmp_path / "backup")).exit_code == 0
    restored = tmp_path / "restored"
    result = cli(restored, "import", str(tmp_path / "backup" / BACKUP_EXPORT))
    assert result.exit_code == 0, result.output
    assert cli(restored, "verify").exit_code == 0
    assert exported(restored) == exported(filled)


def test_backup_refuses_a_used_destination_and_leaves_nothing_behind(filled, tmp_path):
    used = tmp_path / "used"
    used.mkdir()
    (used / "keep.txt").write_text("mine", encoding="utf-8")
    result = cli(filled, "backup", str(used))
    assert result.exit_code == 1 and "not an empty folder" in result.output
    assert [p.name for p in used.iterdir()] == ["keep.txt"]
    with pytest.raises(BackupError, match="no archive"):
        back_up_archive(tmp_path / "nothing-here", tmp_path / "b")
    assert not (tmp_path / "b").exists()


def test_backups_taken_during_imports_and_searches_hold_whole_batches(filled, tmp_path):
    """The service answers searches over HTTP and imports commit batch after batch while
    backups are taken: each backup holds whole batches only and verifies."""
    files = [write_jsonl(tmp_path / f"batch{n}.jsonl", bulk_records(BATCH, start=BATCH * n, seed=n))
             for n in range(1, 9)]
    failures: list[str] = []
    stop = threading.Event()

    def import_batches():
        with open_store(filled) as store:
            for path in files:
                report = import_file(store, path, OPTIONS)
                if report.added != BATCH:
                    failures.append(report.summary())

    with running_server(filled, threads=2) as base_url:
        def search():
            while not stop.is_set():
                with urllib.request.urlopen(base_url + "/api/search?q=der&per_page=5", timeout=10) as r:
                    if r.status != 200:
                        failures.append(f"search answered {r.status}")

        searcher = threading.Thread(target=search)
        writer = threading.Thread(target=import_batches)
        searcher.start()
        writer.start()
        counts = []
        number = 0
        while writer.is_alive() or number < 2:
            backup = tmp_path / f"backup{number}"
            back_up_archive(filled, backup)
            with open_store(backup) as copy:
                counts.append(copy.count_statements(include_withdrawn=True))
            number += 1
        writer.join()
        back_up_archive(filled, tmp_path / "backup-final")
        with open_store(tmp_path / "backup-final") as copy:
            counts.append(copy.count_statements(include_withdrawn=True))
        stop.set()
        searcher.join()
    assert not failures
    assert all((count - 6) % BATCH == 0 for count in counts), counts
    assert counts == sorted(counts) and counts[-1] == 6 + 9 * BATCH
    assert len(set(counts)) >= 2, "no backup was taken while the imports ran"
    for backup in tmp_path.glob("backup*"):
        restored = tmp_path / f"restored-{backup.name}"
        restored.mkdir()
        shutil.copy(backup / BACKUP_DATABASE, restored / BACKUP_DATABASE)
        assert cli(restored, "reindex").exit_code == 0
        assert cli(restored, "verify").exit_code == 0
