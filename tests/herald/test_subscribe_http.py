"""POST /subscribe, the confirmation link and one-click unsubscribe on a real `herald serve`, with a real
SMTP server on 127.0.0.1; each test speaks from its own loopback address (127.0.0.N), as separate clients."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select

from bot.commands import execute
from bot.config import load_config
from bot.core import Core
from bot.subscribers.models import Notification, Subscriber
from bot.text import grammar
from herald.app import create_core
from tests.fakes.smtp import SmtpSink
from tests.serving import database, start_server, stop_server
from tests.support import eventually, make_env


@dataclass
class Site:
    url: str
    core: Core
    sink: SmtpSink

    def client(self, n: int) -> httpx.Client:
        """An HTTP client whose requests come from 127.0.0.`n`."""
        return httpx.Client(base_url=self.url, timeout=30,
                            transport=httpx.HTTPTransport(local_address=f"127.0.0.{n}"))


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    """A Herald that mails through a local SMTP server; webhooks to private addresses refused (the default)."""
    tmp = tmp_path_factory.mktemp("subscribe")
    with SmtpSink() as sink:
        for url in database(tmp):
            env = make_env(url, tmp, HERALD_SMTP_URL=sink.url, HERALD_MAIL_FROM="status@example.com",
                           HERALD_PUBLIC_URL="http://127.0.0.1:1", HERALD_WORKER_POLL="0.2")
            base, process, _log = start_server(env, tmp)
            core = create_core(load_config(env))
            try:
                yield Site(base, core, sink)
            finally:
                stop_server(process)
                core.engine.dispose()


def link(mail_text: str, path: str) -> str:
    """The path and query of the first link to `path` in a mail."""
    found = re.search(r"https?://[^/\s]+(/" + re.escape(path) + r"\?token=[A-Za-z0-9_%-]+)", mail_text)
    assert found, mail_text
    return found.group(1)


def text_of(sink: SmtpSink, address: str, index: int = -1) -> str:
    return str(sink.to(address)[index].message.get_body(("plain",)).get_content())


def count(core: Core, model: type, **where: object) -> int:
    with core.sessions() as session:
        query = select(func.count()).select_from(model)
        for name, value in where.items():
            query = query.where(getattr(model, name) == value)
        return int(session.scalar(query) or 0)


def test_double_opt_in_then_update_then_one_click_unsubscribe(site: Site) -> None:
    """Subscribing mails a confirmation only; once confirmed, the next update arrives; one POST unsubscribes."""
    with site.client(2) as web:
        answer = web.post("/subscribe", data={"address": "ann@example.com", "components": "app"})
        assert answer.status_code == 200 and "Check your inbox" in answer.text
        eventually(lambda: site.sink.to("ann@example.com"), what="the confirmation mail")
        execute(site.core, grammar.parse("open Checkout slow -c app"))  # before confirming: not for Ann
        confirm = link(text_of(site.sink, "ann@example.com"), "subscribe/confirm")
        assert web.get(confirm).status_code == 200
        execute(site.core, grammar.parse("update 1 -s identified The cause is a bad deploy."))
        mail = eventually(lambda: len(site.sink.to("ann@example.com")) == 2 and site.sink.to("ann@example.com")[1])
        assert "The cause is a bad deploy." in text_of(site.sink, "ann@example.com")
        one_click = httpx.URL(mail.header("List-Unsubscribe").strip("<>")).raw_path.decode()
        assert "Unsubscribe" in web.get(one_click).text  # a page with one button: nothing changes on GET
        answer = web.post(one_click, content=b"List-Unsubscribe=One-Click",
                          headers={"Content-Type": "application/x-www-form-urlencoded"})
        assert answer.status_code == 200 and "You are unsubscribed" in answer.text
    execute(site.core, grammar.parse("resolve 1"))
    eventually(lambda: count(site.core, Notification, kind="update", state="cancelled")
               + count(site.core, Notification, kind="update", state="sent") >= 1)
    assert len(site.sink.to("ann@example.com")) == 2


def test_the_same_answer_whether_or_not_already_subscribed(site: Site) -> None:
    """Asking twice gives the same page, and the address gets one confirmation mail, not two."""
    with site.client(3) as web:
        first = web.post("/subscribe", data={"address": "bob@example.com"})
        second = web.post("/subscribe", data={"address": "BOB@example.com "})
    assert first.status_code == second.status_code == 200 and first.text == second.text
    eventually(lambda: site.sink.to("bob@example.com") and not count(site.core, Notification, kind="confirm",
                                                                     state="pending"), what="the confirmations sent")
    assert len(site.sink.to("bob@example.com")) == 1


def test_header_injection_in_the_address_is_refused(site: Site) -> None:
    """An address carrying a line break and a Bcc header is refused: no subscriber, no mail."""
    before = count(site.core, Subscriber)
    with site.client(4) as web:
        answer = web.post("/subscribe", data={"address": "eve@example.com\r\nBcc: victim@example.com"})
    assert answer.status_code == 400 and "not a valid email address" in answer.text
    assert count(site.core, Subscriber) == before
    assert not site.sink.to("victim@example.com")


def test_a_ten_megabyte_form_is_refused_unread(site: Site) -> None:
    """A 10 MB body gets 413 and the server keeps answering."""
    with site.client(5) as web:
        answer = web.post("/subscribe", content=b"address=" + b"a" * (10 * 1024 * 1024),
                          headers={"Content-Type": "application/x-www-form-urlencoded"})
        assert answer.status_code == 413
        assert web.get("/healthz").status_code == 200


def test_a_thousand_requests_from_one_client_are_stopped_at_the_door(site: Site) -> None:
    """One client sending a thousand subscriptions gets 429 after ten; at most ten addresses are stored."""
    before = count(site.core, Subscriber)
    with site.client(6) as web:
        codes = [web.post("/subscribe", data={"address": f"flood{n}@example.com"}).status_code for n in range(1000)]
    assert codes[:10] == [200] * 10 and set(codes[10:]) == {429}
    assert count(site.core, Subscriber) - before == 10
    with site.client(7) as other:  # another client is not held up
        assert other.post("/subscribe", data={"address": "carol@example.com"}).status_code == 200


@pytest.mark.parametrize("url", ["http://169.254.169.254/latest/meta-data/", "http://[::1]/hook",
                                 "http://localhost:9/hook", "http://10.0.0.1/hook"])
def test_webhooks_to_private_addresses_are_refused(site: Site, url: str) -> None:
    """Webhook URLs of link-local, loopback (by address or by name) or private addresses are refused."""
    with site.client(8) as web:
        answer = web.post("/subscribe", data={"address": url})
    assert answer.status_code == 400 and "private, loopback or link-local" in answer.text
    assert count(site.core, Subscriber, address=url) == 0


def test_a_bad_confirmation_link_says_so(site: Site) -> None:
    """A made-up token gets a 404 page that says the link is not valid."""
    with site.client(9) as web:
        answer = web.get("/subscribe/confirm", params={"token": "x" * 43})
    assert answer.status_code == 404 and "not valid" in answer.text


def test_the_front_page_offers_the_form(site: Site, tmp_path: Path) -> None:
    """With mail configured, the status page's front page has the subscribe form posting to /subscribe."""
    execute(site.core, grammar.parse("open Form check"))
    page = eventually(lambda: (text := httpx.get(site.url + "/").text) and "subscribe-form" in text and text)
    assert 'action="subscribe"' in page and 'name="components" value="app"' in page
