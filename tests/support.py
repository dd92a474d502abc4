"""Plain helpers every test may use (fixtures live in tests/conftest.py): services, settings, waiting."""

from __future__ import annotations

import os
import shutil
import socket
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TypeVar

import pytest
from sqlalchemy import create_engine, text

T = TypeVar("T")

PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"

CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"]

def need(service: str, available: bool, why: str) -> None:
    """Skip when a service is missing, or fail if CI demands every service (HERALD_REQUIRE_SERVICES=1)."""
    if available:
        return
    if os.environ.get("HERALD_REQUIRE_SERVICES") == "1":
        pytest.fail(f"{service} is required here but unavailable: {why}")
    pytest.skip(f"{service} unavailable: {why}")

def postgres_available() -> bool:
    """True when something answers on 127.0.0.1:5432."""
    try:
        socket.create_connection(("127.0.0.1", 5432), timeout=1).close()
        return True
    except OSError:
        return False

def chromium_path() -> str | None:
    """Debian's Chromium, if installed."""
    return shutil.which("chromium") or (os.path.exists("/usr/bin/chromium") and "/usr/bin/chromium") or None

def fresh_pg_url(base: str = PG_URL) -> Iterator[str]:
    """A URL whose search_path is a new, empty schema; the schema is dropped afterwards."""
    need("PostgreSQL", postgres_available(), "nothing listens on 127.0.0.1:5432")
    schema = "t_" + uuid.uuid4().hex[:12]
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f"CREATE SCHEMA {schema}"))
    try:
        yield f"{base}?options=-csearch_path%3D{schema}"
    finally:
        with admin.connect() as conn:
            conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        admin.dispose()

def make_env(database_url: str, tmp_path: Path, **extra: str) -> dict[str, str]:
    """The environment of a test Herald: LA time, the demo's components, files under tmp_path."""
    env = {
        "DATABASE_URL": database_url,
        "HERALD_TIMEZONE": "America/Los_Angeles",
        "HERALD_COMPONENTS": "app,admin,www,forum,wiki,affiliate",
        "HERALD_SITE_DIR": str(tmp_path / "site"),
        "HERALD_SANDBOX_DIR": str(tmp_path / "sandbox"),
        "HERALD_PUBLIC_URL": "https://status.example.test",
        "HERALD_PUBLISHERS": "statuspage",
        "HERALD_SITE_STORE": "dir",  # tests of the database store and of the default on PostgreSQL say so
    }
    env.update(extra)
    return env

def shots(tmp_path: Path) -> Path:
    """Where screenshots go: HERALD_SCREENSHOT_DIR when a person wants to look at them, else tmp_path."""
    folder = Path(os.environ.get("HERALD_SCREENSHOT_DIR") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def eventually(check: Callable[[], T], *, timeout: float = 20.0, every: float = 0.02, what: str = "",
               required: bool = True) -> T:
    """Poll `check` until it returns something truthy, and return that; after `timeout` seconds fail the
    test (or, with `required=False`, return the last answer).

    The one waiting helper of the suite: background work (a worker, a Slack call after the response)
    finishes "soon", and a test waits for the outcome instead of sleeping a guessed time.
    """
    deadline = time.monotonic() + timeout
    while True:
        found = check()
        if found or time.monotonic() > deadline and not required:
            return found
        if time.monotonic() > deadline:
            pytest.fail(f"gave up after {timeout} s waiting for {what or getattr(check, '__name__', 'a condition')}")
        time.sleep(every)
