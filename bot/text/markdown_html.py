"""Markdown as the public reads it: HTML for our own pages, and Markdown for Discourse without raw HTML.

The status page, its feeds and the sandbox page promise no third-party requests, so an image in an
update (`![x](https://elsewhere/p.png)`) is shown as a link to the image, never loaded. A link whose
label names another address than it goes to (`[https://status.example.com](https://evil.example/x)`)
shows where it goes instead (bot.text.links.misleading, the rule Slack's links follow too). Discourse
renders raw HTML in Markdown (sanitised, but still markup a user typed); `without_raw_html` escapes
each `<` that would start a tag, leaving code spans, code blocks and autolinks as they were, so the
forum shows exactly the text the status page shows.
"""

from __future__ import annotations

import re
import string
from collections.abc import Sequence
from itertools import groupby
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml
from markdown_it.rules_inline.autolink import AUTOLINK_RE, EMAIL_RE
from markdown_it.token import Token

from bot.text.links import is_web_target, misleading

_BACKTICKS = re.compile(r"`+")
_RAW_HTML = ("html_inline", "html_block")
_PUNCTUATION = frozenset(string.punctuation)


def _image_as_link(self: Any, tokens: Sequence[Token], idx: int, options: Any, env: Any) -> str:
    """An image becomes a link to it labelled with its alt text (just the text inside another link)."""
    token = tokens[idx]
    src = token.attrGet("src") or ""
    label = escapeHtml(self.renderInlineAsText(token.children or [], options, env) or str(src))
    if _inside_link(tokens, idx):
        return label
    return f'<a href="{escapeHtml(str(src))}">{label}</a>'


def _inside_link(tokens: Sequence[Token], idx: int) -> bool:
    """True when token `idx` sits between a link_open and its link_close."""
    depth = 0
    for token in tokens[:idx]:
        depth += {"link_open": 1, "link_close": -1}.get(token.type, 0)
    return depth > 0


def _honest_links(state: Any) -> None:
    """Replace the label of every link that names another address with the link's own target."""
    for block in state.tokens:
        block.children = _honest(block.children or [])


def _honest(children: list[Token]) -> list[Token]:
    """One inline run of tokens with each misleading link label replaced by the link's target."""
    out: list[Token] = []
    opened: int | None = None
    for token in children:
        out.append(token)
        if token.type == "link_open":
            opened = len(out) - 1
        elif token.type == "link_close" and opened is not None:
            label = "".join(t.content for t in out[opened + 1:-1] if t.type in ("text", "code_inline"))
            target = str(out[opened].attrGet("href") or "")
            if is_web_target(target) and misleading(label, target):
                shown = Token("text", "", 0)
                shown.content = target
                out[opened + 1:-1] = [shown]
            opened = None
    return out


def make_renderer(*, chat: bool = False) -> MarkdownIt:
    """CommonMark with strikethrough, raw HTML shown as text, images as links. `chat`: as Discourse and
    Slack show a post, where a line break is a break and a bare address is a link."""
    md = MarkdownIt("commonmark", {"html": False, "linkify": chat, "breaks": chat}).enable("strikethrough")
    if chat:
        md.enable("linkify")
    md.add_render_rule("image", _image_as_link)
    md.core.ruler.push("honest_links", _honest_links)
    return md


_with_html = MarkdownIt("commonmark", {"html": True})


def without_raw_html(text: str) -> str:
    """`text` with every `<` that could open raw HTML written `&lt;`; code and autolinks untouched."""
    lines = text.split("\n")
    unit: list[object] = list(range(len(lines)))  # lines escaped together share a unit
    for token in _with_html.parse(text):
        if token.map and token.type in ("fence", "code_block"):
            for number in range(*token.map):
                unit[number] = "code"
        elif token.map and token.type in ("inline", "html_block"):  # a code span may run over lines
            for number in range(*token.map):
                unit[number] = ("block", token.map[0])
    pieces = []
    for key, group in groupby(zip(unit, lines, strict=True), key=lambda pair: pair[0]):
        run = "\n".join(line for _, line in group)
        pieces.append(run if key == "code" else _escape_prose(run))
    escaped = "\n".join(pieces)
    if any(t.type in _RAW_HTML or any(c.type in _RAW_HTML for c in t.children or [])
           for t in _with_html.parse(escaped)):
        return text.replace("<", "&lt;")  # a construct we misjudged: lose code fidelity, never safety
    return escaped


def _escape_prose(text: str) -> str:
    """Escape `<` outside code spans, backslash escapes and autolinks (CommonMark's precedence)."""
    out, i = [], 0
    while i < len(text):
        char = text[i]
        if char == "\\" and text[i + 1:i + 2] in _PUNCTUATION:
            out.append(text[i:i + 2])
            i += 2
        elif char == "`":
            i = _code_span(text, i, out)
        elif char == "<":
            out.append("<" if _autolink_at(text, i) else "&lt;")
            i += 1
        else:
            out.append(char)
            i += 1
    return "".join(out)


def _code_span(text: str, start: int, out: list[str]) -> int:
    """Copy the code span (or lone backtick run) at `start` into `out`; the index after it."""
    opening = _BACKTICKS.match(text, start)
    assert opening is not None
    run = opening.group()
    for closing in _BACKTICKS.finditer(text, opening.end()):
        if closing.group() == run:
            out.append(text[start:closing.end()])
            return closing.end()
    out.append(run)
    return opening.end()


def _autolink_at(text: str, start: int) -> bool:
    """True when an autolink (`<https://…>`, `<a@b.c>`) starts at `start`."""
    end = text.find(">", start)
    inner = text[start + 1:end] if end > 0 else ""
    return "<" not in inner and bool(AUTOLINK_RE.match(inner) or EMAIL_RE.match(inner))
