"""Shared fixtures: a config, a migrated database (SQLite, or PostgreSQL when asked), and the core.

Set HERALD_TEST_DATABASE_URL to a PostgreSQL URL to run the database tests there; each test gets
its own schema. Set HERALD_REQUIRE_SERVICES=1 (CI does) to turn "service missing" skips into failures.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from bot.config import Config, load_config
from bot.core import Core
from bot.store import db
from herald.app import create_core
from herald.cli import main
from tests.bot.delivery import worker_kit
from tests.fakes import slack as fake_slack
from tests.fakes.receiver import Receiver
from tests.handlers.signed import SlackClient
from tests.serving import GROUPS, Served, database, slack_env, start_server, stop_server
from tests.support import CHROMIUM_FLAGS, chromium_path, fresh_pg_url, make_env, need


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


@pytest.fixture
def config(database_url: str, tmp_path: Path) -> Config:
    """A config for a test Herald on the test database."""
    return load_config(make_env(database_url, tmp_path))


@pytest.fixture
def core(config: Config) -> Iterator[Core]:
    """The built core on a migrated database."""
    built = create_core(config)
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


Run = Callable[..., tuple[int, str]]


@pytest.fixture
def run(database_url: str, tmp_path: Path) -> Run:
    """Invoke `herald …` in-process with a test environment (extra settings as keywords): (exit code, output)."""
    runner = CliRunner()

    def invoke(*args: str, **settings: str) -> tuple[int, str]:
        env = make_env(database_url, tmp_path, **settings)
        result = runner.invoke(main, list(args), env=env, catch_exceptions=False)
        return result.exit_code, result.output

    return invoke


@pytest.fixture(autouse=True)
def _close_pools() -> Iterator[None]:
    """Idle pooled connections hold no locks, but they would add up to PostgreSQL's connection limit."""
    yield
    worker_kit.dispose_all()


@pytest.fixture
def rx() -> Iterator[Receiver]:
    """A fake channel on 127.0.0.1 that records what it receives."""
    with Receiver() as receiver:
        yield receiver


@pytest.fixture(scope="module")
def fake() -> Iterator[fake_slack.FakeSlack]:
    """A fake Slack Web API (and response_url receiver) for one test module."""
    found, server = fake_slack.start(GROUPS)
    yield found
    server.shutdown()


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory, fake: fake_slack.FakeSlack) -> Iterator[Served]:
    """One Herald with allow-lists, serving the tests of one module (so no module sees another's data)."""
    tmp = tmp_path_factory.mktemp("served")
    for url in database(tmp):
        env = slack_env(url, tmp, fake, HERALD_ALLOWED_USERS="U_ALLOWED", HERALD_ALLOWED_GROUPS="S_ONCALL",
                        HERALD_ALLOWED_CHANNELS="C_WARROOM")
        base, process, log = start_server(env, tmp)
        engine = db.make_engine(url)
        try:
            yield Served(base, process, db.make_sessionmaker(engine), SlackClient(base, fake.url), fake,
                         tmp / "site", log)
        finally:
            stop_server(process)
            engine.dispose()
