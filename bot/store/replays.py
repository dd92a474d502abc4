"""Requests that must have their effect once: a key's first answer, kept in `slack_requests` for an hour.

`begin` inserts the key as `running`; the table's primary key makes that insert the guard, across
threads, web processes and machines alike (PostgreSQL or SQLite). Whoever inserted runs the request
and `finish`es it with its answer; a replay finds the row and gets that answer (`wait`ing a moment if
the first is still running). A request that failed because the database was unreachable is
`forget`-ten, so its retry runs. A `running` row older than STALE belongs to a process that died
mid-request: the next replay takes it over. Rows expire after KEEP; `begin` purges expired ones at
most once a minute per process.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, insert, update
from sqlalchemy.exc import IntegrityError

from bot.core import Core
from bot.domain.models import SlackRequest, utcnow
from bot.store.db import transaction

KEEP = timedelta(hours=1)  # well beyond Slack's 300 s signature window and its retries (up to 5 min)
STALE = timedelta(seconds=90)  # longer than any request may run (gunicorn's timeout is 60 s)
WAIT = 2.5  # seconds a replay waits for the first answer (Slack gives up on a request after 3 s)
POLL = 0.05
_purged = {"at": 0.0}
_purge_lock = threading.Lock()


@dataclass(frozen=True)
class Answer:
    """The first answer to a request."""

    status: int
    body: str
    content_type: str


RUNNING = Answer(0, "", "")  # `begin`'s result when the first request has not answered yet


def begin(core: Core, key: str, *, now: datetime | None = None) -> Answer | None:
    """None when this is the key's first request (run it, then `finish`); else the first answer, or RUNNING."""
    now = now or utcnow()
    _purge_now_and_then(core, now)
    try:
        with transaction(core.sessions) as session:  # a Core insert: no unit of work on the ack path
            session.execute(insert(SlackRequest).values(key=key, state="running", created_at=now,
                                                        expires_at=now + KEEP))
        return None
    except IntegrityError:
        pass
    with transaction(core.sessions) as session:
        row = session.get(SlackRequest, key, with_for_update=True)
        if row is None:  # expired and purged in between: this one is the first after all
            session.add(SlackRequest(key=key, state="running", created_at=now, expires_at=now + KEEP))
            return None
        if row.state == "running" and row.created_at < now - STALE:
            row.created_at = now  # its process died mid-request: this replay takes over
            return None
        if row.state == "running":
            return RUNNING
        return Answer(row.status or 200, row.body or "", row.content_type or "text/plain")


def wait(core: Core, key: str, *, seconds: float = WAIT) -> Answer:
    """The first answer once it is stored, or RUNNING after `seconds`."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        time.sleep(POLL)
        with core.reading() as session:
            row = session.get(SlackRequest, key)
            if row is not None and row.state == "done":
                return Answer(row.status or 200, row.body or "", row.content_type or "text/plain")
    return RUNNING


def finish(core: Core, key: str, answer: Answer) -> None:
    """Store the first answer to `key`."""
    with transaction(core.sessions) as session:
        session.execute(update(SlackRequest).where(SlackRequest.key == key).values(
            state="done", status=answer.status, body=answer.body, content_type=answer.content_type))


def forget(core: Core, key: str) -> None:
    """Drop `key`, so that a retry of a request that had no effect runs again."""
    with transaction(core.sessions) as session:
        session.execute(delete(SlackRequest).where(SlackRequest.key == key))


def purge(core: Core, *, now: datetime) -> int:
    """Delete the keys that expired before `now`; how many."""
    with transaction(core.sessions) as session:
        return int(session.execute(delete(SlackRequest).where(SlackRequest.expires_at < now))
                   .rowcount or 0)  # type: ignore[attr-defined]


def _purge_now_and_then(core: Core, now: datetime) -> None:
    """`purge`, at most once a minute per process (it is one indexed DELETE, but not needed per request)."""
    with _purge_lock:
        if time.monotonic() - _purged["at"] < 60:
            return
        _purged["at"] = time.monotonic()
    purge(core, now=now)
