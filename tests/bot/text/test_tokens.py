"""Splitting /incident text into words: quotes, apostrophes, spans, verbatim text and what words look like."""

from __future__ import annotations

import pytest

from bot.text.tokens import Token, is_time_part, looks_like_option, suggest, tokenize, verbatim


def words(text: str) -> list[tuple[str, bool]]:
    """Each token's text and whether it was quoted."""
    return [(t.text, t.quoted) for t in tokenize(text)]


def test_words_are_split_on_any_whitespace() -> None:
    """Spaces, tabs and newlines all separate words, and none of them becomes a word."""
    assert words("open  Login\tbroken\n-c app ") == [
        ("open", False), ("Login", False), ("broken", False), ("-c", False), ("app", False)]
    assert tokenize("") == [] and tokenize(" \n\t ") == []


def test_straight_quotes_group_words() -> None:
    """A `"…"` group is one token, its text without the quotes and marked as quoted."""
    assert words('open "Login broken" now') == [("open", False), ("Login broken", True), ("now", False)]
    assert words('"" x') == [("", True), ("x", False)]


@pytest.mark.parametrize("text", ["say “hi there” ok", "say „hi there“ ok", "say ”hi there” ok"])
def test_smart_quotes_group_words(text: str) -> None:
    """Slack's curly quotes (“…”, and the low „…“ of German keyboards) group words like straight ones."""
    assert words(text) == [("say", False), ("hi there", True), ("ok", False)]


@pytest.mark.parametrize("text", ["We're back", "We’re back", "don't panic", "the users' carts"])
def test_apostrophes_stay_inside_their_word(text: str) -> None:
    """An apostrophe, straight or curly, never opens a quoted group."""
    assert [t for t, _ in words(text)] == text.split()
    assert not any(quoted for _, quoted in words(text))


@pytest.mark.parametrize(("text", "expected"), [
    ('"a"b c', ['"a"b', "c"]),  # a quote closes only at the end of a word
    ('x"y" z', ['x"y"', "z"]),  # and opens only at the start of one
    ('x "unclosed y', ["x", '"unclosed', "y"]),  # a stray quote stays part of its word
    ('said "hi", then', ["said", '"hi",', "then"]),
])
def test_quote_marks_that_do_not_group_stay_in_the_word(text: str, expected: list[str]) -> None:
    """Quote marks that do not open and close a group at word boundaries are kept as typed."""
    assert words(text) == [(w, False) for w in expected]


def test_a_quoted_group_keeps_apostrophes_and_newlines() -> None:
    """Inside quotes everything up to the closing quote belongs to the group, lines and apostrophes too."""
    assert words('"it\'s\nfine" ok') == [("it's\nfine", True), ("ok", False)]
    assert words("“Let’s go” ok") == [("Let’s go", True), ("ok", False)]


def test_tokens_remember_their_span_in_the_raw_text() -> None:
    """Each token's span covers what was typed, the quotes of a quoted group included."""
    raw = 'open  “Login broken”\n-c app'
    assert [raw[t.start:t.end] for t in tokenize(raw)] == ["open", "“Login broken”", "-c", "app"]
    assert tokenize(raw)[1] == Token("Login broken", 6, 20, quoted=True)


def test_verbatim_keeps_the_spacing_of_adjacent_tokens() -> None:
    """Adjacent tokens come back exactly as typed: runs of spaces, newlines and quotes intact."""
    raw = 'update 3 We  are "still"\nlooking'
    tokens = tokenize(raw)
    assert verbatim(raw, tokens, [2, 3, 4, 5]) == 'We  are "still"\nlooking'


def test_verbatim_joins_separate_runs_with_one_space() -> None:
    """Tokens that are not neighbours (an option between them) are joined by a single space."""
    raw = "open Login   -c app   broken  badly"
    tokens = tokenize(raw)
    assert verbatim(raw, tokens, [1, 4, 5]) == "Login broken  badly"
    assert verbatim(raw, tokens, []) == ""


@pytest.mark.parametrize("text", ["2010-09-02", "2010-09-02T02:03", "02:03", "14:44:10", "2:03pm", "2pm", "pm",
                                  "p.m.", "+05:30", "-0700", "Z", "UTC", "GMT+2", "America/Los_Angeles", "PDT",
                                  "CEST"])
def test_what_can_continue_a_time(text: str) -> None:
    """Dates, clock times, am/pm, offsets, UTC, zone names and zone letters in use continue a time value."""
    assert is_time_part(Token(text, 0, len(text)))


@pytest.mark.parametrize("text", ["DNS", "is", "fix", "14", "2010", "app,admin", "-m"])
def test_what_cannot_continue_a_time(text: str) -> None:
    """Words, bare numbers and capitals that are no zone's letters end a time value."""
    assert not is_time_part(Token(text, 0, len(text)))


def test_a_quoted_word_never_continues_a_time() -> None:
    """Quoting a time-like word makes it text: `--at 14:44 "PDT"` leaves "PDT" out of the time."""
    assert not is_time_part(Token("PDT", 0, 5, quoted=True))


@pytest.mark.parametrize("text", ["-m", "-c", "--at", "--dry-run", "--publish=statuspage", "—at", "–at", "—thanks"])
def test_words_written_like_options(text: str) -> None:
    """A dash (or the long dash a Mac types for `--`) followed by a letter is written like an option."""
    assert looks_like_option(Token(text, 0, len(text)))


@pytest.mark.parametrize("text", ["-", "--", "-5", "—", "a-b", "x--at"])
def test_words_not_written_like_options(text: str) -> None:
    """A dash alone, a negative number or a dash inside a word is not an option."""
    assert not looks_like_option(Token(text, 0, len(text)))


def test_a_quoted_option_is_text() -> None:
    """Quoting `-m` makes it a word, not an option."""
    assert not looks_like_option(Token("-m", 0, 4, quoted=True))


def test_suggest_names_the_closest_choice_or_nothing() -> None:
    """A near miss gets a "did you mean" tail naming the closest choice; a far one gets nothing."""
    assert suggest("opne", ["open", "update", "resolve"]) == ' — did you mean "open"?'
    assert suggest("zzz", ["open", "update", "resolve"]) == ""
