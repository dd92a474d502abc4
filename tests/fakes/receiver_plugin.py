"""A tests-only publisher plugin that posts to tests.fakes.receiver, and how to install it.

In-process tests pass the classes to `registry.load(..., available=...)`; `herald worker`
subprocesses find them through a real entry point: `install` writes a small `*.dist-info` with
`entry_points.txt` into a folder that the subprocess gets on PYTHONPATH, so bot.plugins.registry discovers
them exactly as it discovers an installed third-party plugin.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any, ClassVar

import httpx

from bot.domain.snapshots import Event, ThreadView
from bot.plugins.contract import Publisher, PublishError, Receipt, Rendered

REPO = Path(__file__).resolve().parents[2]
URL_ENV = "HERALD_TEST_RECEIVER_URL"


class ReceiverPublisher(Publisher):
    """Posts each event to /<name>/messages, replying to the thread's last message."""

    name: ClassVar[str] = "receiver"
    label: ClassVar[str] = "Receiver"
    url: ClassVar[str | None] = None  # set in-process; subprocesses read HERALD_TEST_RECEIVER_URL
    timeout: ClassVar[float | None] = None  # default: HERALD_PUBLISH_TIMEOUT

    def __init__(self, context: Any) -> None:
        super().__init__(context)
        self.http = httpx.Client()  # one pool per publisher, shared by the worker's threads

    def render(self, event: Event) -> Rendered:
        """Plain text naming the incident and update."""
        return Rendered(self.name, f"#{event.incident.id} u{event.update.number}: {event.update.body}")

    def publish(self, event: Event, rendered: Rendered, thread: ThreadView | None) -> Receipt:
        """POST with an idempotency key per (incident, update, revision); map failures like real APIs."""
        base = self.url or os.environ[URL_ENV]
        timeout = self.timeout or self.context.config.publish_timeout
        body = {"incident": event.incident.id, "update": event.update.number, "revision": event.revision,
                "parent": thread.last_id if thread else None, "text": rendered.text}
        key = f"{event.incident.id}:{event.update.number}:{event.revision}"
        try:
            r = self.http.post(f"{base}/{self.name}/messages", json=body, timeout=timeout,
                           headers={"Idempotency-Key": key})
        except httpx.HTTPError as exc:  # unless it never connected, the message may have landed
            raise PublishError(f"{type(exc).__name__}: {exc}", retryable=True,
                               unknown=not isinstance(exc, httpx.ConnectError | httpx.ConnectTimeout)) from exc
        if r.status_code == 429:
            raise PublishError("429 rate limited", retryable=True, retry_after=float(r.headers["Retry-After"]))
        if r.status_code >= 500:
            raise PublishError(f"{r.status_code} server error", retryable=True)
        if r.status_code >= 400:
            raise PublishError(f"{r.status_code} {r.text}", retryable=False)
        answer = r.json()
        return Receipt(external_id=answer["id"], url=answer["url"])


class Alpha(ReceiverPublisher):
    name = "alpha"
    label = "Alpha"


class Beta(ReceiverPublisher):
    name = "beta"
    label = "Beta"


def classes(url: str, *, timeout: float | None = None) -> dict[str, type[Publisher]]:
    """Alpha and Beta bound to the receiver at `url`, for registry.load(available=…)."""
    attrs: dict[str, Any] = {"url": url, "timeout": timeout}
    return {"alpha": type("BoundAlpha", (Alpha,), attrs), "beta": type("BoundBeta", (Beta,), attrs)}


def install(folder: Path) -> Path:
    """Write a dist-info declaring Alpha and Beta in `herald.publishers`; returns `folder`."""
    dist = folder / "herald_test_receiver-0.0.dist-info"
    dist.mkdir(parents=True, exist_ok=True)
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: herald-test-receiver\nVersion: 0.0\n")
    (dist / "entry_points.txt").write_text(
        "[herald.publishers]\n"
        "alpha = tests.fakes.receiver_plugin:Alpha\n"
        "beta = tests.fakes.receiver_plugin:Beta\n"
    )
    return folder


def worker_command(name: str) -> list[str]:
    """argv that runs `herald worker --name NAME` with this interpreter."""
    script = Path(sys.executable).with_name("herald")
    launcher = [str(script)] if script.exists() else [sys.executable, "-c", "from herald.cli import main; main()"]
    return [*launcher, "worker", "--name", name]


def subprocess_env(base: dict[str, str], folder: Path, receiver_url: str) -> dict[str, str]:
    """The environment of a `herald worker` that delivers to the receiver through the plugin."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HERALD_", "DATABASE_URL"))}
    env.update(base)
    env["PYTHONPATH"] = os.pathsep.join([str(install(folder)), str(REPO)])
    env[URL_ENV] = receiver_url
    return env
