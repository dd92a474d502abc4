"""The allow-list: who may publish. Anyone may read; an unset list means everyone may publish.

User-group members come from `usergroups.users.list`, cached for a minute. A stale cache is used
while a background refresh runs, so the check never puts a Web API call in front of the ack.
"""

from __future__ import annotations

import logging
import threading
import time

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.config import Config

log = logging.getLogger(__name__)
TTL = 60.0  # seconds a group's membership is trusted before it is refreshed


class AllowList:
    """HERALD_ALLOWED_USERS, HERALD_ALLOWED_GROUPS and HERALD_ALLOWED_CHANNELS, checked together."""

    def __init__(self, config: Config, client: WebClient) -> None:
        self.config, self.client = config, client
        self.members: dict[str, frozenset[str]] = {}
        self.fetched_at = 0.0
        self.lock = threading.Lock()

    def allows(self, *, user: str, channel: str | None) -> bool:
        """True when publishing is open, or the user, one of their groups, or the channel is listed."""
        config = self.config
        if config.publishing_open or user in config.allowed_users:
            return True
        if channel and channel in config.allowed_channels:
            return True
        return any(user in members for members in self._groups().values())

    def warm(self) -> None:
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

    def _groups(self) -> dict[str, frozenset[str]]:
        if not self.config.allowed_groups:
            return {}
        if not self.fetched_at:
            self.refresh()  # never loaded (start-up could not reach Slack): the one synchronous read
        elif time.monotonic() - self.fetched_at > TTL and self.lock.acquire(False):
            self.fetched_at = time.monotonic()  # one refresh at a time; others keep using the cache
            self.lock.release()
            threading.Thread(target=self.refresh, name="herald-allow-refresh", daemon=True).start()
        return self.members
