"""Import progress for the terminal: a bar with records, rate and time left, or plain lines in a log."""

from __future__ import annotations

import time
from typing import TextIO


class ProgressDisplay:
    """Called as ``display(records, fraction)`` while a file is read.

    On a terminal it redraws one line at most ten times a second; otherwise
    it writes a plain line every ``every`` records, so logs stay readable.
    """

    def __init__(self, stream: TextIO, *, is_tty: bool, every: int = 10_000, width: int = 30):
        self.stream = stream
        self.is_tty = is_tty
        self.every = every
        self.width = width
        self.started = time.monotonic()
        self._last_draw = 0.0
        self._next_line = every
        self._drawn = False

    def __call__(self, records: int, fraction: float) -> None:
        now = time.monotonic()
        elapsed = max(now - self.started, 1e-6)
        rate = records / elapsed
        left = elapsed * (1 - fraction) / fraction if fraction > 0 else None
        if self.is_tty:
            if now - self._last_draw < 0.1:
                return
            self._last_draw = now
            filled = int(self.width * min(max(fraction, 0.0), 1.0))
            bar = "#" * filled + "-" * (self.width - filled)
            remaining = f"{left:5.1f} s left" if left is not None else "time left unknown"
            self.stream.write(f"\r[{bar}] {records:,} records  {rate:,.0f}/s  {remaining}   ")
            self.stream.flush()
            self._drawn = True
        elif records >= self._next_line:
            self._next_line = records + self.every
            remaining = f", about {left:.0f} s left" if left is not None else ""
            self.stream.write(f"read {records:,} records ({rate:,.0f}/s{remaining})\n")
            self.stream.flush()

    def finish(self) -> None:
        if self._drawn:
            self.stream.write("\r" + " " * (self.width + 60) + "\r")
            self.stream.flush()
