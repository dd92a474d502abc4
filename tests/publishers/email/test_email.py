"""Email subscribers against a real SMTP server on 127.0.0.1: what arrives, to whom, and how it threads."""

from __future__ import annotations

import re

from bot.core import Core
from bot.domain.models import utcnow
from publishers.statuspage import StatuspagePublisher
from tests.bot.subscribers import kit
from tests.fakes.smtp import SmtpSink
from tests.publishers.email.conftest import run


def test_an_update_reaches_each_subscriber_once_as_text_and_html(mailer: Core, sink: SmtpSink) -> None:
    """A confirmed subscriber gets one multipart mail per update, with the incident's link and one-click headers."""
    kit.subscribe(mailer, "ann@example.com")
    run(mailer, "open Checkout down -c app -m We are *looking* into it.")
    kit.drain(mailer)
    [mail] = sink.to("ann@example.com")
    assert mail.message.get_content_type() == "multipart/alternative"
    text = mail.message.get_body(("plain",)).get_content()
    html = mail.message.get_body(("html",)).get_content()
    assert "We are *looking* into it." in text and "<em>looking</em>" in html
    assert "https://status.example.test/incidents/1/" in text
    assert mail.header("From") == "Herald Status <status@example.com>"
    assert mail.header("List-Unsubscribe").startswith("<https://status.example.test/unsubscribe?token=")
    assert mail.header("List-Unsubscribe-Post") == "List-Unsubscribe=One-Click"
    assert [r.state for r in kit.rows(mailer)] == ["sent"]


def test_later_mails_thread_under_the_first(mailer: Core, sink: SmtpSink) -> None:
    """Every later mail of an incident names the first in In-Reply-To and References, under one subject."""
    kit.subscribe(mailer, "ann@example.com")
    run(mailer, "open Checkout down -c app")
    kit.drain(mailer)
    run(mailer, "update 1 -s identified A bad deploy.")
    kit.drain(mailer)
    run(mailer, "resolve 1")
    kit.drain(mailer)
    first, second, third = sink.to("ann@example.com")
    root = first.header("Message-ID")
    assert root and not first.header("In-Reply-To")
    assert [m.header("In-Reply-To") for m in (second, third)] == [root, root]
    assert [m.header("References") for m in (second, third)] == [root, root]
    assert len({m.header("Message-ID") for m in (first, second, third)}) == 3
    assert len({m.header("Subject") for m in (first, second, third)}) == 1


def test_the_mail_shows_the_same_time_as_the_status_page(mailer: Core, sink: SmtpSink, tmp_path: object) -> None:
    """The update's time in the mail is the very string the incident's page shows (one formatter)."""
    kit.subscribe(mailer, "ann@example.com")
    run(mailer, "open Checkout down -c app --at \"2010-09-02 02:03\"")  # dated: a bare 02:03 is future before 02:03
    kit.drain(mailer)
    StatuspagePublisher(mailer.context).build(utcnow())
    page = (mailer.config.site_dir / "incidents" / "1" / "index.html").read_text()
    html = sink.to("ann@example.com")[0].message.get_body(("html",)).get_content()
    stamp = re.search(r'<time datetime="([^"]+)">([^<]+)</time>', html)
    assert stamp
    shown = re.search(r'<time datetime="' + re.escape(stamp.group(1)) + r'" data-t>(.*?)</time>', page, re.S)
    assert shown and re.sub(r"<[^>]+>", "", shown.group(1)) == stamp.group(2)
    assert stamp.group(2) in sink.to("ann@example.com")[0].message.get_body(("plain",)).get_content()


def test_components_choose_who_is_told_and_resolve_reaches_all_who_were(mailer: Core, sink: SmtpSink) -> None:
    """An update reaches those whose components it touches; everyone told of an incident hears its end."""
    kit.subscribe(mailer, "all@example.com")
    kit.subscribe(mailer, "app@example.com", "app")
    kit.subscribe(mailer, "wiki@example.com", "wiki")
    run(mailer, "open Checkout down -c app")
    kit.drain(mailer)
    assert [len(sink.to(a)) for a in ("all@example.com", "app@example.com", "wiki@example.com")] == [1, 1, 0]
    run(mailer, "open Search slow -c www")
    kit.drain(mailer)
    assert [len(sink.to(a)) for a in ("all@example.com", "app@example.com", "wiki@example.com")] == [2, 1, 0]
    run(mailer, "update 1 -c wiki:major_outage Now the wiki too.")
    run(mailer, "resolve 1")
    kit.drain(mailer)
    assert [len(sink.to(a)) for a in ("all@example.com", "app@example.com", "wiki@example.com")] == [4, 3, 2]


def test_nothing_but_the_confirmation_before_it_is_followed(mailer: Core, sink: SmtpSink) -> None:
    """An unconfirmed address gets its confirmation mail and no update."""
    kit.subscribe(mailer, "new@example.com", confirmed=False)
    run(mailer, "open Checkout down -c app")
    kit.drain(mailer)
    [mail] = sink.to("new@example.com")
    assert "Confirm your subscription" in mail.header("Subject")
    assert "/subscribe/confirm?token=" in mail.message.get_body(("plain",)).get_content()
    assert [r.kind for r in kit.rows(mailer)] == ["confirm"]
