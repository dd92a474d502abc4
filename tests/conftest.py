"""Shared fixtures: a config, a migrated database (SQLite, or PostgreSQL when asked), and the core.

Set HERALD_TEST_DATABASE_URL to a PostgreSQL URL to run the database tests there; each test gets
its own schema. Set HERALD_REQUIRE_SERVICES=1 (CI does) to turn "service missing" skips into failures.
"""

from __future__ import annotations

import os
import shutil
import socket
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, text

from bot import db
from bot.config import Config, load_config
from bot.core import Core, build_core

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


@pytest.fixture
def database_url(tmp_path: Path) -> Iterator[str]:
    """A migrated database: SQLite in tmp_path, or a fresh PostgreSQL schema when configured."""
    wanted = os.environ.get("HERALD_TEST_DATABASE_URL")
    if wanted:
        base = load_config({"DATABASE_URL": wanted}).database_url
        for url in fresh_pg_url(base):
            db.upgrade(url)
            yield url
        return
    url = f"sqlite:///{tmp_path / 'herald.db'}"
    db.upgrade(url)
    yield url


@pytest.fixture
def pg_url() -> Iterator[str]:
    """A migrated PostgreSQL schema, for behaviour that only PostgreSQL has (SKIP LOCKED, NOTIFY)."""
    for url in fresh_pg_url():
        db.upgrade(url)
        yield url


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
    }
    env.update(extra)
    return env


@pytest.fixture
def config(database_url: str, tmp_path: Path) -> Config:
    """A config for a test Herald on the test database."""
    return load_config(make_env(database_url, tmp_path))


@pytest.fixture
def core(config: Config) -> Iterator[Core]:
    """The built core on a migrated database."""
    built = build_core(config)
    yield built
    built.engine.dispose()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """One headless Chromium (Debian's, through Playwright) for the module."""
    path = chromium_path()
    need("Chromium", path is not None, "no chromium binary")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        launched = p.chromium.launch(executable_path=path, args=CHROMIUM_FLAGS)
        yield launched
        launched.close()


def shots(tmp_path: Path) -> Path:
    """Where screenshots go: HERALD_SCREENSHOT_DIR when a person wants to look at them, else tmp_path."""
    folder = Path(os.environ.get("HERALD_SCREENSHOT_DIR") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    return folder
