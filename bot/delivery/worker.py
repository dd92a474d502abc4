"""The delivery worker: claims due outbox rows and publishes them, each publisher in its own lane.

Each enabled publisher gets up to HERALD_WORKER_CONCURRENCY deliveries in flight, each on its own
daemon thread, with a claim of its own per lane; so a channel that hangs or fails only fills its own
lane and never delays another channel. The loop wakes on `outbox.wake` (set in-process by
`outbox.notify`, by PostgreSQL NOTIFY through bot.delivery.wakeup, and by every finished delivery), when the
next retry falls due, or after HERALD_WORKER_POLL seconds at most. Once per poll it also runs
bot.schedule.scheduler's due jobs and renews the leases of the deliveries in flight.

Stopping (SIGTERM/SIGINT for `herald worker`, `stop.set()` for a thread) claims nothing more, lets
deliveries in flight finish for up to HERALD_SHUTDOWN_GRACE seconds, then releases what is left.
"""

from __future__ import annotations

import importlib
import logging
import os
import socket
import threading
import time
import uuid
from collections.abc import Callable, Sequence
from datetime import datetime

from bot.core import Core
from bot.delivery import claim, deliver, outbox, wakeup
from bot.domain.models import utcnow
from bot.store import db
from bot.subscribers import lanes as notifier_lanes
from bot.text.times import format_date

log = logging.getLogger(__name__)
Now = Callable[[], datetime]
MIN_WAIT = 0.05  # s; never spin on a row that is due but briefly locked by another worker
MAX_HOLD = 600.0  # s; a publish hung longer than this stops renewing its lease, so another worker may retry


class Stop(threading.Event):
    """A stop flag that also wakes the worker loop, so stopping is immediate."""

    def set(self) -> None:
        super().set()
        outbox.wake.set()


class Worker:
    """One worker: a name for its claims, a clock, and the deliveries it has in flight per publisher."""

    def __init__(self, core: Core, *, name: str | None = None, now: Now = utcnow,
                 concurrency: int | None = None, lanes: Sequence[str] | None = None) -> None:
        self.core, self.now = core, now
        self.name = name or f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"
        self.concurrency = concurrency or core.config.worker_concurrency
        self.in_flight: dict[str, set[int]] = {p: set() for p in (core.publisher_names if lanes is None else lanes)}
        self.lock = threading.Lock()
        self.outcomes: dict[str, int] = {}
        self.jobs_at: datetime | None = None  # when (by self.now) the scheduler last ran
        self.renewed_at = time.monotonic()
        self.day: str | None = None  # the display zone's date at the last turn
        self.started: dict[int, float] = {}  # delivery id → monotonic time its publish began

    def fill(self) -> int:
        """Claim due deliveries for every publisher lane with room (one transaction), start them; how many."""
        rooms = {p: self.concurrency - len(busy) for p, busy in self.in_flight.items()}
        rooms = {p: room for p, room in rooms.items() if room > 0}
        if not rooms:
            return 0
        with db.transaction(self.core.sessions) as session:
            now, lease = self.now(), self.core.config.claim_lease
            claimed = {p: claim.claim(session, publisher=p, worker=self.name, now=now, lease=lease, limit=room)
                       for p, room in rooms.items()}
        for publisher, ids in claimed.items():
            for delivery_id in ids:
                with self.lock:
                    self.in_flight[publisher].add(delivery_id)
                    self.started[delivery_id] = time.monotonic()
                threading.Thread(target=self._deliver, args=(publisher, delivery_id), daemon=True,
                                 name=f"herald-{publisher}-{delivery_id}").start()
        return sum(len(ids) for ids in claimed.values())

    def _deliver(self, publisher: str, delivery_id: int) -> None:
        outcome = "error"
        try:
            work = deliver.load(self.core, delivery_id=delivery_id, worker=self.name)
            if work is None:
                outcome = "gone"
                return
            result = deliver.attempt(self.core, work)
            outcome = deliver.record(self.core, work, result, worker=self.name, now=self.now())
            if outcome != "gone":
                self.core.after_delivery(work.incident_id)
        except Exception:  # e.g. the database went away: the lease runs out and the delivery is retried
            log.exception("delivery %s to %s could not be completed", delivery_id, publisher)
        finally:
            with self.lock:
                self.in_flight[publisher].discard(delivery_id)
                self.started.pop(delivery_id, None)
                self.outcomes[outcome] = self.outcomes.get(outcome, 0) + 1
            outbox.wake.set()

    def renew(self) -> None:
        """Every third of a lease, extend the leases of deliveries in flight for less than MAX_HOLD."""
        lease = self.core.config.claim_lease
        if time.monotonic() < self.renewed_at + lease / 3:
            return
        self.renewed_at = time.monotonic()
        with self.lock:
            ids = [i for i, since in self.started.items() if self.renewed_at - since < MAX_HOLD]
        if ids:
            with db.transaction(self.core.sessions) as session:
                claim.renew(session, ids=ids, worker=self.name, now=self.now(), lease=lease)

    def wait_time(self) -> float:
        """Seconds until a lane with room could claim something, at most HERALD_WORKER_POLL."""
        poll = self.core.config.worker_poll
        open_lanes = [p for p, busy in self.in_flight.items() if len(busy) < self.concurrency]
        if not open_lanes:
            return poll
        now = self.now()
        with self.core.reading() as session:
            due = claim.next_due(session, publishers=open_lanes, now=now)
        if due is None:
            return poll
        return min(poll, max((due - now).total_seconds(), MIN_WAIT))

    def turn(self) -> float:
        """One turn of the loop: scheduled jobs, then claims; returns how long to wait before the next."""
        outbox.wake.clear()  # cleared before looking, so work that arrives meanwhile is not missed
        now = self.now()  # jobs are due by the minute: once per poll (of this worker's clock) is plenty
        if self.jobs_at is None or abs((now - self.jobs_at).total_seconds()) >= self.core.config.worker_poll:
            self.jobs_at = now
            run_scheduler(self.core, now=now)
            self.roll_day(now)
        self.renew()
        self.fill()
        return self.wait_time()

    def roll_day(self, now: datetime) -> None:
        """At local midnight every publisher hears of the new day (the status page's Past moves on a day)."""
        today = format_date(now, self.core.clock)
        if self.day is not None and today != self.day:
            for name, publisher in self.core.registry.publishers.items():
                self.core.call_hook(f"{name}.new_day", publisher.new_day, now)
        self.day = today

    def run(self, stop: threading.Event) -> None:
        """Deliver until `stop` is set, then shut down gracefully."""
        wakeup.start_listener(self.core.config.database_url, stop)
        notifying = notifier_lanes.start(self.core, stop, worker=self.name, now=self.now)  # subscribers' lanes
        log.info("worker %s delivering for %s", self.name, ", ".join(self.in_flight) or "no publisher")
        while not stop.is_set():
            try:
                wait = self.turn()
            except Exception:  # the database may be restarting; keep the worker alive and try again
                log.exception("worker turn failed; trying again shortly")
                wait = self.core.config.worker_poll
            outbox.wake.wait(wait)
        self.shutdown()
        for lane in notifying:
            lane.join(self.core.config.shutdown_grace)

    def held(self) -> list[int]:
        """Ids of the deliveries in flight."""
        with self.lock:
            return [i for busy in self.in_flight.values() for i in busy]

    def shutdown(self) -> None:
        """Let deliveries in flight finish within the grace period, then release the rest."""
        deadline = time.monotonic() + self.core.config.shutdown_grace
        while self.held() and time.monotonic() < deadline:
            time.sleep(MIN_WAIT)
        left = self.held()
        if left:
            with db.transaction(self.core.sessions) as session:
                released = claim.release(session, ids=left, worker=self.name)
            log.warning("worker %s released %d unfinished deliveries", self.name, released)
        log.info("worker %s stopped; outcomes: %s", self.name, self.outcomes or "none")


def run_scheduler(core: Core, *, now: datetime) -> int:
    """Run bot.schedule.scheduler's due jobs once, if that module exists; its errors are logged, not raised."""
    try:
        scheduler = importlib.import_module("bot.schedule.scheduler")
    except ModuleNotFoundError:
        return 0
    try:
        return int(scheduler.run_due(core, now=now))
    except Exception:  # a broken job must not stop deliveries
        log.exception("scheduled jobs failed")
        return 0


def run_forever(core: Core, *, stop: threading.Event, now: Now = utcnow, name: str | None = None) -> None:
    """Run one worker in this thread until `stop` is set (what `herald worker` does)."""
    Worker(core, now=now, name=name).run(stop)


def start_thread(core: Core, *, now: Now = utcnow) -> tuple[threading.Thread, Stop]:
    """Start a worker on a daemon thread (for `herald serve`); set the returned event to stop it."""
    stop = Stop()
    thread = threading.Thread(target=run_forever, args=(core,), kwargs={"stop": stop, "now": now},
                              name="herald-worker", daemon=True)
    thread.start()
    return thread, stop
