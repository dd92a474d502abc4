"""Public Markdown: images become links on our pages, and forum Markdown carries no raw HTML."""

from __future__ import annotations

import random

import pytest
from markdown_it import MarkdownIt

from bot.text.markdown_html import make_renderer, without_raw_html
from bot.text.templating import make_environment
from bot.text.times import Clock

WITH_HTML = MarkdownIt("commonmark", {"html": True})  # how Discourse reads raw HTML in a post
NO_HTML = MarkdownIt("commonmark", {"html": False})  # how our own pages read the same text


def raw_html(markdown: str) -> list[str]:
    """The raw HTML pieces a renderer that allows HTML would pass through."""
    found = []
    for token in WITH_HTML.parse(markdown):
        found += [t.content for t in [token, *(token.children or [])] if t.type in ("html_inline", "html_block")]
    return found


def test_remote_image_is_a_link_not_an_image() -> None:
    """An image becomes a link to it labelled by its alt text (or its address); inside a link, just the text."""
    html = make_environment(Clock()).filters["markdown"](
        "See ![the graph](https://evil.example/p.png) and ![](https://evil.example/q.png) "
        "or [![badge](https://evil.example/b.svg)](https://ci.example/)")
    assert "<img" not in html
    assert '<a href="https://evil.example/p.png">the graph</a>' in html
    assert '<a href="https://evil.example/q.png">https://evil.example/q.png</a>' in html
    assert '<a href="https://ci.example/">badge</a>' in html


def test_image_link_escapes_its_parts() -> None:
    """Alt text and address are escaped, and unsafe schemes stay refused as for any link."""
    html = make_renderer().render('![a "b" <c>](https://x.example/?a=1&b="2") ![x](javascript:alert(1))')
    assert '<a href="https://x.example/?a=1&amp;b=%222%22">a &quot;b&quot; &lt;c&gt;</a>' in html
    assert 'href="javascript' not in html and "<img" not in html


@pytest.mark.parametrize("typed", [
    "We see <img src=x onerror=alert(1)> errors",
    "<script>alert(1)</script>",
    "<div>\nblock\n</div>",
    "latency < 200 ms and > 100 ms",
    "Run `curl -H '<x>'` to check",
    "```\n<pre>kept</pre>\n```\nthen <b>bold?</b>",
    "    <indented code>",
    "> quoted <i>text</i>",
    "- a list <span>item</span>",
    "see <https://status.example.com/x> or <ops@example.com>",
    "already escaped \\<b>",
    "a code span over `two\n<lines>` is code",
    "<!-- a comment -->",
    "<?php echo 1; ?>",
])
def test_forum_markdown_shows_typed_html_literally(typed: str) -> None:
    """After escaping, a renderer that allows HTML shows exactly what our HTML-free renderer shows."""
    escaped = without_raw_html(typed)
    assert raw_html(escaped) == []
    assert WITH_HTML.render(escaped) == NO_HTML.render(typed)


def test_forum_markdown_never_carries_raw_html_on_random_text() -> None:
    """Across 5,000 random strings of Markdown's sharp characters, nothing parses as raw HTML."""
    rng = random.Random(11)
    alphabet = "ab <>/`\\\n*[]()!-=:@.'\"~"
    for _ in range(5000):
        typed = "".join(rng.choice(alphabet) for _ in range(rng.randint(1, 30)))
        assert raw_html(without_raw_html(typed)) == [], typed


def test_a_link_naming_another_address_shows_where_it_goes() -> None:
    """On the page, `[https://status.example.com](https://evil.example/phish)` reads as the phishing address it
    really opens; honest labels stay as written."""
    html = make_renderer().render("See [https://status.example.com](https://evil.example/phish), "
                                  "[**status.example.com**](https://evil.example/x) and [our docs](https://example.com/d)")
    assert '<a href="https://evil.example/phish">https://evil.example/phish</a>' in html
    assert '<a href="https://evil.example/x">https://evil.example/x</a>' in html
    assert '<a href="https://example.com/d">our docs</a>' in html and "status.example.com" not in html
