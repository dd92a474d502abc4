"""`herald serve`'s delivery worker is a child process of gunicorn's master: slow work there never delays an
ack, killing it never takes the acks down, a new one resumes delivery, and it dies with the master."""

from __future__ import annotations

import os
import signal
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from bot.text.templating import builtin_templates_dir
from tests.fakes import slack as fake_slack
from tests.fakes.receiver import Receiver
from tests.fakes.receiver_plugin import REPO, URL_ENV, install
from tests.handlers.signed import SlackClient
from tests.serving import GROUPS, database, ephemeral, slack_env, start_server, stop_server
from tests.support import eventually

SLOW = "{% for _ in range(3000) %}{% for _ in range(10000) %}{% endfor %}{% endfor %}"  # ≈ 1.5 s of CPU


@dataclass
class Herald:
    """A served Herald delivering to the fake receiver (`alpha`) and a status page that renders slowly."""

    url: str
    process: object
    slack: SlackClient
    fake: fake_slack.FakeSlack
    rx: Receiver
    site: Path


def children(pid: int) -> list[int]:
    """The worker processes among `pid`'s children (started by any of its threads)."""
    found = [int(p) for task in Path(f"/proc/{pid}/task").iterdir() for p in (task / "children").read_text().split()]
    return [p for p in found if b"herald.worker_child" in Path(f"/proc/{p}/cmdline").read_bytes()]


@pytest.fixture
def herald(tmp_path: Path) -> Iterator[Herald]:
    """`herald serve` with its worker, publishing to alpha and the status page (each incident page slow)."""
    found, server = fake_slack.start(GROUPS)
    overrides = tmp_path / "templates" / "site"
    overrides.mkdir(parents=True)
    page = (builtin_templates_dir() / "site" / "incident.html.j2").read_text()
    (overrides / "incident.html.j2").write_text(SLOW + page)
    with Receiver() as rx:
        for url in database(tmp_path):
            env = slack_env(url, tmp_path, found, HERALD_ALLOWED_USERS="U_ALLOWED",
                            HERALD_PUBLISHERS="statuspage,alpha", HERALD_TEMPLATES_DIR=str(tmp_path / "templates"),
                            HERALD_CLAIM_LEASE="5",  # a killed worker's claims come due again soon
                            PYTHONPATH=os.pathsep.join([str(install(tmp_path / "plugins")), str(REPO)]),
                            **{URL_ENV: rx.url})
            base, process, _log = start_server(env, tmp_path)
            try:
                yield Herald(base, process, SlackClient(base, found.url), found, rx, tmp_path / "site")
            finally:
                stop_server(process)
    server.shutdown()


def opened(h: Herald, title: str) -> int:
    """Declare an incident from Slack; returns its number."""
    return int(ephemeral(h.slack.command(f"open {title} -m Start")).split("#", 1)[1].split(" ", 1)[0])


def test_acks_never_wait_for_a_blocked_publisher_a_slow_page_or_a_slow_slack(herald: Herald) -> None:
    """With alpha's publish held, chat.update and chat.postMessage held and every incident page taking about
    1.5 s of CPU to render, each command is answered while all of that work is still unfinished."""
    number = opened(herald, "Blocked everything")
    eventually(lambda: herald.rx.count("alpha") == 1)
    herald.rx.hold("alpha")
    updates = herald.fake.hold("chat.update")
    posts = herald.fake.hold("chat.postMessage")
    page = herald.site / "incidents" / str(number) / "index.html"
    try:
        for n in range(5):
            reply = herald.slack.command(f"update {number} -m Held {n}")
            assert reply.status_code == 200 and f"Saved update {n + 2}" in reply.json()["text"]
            assert f"Held {n}" not in (page.read_text() if page.exists() else "")  # its page is not drawn yet
        assert herald.rx.waiting.get("alpha") == 1 and herald.rx.count("alpha") == 1  # still blocked
        assert not any(c.finished for c in herald.fake.calls if c.method in ("chat.update", "chat.postMessage")
                       and "Held" in str(c.params))
    finally:
        herald.rx.release("alpha")
        updates.set()
        posts.set()
        herald.fake.held.clear()
    eventually(lambda: herald.rx.count("alpha") == 6, timeout=60)
    eventually(lambda: page.exists() and "Held 4" in page.read_text(), timeout=60)


def test_a_killed_worker_process_is_replaced_and_acks_go_on(herald: Herald) -> None:
    """SIGKILL the worker child: the next command is still answered, a new child starts and delivers it."""
    master = herald.process.pid  # type: ignore[attr-defined]
    [first] = eventually(lambda: children(master))
    number = opened(herald, "Kill the worker")
    eventually(lambda: herald.rx.count("alpha") == 1)
    os.kill(first, signal.SIGKILL)
    reply = herald.slack.command(f"update {number} -m After the kill")
    assert reply.status_code == 200 and "Saved update 2" in reply.json()["text"]
    [second] = eventually(lambda: [p for p in children(master) if p != first])
    eventually(lambda: herald.rx.chain("alpha", number) == [(1, 0), (2, 0)])
    assert httpx.get(herald.url + "/healthz").status_code == 200
    assert children(master) == [second]


def test_the_worker_process_dies_with_the_master(herald: Herald) -> None:
    """SIGKILL the gunicorn master (no chance to stop its child): the worker notices and exits by itself."""
    master = herald.process.pid  # type: ignore[attr-defined]
    [child] = eventually(lambda: children(master))
    os.kill(master, signal.SIGKILL)
    herald.process.wait(10)  # type: ignore[attr-defined]
    eventually(lambda: not Path(f"/proc/{child}").exists()
               or b"State:\tZ" in Path(f"/proc/{child}/status").read_bytes(), timeout=30)
