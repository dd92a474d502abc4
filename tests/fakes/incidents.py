"""Drive the real domain on a test database and hand publishers Events the way the worker does."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from bot.config import load_config
from bot.core import Core
from bot.domain import service
from bot.domain.snapshots import Event, ThreadView, incident_view
from bot.plugins.contract import Publisher, PublisherContext, Receipt
from bot.store.db import transaction
from herald.app import create_core
from tests.support import make_env

START = datetime(2010, 9, 2, 9, 3, tzinfo=UTC)


class Story:
    """One incident told through bot.domain.service, one call per step, minutes apart."""

    def __init__(self, core: Core, start: datetime = START) -> None:
        self.core, self.start = core, start
        self.now = start
        self.incident_id = 0

    def _step(self, call: Any, **kwargs: Any) -> Event:
        self.now += timedelta(minutes=7)
        with transaction(self.core.sessions) as session:
            update = call(session, now=self.now, **kwargs)
            self.incident_id, number = update.incident_id, update.number
        return self.event(number)

    def declare(self, title: str = "Checkout errors", body: str = "We are looking into failed payments.",
                **kwargs: Any) -> Event:
        """Declare the incident (status investigating, app affected)."""
        kwargs.setdefault("changes", [("app", None)])
        self.now = self.start - timedelta(minutes=7)
        return self._step(service.declare, title=title, body=body, **kwargs)

    def update(self, body: str, **kwargs: Any) -> Event:
        """Post an update."""
        return self._step(service.post_update, incident_id=self.incident_id, body=body, **kwargs)

    def resolve(self, body: str = "Payments work again.") -> Event:
        """Resolve the incident."""
        return self._step(service.resolve, incident_id=self.incident_id, body=body)

    def reopen(self, body: str = "Payments fail again.", **kwargs: Any) -> Event:
        """Reopen the resolved incident."""
        return self._step(service.reopen, incident_id=self.incident_id, body=body, **kwargs)

    def maintenance(self, title: str = "Database upgrade", body: str = "Short read-only period.") -> Event:
        """Schedule a maintenance window an hour from now."""
        self.now = self.start - timedelta(minutes=7)
        return self._step(service.schedule_maintenance, title=title, body=body, changes=[("app", None)],
                          starts=self.start + timedelta(hours=1), ends=self.start + timedelta(hours=2))

    def edit(self, number: int, body: str) -> Event:
        """Correct update `number`; the Event carries the new revision."""
        return self._step(service.edit_update, incident_id=self.incident_id, number=number, body=body)

    def event(self, number: int) -> Event:
        """The Event for update `number` as the worker would build it now."""
        with transaction(self.core.sessions) as session:
            view = incident_view(service.get_incident(session, self.incident_id), self.core.config.public_url)
        update = view.update(number)
        return Event(incident=view, update=update, revision=update.revision)


def context(core: Core) -> PublisherContext:
    """What the composition root gives every publisher."""
    return core.context


def deliver(publisher: Publisher, event: Event, thread: ThreadView | None) -> tuple[Receipt, ThreadView]:
    """Render and publish as the worker does, and return the receipt and the thread it records."""
    receipt = publisher.publish(event, publisher.render(event), thread)
    return receipt, recorded(publisher, receipt)


def recorded(publisher: Publisher, receipt: Receipt) -> ThreadView:
    """The Thread row the worker writes from a receipt."""
    return ThreadView(publisher.name, receipt.thread_first_id, receipt.thread_last_id, receipt.thread_url,
                      dict(receipt.thread_data))


@contextmanager
def herald(database_url: str, tmp_path: Path, **env: str) -> Iterator[Core]:
    """A built core on the test database with extra settings (e.g. a fake's `env()`)."""
    core = create_core(load_config(make_env(database_url, tmp_path, **env)))
    try:
        yield core
    finally:
        core.engine.dispose()
