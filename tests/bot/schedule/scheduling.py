"""Helpers for the scheduler tests: a fixed clock, a probe channel, and commands run as Slack would."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from bot.commands import Outcome, execute
from bot.core import Core
from bot.domain.models import Delivery, Incident, Job, Update
from bot.domain.snapshots import Event, ThreadView
from bot.plugins.contract import Publisher, Receipt, Rendered
from bot.text import grammar

T = datetime(2010, 9, 2, 9, 3, tzinfo=UTC)  # the window's start: 02:03 PDT
END = T + timedelta(hours=2)  # 04:03 PDT
MIN = timedelta(minutes=1)


class ProbePublisher(Publisher):
    """A channel that renders each event the way the real ones do (title, display time, body)."""

    name = "probe"
    label = "Probe"

    def render(self, event: Event) -> Rendered:
        """The event as one line with its display time from the time formatter."""
        line = self.context.templates.from_string(
            "[{{ e.incident.title }}] {{ e.update.display_at|instant }}: {{ e.update.body }}")
        return Rendered(self.name, line.render(e=event))

    def publish(self, event: Event, rendered: Rendered, thread: ThreadView | None) -> Receipt:
        """Never called here: the scheduler only queues deliveries."""
        raise AssertionError("the scheduler must not publish by itself")


def with_probe(core: Core) -> Core:
    """Enable the probe channel next to whatever the registry loaded."""
    core.registry.publishers.setdefault("probe", ProbePublisher(core.context))
    return core


def run(core: Core, text: str, *, now: datetime, author: str = "U1") -> Outcome:
    """Run an /incident command at `now`."""
    return execute(core, grammar.parse(text), author=author, now=now)


def schedule(core: Core, extra: str = "", *, now: datetime = T - timedelta(hours=3)) -> int:
    """Schedule the test window T → END (02:03–04:03 PDT) on app and admin; returns its number."""
    out = run(core, f"maintenance DB upgrade --from 2010-09-02 02:03 --to 2010-09-02 04:03 -c app,admin "
                    f"{extra}", now=now)
    assert out.incident is not None
    return out.incident.id


def updates(core: Core, incident_id: int) -> list[Update]:
    """The incident's updates in order."""
    with core.sessions() as s:
        return list(s.scalars(select(Update).where(Update.incident_id == incident_id).order_by(Update.number)))


def incident(core: Core, incident_id: int) -> Incident:
    """The incident row, detached."""
    with core.sessions() as s:
        found = s.get(Incident, incident_id)
        assert found is not None
        return found


def jobs_of(core: Core, incident_id: int) -> list[tuple[str, datetime, str]]:
    """(kind, due, state) of every job of the incident, by due time."""
    with core.sessions() as s:
        rows = s.scalars(select(Job).where(Job.incident_id == incident_id).order_by(Job.due_at, Job.id))
        return [(j.kind, j.due_at, j.state) for j in rows]


def deliveries(core: Core, incident_id: int) -> list[tuple[int, str]]:
    """(update number, publisher) of every delivery of the incident."""
    with core.sessions() as s:
        rows = s.execute(select(Update.number, Delivery.publisher).join(Delivery.update)
                         .where(Delivery.incident_id == incident_id).order_by(Update.number, Delivery.id))
        return [(n, p) for n, p in rows]
