"""`herald serve` and `herald worker` as real processes: what they say at start, and where they listen."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tests.serving import free_port
from tests.support import make_env


@contextmanager
def started(args: list[str], env: dict[str, str], tmp: Path, until: str) -> Iterator[str]:
    """Run `herald ARGS` until its output shows `until`; yields the output so far, then stops it."""
    log = tmp / f"{args[0]}.log"
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("HERALD_", "SLACK_", "DATABASE_URL", "PORT"))}
    process = subprocess.Popen([sys.executable, "-c", "from herald.cli import main; main()", *args],
                               env={**clean, **env}, cwd=tmp, stdout=log.open("wb"), stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 30
        while until not in log.read_text() and time.monotonic() < deadline and process.poll() is None:
            time.sleep(0.1)
        yield log.read_text()
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(20)


def test_serve_listens_on_loopback_and_prints_the_page_url(database_url: str, tmp_path: Path) -> None:
    """Without --host or PORT, `herald serve` binds 127.0.0.1 and says where the page and Slack are."""
    port = free_port()
    with started(["serve", "--port", str(port)], make_env(database_url, tmp_path), tmp_path, "Listening at") as out:
        assert f"Status page: http://127.0.0.1:{port}/ · Slack: not configured" in out
        assert f"Listening at: http://127.0.0.1:{port}" in out


def test_serve_listens_everywhere_when_a_platform_sets_port(database_url: str, tmp_path: Path) -> None:
    """With PORT set (as a platform sets it), `herald serve` binds every address on that port."""
    port = free_port()
    env = make_env(database_url, tmp_path, PORT=str(port))
    with started(["serve"], env, tmp_path, "Listening at") as out:
        assert f"Listening at: http://0.0.0.0:{port}" in out
        assert "Listening on every address" in out and "because PORT is set" in out


def test_serve_refuses_a_port_in_use(database_url: str, tmp_path: Path) -> None:
    """A port something already listens on is refused at once with exit 1 and what to do."""
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        env = {**os.environ, **make_env(database_url, tmp_path)}
        done = subprocess.run([Path(sys.executable).with_name("herald"), "serve", "--port", str(port)], env=env,
                              cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert done.returncode == 1
    assert f"port {port} is in use: stop what uses it or run `herald serve --port {port + 1}`" in done.stderr


def test_worker_says_where_the_site_goes_and_which_channels_are_off(database_url: str, tmp_path: Path) -> None:
    """`herald worker` names its channels, the site folder, and each channel off for want of settings."""
    env = {k: v for k, v in make_env(database_url, tmp_path, TWITTER_API_KEY="k").items()
           if k != "HERALD_PUBLISHERS"}
    with started(["worker"], env, tmp_path, "Slack off") as out:
        assert "Delivering to: statuspage." in out
        assert f"Status page written to {tmp_path / 'site'}/ (HERALD_SITE_DIR)." in out
        assert "Twitter off: set TWITTER_API_SECRET, TWITTER_ACCESS_TOKEN, TWITTER_ACCESS_TOKEN_SECRET." in out
        assert "Forum off: set DISCOURSE_URL, DISCOURSE_API_KEY, DISCOURSE_API_USERNAME." in out
        assert "Slack off: set SLACK_BOT_TOKEN, HERALD_SLACK_STATUS_CHANNEL." in out
