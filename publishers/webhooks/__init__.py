"""Webhook subscribers: a signed JSON POST per update (Standard Webhooks), or a native Slack/Discord message.

The Statuspage-shaped body (publishers.webhooks.payload) is signed with the subscriber's own secret per
the Standard Webhooks specification (`webhook-id`, `webhook-timestamp`, `webhook-signature`, by the
`standardwebhooks` package); `webhook-id` is the same on every retry of a message, so a receiver that
keeps the ids it has seen processes each message once. The posts of a batch go out in parallel (a slow
endpoint holds one thread, not the batch), each to the address that passed the private-network check.
A 2xx is sent; 408, 429 (honouring Retry-After), 5xx and network errors are retried; 410 disables the
subscriber; any other answer is a failure for a person to see.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from typing import Any

import httpx
from standardwebhooks.webhooks import Webhook

from bot.domain import reading
from bot.plugins.contract import Notice, NoticeResult, Notifier, PublishError
from publishers.webhooks import native, sandbox, targets
from publishers.webhooks.payload import Shaper

log = logging.getLogger(__name__)
Report = Callable[[NoticeResult], None]
THREADS = 16


class Gone(PublishError):
    """410 Gone: the endpoint says it will never take a message again."""


class WebhookNotifier(Notifier):
    """POSTs to subscribers' URLs, a batch at a time, THREADS at once."""

    name = "webhook"
    label = "Webhooks"
    order = 20
    batch_size = 48  # × the request timeout / THREADS stays well inside one claim lease

    def send_batch(self, notices: Sequence[Notice], report: Report) -> None:
        """Post to the batch's endpoints in parallel, each endpoint's notices in order; report each outcome."""
        config, now = self.context.config, datetime.now(UTC)
        shaper = Shaper(config, self._components())
        timeout = httpx.Timeout(config.publish_timeout, connect=min(config.publish_timeout, 5.0))
        by_endpoint: dict[str, list[Notice]] = {}
        for notice in notices:
            by_endpoint.setdefault(notice.address, []).append(notice)
        with httpx.Client(timeout=timeout, follow_redirects=False) as client, ThreadPoolExecutor(THREADS) as pool:
            for queue in by_endpoint.values():
                pool.submit(self._in_order, client, shaper, queue, now, report)

    def _in_order(self, client: httpx.Client, shaper: Shaper, queue: list[Notice], now: datetime,
                  report: Report) -> None:
        for notice in queue:
            self._one(client, shaper, notice, now, report)

    def _components(self) -> list[Any]:
        if self.context.sessions is None:
            return []
        with self.context.sessions() as session:
            return reading.components(session)

    def _one(self, client: httpx.Client, shaper: Shaper, notice: Notice, now: datetime, report: Report) -> None:
        try:
            messages = self.messages(shaper, notice, now)
            for at, body in enumerate(messages):
                msg_id = f"msg_herald_{notice.id}" + (f"_{at}" if at else "")
                if self.context.config.sandbox:
                    sandbox.keep(self.context.config, notice, msg_id, body)
                else:
                    post(client, notice, msg_id, body, now, allow_private=self.context.config.webhook_allow_private)
            report(NoticeResult(notice.id, sandbox=self.context.config.sandbox))
        except PublishError as exc:
            report(NoticeResult(notice.id, exc, gone=isinstance(exc, Gone)))
        except Exception as exc:  # a bug (or a malformed secret) is logged and retried, never lost in the thread pool
            log.exception("webhook notice %s could not be sent", notice.id)
            report(NoticeResult(notice.id, PublishError(f"{type(exc).__name__}: {exc}", retryable=True)))

    def messages(self, shaper: Shaper, notice: Notice, now: datetime) -> list[dict[str, Any]]:
        """What `notice` sends: the native message, or the incident body and one per component it moved."""
        if notice.event is None:
            return []  # a webhook needs no confirmation
        kind = native.kind_of(notice.address)
        if kind != "statuspage":
            return [native.message(kind, notice, templates=self.context.templates, config=self.context.config)]
        return [shaper.incident_body(notice, notice.event, now), *shaper.component_bodies(notice, notice.event, now)]


def post(client: httpx.Client, notice: Notice, msg_id: str, body: dict[str, Any], now: datetime, *,
         allow_private: bool) -> None:
    """POST one message (signed, unless it is a native Slack/Discord one); PublishError unless a 2xx came back."""
    data = json.dumps(body, ensure_ascii=False, separators=(",", ":"))
    headers = {"Content-Type": "application/json", "User-Agent": "Herald-Webhooks/1"}
    if notice.secret and native.kind_of(notice.address) == "statuspage":
        headers.update({"webhook-id": msg_id, "webhook-timestamp": str(int(now.timestamp())),
                        "webhook-signature": Webhook(notice.secret).sign(msg_id, now, data)})
    url = notice.address
    for _hop in range(targets.MAX_REDIRECTS + 1):
        answer = _send(client, url, headers, data, allow_private)
        if answer.status_code not in (307, 308) or "location" not in answer.headers:
            return _outcome(answer)
        url = str(httpx.URL(url).join(answer.headers["location"]))
    raise PublishError(f"more than {targets.MAX_REDIRECTS} redirects", retryable=False)


def _send(client: httpx.Client, url: str, headers: dict[str, str], data: str, allow_private: bool) -> httpx.Response:
    try:
        target = targets.check(url, allow_private=allow_private)
    except targets.Refused as exc:
        raise PublishError(f"refused: {exc.message}", retryable=False) from None
    except OSError as exc:
        raise PublishError(f"cannot resolve {url[:100]}: {exc}", retryable=True) from None
    try:
        answer = client.post(target.url, content=data.encode(), headers={**headers, "Host": _host(url)},
                             extensions={"sni_hostname": target.host})
    except httpx.TimeoutException as exc:
        raise PublishError(f"timed out: {type(exc).__name__}", retryable=True, unknown=True) from None
    except httpx.HTTPError as exc:
        raise PublishError(f"{type(exc).__name__}: {exc}", retryable=True, unknown=True) from None
    return answer


def _host(url: str) -> str:
    return httpx.URL(url).netloc.decode("ascii")


def _outcome(answer: httpx.Response) -> None:
    status = answer.status_code
    if 200 <= status < 300:
        return
    said = f"HTTP {status} {answer.text[:200]}".strip()
    if status in (408, 429) or status >= 500:
        wait = answer.headers.get("retry-after", "")
        raise PublishError(said, retryable=True, retry_after=float(wait) if wait.isdigit() else None)
    if status == 410:
        raise Gone(said, retryable=False)
    raise PublishError(said + (" (redirects other than 307/308 are not followed)" if 300 <= status < 400 else ""),
                       retryable=False)
