"""Tweet text: plain text from the stored Markdown, length by the twitter-text rules (config v3: URLs
23, CJK and emoji 2), and cutting at a word boundary to fit."""

from __future__ import annotations

import html
import re
from collections.abc import Callable

from markdown_it import MarkdownIt
from markdown_it.token import Token
from twitter_text import parse_tweet

MAX_WEIGHTED = 280
ELLIPSIS = "…"
_URL = re.compile(r"https?://\S+")
_MARKDOWN = MarkdownIt("commonmark")
# Between two characters of scripts written without spaces (CJK ideographs, kana, hangul, fullwidth
# forms) is also a word boundary, so a Japanese message can be cut without dropping all of it.
_CUT = re.compile(r"\s+|(?<=[\u3000-\u9fff\uac00-\ud7af\uf900-\ufaff\uff00-\uffef])(?=\S)")


def weighted_length(text: str) -> int:
    """The length X counts for `text` (twitter-text v3 weighting)."""
    return parse_tweet(text).weightedLength


def fits(text: str) -> bool:
    """True when `text` is within the 280 weighted characters a post may have."""
    return weighted_length(text) <= MAX_WEIGHTED


def word_cuts(text: str) -> list[int]:
    """Positions where `text` can be cut at a word boundary (before whitespace, or after a CJK character)."""
    return sorted({m.start() for m in _CUT.finditer(text) if m.start() > 0})


def shorten(body: str, compose: Callable[[str], str]) -> str | None:
    """The longest `compose(body cut at a word + "…")` that fits, or None when even no words won't fit."""
    cuts = [c for c in word_cuts(body) if body[:c].strip()]
    best: str | None = None
    low, high = 0, len(cuts) - 1
    while low <= high:  # prefix weights only grow, so a binary search finds the longest fitting cut
        mid = (low + high) // 2
        candidate = compose(body[:cuts[mid]].rstrip() + ELLIPSIS)
        if fits(candidate):
            best, low = candidate, mid + 1
        else:
            high = mid - 1
    if best is None and fits(compose(ELLIPSIS)):
        best = compose(ELLIPSIS)
    return best


def cut_with_url(text: str, url: str) -> str:
    """`text` cut at a word boundary so that `text… url` fits; the last resort when a template can't."""
    tail = f"{ELLIPSIS} {url}"
    cuts = [c for c in word_cuts(text) if fits(text[:c].rstrip() + tail)]
    if cuts:
        return text[:cuts[-1]].rstrip() + tail
    return url


def same_post(ours: str, theirs: str) -> bool:
    """True when a post X returned is the one we sent (X rewrites links to t.co and escapes &<>)."""
    def norm(text: str) -> str:
        return " ".join(_URL.sub("<url>", html.unescape(text)).split())
    return norm(ours) == norm(theirs)


def plain(markdown: str) -> str:
    """Markdown as a tweet reads it: no emphasis marks, `label (url)` for links, `• ` for list items."""
    lines: list[str] = []
    bullet = ""
    for token in _MARKDOWN.parse(markdown):
        if token.type == "list_item_open":
            bullet = "• "
        elif token.type == "inline":
            lines.append(bullet + _inline(token.children or []))
            bullet = ""
        elif token.type in ("fence", "code_block"):
            lines.append(token.content.rstrip("\n"))
    return "\n".join(lines).strip()


def _inline(children: list[Token]) -> str:
    out: list[str] = []
    link: tuple[str, int] | None = None
    for token in children:
        if token.type in ("text", "code_inline", "html_inline"):
            out.append(token.content)
        elif token.type in ("softbreak", "hardbreak"):
            out.append("\n")
        elif token.type == "link_open":
            link = (str(token.attrs.get("href", "")), len(out))
        elif token.type == "link_close" and link:
            href, start = link
            if href and "".join(out[start:]) != href:
                out.append(f" ({href})")
            link = None
    return "".join(out)
