"""Sandbox mode (`herald demo`): mails are kept as .eml files and shown on /sandbox/mail/, links and all."""

from __future__ import annotations

from email import message_from_bytes, policy
from pathlib import Path

from bot.config import load_config
from herald.app import create_core
from tests.bot.subscribers import kit
from tests.support import make_env


def test_sandbox_keeps_the_confirmation_mail_and_shows_it(database_url: str, tmp_path: Path) -> None:
    """With HERALD_SANDBOX=1 and no SMTP, the confirmation mail is a file and the mail page shows its link."""
    core = create_core(load_config(make_env(database_url, tmp_path, HERALD_SANDBOX="1")))
    try:
        assert core.templates.globals["subscriptions"] is True  # the front page offers the form
        kit.subscribe(core, "ann@example.com", confirmed=False)
        kit.drain(core, ["email"])
        [eml] = sorted((tmp_path / "sandbox" / "email").glob("*.eml"))
        mail = message_from_bytes(eml.read_bytes(), policy=policy.default)
        assert mail["To"] == "ann@example.com" and "Confirm" in mail["Subject"]
        page = (tmp_path / "site" / "sandbox" / "mail" / "index.html").read_text()
        assert "subscribe/confirm?token=" in page and "ann@example.com" in page
        assert [r.sandbox for r in kit.rows(core)] == [True]
    finally:
        core.engine.dispose()
