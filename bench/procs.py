"""What Herald's processes cost, read from /proc: CPU and peak RSS of a process and everything below it, and how
long until the outbox has drained (the worker caught up)."""

from __future__ import annotations

import os
import time
from pathlib import Path

from sqlalchemy import create_engine, text


def family(pid: int) -> list[int]:
    """`pid` and every process below it (children of any of its threads)."""
    found = [pid]
    for task in Path(f"/proc/{pid}/task").iterdir():
        for child in (task / "children").read_text().split():
            found += family(int(child))
    return found


def peak_rss_mb(master: int) -> dict[str, float]:
    """VmHWM of the gunicorn master and each process below it (web workers, the delivery worker), in MB."""
    peaks: dict[str, float] = {}
    for pid in family(master):
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
        name = "master" if pid == master else "worker" if b"worker" in cmdline else f"web_{pid}"
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                peaks[name] = round(int(line.split()[1]) / 1024, 1)
    peaks["max"] = max(peaks.values())
    return peaks


def cpu_seconds(master: int) -> float:
    """User + system CPU of `master` and every process below it, so far."""
    total = 0
    for pid in family(master):
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        total += int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15 of proc(5))
    return total / os.sysconf("SC_CLK_TCK")


def drained(database_url: str, timeout: float = 300.0) -> float:
    """Seconds until no delivery is pending (the worker caught up), from now."""
    engine, started = create_engine(database_url), time.monotonic()
    try:
        while time.monotonic() - started < timeout:
            with engine.connect() as conn:
                if not conn.scalar(text("SELECT count(*) FROM deliveries WHERE state = 'pending'")):
                    break
            time.sleep(0.05)
        return round(time.monotonic() - started, 2)
    finally:
        engine.dispose()
