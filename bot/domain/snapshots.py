"""Plain, frozen snapshots of incidents for templates and publishers (no database session needed)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from bot.domain.models import Component, Incident, Thread, Update
from bot.domain.vocabulary import is_finished


@dataclass(frozen=True)
class ComponentView:
    name: str
    status: str
    description: str | None = None
    group: str | None = None
    position: int = 0
    id: int = 0
    created_at: datetime | None = None
    updated_at: datetime | None = None
    only_show_if_degraded: bool = False

    @property
    def shown(self) -> bool:
        """False for a component the page lists only while degraded, while it is operational."""
        return not (self.only_show_if_degraded and self.status == "operational")


@dataclass(frozen=True)
class RevisionView:
    revision: int
    body: str
    replaced_at: datetime


@dataclass(frozen=True)
class UpdateView:
    number: int
    status: str
    body: str
    display_at: datetime
    created_at: datetime
    event: str = "update"
    revision: int = 0
    edited_at: datetime | None = None
    component_changes: tuple[dict[str, str], ...] = ()
    revisions: tuple[RevisionView, ...] = ()
    id: int = 0
    tweet_id: str | None = None  # the tweet that announced it (Statuspage's `tweet_id`), when one was sent


@dataclass(frozen=True)
class ThreadView:
    publisher: str
    first_id: str | None
    last_id: str | None
    url: str | None
    data: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class AffectedView:
    name: str
    status: str


@dataclass(frozen=True)
class IncidentView:
    id: int
    kind: str
    title: str
    impact: str
    status: str
    url: str
    started_at: datetime | None
    resolved_at: datetime | None
    scheduled_for: datetime | None
    scheduled_until: datetime | None
    created_at: datetime
    updated_at: datetime
    affected: tuple[AffectedView, ...] = ()
    updates: tuple[UpdateView, ...] = ()
    threads: dict[str, ThreadView] = field(default_factory=dict)
    auto_transitions: bool = True

    @property
    def is_open(self) -> bool:
        """True while not resolved or completed."""
        return not is_finished(self.status)

    @property
    def starts(self) -> datetime | None:
        """When it began (or is scheduled to begin)."""
        return self.started_at or self.scheduled_for

    @property
    def ends(self) -> datetime | None:
        """When it ended (or is scheduled to end, for a window not yet over)."""
        return self.resolved_at or (self.scheduled_until if self.kind == "maintenance" else None)

    @property
    def latest(self) -> UpdateView | None:
        """The newest update."""
        return self.updates[-1] if self.updates else None

    def update(self, number: int) -> UpdateView:
        """The update numbered `number`."""
        return next(u for u in self.updates if u.number == number)


@dataclass(frozen=True)
class Event:
    """One thing to publish: an update (at one revision) of an incident."""

    incident: IncidentView
    update: UpdateView
    revision: int = 0

    @property
    def is_correction(self) -> bool:
        """True when this event carries an edited text of an earlier update."""
        return self.revision > 0


def incident_url(public_url: str, incident_id: int) -> str:
    """The public page of an incident on the status site."""
    return f"{public_url.rstrip('/')}/incidents/{incident_id}/"


def component_view(c: Component) -> ComponentView:
    """Snapshot a component."""
    return ComponentView(name=c.name, status=c.status, description=c.description, group=c.group,
                         position=c.position, id=c.id, created_at=c.created_at, updated_at=c.updated_at,
                         only_show_if_degraded=bool(c.only_show_if_degraded))


def update_view(u: Any, *, revisions: tuple[RevisionView, ...] | None = None,
                tweet_id: str | None = None) -> UpdateView:
    """Snapshot an update (an `Update`, or a row of its columns with `revisions` given) with its edit history."""
    if revisions is None:
        revisions = tuple(RevisionView(r.revision, r.body, r.replaced_at) for r in u.revisions)
    return UpdateView(
        number=u.number, status=u.status, body=u.body, display_at=u.display_at, created_at=u.created_at,
        event=u.event, revision=u.revision, edited_at=u.edited_at,
        component_changes=tuple(u.component_changes or ()), id=u.id, revisions=revisions, tweet_id=tweet_id,
    )


def thread_view(t: Thread) -> ThreadView:
    """Snapshot a thread reference."""
    return ThreadView(t.publisher, t.first_id, t.last_id, t.url, dict(t.data or {}))


def incident_view(i: Incident, public_url: str, *, updates: tuple[Update | UpdateView, ...] | None = None,
                  affected: tuple[AffectedView, ...] | None = None,
                  threads: dict[str, ThreadView] | None = None) -> IncidentView:
    """Snapshot an incident: the one place an IncidentView is built. What is not given (its updates —
    all, or just `updates` —, affected components, threads) is read from its relationships."""
    if affected is None:
        affected = tuple(AffectedView(a.component.name, a.status) for a in i.affected)
    if threads is None:
        threads = {t.publisher: thread_view(t) for t in i.threads}
    chosen = i.updates if updates is None else updates
    return IncidentView(
        id=i.id, kind=i.kind, title=i.title, impact=i.impact, status=i.status,
        url=incident_url(public_url, i.id), started_at=i.started_at, resolved_at=i.resolved_at,
        scheduled_for=i.scheduled_for, scheduled_until=i.scheduled_until, created_at=i.created_at,
        updated_at=i.updated_at, auto_transitions=i.auto_transitions, affected=affected,
        updates=tuple(u if isinstance(u, UpdateView) else update_view(u) for u in chosen), threads=threads,
    )
