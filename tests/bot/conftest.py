"""Fixtures shared by the bot tests: `herald …` in-process, a fake receiving channel, closing pools."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from bot.cli import main
from tests.bot import worker_kit as kit
from tests.conftest import make_env
from tests.fakes.receiver import Receiver

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
    kit.dispose_all()


@pytest.fixture
def rx() -> Iterator[Receiver]:
    """A fake channel on 127.0.0.1 that records what it receives."""
    with Receiver() as receiver:
        yield receiver
