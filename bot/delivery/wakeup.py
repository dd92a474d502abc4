"""Waking the worker promptly: PostgreSQL LISTEN, or on a SQLite file a datagram socket, feeds the same
in-process event `outbox.notify` sets (so `herald serve`'s worker process hears its web processes at once)."""

from __future__ import annotations

import logging
import socket
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


def receive(sock: socket.socket, stop: threading.Event, *, slice_s: float = 0.5) -> None:
    """Set `outbox.wake` on every datagram `sock` receives until `stop`; then close it."""
    sock.settimeout(slice_s)
    with sock:
        while not stop.is_set():
            try:
                sock.recv(64)
            except TimeoutError:
                continue
            outbox.wake.set()


def bind_local(url: str) -> socket.socket | None:
    """The wake-up socket of a SQLite file's worker; None when another worker holds it (that one wakes, this
    one polls) or the database is not a local file."""
    address = outbox.local_address(url)
    if address is None:
        return None
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    try:
        sock.bind(address)
    except OSError:
        sock.close()
        return None
    return sock


def start_listener(url: str, stop: threading.Event) -> threading.Thread | None:
    """A daemon thread running `listen` (PostgreSQL) or `receive` (a SQLite file); None when neither applies."""
    if make_url(url).get_backend_name() == "postgresql":
        thread = threading.Thread(target=listen, args=(url, stop), name="herald-listen", daemon=True)
    else:
        sock = bind_local(url)
        if sock is None:
            return None
        thread = threading.Thread(target=receive, args=(sock, stop), name="herald-wake", daemon=True)
    thread.start()
    return thread
