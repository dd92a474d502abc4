"""`herald -v` logs at DEBUG, and still no token, key or password reaches the log."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from bot.config import load_config
from bot.domain.models import Delivery
from bot.logs import Redact
from bot.store import db
from herald.cli import main
from tests.fakes import slack as fake_slack
from tests.fakes.discourse import FakeDiscourse
from tests.fakes.twitter import FakeTwitter
from tests.support import eventually, make_env

BOT_TOKEN = "xoxb-verbose-secret-token"


def with_password(url: str) -> str:
    """The PostgreSQL URL with a password in it (trust authentication ignores it); SQLite has none."""
    return url.replace("postgres@", "postgres:pg-secret-pw@", 1) if url.startswith("postgresql") else url


def test_verbose_worker_logs_no_secret(database_url: str, tmp_path: Path) -> None:
    """`herald -v worker` tweets, posts to the forum and announces in Slack with DEBUG logging on, and its
    log holds none of the Twitter keys, the forum key, the Slack token or the database password."""
    herald = Path(sys.executable).with_name("herald")
    fake, server = fake_slack.start()
    with FakeTwitter() as x, FakeDiscourse() as forum:
        env = make_env(with_password(database_url), tmp_path, HERALD_PUBLISHERS="statuspage,twitter,forum,slack",
                       SLACK_BOT_TOKEN=BOT_TOKEN, SLACK_API_URL=fake.url + "/api/",
                       HERALD_SLACK_STATUS_CHANNEL="#status", HERALD_WORKER_POLL="0.2", **x.env(), **forum.env())
        full = {**{k: v for k, v in os.environ.items() if not k.startswith(("HERALD_", "SLACK_", "TWITTER_",
                                                                             "DISCOURSE_", "DATABASE_URL"))}, **env}
        made = subprocess.run([herald, "incident", "open", "Verbose logging", "-m", "Checking the log"], env=full,
                              cwd=tmp_path, capture_output=True, text=True, timeout=60)
        assert made.returncode == 0, made.stderr
        worker = subprocess.Popen([herald, "-v", "worker"], env=full, cwd=tmp_path, stdout=subprocess.PIPE,
                                  stderr=subprocess.STDOUT, text=True)
        engine = db.make_engine(database_url)
        try:
            def all_sent() -> bool:
                with db.make_sessionmaker(engine)() as session:
                    return set(session.scalars(select(Delivery.state))) == {"sent"}
            eventually(all_sent, timeout=60)
        finally:
            worker.terminate()
            log = worker.communicate(timeout=30)[0]
            engine.dispose()
            server.shutdown()
    assert " DEBUG " in log and "POST /2/tweets" in log  # -v really logged the requests
    secrets = [*x.env().values(), forum.env()["DISCOURSE_API_KEY"], BOT_TOKEN, "pg-secret-pw"]
    leaked = [s for s in secrets if not s.startswith("http") and s in log]
    assert leaked == []


def test_redact_masks_secrets_in_messages_and_tracebacks() -> None:
    """A record carrying a secret in its arguments or its exception is written with *** instead."""
    config = load_config({"SLACK_BOT_TOKEN": BOT_TOKEN, "DATABASE_URL": "postgresql://u:db-pw-1234@h/d"})
    try:
        raise RuntimeError(f"cannot connect with {config.database_url}")
    except RuntimeError as exc:
        record = logging.LogRecord("x", logging.ERROR, __file__, 1, "token %s failed", (BOT_TOKEN,),
                                   (type(exc), exc, exc.__traceback__))
    assert Redact(config.secret_values()).filter(record)
    text = logging.Formatter().format(record)
    assert BOT_TOKEN not in text and "db-pw-1234" not in text and text.count("***") == 2


def test_every_herald_command_masks_the_configured_secrets(database_url: str, tmp_path: Path,
                                                           caplog: pytest.LogCaptureFixture) -> None:
    """Once `herald …` has read its config, any log line that carries one of its secrets shows *** instead."""
    env = make_env(database_url, tmp_path, SLACK_BOT_TOKEN=BOT_TOKEN, SLACK_SIGNING_SECRET="signing-secret-xyz")
    result = CliRunner().invoke(main, ["-v", "components"], env=env, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    logging.getLogger("some.library").warning("sending %s with %s", BOT_TOKEN, "signing-secret-xyz")
    assert "sending *** with ***" in caplog.text and BOT_TOKEN not in caplog.text
