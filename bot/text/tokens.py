"""Split `/incident` text into words; words remember where they came from (bot.text.scan reads options).

Each token keeps its span in the raw text, so the grammar can cut messages out verbatim
(spacing, newlines and quotes intact) instead of re-joining words. `"…"`, Slack's smart quotes
`“…”` and `„…“` group words; a quote only opens at the start of a word and only closes at the
end of one, so apostrophes (`We're`, `don’t`) and stray quote marks stay part of their word.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence
from dataclasses import dataclass

from bot.text.zones import letters_in_use

_TOKEN = re.compile(
    r"""
      "(?P<straight>[^"]*)"(?=\s|\Z)            # "plain quotes"
    | [“”„](?P<smart>[^“”„]*)[“”](?=\s|\Z)      # “smart quotes” and „low quotes“
    | (?P<bare>\S+)
    """,
    re.VERBOSE,
)

# option -> how its value is read; "rest" takes the remainder of the raw text verbatim
_OPTION_LIKE = re.compile(r"(?:-|--|[—–])[A-Za-z]")  # macOS turns "--" into a dash; accept "—at"

_TIME_PART = re.compile(
    r"""
      \d{4}-\d{2}-\d{2}(?:T\d{1,2}:\d{2}(?::\d{2})?)?   # 2010-09-02, 2010-09-02T02:03
    | \d{1,2}(?::\d{2}){1,2}(?i:[ap]\.?m\.?)?           # 02:03, 14:44:10, 2:03pm
    | \d{1,2}(?i:[ap]\.?m\.?)                           # 2pm
    | (?i:[ap]\.?m\.?)                                  # pm
    | [+-]\d{2}:?\d{2} | Z                              # +05:30, -0700, Z
    | (?:UTC|GMT)(?:[+-]\d{1,2}(?::?\d{2})?)?           # UTC, GMT+2
    | [A-Z][A-Za-z_]+(?:/[A-Za-z0-9_+-]+)+              # America/Los_Angeles
    """,
    re.VERBOSE,
)


@dataclass(frozen=True)
class Token:
    """One word or quoted group: its text without quotes and its span in the raw text."""

    text: str
    start: int
    end: int
    quoted: bool = False


def tokenize(text: str) -> list[Token]:
    """Split text into tokens, honouring straight and smart quotes."""
    tokens = []
    for match in _TOKEN.finditer(text):
        bare = match.group("bare")
        if bare is not None:
            tokens.append(Token(bare, match.start(), match.end()))
        else:
            inner = match.group("straight") if match.group("smart") is None else match.group("smart")
            tokens.append(Token(inner, match.start(), match.end(), quoted=True))
    return tokens


def is_time_part(token: Token) -> bool:
    """Whether an unquoted token can continue a time value (date, clock, am/pm, zone)."""
    if token.quoted:
        return False
    return _TIME_PART.fullmatch(token.text) is not None or token.text in letters_in_use()


def verbatim(raw: str, tokens: Sequence[Token], indices: Sequence[int]) -> str:
    """The raw text of the given tokens; runs of adjacent tokens keep their original spacing."""
    runs: list[list[int]] = []
    for index in indices:
        if runs and index == runs[-1][-1] + 1:
            runs[-1].append(index)
        else:
            runs.append([index])
    return " ".join(raw[tokens[run[0]].start : tokens[run[-1]].end] for run in runs)


def suggest(word: str, choices: Sequence[str]) -> str:
    """A ` — did you mean "x"?` tail for the closest choice, or nothing."""
    close = difflib.get_close_matches(word, choices, n=1)
    return f' — did you mean "{close[0]}"?' if close else ""


def looks_like_option(token: Token) -> bool:
    """Whether a token is written like an option (so it cannot be an option's value)."""
    return not token.quoted and _OPTION_LIKE.match(token.text) is not None
