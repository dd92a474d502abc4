"""The sandbox pages, built by the real publishers in sandbox mode and read in Chromium as a person would."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from bot.core import Core
from bot.domain.snapshots import ThreadView
from tests.fakes.incidents import Story, deliver, herald
from tests.serving import serve_folder
from tests.support import shots

TITLE = 'Checkout <b>errors</b> & "quotes"'
FIRST = ("We see **slow** payments <script>alert(1)</script>, graph: ![latency](https://evil.example/p.png) "
         "and https://example.com/graph")
SECOND = "Found it: `<deploy 42>` rolled back.\nWatching [the dashboard](https://example.com/d)."
CHANNELS = ("twitter", "forum", "slack")


@pytest.fixture
def sandboxed(database_url: str, tmp_path: Path) -> Iterator[Core]:
    """A Herald whose Twitter, forum and Slack publishers deliver to sandbox files."""
    with herald(database_url, tmp_path, HERALD_SANDBOX="1", HERALD_PUBLISHERS="statuspage,twitter,forum,slack",
                HERALD_PAGE_NAME="Herald Status") as core:
        yield core


def tell(core: Core, title: str = TITLE) -> int:
    """Declare, update and resolve one incident through every sandboxed channel; its number."""
    story = Story(core)
    events = [story.declare(title=title, body=FIRST), story.update(SECOND, status="identified"), story.resolve()]
    for name in CHANNELS:
        publisher, thread = core.registry.get(name), None
        assert publisher is not None
        for event in events:
            _, thread = deliver(publisher, event, thread)
            assert isinstance(thread, ThreadView)
    return story.incident_id


@pytest.fixture
def site(sandboxed: Core) -> Iterator[str]:
    """The site folder on 127.0.0.1; yields its base URL."""
    with serve_folder(Path(sandboxed.config.site_dir)) as url:
        yield url


def visit(browser: Any, url: str, *, dark: bool = False, width: int = 900) -> tuple[Any, list[str]]:
    """A page in Chromium, recording every request to anywhere but 127.0.0.1."""
    context = browser.new_context(color_scheme="dark" if dark else "light", viewport={"width": width, "height": 800})
    page = context.new_page()
    foreign: list[str] = []
    page.on("request", lambda r: None if r.url.startswith(("http://127.0.0.1", "data:")) else foreign.append(r.url))
    page.goto(url, wait_until="load")
    return page, foreign


def test_index_lists_every_incident_and_each_has_its_own_page(sandboxed: Core) -> None:
    """The index links one page per incident and counts its posts; the posts themselves are on that page."""
    first, second = tell(sandboxed), tell(sandboxed, title="Slow admin")
    folder = Path(sandboxed.config.site_dir) / "sandbox"
    index = (folder / "index.html").read_text()
    assert f'href="{first}/"' in index and f'href="{second}/"' in index
    assert "3 tweets · 3 forum posts · 3 Slack announcements" in index and "slow" not in index
    assert "Checkout &lt;b&gt;errors&lt;/b&gt; &amp; &#34;quotes&#34;" in index
    page = (folder / str(second) / "index.html").read_text()
    assert page.count('class="post tweet') == 3 and "Checkout" not in page


def test_each_channel_reads_as_its_reader_sees_it(browser: Any, sandboxed: Core, site: str) -> None:
    """A tweet is its text with links and weighted length; forum and Slack posts are rendered, not markup."""
    number = tell(sandboxed)
    page, foreign = visit(browser, f"{site}sandbox/{number}/")
    tweets = page.locator("#twitter ~ .tweet .text")
    assert "We see slow payments <script>alert(1)</script>" in tweets.first.inner_text()
    assert page.locator("#twitter ~ .tweet .meta").first.inner_text().endswith("/280 weighted characters")
    assert page.locator("#twitter ~ .tweet a[href='https://status.example.test/incidents/1/']").count() == 3
    forum = page.locator(".post.forum").first
    assert forum.locator("strong", has_text="slow").count() == 1 and "<p>" not in forum.inner_text()
    assert "<script>alert(1)</script>" in forum.inner_text()
    assert forum.get_by_role("link", name="latency").get_attribute("href") == "https://evil.example/p.png"
    assert page.locator(".post.forum").nth(1).locator("code").inner_text() == "<deploy 42>"
    slack = page.locator(".post.slack").first
    assert slack.locator("strong").first.inner_text() == TITLE
    assert slack.get_by_role("link", name="status page").get_attribute("href") == \
        "https://status.example.test/incidents/1/"
    assert "*" not in slack.inner_text() and "&lt;" not in slack.inner_text() and "|status page>" not in page.content()
    assert page.locator("img").count() == 0 and foreign == []
    page.context.close()


@pytest.mark.parametrize("dark", [False, True], ids=["light", "dark"])
def test_sandbox_pages_pass_axe_and_fit_a_phone(browser: Any, sandboxed: Core, site: str, tmp_path: Path,
                                                dark: bool) -> None:
    """Index and incident page have no axe violations (contrast included) and no sideways scroll at 320 px."""
    from axe_playwright_python.sync_playwright import Axe

    number = tell(sandboxed)
    for path, width in (("sandbox/", 900), (f"sandbox/{number}/", 900), (f"sandbox/{number}/", 320)):
        page, _ = visit(browser, site + path, dark=dark, width=width)
        results = Axe().run(page)
        assert results.violations_count == 0, results.generate_report()
        assert page.evaluate("document.documentElement.scrollWidth <= innerWidth")
        name = f"sandbox-{path.count('/')}-{width}-{'dark' if dark else 'light'}.png"
        page.screenshot(path=str(shots(tmp_path) / name), full_page=True)
        page.context.close()


def test_tweet_links_stop_before_the_sentence_punctuation() -> None:
    """A tweet's web addresses are links up to the punctuation that ends their sentence; the rest is text."""
    from bot.plugins.sandbox_pages import tweet_parts

    assert tweet_parts("See (https://example.com/d). Or https://s.example/i/1/, ok\nhttps://x.example/?a=1") == (
        ("See (", None), ("https://example.com/d", "https://example.com/d"), ("). Or ", None),
        ("https://s.example/i/1/", "https://s.example/i/1/"), (", ok\n", None),
        ("https://x.example/?a=1", "https://x.example/?a=1"))


def test_the_mail_link_of_the_index_is_never_a_404(sandboxed: Core) -> None:
    """The index links mail/ from the start: before anyone subscribes that page says there is no mail yet."""
    tell(sandboxed)
    folder = Path(sandboxed.config.site_dir) / "sandbox"
    assert 'href="mail/"' in (folder / "index.html").read_text()
    assert "No mail yet." in (folder / "mail" / "index.html").read_text()
