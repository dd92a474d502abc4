"""The notifier lanes: one thread per notifier, claiming its channel's notifications in batches.

A lane never waits for a publisher's delivery nor for another lane: email and webhooks each claim,
send and record on their own thread, so a hung SMTP server only slows email. Outcomes are recorded as
the notifier reports them, a few at a time (FLUSH_EVERY), so a worker killed mid-batch re-sends at
most that many; the message ids it re-sends are the same, so receivers can tell. After each batch the
Slack receipts of the incidents concerned are redrawn (the core's delivery hooks).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from datetime import datetime

from bot.core import Core
from bot.plugins.contract import NoticeResult, Notifier, PublishError
from bot.store import db
from bot.subscribers import claims, fanout, notices, notifiers, wake

log = logging.getLogger(__name__)
FLUSH_EVERY = 0.2  # s between recordings of outcomes during a batch
Now = Callable[[], datetime]


class Lane:
    """One notifier's lane in one worker."""

    def __init__(self, core: Core, notifier: Notifier, *, worker: str, now: Now) -> None:
        self.core, self.notifier, self.worker, self.now = core, notifier, worker, now
        self.held: set[int] = set()
        self.pending: list[NoticeResult] = []
        self.flushed_at = time.monotonic()
        self.lock = threading.Lock()
        self.sent = 0
        self.touched: set[int] = set()  # incidents whose notices were recorded during this batch

    def turn(self) -> int:
        """Run due fan-outs, then claim one batch, send it, record it; how many notifications were claimed."""
        fanout.run_due(self.core, now=self.now())
        with db.transaction(self.core.sessions) as session:
            ids = claims.claim(session, channel=self.notifier.name, worker=self.worker, now=self.now(),
                               lease=self.core.config.claim_lease, limit=self.notifier.batch_size)
        if not ids:
            return 0
        self.held = set(ids)
        with self.core.reading() as session:
            batch = notices.load(session, ids, worker=self.worker, config=self.core.config)
        self.drop({i for i in ids} - {n.id for n in batch})
        try:
            self.notifier.send_batch(batch, self.report)
        except Exception as exc:  # a notifier bug must not stop the lane: what it did not report is retried
            log.exception("notifier %s raised on a batch of %d", self.notifier.name, len(batch))
            self.report_rest(PublishError(f"{type(exc).__name__}: {exc}", retryable=True, unknown=True))
        self.report_rest(PublishError("not sent (the notifier did not report it)", retryable=True))
        self.flush()
        with self.lock:
            incidents, self.touched = sorted(self.touched), set()
        for incident_id in incidents:
            for hook in self.core.delivery_hooks:
                self.core.call_hook(getattr(hook, "__name__", repr(hook)), hook, self.core, incident_id)
        return len(ids)

    def report(self, result: NoticeResult) -> None:
        """What the notifier calls for each notice: recorded within FLUSH_EVERY seconds."""
        with self.lock:
            self.pending.append(result)
            due = time.monotonic() - self.flushed_at >= FLUSH_EVERY
        if due:
            self.flush()

    def report_rest(self, error: PublishError) -> None:
        """Report `error` for every held notice not reported yet."""
        with self.lock:
            done = {r.notice_id for r in self.pending}
            left = [i for i in self.held if i not in done]
        for notice_id in left:
            self.report(NoticeResult(notice_id, error))

    def flush(self) -> None:
        """Record the outcomes reported so far (their incidents' receipts are redrawn after the batch)."""
        with self.lock:
            results, self.pending = self.pending, []
            self.flushed_at = time.monotonic()
            self.held -= {r.notice_id for r in results}
        if not results:
            return
        with db.transaction(self.core.sessions) as session:
            incidents = claims.record(session, results, worker=self.worker, now=self.now(), config=self.core.config)
        with self.lock:
            self.touched.update(incidents)
            self.sent += sum(1 for r in results if r.error is None)

    def drop(self, ids: set[int]) -> None:
        """Cancel claimed notices no longer owed to anyone (e.g. a second confirmation mail of someone who
        has confirmed since)."""
        if ids:
            with db.transaction(self.core.sessions) as session:
                claims.cancel_ids(session, ids=ids, worker=self.worker)
            self.held -= ids

    def release(self) -> None:
        """Give back what is still held (stopping mid-batch): due again at once."""
        if self.held:
            with db.transaction(self.core.sessions) as session:
                claims.release(session, ids=self.held, worker=self.worker)
            self.held = set()

    def run(self, stop: threading.Event) -> None:
        """Send until `stop` is set; then give back what is held."""
        woken = wake.event()
        try:
            while not stop.is_set():
                woken.clear()
                try:
                    claimed = self.turn()
                except Exception:  # the database may be restarting; the lane tries again shortly
                    log.exception("notifier lane %s: turn failed", self.notifier.name)
                    claimed = 0
                if not claimed:
                    woken.wait(self.core.config.worker_poll)
        finally:
            wake.forget(woken)
            self.release()


def start(core: Core, stop: threading.Event, *, worker: str, now: Now) -> list[threading.Thread]:
    """Start a lane thread per enabled notifier, until `stop`; the threads."""
    threads = []
    for name, notifier in notifiers.load(core.context).items():
        lane = Lane(core, notifier, worker=worker, now=now)
        thread = threading.Thread(target=lane.run, args=(stop,), name=f"herald-notify-{name}", daemon=True)
        thread.start()
        threads.append(thread)
    return threads
