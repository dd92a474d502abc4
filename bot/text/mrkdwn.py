"""Slack mrkdwn → Markdown for public text (SPEC §3), and the escaping that keeps user text inert in Slack.

Mentions of people, channels and groups and the `<!channel>`-style broadcasts are removed (public
text never leaks internal ids or names); `<https://x|label>` becomes `[label](https://x)` (or `<https://x>`
when the label names another address: bot.text.links);
`*bold*`, `~strike~`, `•` bullets and ``` fences become Markdown; `&amp;`, `&lt;`, `&gt;` are decoded;
bidirectional override characters, which can make text read differently from what was typed, are
dropped. No maintained PyPI package converts in this direction, so this is the one hand-written
converter; Markdown → mrkdwn for the Slack publisher uses `markdown-to-mrkdwn`.

Markdown going back into Slack is escaped first, so the only `<…>` in the converter's output are the
links and images it made; each is rebuilt by bot.text.links.slack_link, so `[everyone](!channel)` reads as the
word "everyone" and never becomes the broadcast `<!channel|everyone>`.
"""

from __future__ import annotations

import html
import re

from jinja2 import Environment
from markdown_to_mrkdwn import SlackMarkdownConverter

from bot.text.links import misleading, slack_link, slack_text

_ANGLE = re.compile(r"<([^<>\n]*)>")
_CODE = re.compile(r"```(.*?)```|`([^`\n]+)`", re.DOTALL)
_BOLD = re.compile(r"(?<![\w*])\*(?=\S)([^*\n]+?)(?<=\S)\*(?![\w*])")
_STRIKE = re.compile(r"(?<![\w~])~(?=\S)([^~\n]+?)(?<=\S)~(?![\w~])")
_BULLET = re.compile(r"^(\s*)[•◦▪‣]\s+", re.MULTILINE)
_BIDI = re.compile("[\u202a-\u202e\u2066-\u2069]")
_SPACES = re.compile(r"(?<=\S)[ \t]{2,}")
_LINK_SCHEMES = ("http://", "https://", "mailto:")
_MADE = re.compile(r"<([^<>]*)>")  # in the converter's output of escaped text: only the links it made
_ENTITY = re.compile(r"&(amp|lt|gt);")
_UNESCAPED = {"amp": "&", "lt": "<", "gt": ">"}


_CONVERTER = SlackMarkdownConverter()  # stateless between calls; built once

def to_markdown(text: str) -> str:
    """Convert Slack mrkdwn (as Slack sends it, entities escaped) to Markdown for public channels."""
    pieces, last = [], 0
    for match in _CODE.finditer(text):
        pieces.append(_prose(text[last:match.start()]))
        pieces.append(_code(match))
        last = match.end()
    pieces.append(_prose(text[last:]))
    return _tidy("".join(pieces))


def to_plain(text: str) -> str:
    """Convert Slack text to plain public text (titles): mentions removed, links to their labels."""
    plain = html.unescape(_ANGLE.sub(lambda m: _angle(m.group(1), markdown=False), text))
    return _tidy(_SPACES.sub(" ", plain))


def escape(text: str) -> str:
    """Escape `&`, `<` and `>` so user text shows literally in Slack and cannot mention or link."""
    return slack_text(text)


def to_mrkdwn(body: str) -> str:
    """Stored Markdown as Slack mrkdwn in which nothing can mention, broadcast or mislabel a link."""
    converted = _CONVERTER.convert(escape(body))
    return _MADE.sub(lambda m: _relink(m.group(1)), converted)


def register_filters(env: Environment) -> None:
    """Add `slack_escape` (user text into mrkdwn), `mrkdwn` (Markdown body → mrkdwn) and
    `slack_link` (`url|slack_link("label")`) to `env`."""
    env.filters.setdefault("slack_escape", escape)
    env.filters.setdefault("mrkdwn", to_mrkdwn)
    env.filters.setdefault("slack_link", slack_link)


def _relink(inner: str) -> str:
    """A `<target|label>` the converter made (from escaped text), rebuilt safely."""
    target, bar, label = inner.partition("|")
    return slack_link(_unescape(target), _unescape(label) if bar else None)


def _unescape(text: str) -> str:
    """The exact inverse of `escape` (html.unescape would also decode entities the user typed)."""
    return _ENTITY.sub(lambda m: _UNESCAPED[m.group(1)], text)


def _prose(text: str) -> str:
    text = _ANGLE.sub(lambda m: _angle(m.group(1), markdown=True), text)
    text = _BOLD.sub(r"**\1**", text)
    text = _STRIKE.sub(r"~~\1~~", text)
    text = _BULLET.sub(r"\1- ", text)
    return _SPACES.sub(" ", html.unescape(text))


def _code(match: re.Match[str]) -> str:
    if match.group(1) is not None:
        return "\n```\n" + html.unescape(match.group(1).strip("\n")) + "\n```\n"
    return "`" + html.unescape(match.group(2)) + "`"


def _angle(inner: str, *, markdown: bool) -> str:
    """One `<…>` token: mentions and broadcasts vanish; links keep their label; dates keep their fallback."""
    target, _, label = inner.partition("|")
    if target.startswith(("@", "#", "!subteam")) or target in ("!channel", "!here", "!everyone"):
        return ""
    if target.startswith("!date"):
        return label
    if target.startswith(_LINK_SCHEMES):
        if label and misleading(html.unescape(label), html.unescape(target)):
            label = ""  # a label naming another address would mislead: show where the link goes
        if not markdown:
            return label or target
        return f"[{label}]({target})" if label else f"<{target}>"
    return f"<{inner}>"  # not a Slack token (e.g. an unescaped `<` typed in the CLI): keep it as written


def _tidy(text: str) -> str:
    lines = [line.rstrip() for line in _BIDI.sub("", text).split("\n")]
    return "\n".join(lines).strip()
