"""Slack status channel: an optional announcement of each update in HERALD_SLACK_STATUS_CHANNEL.

Each update is one message; a correction edits that message in place (its ts is kept in the
thread's data, {"channel": id, "posts": {"<update number>": ts}}). The body is the stored public
Markdown, converted to mrkdwn with user text escaped, so nothing in it can mention anyone.
"""

from __future__ import annotations

from typing import Any
from urllib.error import URLError

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.domain.snapshots import Event, ThreadView
from bot.plugins.contract import Config, Publisher, PublishError, Receipt, Rendered
from bot.text.templating import render

RETRYABLE = {"ratelimited", "internal_error", "fatal_error", "service_unavailable", "request_timeout"}


class SlackPublisher(Publisher):
    """Announces updates in the public status channel."""

    name = "slack"
    label = "Slack"
    sandboxable = True
    order, thread_name, post_format = 30, "Slack announcements", "mrkdwn"
    settings = ("SLACK_BOT_TOKEN", "HERALD_SLACK_STATUS_CHANNEL")

    def __init__(self, context: Any) -> None:
        super().__init__(context)
        config = context.config
        token = config.slack_bot_token.get_secret_value() if config.slack_bot_token else None
        self.client = WebClient(token=token, base_url=config.slack_api_url.rstrip("/") + "/", timeout=15)
        self.channel = context.config.slack_status_channel or ""

    @classmethod
    def configured(cls, config: Config) -> bool:
        """True when SLACK_BOT_TOKEN and HERALD_SLACK_STATUS_CHANNEL are set."""
        return config.slack_bot_token is not None and bool(config.slack_status_channel)

    def render(self, event: Event) -> Rendered:
        """The announcement's mrkdwn for `event`."""
        text = render(self.context.templates, "slack/announce.j2", incident=event.incident, update=event.update,
                      correction=event.is_correction)
        return Rendered(self.name, text)

    def publish(self, event: Event, rendered: Rendered, thread: ThreadView | None) -> Receipt:
        """Post the announcement, or edit the original message for a correction."""
        data = dict(thread.data) if thread else {}
        posts = dict(data.get("posts", {}))
        key = str(event.update.number)
        try:
            if event.is_correction and key in posts:
                answer = self.client.chat_update(channel=data["channel"], ts=posts[key], text=rendered.text)
            else:
                answer = self.client.chat_postMessage(channel=self.channel, text=rendered.text,
                                                      unfurl_links=False, unfurl_media=False)
        except SlackApiError as exc:
            raise _classify(exc) from exc
        except (URLError, TimeoutError, ConnectionError) as exc:
            never_sent = isinstance(getattr(exc, "reason", exc), ConnectionRefusedError)
            raise PublishError(f"Slack unreachable: {exc}", retryable=True, unknown=not never_sent) from exc
        posts[key] = answer["ts"]
        first = thread.first_id if thread and thread.first_id else answer["ts"]
        return Receipt(external_id=answer["ts"], thread_first_id=first, thread_last_id=answer["ts"],
                       thread_data={"channel": answer["channel"], "posts": posts})


def _classify(exc: SlackApiError) -> PublishError:
    """Rate limits and Slack's own failures are worth retrying; bad channels or tokens need a person."""
    error = str(exc.response.get("error", "unknown_error"))
    status = exc.response.status_code
    wait = exc.response.headers.get("Retry-After") or exc.response.headers.get("retry-after")
    retryable = status == 429 or status >= 500 or error in RETRYABLE
    return PublishError(f"{status} {error}" if status != 200 else error, retryable=retryable,
                        retry_after=float(wait) if wait else None)
