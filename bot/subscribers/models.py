"""The subscriber tables: who is told (subscribers, their components) and what they are told (notifications).

A notification is the outbox row of one (update, subscriber), UNIQUE, claimed and retried like a delivery
(bot.delivery.lease, bot.delivery.backoff). A confirmation mail is a notification too (`kind` confirm, no
update), so it is sent, retried and counted the same way.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from bot.domain.models import Base, Component, utcnow

CHANNELS = ("email", "webhook")  # one notifier lane each
STATES = ("pending", "sent", "failed", "dead", "cancelled")  # cancelled: the subscriber left before it went


class Subscriber(Base):
    """An email address or a webhook URL, told of the updates of its components (all when it chose none)."""

    __tablename__ = "subscribers"
    __table_args__ = (UniqueConstraint("channel", "address", name="uq_subscribers_channel_address"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[str] = mapped_column(String(16))  # email | webhook
    address: Mapped[str] = mapped_column(String(2048))  # normalised address, or the URL
    all_components: Mapped[bool] = mapped_column(Boolean, default=True)
    secret: Mapped[str | None] = mapped_column(String(128))  # webhooks: whsec_…, shown once
    confirm_token: Mapped[str] = mapped_column(String(64), unique=True)
    unsubscribe_token: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    requested_at: Mapped[datetime] = mapped_column(default=utcnow)  # the last confirmation mail asked for
    confirmed_at: Mapped[datetime | None]
    unsubscribed_at: Mapped[datetime | None]
    disabled_at: Mapped[datetime | None]  # its endpoint failed past the retry limit
    disabled_reason: Mapped[str | None] = mapped_column(Text)

    components: Mapped[list[SubscriberComponent]] = relationship(
        back_populates="subscriber", cascade="all, delete-orphan", order_by="SubscriberComponent.id")

    @property
    def active(self) -> bool:
        """True while updates reach it: confirmed, not unsubscribed, not disabled."""
        return self.confirmed_at is not None and self.unsubscribed_at is None and self.disabled_at is None


class SubscriberComponent(Base):
    """One component a subscriber chose."""

    __tablename__ = "subscriber_components"
    __table_args__ = (UniqueConstraint("subscriber_id", "component_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    subscriber_id: Mapped[int] = mapped_column(ForeignKey("subscribers.id", ondelete="CASCADE"))
    component_id: Mapped[int] = mapped_column(ForeignKey("components.id", ondelete="CASCADE"), index=True)

    subscriber: Mapped[Subscriber] = relationship(back_populates="components")
    component: Mapped[Component] = relationship(lazy="joined")


class Notification(Base):
    """The outbox of subscribers: one row per (update, subscriber), or a confirmation mail (no update)."""

    __tablename__ = "notifications"
    __table_args__ = (
        UniqueConstraint("update_id", "subscriber_id", name="uq_notifications_update_subscriber"),
        Index("ix_notifications_due", "channel", "state", "next_attempt_at"),
        Index("ix_notifications_told", "subscriber_id", "incident_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16), default="update")  # update | confirm
    update_id: Mapped[int | None] = mapped_column(ForeignKey("updates.id", ondelete="CASCADE"))
    incident_id: Mapped[int | None] = mapped_column(ForeignKey("incidents.id", ondelete="CASCADE"), index=True)
    subscriber_id: Mapped[int] = mapped_column(ForeignKey("subscribers.id", ondelete="CASCADE"))
    channel: Mapped[str] = mapped_column(String(16))
    state: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    claimed_until: Mapped[datetime | None]
    claimed_by: Mapped[str | None] = mapped_column(String(64))
    last_error: Mapped[str | None] = mapped_column(Text)
    sent_at: Mapped[datetime | None]
    sandbox: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
