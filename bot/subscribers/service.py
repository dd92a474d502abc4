"""Subscribing, confirming, leaving: keyword-only functions on a Session, inside the caller's transaction.

Email is double opt-in: a new address gets a confirmation mail (a `confirm` notification) and nothing
else until its link is followed. Asking again for an address already known changes nothing a stranger
could use: no second mail within CONFIRM_EVERY (the per-address limit, kept in the row itself, so it
holds across every web process), no change to a confirmed subscription, and the same reply. A webhook
needs no confirmation (no one reads its mail); it gets a signing secret, shown once when it is added.
"""

from __future__ import annotations

import base64
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import select
from sqlalchemy.orm import InstrumentedAttribute, Session

from bot.domain.models import Component
from bot.errors import DomainError, NotFound
from bot.subscribers import claims
from bot.subscribers.models import Notification, Subscriber, SubscriberComponent
from bot.text.tokens import suggest

CONFIRM_EVERY = timedelta(minutes=10)  # at most one confirmation mail per address in this time
MAX_URL = 2048


@dataclass(frozen=True)
class Requested:
    """What a subscribe request did: its channel, and a new webhook's secret (shown once)."""

    channel: str
    address: str
    secret: str | None = None
    known: bool = False  # a webhook URL already subscribed (never said of an email address)
    was: tuple[str, ...] | None = None  # an active subscription the operator changed: its components before
    follows: tuple[str, ...] = ()  # the components it follows now (none: all), when `was` is set


def channel_of(address: str) -> str:
    """`webhook` for an http(s) URL, else `email`."""
    return "webhook" if address.strip().lower().startswith(("http://", "https://")) else "email"


def normalise(address: str) -> str:
    """The address as stored: an email address checked and normalised, or a URL checked for form."""
    address = address.strip()
    if "://" in address and channel_of(address) == "email":
        raise DomainError("that is not an http(s) URL: a webhook URL starts with https:// (or http://)")
    if channel_of(address) == "webhook":
        if len(address) > MAX_URL or any(ord(c) < 33 or c == "\x7f" for c in address):
            raise DomainError(f"a webhook URL must be one line of at most {MAX_URL} characters, without spaces")
        return address
    try:
        # Lower-cased whole: local parts are case-blind at every real provider, and Bob@ and bob@ must not be
        # two subscriptions (two mails to one mailbox, and a way around the per-address limit).
        return validate_email(address, check_deliverability=False, allow_smtputf8=False).normalized.lower()
    except EmailNotValidError as exc:
        raise DomainError(f"that is not a valid email address: {exc}") from None


def subscribe(session: Session, *, address: str, components: Sequence[str] = (), now: datetime,
              confirmed: bool = False, change: bool = False) -> Requested:
    """Subscribe `address` (email or webhook URL) to `components` (none: all).

    `change` is the operator's request (the CLI): an active subscription takes the components given, as
    Statuspage updates a subscription. A stranger's request (the web form) never changes one.
    """
    address = normalise(address)
    channel = channel_of(address)
    chosen = components_named(session, components)
    found = session.scalar(select(Subscriber).where(Subscriber.channel == channel, Subscriber.address == address))
    if found is not None and found.active and change:
        was = _names(found)
        _choose(session, found, chosen)
        return Requested(channel, address, known=True, was=was, follows=tuple(c.name for c in chosen))
    if found is None:
        found = Subscriber(channel=channel, address=address, confirm_token=_token(), unsubscribe_token=_token(),
                           created_at=now, requested_at=now, secret=_secret() if channel == "webhook" else None)
        session.add(found)
        _choose(session, found, chosen)
        _arm(session, found, now=now, confirmed=confirmed or channel == "webhook")
        return Requested(channel, address, found.secret)
    if channel == "webhook":
        if not found.active:
            found.unsubscribed_at = found.disabled_at = found.disabled_reason = None
            _choose(session, found, chosen)
        return Requested(channel, address, None, known=True)
    if not found.active and (confirmed or now - found.requested_at >= CONFIRM_EVERY):
        found.unsubscribed_at = found.disabled_at = found.disabled_reason = found.confirmed_at = None
        found.confirm_token, found.requested_at = _token(), now
        _choose(session, found, chosen)
        _arm(session, found, now=now, confirmed=confirmed)
    return Requested(channel, address)


def _arm(session: Session, subscriber: Subscriber, *, now: datetime, confirmed: bool) -> None:
    """Confirm now, or queue the confirmation mail."""
    session.flush()
    if confirmed:
        subscriber.confirmed_at = now
        return
    session.add(Notification(kind="confirm", subscriber_id=subscriber.id, channel=subscriber.channel,
                             state="pending", next_attempt_at=now, created_at=now))


def confirm(session: Session, *, token: str, now: datetime) -> Subscriber:
    """Follow a confirmation link: the subscription is on (again, if it was already)."""
    found = _by(session, Subscriber.confirm_token, token)
    if found.unsubscribed_at is not None:
        raise NotFound("that confirmation link has expired: subscribe again")
    found.confirmed_at = found.confirmed_at or now
    return found


def unsubscribe(session: Session, *, token: str, now: datetime) -> Subscriber:
    """Leave: nothing more is sent, and what was waiting is cancelled. Saying it twice is no error."""
    found = _by(session, Subscriber.unsubscribe_token, token)
    if found.unsubscribed_at is None:
        found.unsubscribed_at = now
        claims.cancel(session, found.id)
    return found


def remove(session: Session, *, which: str) -> Subscriber:
    """Delete a subscriber (by id or address) with everything queued for it."""
    query = select(Subscriber)
    query = query.where(Subscriber.id == int(which)) if which.isdigit() else query.where(
        Subscriber.address == (normalise(which) if "@" in which or "://" in which else which))
    found = session.scalar(query)
    if found is None:
        raise NotFound(f'no subscriber "{which}" (see `herald subscribers list`)')
    session.delete(found)
    return found


def _by(session: Session, column: InstrumentedAttribute[str], token: str) -> Subscriber:
    found = session.scalar(select(Subscriber).where(column == token)) if 10 <= len(token) <= 64 else None
    if found is None:
        raise NotFound("that link is not valid (it may have been replaced by a newer one)")
    return found


def components_named(session: Session, names: Sequence[str]) -> list[Component]:
    """The components named (none: every component); an unknown name is refused with a suggestion."""
    known = {c.name: c for c in session.scalars(select(Component))}
    unknown = [n for n in names if n not in known]
    if unknown:
        raise NotFound(f'unknown component "{unknown[0]}"{suggest(unknown[0], sorted(known))} '
                       f'(known: {", ".join(sorted(known)) or "none"})')
    return [known[n] for n in dict.fromkeys(names)]


def _names(subscriber: Subscriber) -> tuple[str, ...]:
    """The names of the components a subscriber follows (none: all)."""
    return () if subscriber.all_components else tuple(sc.component.name for sc in subscriber.components)


def _choose(session: Session, subscriber: Subscriber, components: list[Component]) -> None:
    """Replace the subscriber's components (the old rows go first: (subscriber, component) is unique)."""
    subscriber.all_components = not components
    if subscriber.components:
        subscriber.components.clear()
        session.flush()
    subscriber.components.extend(SubscriberComponent(component=c) for c in components)


def _token() -> str:
    return secrets.token_urlsafe(32)


def _secret() -> str:
    """A Standard Webhooks signing secret: whsec_ and 24 random bytes in base64."""
    return "whsec_" + base64.b64encode(secrets.token_bytes(24)).decode()
