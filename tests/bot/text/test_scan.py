"""Reading one subcommand's words: options and their values, free words, `-m`, and refusals with the usage."""

from __future__ import annotations

import pytest

from bot.errors import UsageError
from bot.text.scan import MAX_MESSAGE, MAX_TITLE, Scan, scan, spelling
from bot.text.tokens import tokenize

EVERY_OPTION = {"components", "impact", "status", "at", "from", "to", "message", "dry-run", "no-auto", "publish"}
USAGE = "thing TITLE [-c app,admin] …"


def scanned(raw: str, allowed: set[str] = EVERY_OPTION, command: str = "thing") -> Scan:
    """Scan `raw` (the words after the subcommand) as `command` with the options `allowed`."""
    return scan(raw, tokenize(raw), command=command, allowed=allowed, usage=USAGE)


def free(found: Scan) -> list[str]:
    """The free words found, as typed."""
    return [found.tokens[i].text for i in found.free]


def refused(raw: str, allowed: set[str] = EVERY_OPTION) -> UsageError:
    """The UsageError scanning `raw` raises."""
    with pytest.raises(UsageError) as caught:
        scanned(raw, allowed)
    return caught.value


def read_refused(reader: object) -> UsageError:
    """The UsageError a reader call (a zero-argument lambda) raises."""
    assert callable(reader)
    with pytest.raises(UsageError) as caught:
        reader()
    return caught.value


# --- options and their values -------------------------------------------------------------------


def test_options_are_separated_from_free_words() -> None:
    """Short and long options take their values; the words between and after them stay free, in order."""
    found = scanned("Login broken -i major again --status identified now")
    assert free(found) == ["Login", "broken", "again", "now"]
    assert found.values == {"impact": "major", "status": "identified"}
    assert found.value("impact") == "major" and found.value("at") is None


def test_option_names_are_case_insensitive_and_take_inline_values() -> None:
    """`-S`, `--AT` and `--at=14:44` are the same options as `-s` and `--at`."""
    assert scanned("x -S identified").values == {"status": "identified"}
    assert scanned("x --AT 14:44").values == {"at": "14:44"}
    assert scanned("x --at=14:44 pm later").values == {"at": "14:44 pm"}


@pytest.mark.parametrize("raw", ["x -c app, admin", "x -c app ,admin", "x -c app,admin", 'x -c "app, admin"',
                                 "x -c=app, admin"])
def test_a_list_value_continues_across_commas(raw: str) -> None:
    """A comma at the end of one word or the start of the next carries a list on; so does a quoted list."""
    found = scanned(raw + " tail")
    assert found.names("components", "component") == [("app", ""), ("admin", "")]
    assert free(found) == ["x", "tail"]


def test_a_time_value_takes_every_time_part_that_follows() -> None:
    """A time runs on over its date, clock, am/pm and zone, and stops at the first other word."""
    found = scanned("x --at 2010-09-02 2:03 pm PDT DNS is failing")
    assert found.value("at") == "2010-09-02 2:03 pm PDT"
    assert free(found) == ["x", "DNS", "is", "failing"]


def test_a_quoted_time_value_is_complete_as_quoted() -> None:
    """A quoted time is the whole value: a zone-like word after it stays a free word."""
    found = scanned('x --at "2010-09-02 02:03" PDT')
    assert found.value("at") == "2010-09-02 02:03" and free(found) == ["x", "PDT"]


def test_word_values_take_one_word() -> None:
    """`-s` and `-i` take exactly one word."""
    found = scanned("x -s identified and more")
    assert found.value("status") == "identified" and free(found) == ["x", "and", "more"]


def test_flags_take_no_value() -> None:
    """A flag is present or not; the word after it stays free, and `--dry-run=yes` is refused."""
    found = scanned("x --dry-run --no-auto y")
    assert found.flag("dry-run") and found.flag("no-auto") and not found.flag("publish")
    assert free(found) == ["x", "y"]
    assert refused("x --dry-run=yes").message == "option --dry-run takes no value"


def test_a_long_dash_reads_as_two_hyphens() -> None:
    """A Mac's `—at` is `--at`; a dash-led word that names no option, like `—thanks`, is a free word."""
    found = scanned("x —at 14:44 —thanks")
    assert found.value("at") == "14:44" and free(found) == ["x", "—thanks"]


# --- -m takes the rest ---------------------------------------------------------------------------


def test_m_takes_the_rest_of_the_text_verbatim() -> None:
    """After `-m` everything is the message as typed: spacing, newlines, quotes and option-like words kept."""
    found = scanned('x --dry-run -m  We\'re  "down"\n  -c app --at 14:44  ')
    assert found.found_message == 'We\'re  "down"\n  -c app --at 14:44'
    assert found.values == {"dry-run": ""} and free(found) == ["x"]


def test_m_with_an_inline_value() -> None:
    """`--message=text` starts the message right after the `=`."""
    assert scanned("x --message=text  here").found_message == "text  here"


def test_m_with_nothing_after_it_is_refused() -> None:
    """`-m` followed by nothing (or only spaces) says the message is missing."""
    assert refused("x -m   ").message == "-m/--message needs a message after it"


# --- refusals ------------------------------------------------------------------------------------


@pytest.mark.parametrize(("raw", "message"), [
    ("x -s identified -s resolved", "option -s/--status given twice"),
    ("x --at 14:44 --at=15:00", "option --at given twice"),
    ("x -s", "option -s/--status needs a value"),
    ("x -s -c app", "option -s/--status needs a value"),
    ('x -i ""', "option -i/--impact needs a value"),
    ("x --publish=", "option --publish needs a value"),
    ("x --stauts identified", 'unknown option "--stauts" — did you mean "--status"?'),
    ("x -at 14:44", 'unknown option "-at" — did you mean "--at"?'),
])
def test_refusals_name_the_option(raw: str, message: str) -> None:
    """A repeated option, a missing value or an unknown option is refused naming the option as written."""
    assert refused(raw).message == message


def test_an_option_of_another_subcommand_is_refused_by_name() -> None:
    """An option that exists but does not apply says so and names the subcommand."""
    assert refused("x --from 14:44", {"message", "at"}).message == 'option --from does not apply to "thing"'


def test_an_unknown_option_suggests_only_allowed_ones() -> None:
    """The suggestion for a mistyped option comes from the options this subcommand accepts."""
    assert refused("x --fron 14:44", {"message", "at"}).message == 'unknown option "--fron"'
    assert refused("x --fron 14:44").message == 'unknown option "--fron" — did you mean "--from"?'


def test_every_refusal_carries_the_usage() -> None:
    """A refusal carries the subcommand's usage line, and shows it under the message."""
    error = refused("x -q")
    assert error.usage == USAGE
    assert str(error) == f'unknown option "-q"\nUsage: {USAGE}'
    assert scanned("x").fail("nope").usage == USAGE


def test_spelling_names_short_and_long_forms() -> None:
    """Options with a short form are named `-s/--status`; the others `--at`."""
    assert [spelling(n) for n in ("status", "components", "message", "at", "dry-run")] == [
        "-s/--status", "-c/--components", "-m/--message", "--at", "--dry-run"]


# --- readers -------------------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "number"), [("42", 42), ("#42", 42), ("#2147483647", 2**31 - 1)])
def test_number_reads_plain_and_hash_numbers(text: str, number: int) -> None:
    """An id is written `42` or `#42`, up to the database's integer limit."""
    found = scanned(text)
    token = found.word(0)
    assert token is not None and found.number(token, "an incident id") == number


@pytest.mark.parametrize("text", ["0", "#0", "abc", "4x", "2147483648", "12345678901", "-3", "##4"])
def test_number_refuses_anything_else(text: str) -> None:
    """Zero, words, too-large numbers and signs are refused saying what was expected."""
    found = scanned(text)
    token = found.word(0)
    assert token is not None
    assert read_refused(lambda: found.number(token, "an incident id")).message == \
        f'"{token.text}" is not an incident id'


def test_title_is_the_free_words_as_typed_on_one_line() -> None:
    """A title keeps quotes and spacing, but its line breaks and tabs become one space."""
    assert scanned('Its  "quoted" word -c app').title() == 'Its  "quoted" word'
    assert scanned("Checkout\n  down\tnow").title() == "Checkout down now"


def test_a_title_that_is_one_quoted_group_loses_its_quotes() -> None:
    """`"Login broken" -c app` gives the title `Login broken`; two groups keep their quotes."""
    assert scanned('"Login broken" -c app').title() == "Login broken"
    assert scanned('"Login" "broken"').title() == '"Login" "broken"'


def test_title_refusals() -> None:
    """No title, or one longer than MAX_TITLE, is refused saying both numbers."""
    assert read_refused(scanned("-c app").title).message == "thing needs a title"
    assert read_refused(scanned('"  "').title).message == "thing needs a title"
    long = scanned("x" * (MAX_TITLE + 1))
    assert read_refused(long.title).message == f"the title is {MAX_TITLE + 1:,} characters; the limit is {MAX_TITLE:,}"
    assert scanned("x" * MAX_TITLE).title() == "x" * MAX_TITLE


def test_message_from_words_after_the_id() -> None:
    """With `after`, the message is the free words after the first ones, verbatim; none gives None."""
    found = scanned('3 We  are "still"\nlooking -s identified')
    assert found.message(after=1) == 'We  are "still"\nlooking'
    assert scanned("3 -s identified").message(after=1) is None
    assert scanned("3").message() is None


def test_message_after_m() -> None:
    """Without `after` (or with no words after the id), the message is the `-m` text."""
    assert scanned("Title -m Hello  world").message() == "Hello  world"
    assert scanned("3 -m Hello").message(after=1) == "Hello"


def test_message_as_words_and_after_m_is_refused() -> None:
    """A message given both as words and after `-m` is refused rather than guessed."""
    found = scanned("3 Hello -m world")
    assert read_refused(lambda: found.message(after=1)).message == \
        "give the message as words or after -m, not both"


def test_message_length_is_limited() -> None:
    """A message longer than MAX_MESSAGE is refused with both numbers; one at the limit is kept."""
    assert scanned("x -m " + "y" * MAX_MESSAGE).message() == "y" * MAX_MESSAGE
    too_long = scanned("x -m " + "y" * (MAX_MESSAGE + 1))
    assert read_refused(too_long.required_message).message == \
        f"the message is {MAX_MESSAGE + 1:,} characters; the limit is {MAX_MESSAGE:,}"


def test_required_parts_say_what_is_missing() -> None:
    """A missing `-m` or `--from` is refused naming it the way it is typed."""
    assert read_refused(scanned("3").required_message).message == "thing needs -m TEXT"
    assert read_refused(lambda: scanned("x --to 4am").required("from", "TIME")).message == \
        "thing needs --from TIME"
    assert scanned("x --from 2am").required("from", "TIME") == "2am"


@pytest.mark.parametrize(("value", "chosen"), [("identified", "identified"), ("IDENTIFIED", "identified"),
                                               ("Major-Outage", "major_outage"), (" in-progress ", "in_progress")])
def test_choice_is_case_insensitive_and_reads_dashes_as_underscores(value: str, chosen: str) -> None:
    """A choice matches whatever its case, with `-` read as `_`."""
    choices = ("identified", "major_outage", "in_progress")
    assert scanned("x").choice(value, choices, "status") == chosen


def test_choice_refusals_suggest_or_list() -> None:
    """An unknown choice suggests the closest one, or lists them all when none is close."""
    found = scanned("x")
    choices = ("investigating", "identified")
    assert read_refused(lambda: found.choice("investigatin", choices, "status")).message == \
        'unknown status "investigatin" — did you mean "investigating"?'
    assert read_refused(lambda: found.choice("zzz", choices, "status")).message == \
        'unknown status "zzz" (one of: investigating, identified)'


def test_names_reads_a_comma_list_with_statuses() -> None:
    """A list gives lower-cased names, each with what follows its `:`, and nothing when not given."""
    found = scanned("x -c App:Major_Outage, admin ,www:")
    assert found.names("components", "component") == [("app", "Major_Outage"), ("admin", ""), ("www", "")]
    assert scanned("x").names("components", "component") == []


@pytest.mark.parametrize(("raw", "message"), [
    ("x -c app,APP", 'component "app" is listed twice'),
    ('x -c "ap p"', '"ap p" is not a component name (letters, digits, _ and - only)'),
    ("x -c :down", '"" is not a component name (letters, digits, _ and - only)'),
    ("x -c ,", "-c/--components needs at least one component"),
])
def test_names_refusals(raw: str, message: str) -> None:
    """A repeated name, a name of other characters or an empty list is refused saying which."""
    found = scanned(raw)
    assert read_refused(lambda: found.names("components", "component")).message == message


def test_word_and_no_more() -> None:
    """`word(n)` is the n-th free word or None; `no_more(n)` refuses a word beyond the first n."""
    found = scanned("3 4 -s identified five")
    assert [token.text for token in map(found.word, range(3)) if token] == ["3", "4", "five"]
    assert found.word(3) is None
    found.no_more(3)
    assert read_refused(lambda: found.no_more(2)).message == 'unexpected "five"'
