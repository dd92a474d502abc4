"""Herald's tables as SQLAlchemy 2 typed models (Statuspage vocabulary, SPEC §2).

Every datetime column is `UTCDateTime`: stored as UTC, always read back UTC-aware, on SQLite too.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from bot.domain.vocabulary import is_finished


def utcnow() -> datetime:
    """The current instant, UTC-aware."""
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """A timestamp that refuses naive input and always comes back UTC-aware."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {datetime: UTCDateTime}


class Component(Base):
    __tablename__ = "components"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    description: Mapped[str | None] = mapped_column(Text)
    group: Mapped[str | None] = mapped_column("group_name", String(64))
    position: Mapped[int] = mapped_column(Integer, default=0)
    status: Mapped[str] = mapped_column(String(32), default="operational")
    # Statuspage's `only_show_if_degraded`: the page lists it only while it is not operational.
    only_show_if_degraded: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class Incident(Base):
    __tablename__ = "incidents"

    id: Mapped[int] = mapped_column(primary_key=True)  # the public number, #42
    kind: Mapped[str] = mapped_column(String(16))  # incident | maintenance
    title: Mapped[str] = mapped_column(String(200))
    impact: Mapped[str] = mapped_column(String(16), default="minor")
    status: Mapped[str] = mapped_column(String(32))
    started_at: Mapped[datetime | None]
    resolved_at: Mapped[datetime | None]
    scheduled_for: Mapped[datetime | None]
    scheduled_until: Mapped[datetime | None]
    auto_transitions: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    slack_channel: Mapped[str | None] = mapped_column(String(32))
    slack_card_ts: Mapped[str | None] = mapped_column(String(32))
    slack_receipts_ts: Mapped[str | None] = mapped_column(String(32))

    affected: Mapped[list[AffectedComponent]] = relationship(
        back_populates="incident", cascade="all, delete-orphan", order_by="AffectedComponent.id"
    )
    updates: Mapped[list[Update]] = relationship(
        back_populates="incident", cascade="all, delete-orphan", order_by="Update.number"
    )
    threads: Mapped[list[Thread]] = relationship(back_populates="incident", cascade="all, delete-orphan")

    @property
    def is_open(self) -> bool:
        """True while the incident or window is not finished."""
        return not is_finished(self.status)


class AffectedComponent(Base):
    __tablename__ = "affected_components"
    __table_args__ = (UniqueConstraint("incident_id", "component_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id", ondelete="CASCADE"))
    component_id: Mapped[int] = mapped_column(ForeignKey("components.id"))
    status: Mapped[str] = mapped_column(String(32))

    incident: Mapped[Incident] = relationship(back_populates="affected")
    component: Mapped[Component] = relationship(lazy="joined")


class Update(Base):
    __tablename__ = "updates"
    __table_args__ = (UniqueConstraint("incident_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column(Integer)  # 1, 2, 3 … within the incident
    status: Mapped[str] = mapped_column(String(32))
    body: Mapped[str] = mapped_column(Text, default="")
    author: Mapped[str | None] = mapped_column(String(64))  # Slack user id; never published
    display_at: Mapped[datetime]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    revision: Mapped[int] = mapped_column(Integer, default=0)  # 0 = as first published
    edited_at: Mapped[datetime | None]
    event: Mapped[str] = mapped_column(String(32), default="update")  # declare|update|resolve|…
    component_changes: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)

    incident: Mapped[Incident] = relationship(back_populates="updates")
    revisions: Mapped[list[UpdateRevision]] = relationship(  # selectin: one query for all, not one per update
        back_populates="update", cascade="all, delete-orphan", order_by="UpdateRevision.revision", lazy="selectin"
    )
    deliveries: Mapped[list[Delivery]] = relationship(
        back_populates="update", cascade="all, delete-orphan", order_by="Delivery.id"
    )


class UpdateRevision(Base):
    """An earlier text of an update, kept when the update is edited."""

    __tablename__ = "update_revisions"
    __table_args__ = (UniqueConstraint("update_id", "revision"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    update_id: Mapped[int] = mapped_column(ForeignKey("updates.id", ondelete="CASCADE"))
    revision: Mapped[int] = mapped_column(Integer)
    body: Mapped[str] = mapped_column(Text)
    author: Mapped[str | None] = mapped_column(String(64))
    replaced_at: Mapped[datetime] = mapped_column(default=utcnow)

    update: Mapped[Update] = relationship(back_populates="revisions")


class Delivery(Base):
    """The outbox: one row per (update, publisher, revision), sent by the worker."""

    __tablename__ = "deliveries"
    __table_args__ = (
        UniqueConstraint("update_id", "publisher", "revision", name="uq_deliveries_update_publisher_rev"),
        Index("ix_deliveries_due", "state", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    update_id: Mapped[int] = mapped_column(ForeignKey("updates.id", ondelete="CASCADE"), index=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id", ondelete="CASCADE"), index=True)
    publisher: Mapped[str] = mapped_column(String(32))
    revision: Mapped[int] = mapped_column(Integer, default=0)
    state: Mapped[str] = mapped_column(String(16), default="pending")  # pending|sent|failed|dead
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    claimed_until: Mapped[datetime | None]
    claimed_by: Mapped[str | None] = mapped_column(String(64))
    external_id: Mapped[str | None] = mapped_column(String(128))
    url: Mapped[str | None] = mapped_column(Text)
    last_error: Mapped[str | None] = mapped_column(Text)
    sent_at: Mapped[datetime | None]
    sandbox: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    update: Mapped[Update] = relationship(back_populates="deliveries")


class Thread(Base):
    """Where an incident lives on one publisher: first and last post, so replies chain."""

    __tablename__ = "threads"
    __table_args__ = (UniqueConstraint("incident_id", "publisher"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id", ondelete="CASCADE"))
    publisher: Mapped[str] = mapped_column(String(32))
    first_id: Mapped[str | None] = mapped_column(String(128))
    last_id: Mapped[str | None] = mapped_column(String(128))
    url: Mapped[str | None] = mapped_column(Text)
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    incident: Mapped[Incident] = relationship(back_populates="threads")


class Job(Base):
    """Time-driven work (maintenance transitions, reminders), claimed like deliveries."""

    __tablename__ = "jobs"
    __table_args__ = (
        UniqueConstraint("incident_id", "kind", "due_at", name="uq_jobs_incident_kind_due"),
        Index("ix_jobs_due", "state", "due_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(32))  # start|complete|remind|cadence
    due_at: Mapped[datetime]
    state: Mapped[str] = mapped_column(String(16), default="pending")  # pending|done|cancelled
    claimed_until: Mapped[datetime | None]
    done_at: Mapped[datetime | None]
    note: Mapped[str | None] = mapped_column(Text)


class SlackRequest(Base):
    """A Slack request seen recently: its identity and first answer, so a replay gets it again (bot.store.replays)."""

    __tablename__ = "slack_requests"

    key: Mapped[str] = mapped_column(String(80), primary_key=True)  # "slack:" + sha256 of the identity
    state: Mapped[str] = mapped_column(String(16), default="running")  # running | done
    status: Mapped[int | None] = mapped_column(Integer)
    body: Mapped[str | None] = mapped_column(Text)
    content_type: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(index=True)
