"""Email through a failing SMTP server: 421, 451, dropped and lost connections, 550; exactly once in the end."""

from __future__ import annotations

from collections import Counter

from bot.core import Core
from tests.bot.subscribers import kit
from tests.fakes.smtp import SmtpSink
from tests.publishers.email.conftest import run
from tests.support import eventually


def settle(core: Core) -> None:
    """Drain until no notification is pending (retries come due within milliseconds here)."""
    eventually(lambda: kit.drain(core) == 0 and not kit.rows(core, state="pending"), what="every notice settled")


def test_421_ends_the_batch_and_the_rest_is_sent_after(mailer: Core, sink: SmtpSink) -> None:
    """A 421 at DATA retries that mail and the rest of its batch; each address gets its one mail."""
    for n in range(5):
        kit.subscribe(mailer, f"s{n}@example.com")
    sink.script("421")
    run(mailer, "open Checkout down")
    settle(mailer)
    assert sink.injected == ["421"]
    assert [len(sink.to(f"s{n}@example.com")) for n in range(5)] == [1] * 5
    assert {r.state for r in kit.rows(mailer)} == {"sent"}


def test_a_refused_mailbox_disables_its_subscriber(mailer: Core, sink: SmtpSink) -> None:
    """550 No such user: that notice fails, the subscriber is disabled; the others are unaffected."""
    kit.subscribe(mailer, "gone@example.com")
    kit.subscribe(mailer, "here@example.com")
    sink.refuse("gone@example.com", "550")
    run(mailer, "open Checkout down")
    settle(mailer)
    gone = kit.subscriber(mailer, "gone@example.com")
    assert gone.disabled_at is not None and "550" in (gone.disabled_reason or "")
    assert len(sink.to("here@example.com")) == 1
    run(mailer, "update 1 Still down.")
    settle(mailer)
    assert not sink.to("gone@example.com") and len(sink.to("here@example.com")) == 2


def test_faults_at_random_end_in_exactly_one_mail_per_update_and_subscriber(mailer: Core, sink: SmtpSink) -> None:
    """With 30% of mails failing (421, 451, dropped, answer lost), every (update, subscriber) ends sent; each
    arrives under one Message-ID, and only a mail whose answer was lost arrives twice, under the same id."""
    sink.rate, sink.kinds = 0.3, ("421", "451", "drop", "lost")
    sink.script("451", "421", "drop", "lost")  # each kind at least once, then at random
    addresses = [f"s{n}@example.com" for n in range(20)]
    for address in addresses:
        kit.subscribe(mailer, address)
    run(mailer, "open Checkout down")
    run(mailer, "update 1 -s identified Found it.")
    run(mailer, "resolve 1")
    settle(mailer)
    rows = kit.rows(mailer)
    assert len(rows) == 60 and {r.state for r in rows} == {"sent"}
    ids = Counter((m.recipients[0], m.header("Message-ID")) for m in sink.mails)
    assert {a for a, _ in ids} == set(addresses) and len(ids) == 60
    assert sum(ids.values()) - len(ids) == sink.injected.count("lost")
    assert set(sink.injected) >= {"421", "451", "drop"}
