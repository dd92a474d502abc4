"""Split `/incident` text into words and options; words remember where they came from.

Each token keeps its span in the raw text, so the grammar can cut messages out verbatim
(spacing, newlines and quotes intact) instead of re-joining words. `"…"`, Slack's smart quotes
`“…”` and `„…“` group words; a quote only opens at the start of a word and only closes at the
end of one, so apostrophes (`We're`, `don’t`) and stray quote marks stay part of their word.
`scan` then separates options (and their values) from free words; `-m` takes the rest verbatim.
"""

from __future__ import annotations

import difflib
import functools
import re
import zoneinfo
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from bot.errors import UsageError

_TOKEN = re.compile(
    r"""
      "(?P<straight>[^"]*)"(?=\s|\Z)            # "plain quotes"
    | [“”„](?P<smart>[^“”„]*)[“”](?=\s|\Z)      # “smart quotes” and „low quotes“
    | (?P<bare>\S+)
    """,
    re.VERBOSE,
)

# option -> how its value is read; "rest" takes the remainder of the raw text verbatim
KINDS = {
    "components": "list", "publish": "list", "impact": "word", "status": "word", "at": "time",
    "from": "time", "to": "time", "dry-run": "flag", "no-auto": "flag", "message": "rest",
}
SHORT = {"-c": "components", "-i": "impact", "-s": "status", "-m": "message"}
_LONG_TO_SHORT = {name: short for short, name in SHORT.items()}
_OPTION_LIKE = re.compile(r"(?:-|--|[—–])[A-Za-z]")  # macOS turns "--" into a dash; accept "—at"

MAX_TITLE = 200
MAX_MESSAGE = 5000
_NAME = re.compile(r"[a-z0-9_-]+")
_NUMBER = re.compile(r"#?([0-9]{1,10})")
_NUMBER_LIMIT = 2**31 - 1  # fits the database's integer columns
_LINE_BREAK = re.compile(r"[ \t]*[\n\t][ \t\n]*")  # a title is one line

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
    return _TIME_PART.fullmatch(token.text) is not None or token.text in zone_abbreviations()


@functools.cache
def zone_abbreviations() -> frozenset[str]:
    """Upper-case zone abbreviations in use this year (PDT, CEST, MSK), from the tz database."""
    # A fixed list, not "any 2-5 capitals": "--at 14:02 DNS is failing" must leave DNS in the message.
    year_start = datetime(datetime.now(UTC).year, 1, 1, tzinfo=UTC)
    samples = [year_start + timedelta(days=day) for day in range(0, 366, 15)]
    names: set[str] = set()
    for key in zoneinfo.available_timezones():
        zone = zoneinfo.ZoneInfo(key)
        names.update(sample.astimezone(zone).tzname() or "" for sample in samples)
    return frozenset(name for name in names if name.isalpha() and name.isupper())


def verbatim(raw: str, tokens: Sequence[Token], indices: Sequence[int]) -> str:
    """The raw text of the given tokens; runs of adjacent tokens keep their original spacing."""
    runs: list[list[int]] = []
    for index in indices:
        if runs and index == runs[-1][-1] + 1:
            runs[-1].append(index)
        else:
            runs.append([index])
    return " ".join(raw[tokens[run[0]].start : tokens[run[-1]].end] for run in runs)


@dataclass
class Scan:
    """What `scan` found for one subcommand, with readers that check each part."""

    raw: str
    tokens: Sequence[Token]
    command: str
    usage: str
    free: list[int] = field(default_factory=list)  # indices of the tokens that are not options
    values: dict[str, str] = field(default_factory=dict)  # option -> value ("" for flags)
    found_message: str | None = None  # the text after -m

    def fail(self, message: str) -> UsageError:
        """A UsageError for this subcommand."""
        return UsageError(message, self.usage)

    def word(self, position: int) -> Token | None:
        """The free word at `position`, if there is one."""
        return self.tokens[self.free[position]] if position < len(self.free) else None

    def no_more(self, count: int) -> None:
        """Refuse free words beyond the first `count`."""
        extra = self.word(count)
        if extra is not None:
            raise self.fail(f'unexpected "{extra.text}"')

    def number(self, token: Token, what: str) -> int:
        """A positive number written `42` or `#42`."""
        match = _NUMBER.fullmatch(token.text.strip())
        if match is None or not 0 < int(match.group(1)) <= _NUMBER_LIMIT:
            raise self.fail(f'"{token.text}" is not {what}')
        return int(match.group(1))

    def title(self) -> str:
        """The free words as typed, quotes and spacing kept, on one line; a title that is one quoted
        group (`open "Login broken" -c app`, or a shell word the CLI re-quoted) loses the grouping quotes."""
        only = self.tokens[self.free[0]] if len(self.free) == 1 else None
        text = only.text if only and only.quoted else verbatim(self.raw, self.tokens, self.free)
        title = _LINE_BREAK.sub(" ", text).strip()
        if not title:
            raise self.fail(f"{self.command} needs a title")
        return self.fits("the title", title, MAX_TITLE)

    def message(self, after: int | None = None) -> str | None:
        """The -m text, or (when `after` is set) the free words after the first `after`, verbatim."""
        indices = [] if after is None else self.free[after:]
        if indices and self.found_message is not None:
            raise self.fail("give the message as words or after -m, not both")
        text = verbatim(self.raw, self.tokens, indices) if indices else self.found_message
        return None if text is None else self.fits("the message", text, MAX_MESSAGE)

    def required_message(self) -> str:
        """The -m text, which this subcommand needs."""
        if self.found_message is None:
            raise self.fail(f"{self.command} needs -m TEXT")
        return self.fits("the message", self.found_message, MAX_MESSAGE)

    def fits(self, what: str, text: str, limit: int) -> str:
        """Return text if it is within `limit` characters, else raise saying both numbers."""
        if len(text) > limit:
            raise self.fail(f"{what} is {len(text):,} characters; the limit is {limit:,}")
        return text

    def value(self, name: str) -> str | None:
        """An option's value, if given."""
        return self.values.get(name)

    def required(self, name: str, placeholder: str) -> str:
        """An option's value, which this subcommand needs."""
        if name not in self.values:
            raise self.fail(f"{self.command} needs --{name} {placeholder}")
        return self.values[name]

    def flag(self, name: str) -> bool:
        """Whether a flag was given."""
        return name in self.values

    def choice(self, value: str, choices: Sequence[str], what: str) -> str:
        """A value from `choices`, case-insensitive, `-` read as `_`; otherwise raise."""
        key = value.strip().lower().replace("-", "_")
        if key in choices:
            return key
        hint = suggest(key, choices) or f" (one of: {', '.join(choices)})"
        raise self.fail(f'unknown {what} "{value}"{hint}')

    def names(self, name: str, what: str) -> list[tuple[str, str]]:
        """A comma-list option as (lower-cased name, text after `:`) pairs, each name once."""
        pairs: list[tuple[str, str]] = []
        for item in filter(None, (part.strip() for part in self.values.get(name, "").split(","))):
            key, _, rest = (part.strip() for part in item.partition(":"))
            if not _NAME.fullmatch(key.lower()):
                raise self.fail(f'"{key}" is not a {what} name (letters, digits, _ and - only)')
            if key.lower() in (seen for seen, _ in pairs):
                raise self.fail(f'{what} "{key.lower()}" is listed twice')
            pairs.append((key.lower(), rest))
        if name in self.values and not pairs:
            raise self.fail(f"{spelling(name)} needs at least one {what}")
        return pairs


def scan(raw: str, tokens: Sequence[Token], *, command: str, allowed: set[str], usage: str) -> Scan:
    """Separate options and their values from free words; `-m` ends the scan and takes the rest."""
    found = Scan(raw, tokens, command, usage)
    index = 0
    while index < len(tokens):
        option = _option(tokens[index], command, allowed, usage)
        if option is None:
            found.free.append(index)
            index += 1
            continue
        name, inline = option
        if name in found.values:
            raise UsageError(f"option {spelling(name)} given twice", usage)
        if name == "message":
            found.found_message = _rest(raw, tokens[index], inline, usage)
            break
        found.values[name], index = _value(name, tokens, index, inline, usage)
    return found


def spelling(name: str) -> str:
    """How an option is written in messages: `-s/--status` or `--at`."""
    short = _LONG_TO_SHORT.get(name)
    return f"{short}/--{name}" if short else f"--{name}"


def suggest(word: str, choices: Sequence[str]) -> str:
    """A ` — did you mean "x"?` tail for the closest choice, or nothing."""
    close = difflib.get_close_matches(word, choices, n=1)
    return f' — did you mean "{close[0]}"?' if close else ""


def _looks_like_option(token: Token) -> bool:
    """Whether a token is written like an option (so it cannot be an option's value)."""
    return not token.quoted and _OPTION_LIKE.match(token.text) is not None


def _option(token: Token, command: str, allowed: set[str], usage: str) -> tuple[str, str | None] | None:
    """The option a token names and its `=value`, None for a free word; unknown options raise."""
    if not _looks_like_option(token):
        return None
    head, equals, inline = token.text.partition("=")
    key = ("--" + head[1:] if head[0] in "—–" else head).lower()
    name = SHORT.get(key) or (key[2:] if key.startswith("--") and key[2:] in KINDS else None)
    if name is None and head[0] in "—–":
        return None  # a dash-led word such as "—thanks", not an option
    if name is None:
        spellings = [*(s for s, n in SHORT.items() if n in allowed), *(f"--{n}" for n in sorted(allowed))]
        raise UsageError(f'unknown option "{head}"{suggest(key, spellings)}', usage)
    if name not in allowed:
        raise UsageError(f'option {spelling(name)} does not apply to "{command}"', usage)
    return name, (inline if equals else None)


def _value(name: str, tokens: Sequence[Token], index: int, inline: str | None, usage: str) -> tuple[str, int]:
    """Read an option's value starting after tokens[index]; return it and the next index."""
    kind = KINDS[name]
    if kind == "flag":
        if inline is not None:
            raise UsageError(f"option {spelling(name)} takes no value", usage)
        return "", index + 1
    if inline is not None:
        first, index = Token(inline, 0, 0), index + 1
    elif index + 1 < len(tokens) and not _looks_like_option(tokens[index + 1]):
        first, index = tokens[index + 1], index + 2
    else:
        raise UsageError(f"option {spelling(name)} needs a value", usage)
    words = [first.text]
    while index < len(tokens) and _continues(kind, first, words[-1], tokens[index]):
        words.append(tokens[index].text)
        index += 1
    value = " ".join(words).strip()
    if not value:
        raise UsageError(f"option {spelling(name)} needs a value", usage)
    return value, index


def _continues(kind: str, first: Token, last: str, token: Token) -> bool:
    """Whether a token extends a value: more time parts, or the next item of a comma list."""
    if kind == "time":
        return not first.quoted and is_time_part(token)
    if kind == "list":
        return (last.endswith(",") or token.text.startswith(",")) and not _looks_like_option(token)
    return False


def _rest(raw: str, token: Token, inline: str | None, usage: str) -> str:
    """The raw text after `-m` (or after `--message=`), outer whitespace stripped."""
    start = token.start + token.text.index("=") + 1 if inline is not None else token.end
    message = raw[start:].strip()
    if not message:
        raise UsageError("-m/--message needs a message after it", usage)
    return message
