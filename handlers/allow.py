"""The allow-list: who may publish. Anyone may read; an unset list means everyone may publish.

User-group members come from `usergroups.users.list`, cached for a minute. A stale cache is used
while a background refresh runs, so the check never puts a Web API call in front of the ack.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import TYPE_CHECKING

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.config import Config
from bot.errors import NotAllowed

if TYPE_CHECKING:
    from herald.slack import SlackApp

log = logging.getLogger(__name__)
TTL = 60.0  # seconds a group's membership is trusted before it is refreshed


class AllowList:
    """HERALD_ALLOWED_USERS, HERALD_ALLOWED_GROUPS and HERALD_ALLOWED_CHANNELS, checked together."""

    def __init__(self, config: Config, client: WebClient) -> None:
        self.config, self.client = config, client
        self.members: dict[str, frozenset[str]] = {}
        self.fetched_at = 0.0
        self.lock = threading.Lock()

    def allows(self, *, user: str, channel: str | None, app: SlackApp | None = None) -> bool:
        """True when publishing is open, or the user, one of their groups, or the channel is listed."""
        config = self.config
        if config.publishing_open or user in config.allowed_users:
            return True
        if channel and channel in config.allowed_channels:
            return True
        return any(user in members for members in self._groups(app).values())

    def check(self, *, user: str, channel: str | None, app: SlackApp | None = None) -> None:
        """Raise NotAllowed unless `user` may publish from `channel`."""
        if not self.allows(user=user, channel=channel, app=app):
            raise NotAllowed("you are not on Herald's allow-list for publishing, so nothing was saved "
                             "or published; ask an admin to add you (HERALD_ALLOWED_USERS or "
                             "HERALD_ALLOWED_GROUPS). Reading commands (list, show, preview) work for everyone.")

    def warm(self, app: SlackApp) -> None:
        """Load the groups at start-up, so the first request has them."""
        if self.config.allowed_groups:
            self.refresh()

    def refresh(self) -> None:
        """Fetch every allowed group's members; a group that cannot be read keeps its last members."""
        found = dict(self.members)
        for group in self.config.allowed_groups:
            try:
                found[group] = frozenset(self.client.usergroups_users_list(usergroup=group)["users"])
            except SlackApiError as exc:
                log.error("cannot read user group %s: %s", group, exc.response.get("error"))
        with self.lock:
            self.members, self.fetched_at = found, time.monotonic()

    def _groups(self, app: SlackApp | None) -> dict[str, frozenset[str]]:
        if not self.config.allowed_groups:
            return {}
        if not self.fetched_at:
            self.refresh()  # never loaded (start-up could not reach Slack): the one synchronous read
        elif time.monotonic() - self.fetched_at > TTL and app is not None and self.lock.acquire(False):
            self.fetched_at = time.monotonic()  # one refresh at a time; others keep using the cache
            self.lock.release()
            app.later(self.refresh)
        return self.members
