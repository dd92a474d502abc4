"""Email subscribers against a real SMTP server on 127.0.0.1: what arrives, and how it threads."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.commands import execute
from bot.config import load_config
from bot.core import Core
from bot.text import grammar
from herald.app import create_core
from tests.bot.subscribers import kit
from tests.fakes.smtp import SmtpSink
from tests.support import make_env


@pytest.fixture
def sink() -> Iterator[SmtpSink]:
    with SmtpSink() as found:
        yield found


@pytest.fixture
def mailer(database_url: str, tmp_path: Path, sink: SmtpSink) -> Iterator[Core]:
    """A core that mails through the sink."""
    core = create_core(load_config(make_env(database_url, tmp_path, HERALD_SMTP_URL=sink.url,
                                            HERALD_MAIL_FROM="Herald Status <status@example.com>")))
    yield core
    core.engine.dispose()


def run(core: Core, text: str) -> None:
    execute(core, grammar.parse(text), author="U1")


def test_an_update_reaches_each_subscriber_once_as_text_and_html(mailer: Core, sink: SmtpSink) -> None:
    """A confirmed subscriber gets one multipart mail per update, with the page's time and the incident link."""
    kit.subscribe(mailer, "ann@example.com")
    run(mailer, "open Checkout down -c app -m We are looking into it.")
    kit.drain(mailer)
    [mail] = sink.to("ann@example.com")
    assert mail.message.get_content_type() == "multipart/alternative"
    text = mail.message.get_body(("plain",)).get_content()
    html = mail.message.get_body(("html",)).get_content()
    assert "We are looking into it." in text and "<p>We are looking into it.</p>" in html
    assert "https://status.example.test/incidents/1/" in text
    assert mail.header("List-Unsubscribe-Post") == "List-Unsubscribe=One-Click"
    assert [r.state for r in kit.rows(mailer)] == ["sent"]
