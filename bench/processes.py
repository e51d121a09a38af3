"""Child processes of the benchmark: run one while sampling the resident memory of it and
its children, and start a waitress server and wait for its first answer."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
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


def rss_bytes(pid: int, *, children: bool = True) -> int:
    """Resident memory of a process (and its children): the sum of their VmRSS."""
    total = 0
    for member in (_tree(pid) if children else [pid]):
        try:
            with open(f"/proc/{member}/status") as handle:
                for line in handle:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1]) * 1024
                        break
        except OSError:
            continue
    return total


class MemoryWatch:
    """Samples a process tree's resident memory every ``interval`` seconds; ``peak`` is the
    highest sum seen."""

    def __init__(self, pid: int, interval: float = 0.1):
        self.pid, self.interval, self.peak = pid, interval, 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, rss_bytes(self.pid))
            self._stop.wait(self.interval)

    def stop(self) -> int:
        self._stop.set()
        self._thread.join()
        return self.peak


@dataclass
class Finished:
    seconds: float
    peak_rss: int
    stdout: str


def environment(data_dir: Path | None = None, **extra: str) -> dict[str, str]:
    env = dict(os.environ, PYTHONPATH=str(PROJECT_ROOT), **extra)
    if data_dir is not None:
        env["VERBATIM_DATA_DIR"] = str(data_dir)
    return env


def run_measured(arguments: list[str], env: dict[str, str]) -> Finished:
    """Run a command to completion; wall time and peak memory of its process tree.
    A failure raises with the command's error output."""
    started = time.perf_counter()
    process = subprocess.Popen(arguments, env=env, cwd=PROJECT_ROOT, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True)
    watch = MemoryWatch(process.pid)
    stdout, stderr = process.communicate()
    seconds = time.perf_counter() - started
    peak = watch.stop()
    if process.returncode:
        raise RuntimeError(f"{' '.join(arguments[:4])} … failed ({process.returncode}):\n{stderr[-3000:]}")
    return Finished(seconds, peak, stdout)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Server:
    """A waitress server on a free loopback port, started on ``app_factory`` (``module:function``)."""

    def __init__(self, app_factory: str, env: dict[str, str], threads: int = 8):
        self.port = free_port()
        self.started = time.perf_counter()
        self.process = subprocess.Popen(
            [PYTHON, "-m", "waitress", f"--listen=127.0.0.1:{self.port}", f"--threads={threads}",
             "--call", app_factory], env=env, cwd=PROJECT_ROOT, stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE)

    def first_answer(self, path: str, timeout: float = 300.0) -> float:
        """Seconds from start until ``path`` is first answered with 200 (the cold start)."""
        url = f"http://127.0.0.1:{self.port}{path}"
        while time.perf_counter() - self.started < timeout:
            if self.process.poll() is not None:
                raise RuntimeError(f"server exited: {self.process.stderr.read().decode()[-2000:]}")
            try:
                with urllib.request.urlopen(url, timeout=timeout) as response:
                    response.read()
                    if response.status == 200:
                        return time.perf_counter() - self.started
            except OSError:
                time.sleep(0.02)
        raise RuntimeError(f"server did not answer {url} within {timeout:.0f} s")

    def rss(self) -> int:
        return rss_bytes(self.process.pid)

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
