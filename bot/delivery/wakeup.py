"""Waking the worker promptly: PostgreSQL LISTEN feeds the same in-process event `outbox.notify` sets."""

from __future__ import annotations

import logging
import threading

import psycopg
from sqlalchemy.engine import make_url

from bot.delivery import outbox

log = logging.getLogger(__name__)


def conninfo(url: str) -> str:
    """A libpq URL for psycopg from a SQLAlchemy URL (drops the `+psycopg` driver name)."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def listen(url: str, stop: threading.Event, *, slice_s: float = 0.5) -> None:
    """Set `outbox.wake` on every NOTIFY herald_deliveries until `stop`; reconnects after errors."""
    while not stop.is_set():
        try:
            with psycopg.connect(conninfo(url), autocommit=True) as conn:
                conn.execute(f"LISTEN {outbox.CHANNEL}")
                outbox.wake.set()  # whatever was queued while nobody listened
                while not stop.is_set():
                    for _ in conn.notifies(timeout=slice_s):
                        outbox.wake.set()
        except psycopg.Error as exc:
            log.warning("LISTEN %s lost (%s); polling until it is back", outbox.CHANNEL, exc)
            stop.wait(1.0)


def start_listener(url: str, stop: threading.Event) -> threading.Thread | None:
    """On PostgreSQL, a daemon thread running `listen`; None on other databases (they poll)."""
    if make_url(url).get_backend_name() != "postgresql":
        return None
    thread = threading.Thread(target=listen, args=(url, stop), name="herald-listen", daemon=True)
    thread.start()
    return thread
