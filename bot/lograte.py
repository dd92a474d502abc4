"""Rate-limited log lines: a line per event, but at most `burst` per key in each `period` seconds.

A flapping channel fails every few seconds for hours; its failures must show in the log without
burying everything else. Lines beyond the burst are counted, and the next line that gets through
says how many were left out.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass


@dataclass
class _Window:
    started: float
    lines: int = 0
    dropped: int = 0


class Throttle:
    """Decides, per key, whether a log line may be written now."""

    def __init__(self, *, burst: int, period: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.burst, self.period, self.clock = burst, period, clock
        self.windows: dict[str, _Window] = {}
        self.lock = threading.Lock()

    def allow(self, key: str) -> int | None:
        """None to drop this line; otherwise how many lines of `key` were dropped since the last one."""
        now = self.clock()
        with self.lock:
            window = self.windows.get(key)
            if window is None or now - window.started >= self.period:
                window = self.windows[key] = _Window(now, dropped=window.dropped if window else 0)
            if window.lines >= self.burst:
                window.dropped += 1
                return None
            window.lines += 1
            dropped, window.dropped = window.dropped, 0
            return dropped
