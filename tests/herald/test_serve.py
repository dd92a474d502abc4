"""`herald serve` without Slack: status page files and health, and a clear 503 on /slack/events."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.fakes.slack import FakeSlack
from tests.handlers.signed import SECRET, SlackClient
from tests.serving import database, free_port, slack_env, start_server, stop_server
from tests.support import make_env


@pytest.fixture(scope="module")
def bare(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path, Path]]:
    """A Herald with no Slack settings, with a few status page files in its site folder."""
    tmp = tmp_path_factory.mktemp("bare")
    site = tmp / "site"
    (site / "incidents" / "7").mkdir(parents=True)
    (site / "api" / "v2").mkdir(parents=True)
    (site / "index.html").write_text("<!doctype html><title>Status</title>")
    (site / "incidents" / "7" / "index.html").write_text("<p>incident 7</p>")
    (site / "api" / "v2" / "summary.json").write_text('{"page": {}}')
    (site / "history.atom").write_text("<feed/>")
    (site / "history.rss").write_text("<rss/>")
    for url in database(tmp):
        base, process, log = start_server(make_env(url, tmp), tmp)
        try:
            yield base, site, log
        finally:
            stop_server(process)


def test_runs_without_slack_and_says_so(bare: tuple[str, Path, Path]) -> None:
    """Health is up, /slack/events answers 503 with the reason, and the log names what is missing."""
    base, _site, log = bare
    health = httpx.get(base + "/healthz")
    assert health.status_code == 200 and health.json()["slack"] == "not configured"
    slack = httpx.post(base + "/slack/events", content=b"command=%2Fincident")
    assert slack.status_code == 503 and "Slack is not configured" in slack.text
    assert "Slack is not configured" in log.read_text() and "SLACK_BOT_TOKEN" in log.read_text()


def test_static_site(bare: tuple[str, Path, Path]) -> None:
    """Files come with types, ETag and Cache-Control; folders serve index.html; 304 and 404 work."""
    base, _site, _log = bare
    home = httpx.get(base + "/")
    assert home.status_code == 200 and home.headers["content-type"].startswith("text/html")
    assert "max-age=60" in home.headers["cache-control"] and home.headers["etag"]
    again = httpx.get(base + "/", headers={"If-None-Match": home.headers["etag"]})
    assert again.status_code == 304
    assert httpx.get(base + "/incidents/7/").text == "<p>incident 7</p>"
    assert httpx.get(base + "/incidents/7").status_code == 301
    types = {"/api/v2/summary.json": "application/json", "/history.atom": "application/atom+xml",
             "/history.rss": "application/rss+xml"}
    for path, kind in types.items():
        assert httpx.get(base + path).headers["content-type"].startswith(kind), path
    for path in ("/nope.html", "/incidents/8/", "/../etc/passwd", "/%2e%2e/herald.db"):
        assert httpx.get(base + path).status_code == 404, path


def test_open_publishing_is_warned(tmp_path: Path, fake: FakeSlack) -> None:
    """With Slack configured and no allow-list, start-up warns that anyone may publish."""
    for url in database(tmp_path):
        _base, process, log = start_server(slack_env(url, tmp_path, fake), tmp_path, "--no-worker")
        stop_server(process)
        text = log.read_text()
        assert "publishing is open to everyone" in text and "HERALD_ALLOWED_USERS" in text
        assert "xoxb-test-token" not in text


def test_slack_unreachable_at_start_takes_nothing_down(tmp_path: Path) -> None:
    """Slack's Web API down (a closed port) when `herald serve` starts: it starts, serves the page and
    health, and a signed command is still answered (Bolt's start-up `auth.test` would have killed it)."""
    closed = f"http://127.0.0.1:{free_port()}"
    for url in database(tmp_path):
        env = make_env(url, tmp_path, SLACK_BOT_TOKEN="xoxb-test-token", SLACK_SIGNING_SECRET=SECRET,
                       SLACK_API_URL=closed + "/api/")
        base, process, _log = start_server(env, tmp_path, "--no-worker")
        try:
            assert httpx.get(base + "/healthz").status_code == 200
            reply = SlackClient(base, closed).command("open Checkout down")
            assert reply.status_code == 200 and "Checkout down" in reply.text
            assert process.poll() is None
        finally:
            stop_server(process)
