"""Child processes of the benchmark: run one while sampling the resident memory of it and
its children, and start the production server (gunicorn) and wait for its first answer."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

PYTHON = sys.executable
PROJECT_ROOT = Path(__file__).resolve().parent.parent


def _tree(pid: int) -> list[int]:
    found, pending = [], [pid]
    while pending:
        current = pending.pop()
        found.append(current)
        try:
            for task in os.listdir(f"/proc/{current}/task"):
                with open(f"/proc/{current}/task/{task}/children") as handle:
                    pending.extend(int(child) for child in handle.read().split())
        except OSError:
            continue
    return found


def _status_value(pid: int, path: str, key: str) -> int:
    try:
        with open(f"/proc/{pid}/{path}") as handle:
            for line in handle:
                if line.startswith(key):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def pss_bytes(pid: int) -> int:
    """Memory of a process and its children, each page shared between them counted once
    in total (the sum of their PSS): forked index writers share the parent's pages, which a
    sum of RSS would count once per process."""
    return sum(_status_value(member, "smaps_rollup", "Pss:") for member in _tree(pid))


class MemoryWatch:
    """Samples a process tree's memory (PSS sum) every ``interval`` seconds; ``peak`` is
    the highest seen."""

    def __init__(self, pid: int, interval: float = 0.1):
        self.pid, self.interval, self.peak = pid, interval, 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, pss_bytes(self.pid))
            self._stop.wait(self.interval)

    def stop(self) -> int:
        self._stop.set()
        self._thread.join()
        return self.peak


@dataclass
class Finished:
    seconds: float
    peak_memory: int   # the process tree's highest PSS sum
    peak_rss: int      # the highest RSS of any one process of the tree (from wait4)
    stdout: str


def environment(data_dir: Path | None = None, **extra: str) -> dict[str, str]:
    env = dict(os.environ, PYTHONPATH=str(PROJECT_ROOT), **extra)
    if data_dir is not None:
        env["VERBATIM_DATA_DIR"] = str(data_dir)
    return env


def run_measured(arguments: list[str], env: dict[str, str], cwd: Path = PROJECT_ROOT) -> Finished:
    """Run a command to completion (in ``cwd``); wall time and peak memory of its process tree.
    A failure raises with the command's error output."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        process = subprocess.Popen(arguments, env=env, cwd=cwd, stdout=out, stderr=err)
        watch = MemoryWatch(process.pid)
        _pid, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - started
        process.returncode = os.waitstatus_to_exitcode(status)
        peak = watch.stop()
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read().decode("utf-8", "replace"), err.read().decode("utf-8", "replace")
    if process.returncode:
        raise RuntimeError(f"{' '.join(arguments[:4])} … failed ({process.returncode}):\n{stderr[-3000:]}")
    return Finished(seconds, peak, usage.ru_maxrss * 1024, stdout)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


SERVER_WORKERS = 2
SERVER_THREADS = 2


class Server:
    """The production server (gunicorn, the README's settings) on a free loopback port, started
    on ``app_factory`` (``module:function``). Verbatim runs on its own worker class (gunicorn's
    threaded worker with the app's headers on gunicorn's own error answers); the FTS5 reference
    app on gunicorn's plain threaded worker."""

    def __init__(self, app_factory: str, env: dict[str, str]):
        worker_class = "web.worker.ThreadWorker" if app_factory.startswith("web:") else "gthread"
        self.port = free_port()
        # A file, not a pipe: an unread pipe that fills up stops the server.
        self.log = tempfile.TemporaryFile()
        self.started = time.perf_counter()
        self.process = subprocess.Popen(
            [PYTHON, "-m", "gunicorn", "--worker-class", worker_class,
             "--workers", str(SERVER_WORKERS), "--threads", str(SERVER_THREADS),
             "--bind", f"127.0.0.1:{self.port}", "--graceful-timeout", "5", f"{app_factory}()"],
            env=env, cwd=PROJECT_ROOT, stdout=subprocess.DEVNULL, stderr=self.log)

    def log_tail(self) -> str:
        self.log.seek(0)
        return self.log.read().decode("utf-8", "replace")[-2000:]

    def first_answer(self, path: str, timeout: float = 300.0) -> float:
        """Seconds from start until ``path`` is first answered with 200 (the cold start)."""
        url = f"http://127.0.0.1:{self.port}{path}"
        while time.perf_counter() - self.started < timeout:
            if self.process.poll() is not None:
                raise RuntimeError(f"server exited: {self.log_tail()}")
            try:
                with urllib.request.urlopen(url, timeout=timeout) as response:
                    response.read()
                    if response.status == 200:
                        return time.perf_counter() - self.started
            except OSError:
                time.sleep(0.02)
        raise RuntimeError(f"server did not answer {url} within {timeout:.0f} s")

    def memory(self) -> int:
        """The server's master and workers together (PSS: shared pages counted once)."""
        return pss_bytes(self.process.pid)

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.log.close()
