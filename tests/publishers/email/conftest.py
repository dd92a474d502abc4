"""A core that mails through a real SMTP server on 127.0.0.1, with retries due within milliseconds."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.commands import execute
from bot.config import load_config
from bot.core import Core
from bot.text import grammar
from herald.app import create_core
from tests.fakes.smtp import SmtpSink
from tests.support import make_env

FAST_RETRIES = {"HERALD_RETRY_BASE": "0.01", "HERALD_RETRY_CAP": "0.05", "HERALD_PUBLISH_TIMEOUT": "2"}


@pytest.fixture
def sink() -> Iterator[SmtpSink]:
    with SmtpSink() as found:
        yield found


@pytest.fixture
def mailer(database_url: str, tmp_path: Path, sink: SmtpSink) -> Iterator[Core]:
    """A core that mails through `sink`."""
    core = create_core(load_config(make_env(database_url, tmp_path, HERALD_SMTP_URL=sink.url,
                                            HERALD_MAIL_FROM="Herald Status <status@example.com>", **FAST_RETRIES)))
    yield core
    core.engine.dispose()


def run(core: Core, text: str) -> None:
    """Run one /incident command."""
    execute(core, grammar.parse(text), author="U1")
