"""The SMTP connection: credentials never cross the wire in clear; a server that is down is retried."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.config import load_config
from bot.core import Core
from herald.app import create_core
from tests.bot.subscribers import kit
from tests.fakes.smtp import SmtpSink
from tests.publishers.email.conftest import FAST_RETRIES, run
from tests.serving import free_port
from tests.support import make_env


@pytest.fixture
def core_for(database_url: str, tmp_path: Path) -> Iterator[object]:
    made: list[Core] = []

    def build(url: str) -> Core:
        core = create_core(load_config(make_env(database_url, tmp_path, HERALD_SMTP_URL=url,
                                                HERALD_MAIL_FROM="status@example.com", **FAST_RETRIES)))
        made.append(core)
        return core

    yield build
    for core in made:
        core.engine.dispose()


def test_a_password_is_never_sent_without_starttls(core_for, sink: SmtpSink) -> None:  # type: ignore[no-untyped-def]
    """A server that offers no STARTTLS gets no login: the notice fails for a person to see, nothing is sent."""
    core = core_for(sink.url.replace("smtp://", "smtp://user:s3cret@"))
    kit.subscribe(core, "ann@example.com")
    run(core, "open Checkout down")
    kit.drain(core)
    [row] = kit.rows(core)
    assert row.state == "failed" and "in clear" in (row.last_error or "") and "s3cret" not in (row.last_error or "")
    assert sink.mails == []


def test_a_server_that_is_down_is_retried(core_for) -> None:  # type: ignore[no-untyped-def]
    """Nothing listens: the notice stays pending with the error, to be retried with backoff."""
    core = core_for(f"smtp://127.0.0.1:{free_port()}")
    kit.subscribe(core, "ann@example.com")
    run(core, "open Checkout down")
    kit.drain(core)
    [row] = kit.rows(core)
    assert row.state == "pending" and row.attempts >= 1 and "ConnectionRefusedError" in (row.last_error or "")
    assert row.sent_at is None
