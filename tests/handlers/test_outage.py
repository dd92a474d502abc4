"""A database outage: Slack users read that nothing was saved, /healthz says 503 in JSON, nothing is lost."""

from __future__ import annotations

from pathlib import Path

import httpx

from bot.store import db
from tests.fakes.slack import FakeSlack
from tests.fakes.tcp_proxy import TcpProxy
from tests.handlers.signed import SlackClient
from tests.serving import ephemeral, slack_env, start_server, stop_server
from tests.support import eventually, fresh_pg_url

DOWN = ":warning: Herald cannot reach its database; your command was not saved — try again."


def test_a_database_outage_is_said_plainly_and_a_retry_runs(tmp_path: Path, fake: FakeSlack) -> None:
    """With PostgreSQL cut off, a command and a modal get "Herald cannot reach its database; your command was
    not saved — try again" and /healthz answers {"ok": false} with 503; once it is back, the very same
    request runs (the failed answer was not kept for replays)."""
    for url in fresh_pg_url():
        db.upgrade(url)
        with TcpProxy(("127.0.0.1", 5432)) as proxy:
            proxied = url.replace("127.0.0.1:5432", f"127.0.0.1:{proxy.port}")
            base, process, log = start_server(slack_env(proxied, tmp_path, fake), tmp_path, "--no-worker")
            client = SlackClient(base, fake.url)
            try:
                assert "Saved update 1" in ephemeral(client.command("open Before the outage -m fine"))
                proxy.cut()
                health = httpx.get(base + "/healthz", timeout=20)
                assert health.status_code == 503 and health.headers["content-type"] == "application/json"
                assert health.json() == {"ok": False, "database": "unreachable", "slack": "configured"}
                raw = client.command_body("open During the outage -m kept?", user="U1", channel="C_OPS")
                assert ephemeral(client.post(raw)) == DOWN
                form = client.submit("declare", {"title": "Modal in the outage", "impact": ("minor",),
                                                 "status": ("investigating",)}, metadata={"channel": "C_OPS"})
                assert form.json()["errors"]["message"] == DOWN
                proxy.restore()
                assert eventually(lambda url=base: httpx.get(url + "/healthz", timeout=20).status_code == 200)
                assert "#2 During the outage" in ephemeral(client.post(raw))
            finally:
                stop_server(process)
        assert "Traceback" not in log.read_text().split("Before the outage")[-1]
