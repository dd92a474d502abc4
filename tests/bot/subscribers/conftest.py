"""A core whose webhooks may reach 127.0.0.1 (HERALD_WEBHOOK_ALLOW_PRIVATE=1), retries due within milliseconds."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.config import load_config
from bot.core import Core
from herald.app import create_core
from tests.support import make_env

FAST = {"HERALD_RETRY_BASE": "0.01", "HERALD_RETRY_CAP": "0.05", "HERALD_PUBLISH_TIMEOUT": "1"}


@pytest.fixture
def poster(database_url: str, tmp_path: Path) -> Iterator[Core]:
    """A core that posts webhooks, to private addresses too."""
    core = create_core(load_config(make_env(database_url, tmp_path, HERALD_WEBHOOK_ALLOW_PRIVATE="1", **FAST)))
    yield core
    core.engine.dispose()
