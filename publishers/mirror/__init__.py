"""Site mirrors: a copy of the status site somewhere that does not depend on Herald (HERALD_SITE_MIRRORS).

One publisher class, `mirror` in the entry-point group, and one instance — one delivery lane — per target:
`Publisher.targets` lists them, the registry builds each with `context.target` set, and the instance names
itself after its target (`mirror-<hash>`, stable while the entry is), so every mirror has its own
deliveries, retries and receipt ("S3 mirror ✗ 503, retrying"), and a mirror that is down never holds up
another channel. A delivery waits (within one publish timeout, then as a retry) until the site store has
the update, i.e. while the delivery of a channel that declares `writes_site` is still pending; then it
copies what changed (publishers.mirror.sync). Other changes to the site (thread links, local midnight)
start a background sync from the hooks. `herald site sync` copies everything again.
"""

from __future__ import annotations

import hashlib
import logging
import threading
import time
from datetime import datetime

from bot.domain import reading
from bot.domain.snapshots import Event, ThreadView
from bot.plugins.contract import (
    Config,
    MirrorTarget,
    Publisher,
    PublisherContext,
    PublishError,
    Receipt,
    Rendered,
    SyncResult,
)
from bot.text.templating import render
from publishers.mirror.sync import Mirror, Target

log = logging.getLogger(__name__)
LABELS = {"s3": "S3 mirror", "file": "Folder mirror"}
POLL = 0.05  # s between looks at the status page's delivery


class MirrorPublisher(Publisher):
    """Keeps one HERALD_SITE_MIRRORS target equal to the site store."""

    name = "mirror"
    label = "Site mirror"
    order = 5  # right after the status page, before the outside channels
    settings = ("HERALD_SITE_MIRRORS",)

    @classmethod
    def configured(cls, config: Config) -> bool:
        return bool(config.site_mirrors)

    @classmethod
    def targets(cls, config: Config) -> tuple[str, ...]:
        return config.site_mirrors

    def __init__(self, context: PublisherContext) -> None:
        super().__init__(context)
        if context.target is None or context.site is None:
            raise ValueError("a mirror is built per HERALD_SITE_MIRRORS entry, with a site store")
        self.target = MirrorTarget.parse(context.target)
        self.name = f"mirror-{hashlib.sha256(self.target.url.encode()).hexdigest()[:8]}"
        same = [u for u in context.config.site_mirrors if MirrorTarget.parse(u).scheme == self.target.scheme]
        where = f" {self.target.place}/{self.target.prefix}".rstrip("/") if len(same) > 1 else ""
        self.label = LABELS[self.target.scheme] + where
        self.mirror = Mirror(context.site, self._open_target())
        self.kick_lock, self.kicking, self.again = threading.Lock(), False, False

    def _open_target(self) -> Target:
        if self.target.scheme == "s3":
            from publishers.mirror.s3 import S3Target  # boto3 loads only where an S3 mirror is configured

            return S3Target(self.target, self.context.config)
        from publishers.mirror.folder import FolderTarget  # beside S3Target, loaded the same way

        return FolderTarget(self.target)

    def render(self, event: Event) -> Rendered:
        """What a delivery does: copy the site's changed files to the target."""
        return Rendered(self.name, render(self.context.templates, "mirror/preview.j2", target=self.target.url))

    def publish(self, event: Event, rendered: Rendered, thread: ThreadView | None) -> Receipt:
        """Once the site store has this update, copy what changed to the target."""
        self.wait_for_site(event)
        done = self.sync()
        return Receipt(external_id=f"+{done.uploaded} -{done.deleted}")

    def sync(self, *, full: bool = False) -> SyncResult:
        """Copy what changed (everything, when `full`) to the target; PublishError when it cannot."""
        return self.mirror.sync(full=full)

    def wait_for_site(self, event: Event) -> None:
        """Return once no channel that writes the site still has this update pending; PublishError (retryable)
        after one publish timeout."""
        writers = [name for name, info in self.context.channels.items() if info.writes_site]
        deadline = time.monotonic() + self.context.config.publish_timeout
        while self.context.sessions is not None:
            with self.context.sessions() as session:
                if not reading.delivery_pending(session, incident_id=event.incident.id, revision=event.revision,
                                                update_number=event.update.number, channels=writers):
                    return
            if time.monotonic() > deadline:
                raise PublishError("the status page has not been written yet", retryable=True)
            time.sleep(POLL)

    def after_delivery(self, incident_id: int) -> None:
        """The site may have changed outside an update (thread links): copy it in the background."""
        self.kick()

    def new_day(self, now: datetime) -> None:
        """Local midnight moved The Past on: copy it in the background."""
        self.kick()

    def kick(self) -> None:
        """Start a background sync, or ask the running one to go again (never blocks the caller)."""
        with self.kick_lock:
            if self.kicking:
                self.again = True
                return
            self.kicking = True
        threading.Thread(target=self._kicked, name=f"herald-{self.name}", daemon=True).start()

    def _kicked(self) -> None:
        while True:
            try:
                self.sync()
            except PublishError as exc:  # the next delivery retries with backoff; this one only tried
                log.info("%s: background sync failed: %s", self.label, exc.message)
            except Exception:  # e.g. the database went away: logged; the next delivery or hook tries again
                log.exception("%s: background sync failed", self.label)
            with self.kick_lock:
                if not self.again:
                    self.kicking = False
                    return
                self.again = False
