"""Shared fixtures: an app on a fresh data directory, its test client and CLI runner, a store."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import pytest

from archive.lifecycle import init_archive, open_store
from web import create_app

PROJECT_ROOT = Path(__file__).resolve().parent.parent
SHARED = PROJECT_ROOT.parent / "shared"
SEED_ARTICLE = SHARED / "seeds" / "000_9b6b4eaa2eaf404f.txt"
CORPORA = SHARED / "corpora"


@pytest.fixture(autouse=True)
def work_in_tmp_path(tmp_path: Path, monkeypatch):
    """Every test runs in its own temporary directory, so a file a command writes next to
    the working directory (an import's default rejects file) never lands in the project."""
    monkeypatch.chdir(tmp_path)


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return tmp_path / "data"


@pytest.fixture
def app(data_dir: Path):
    return create_app({"TESTING": True, "DATA_DIR": str(data_dir), "SECRET_KEY": "test"})


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def store(data_dir: Path):
    """A store on a fresh archive with the seed collection loaded."""
    init_archive(data_dir)
    with open_store(data_dir) as opened:
        yield opened


@pytest.fixture
def empty_store(tmp_path: Path):
    """A migrated store with nothing in it."""
    with open_store(tmp_path / "empty") as opened:
        yield opened


# -- a real server and a real browser -----------------------------------------------------

def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def running_server(data_dir: Path, workers: int = 2, threads: int = 2):
    """The app under gunicorn (the production server, README settings) on a free loopback port."""
    port = free_port()
    env = dict(os.environ, VERBATIM_DATA_DIR=str(data_dir))
    log = tempfile.TemporaryFile()  # a file, not a pipe: a full pipe would stop the server
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--worker-class", "web.worker.ThreadWorker",
         "--workers", str(workers), "--threads", str(threads),
         "--bind", f"127.0.0.1:{port}", "--graceful-timeout", "5", "web:create_app()"],
        cwd=PROJECT_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    base_url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(base_url + "/api/speakers", timeout=2):
                    break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    log.seek(0)
                    output = log.read().decode(errors="replace")
                    raise RuntimeError(f"server did not start:\n{output[-3000:]}") from None
                time.sleep(0.2)
        yield base_url
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


@pytest.fixture(scope="module")
def live_server(tmp_path_factory):
    with running_server(tmp_path_factory.mktemp("live") / "data") as base_url:
        yield base_url


def chromium_paths() -> tuple[str, str] | None:
    browser, driver = shutil.which("chromium"), shutil.which("chromedriver")
    return (browser, driver) if browser and driver else None


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    """Debian's headless Chromium through chromedriver; skipped where it is not installed,
    except under CI, where its absence is a failure."""
    paths = chromium_paths()
    if paths is None:
        if os.environ.get("CI"):
            pytest.fail("chromium and chromedriver are required in CI (.ci/run installs them)")
        pytest.skip("Debian's chromium and chromium-driver are not installed")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = paths[0]
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--disable-dev-shm-usage", "--window-size=1280,900", "--lang=de-DE"):
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={tmp_path_factory.mktemp('chromium')}")
    driver = webdriver.Chrome(options=options, service=Service(executable_path=paths[1]))
    driver.set_page_load_timeout(30)
    try:
        yield driver
    finally:
        driver.quit()


# axe-core: pinned and fetched by .ci/fetch-axe into a git-ignored folder, never committed.
AXE_CORE = PROJECT_ROOT / ".cache" / "axe-core" / "axe.min.js"


@pytest.fixture(scope="session")
def axe_source() -> str:
    """The source of axe-core, to inject into a page; skipped where .ci/fetch-axe has not run,
    except under CI, where its absence is a failure."""
    if not AXE_CORE.is_file():
        if os.environ.get("CI"):
            pytest.fail(f"axe-core is required in CI: {AXE_CORE} is missing (.ci/fetch-axe fetches it)")
        pytest.skip("axe-core is not fetched: run .ci/fetch-axe")
    return AXE_CORE.read_text(encoding="utf-8")
