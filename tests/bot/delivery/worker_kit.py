"""Helpers shared by the worker tests, the chaos test and bench/delivery.py (not a test module)."""

from __future__ import annotations

import os
import signal
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

from sqlalchemy import select

from bot.config import load_config
from bot.core import Core
from bot.delivery import outbox
from bot.domain import service
from bot.domain.models import Delivery
from bot.plugins import registry
from bot.plugins.contract import Publisher
from bot.store import db
from herald.app import create_core
from tests.fakes import receiver_plugin
from tests.fakes.receiver import Receiver
from tests.support import make_env

CHANNELS = ("alpha", "beta")
made: list[Core] = []
FAST = {  # short leases, waits and backoff so failures heal within a test's time
    "HERALD_PUBLISHERS": ",".join(CHANNELS), "HERALD_CLAIM_LEASE": "2", "HERALD_WORKER_POLL": "0.2",
    "HERALD_RETRY_BASE": "0.05", "HERALD_RETRY_CAP": "0.5", "HERALD_MAX_ATTEMPTS": "8",
    "HERALD_SHUTDOWN_GRACE": "5", "HERALD_WORKER_CONCURRENCY": "4", "HERALD_PUBLISH_TIMEOUT": "2",
}


def settings(database_url: str, tmp_path: Path, **extra: str) -> dict[str, str]:
    """The environment of a test Herald that publishes to alpha and beta."""
    return make_env(database_url, tmp_path, **{**FAST, **extra})


def make_core(env: dict[str, str], receiver: Receiver, *, timeout: float | None = None,
              available: dict[str, type[Publisher]] | None = None) -> Core:
    """A core whose registry holds Alpha and Beta bound to `receiver` (no entry points needed)."""
    config = load_config(env)
    core = create_core(config, load_publishers=False)
    context = core.context
    available = available or receiver_plugin.classes(receiver.url, timeout=timeout)
    core.registry = registry.load(config, context, available=available)
    made.append(core)
    return core


def dispose_all() -> None:
    """Close the connection pools of every core make_core built (a test's fixture calls this)."""
    while made:
        made.pop().engine.dispose()


def post(core: Core, incident: int | None, body: str, *, now: datetime | None = None) -> int:
    """Declare an incident (incident=None) or post an update to it, then wake workers; the incident id."""
    with db.transaction(core.sessions) as session:
        if incident is None:
            made = service.declare(session, title=body, body=body, publishers=core.publisher_names, now=now)
        else:
            made = service.post_update(session, incident_id=incident, body=body,
                                       publishers=core.publisher_names, now=now)
        incident_id = made.incident_id
    outbox.notify(core)
    return incident_id


def states(core: Core) -> dict[str, int]:
    """How many deliveries are in each state."""
    with core.sessions() as session:
        found: dict[str, int] = {}
        for state in session.scalars(select(Delivery.state)):
            found[state] = found.get(state, 0) + 1
        return found




def spawn(env: dict[str, str], tmp_path: Path, receiver: Receiver | None, name: str) -> subprocess.Popen[bytes]:
    """Start `herald worker --name NAME` (delivering to `receiver`, if given); its log goes to tmp_path."""
    full = receiver_plugin.subprocess_env(env, tmp_path / "plugin", receiver.url if receiver else "")
    log = open(tmp_path / f"{name}.log", "ab")  # noqa: SIM115 (closed with the process)
    return subprocess.Popen(receiver_plugin.worker_command(name), env=full, cwd=tmp_path,
                            stdout=log, stderr=subprocess.STDOUT)


@contextmanager
def workers(env: dict[str, str], tmp_path: Path, receiver: Receiver | None, count: int = 1,
            prefix: str = "w") -> Iterator[list[subprocess.Popen[bytes]]]:
    """`count` worker processes, stopped with SIGTERM (then SIGKILL) afterwards."""
    procs = [spawn(env, tmp_path, receiver, f"{prefix}{i}") for i in range(count)]
    try:
        yield procs
    finally:
        for proc in procs:
            stop(proc)


def stop(proc: subprocess.Popen[bytes], sig: int = signal.SIGTERM, timeout: float = 15.0) -> int:
    """Signal one worker process and wait for it; kills it if it does not exit in time."""
    if proc.poll() is None:
        os.kill(proc.pid, sig)
        try:
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    return int(proc.returncode)
