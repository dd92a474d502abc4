"""A `herald worker` SIGKILLed in the middle of a batch of mails: after a new worker takes over, every
(update, subscriber) was delivered, each under one Message-ID (a mail sent but not yet recorded when the
worker died goes again under the same id, so mail clients show it once)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections import Counter
from pathlib import Path

from bot.commands import execute
from bot.config import load_config
from bot.text import grammar
from herald.app import create_core
from tests.bot.subscribers import kit
from tests.fakes.smtp import SmtpSink
from tests.support import eventually, make_env


def worker(env: dict[str, str], tmp: Path, name: str) -> subprocess.Popen[bytes]:
    """Start `herald worker` in its own process."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("HERALD_", "SLACK_", "DATABASE_URL"))}
    return subprocess.Popen([sys.executable, "-c", "from herald.cli import main; main()", "worker", "--name", name],
                            env={**clean, **env}, cwd=tmp, stdout=(tmp / f"{name}.log").open("wb"),
                            stderr=subprocess.STDOUT)


def test_a_worker_killed_mid_batch_loses_nothing_and_doubles_nothing(database_url: str, tmp_path: Path) -> None:
    """SIGKILL while a batch is half sent; a second worker finishes it: 60 mails, one Message-ID each."""
    with SmtpSink(delay=0.02) as sink:
        env = make_env(database_url, tmp_path, HERALD_SMTP_URL=sink.url, HERALD_MAIL_FROM="status@example.com",
                       HERALD_CLAIM_LEASE="2", HERALD_WORKER_POLL="0.2")
        core = create_core(load_config(env))
        addresses = [f"s{n}@example.com" for n in range(60)]
        for address in addresses:
            kit.subscribe(core, address)
        execute(core, grammar.parse("open Checkout down"))
        first = worker(env, tmp_path, "first")
        try:
            eventually(lambda: len(sink.mails) >= 15, what="the batch to be under way")
            first.send_signal(signal.SIGKILL)
            first.wait(10)
            at_kill = len(sink.mails)
            assert at_kill < 60
            recorded = {kit.subscriber_address(core, r.subscriber_id) for r in kit.rows(core, state="sent")}
            second = worker(env, tmp_path, "second")
            eventually(lambda: not kit.rows(core, state="pending") and len(kit.rows(core)) == 60, timeout=60,
                       what="every notice sent")
        finally:
            for process in (first, locals().get("second")):
                if process is not None and process.poll() is None:
                    process.terminate()
                    process.wait(20)
        core.engine.dispose()
    ids = Counter((m.recipients[0], m.header("Message-ID")) for m in sink.mails)
    assert {r for r, _ in ids} == set(addresses) and len(ids) == 60
    twice = {r for (r, _), n in ids.items() if n > 1}
    assert max(ids.values()) <= 2
    assert not twice & recorded  # only mails sent but not yet recorded when the worker died went again
    assert {r.state for r in kit.rows(core)} == {"sent"}
