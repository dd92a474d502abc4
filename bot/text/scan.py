"""Separate options (and their values) from free words, and read each part with a clear UsageError.

`scan` walks the tokens of one subcommand: `-c`, `-i`, `-s`, `--at`, `--from`, `--to`, `--publish` and
the flags take their values; `-m` takes the rest of the raw text verbatim. The `Scan` it returns has a
reader per kind of part (a number, a title, a message, a choice, a list of names) that refuses bad input
saying what was wrong, with the subcommand's usage line.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from bot.errors import UsageError
from bot.text.tokens import Token, is_time_part, looks_like_option, suggest, verbatim

KINDS = {
    "components": "list", "publish": "list", "impact": "word", "status": "word", "at": "time",
    "from": "time", "to": "time", "dry-run": "flag", "no-auto": "flag", "message": "rest",
}
SHORT = {"-c": "components", "-i": "impact", "-s": "status", "-m": "message"}
_LONG_TO_SHORT = {name: short for short, name in SHORT.items()}

MAX_TITLE = 200
MAX_MESSAGE = 5000
_NAME = re.compile(r"[a-z0-9_-]+")
_NUMBER = re.compile(r"#?([0-9]{1,10})")
_NUMBER_LIMIT = 2**31 - 1  # fits the database's integer columns
_LINE_BREAK = re.compile(r"[ \t]*[\n\t][ \t\n]*")  # a title is one line


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


def _option(token: Token, command: str, allowed: set[str], usage: str) -> tuple[str, str | None] | None:
    """The option a token names and its `=value`, None for a free word; unknown options raise."""
    if not looks_like_option(token):
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
    elif index + 1 < len(tokens) and not looks_like_option(tokens[index + 1]):
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
        return (last.endswith(",") or token.text.startswith(",")) and not looks_like_option(token)
    return False


def _rest(raw: str, token: Token, inline: str | None, usage: str) -> str:
    """The raw text after `-m` (or after `--message=`), outer whitespace stripped."""
    start = token.start + token.text.index("=") + 1 if inline is not None else token.end
    message = raw[start:].strip()
    if not message:
        raise UsageError("-m/--message needs a message after it", usage)
    return message
