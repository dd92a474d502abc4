"""Fixtures shared by the worker tests: a fake receiving channel, and closing the kit's connection pools."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.bot import worker_kit as kit
from tests.fakes.receiver import Receiver


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
