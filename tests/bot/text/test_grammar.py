"""The /incident grammar: every subcommand, every refusal, quoting and time values."""

from __future__ import annotations

from typing import TypeVar

import pytest

from bot.errors import UsageError
from bot.text import parsed as p
from bot.text.grammar import USAGE, help_lines, parse

T = TypeVar("T")


def parse_as(text: str, kind: type[T]) -> T:
    """Parse text and check that it gave the expected kind of command."""
    command = parse(text)
    assert isinstance(command, kind)
    return command


def refusal(text: str) -> UsageError:
    """Parse text that must be refused and return the error."""
    with pytest.raises(UsageError) as caught:
        parse(text)
    return caught.value


# --- every subcommand -------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["", "   ", "\n\t "])
def test_bare_command_opens_the_modal(text: str) -> None:
    """Empty or blank text after /incident opens the Declare modal."""
    assert parse(text) == p.OpenModal()


def test_help_without_and_with_topic() -> None:
    """`help` asks for every usage line and `help update` for one, case-insensitively."""
    assert parse("help") == p.Help(None)
    assert parse("HELP Update") == p.Help("update")


def test_help_lines_list_every_subcommand_or_one() -> None:
    """help_lines() gives every usage line; help_lines(topic) just that one; none carries a front end's prefix."""
    assert help_lines() == list(USAGE.values())
    assert help_lines("resolve") == [USAGE["resolve"]]
    assert all(line.split()[0] in USAGE and "/incident" not in line for line in help_lines())


def test_open_with_title_options_and_message() -> None:
    """Free words form the title; -m takes the rest verbatim, newlines and spacing included."""
    text = (
        'open APP Connectivity Issues due to Backups -c app,admin --at "2010-09-02 02:03" '
        '-m We just  experienced\n* an outage "today"  '
    )
    assert parse(text) == p.Open(
        title="APP Connectivity Issues due to Backups",
        components=(p.ComponentChange("app"), p.ComponentChange("admin")),
        at="2010-09-02 02:03",
        message='We just  experienced\n* an outage "today"',
    )


def test_open_with_every_option() -> None:
    """Impact, status, dry run and a publish subset are read and lower-cased."""
    command = parse("open Slow admin -i MAJOR -s Investigating --dry-run --publish statuspage,Twitter")
    assert command == p.Open(
        title="Slow admin", impact="major", status="investigating", dry_run=True,
        publish=("statuspage", "twitter"),
    )


def test_update_words_after_the_id_are_the_message() -> None:
    """Words after the id that are not options become the message with their original spacing."""
    command = parse("update 1 -s identified It appears as though   the backups\ncaused it")
    message = "It appears as though   the backups\ncaused it"
    assert command == p.Update(incident=1, status="identified", message=message)


def test_update_with_component_statuses() -> None:
    """-c reads `name:status` pairs, lower-cases names and accepts `-` for `_` in statuses."""
    command = parse("update 7 -c App:major-outage,admin:Degraded_Performance,www -m Still down")
    assert command == p.Update(
        incident=7,
        components=(
            p.ComponentChange("app", "major_outage"),
            p.ComponentChange("admin", "degraded_performance"),
            p.ComponentChange("www"),
        ),
        message="Still down",
    )


def test_component_list_with_spaces_after_commas() -> None:
    """`-c app, admin` reads both components and leaves the following words to the message."""
    command = parse_as("update 7 -c app, admin Both slow", p.Update)
    assert command.components == (p.ComponentChange("app"), p.ComponentChange("admin"))
    assert command.message == "Both slow"


def test_update_status_only() -> None:
    """An update may change only the status; the message stays None."""
    assert parse("update 3 -s monitoring") == p.Update(incident=3, status="monitoring")


def test_update_message_around_options_joins_runs() -> None:
    """Message words on both sides of an option are joined by one space, each run kept verbatim."""
    assert parse_as("update 2 Root  cause -s identified found, fix  soon", p.Update).message == (
        "Root  cause found, fix  soon"
    )


def test_resolve_with_words_or_dash_m() -> None:
    """resolve takes its message as free words or after -m, and may have none."""
    assert parse("resolve 3 All good now") == p.Resolve(incident=3, message="All good now")
    assert parse("resolve #3 --at 14:44 -m Fixed") == p.Resolve(incident=3, message="Fixed", at="14:44")
    assert parse("resolve 3") == p.Resolve(incident=3)


def test_reopen_with_status_and_message() -> None:
    """reopen takes an id, an optional status and its message as free words or after -m."""
    assert parse("reopen 2") == p.Reopen(incident=2)
    assert parse("reopen #2 -s identified It is back") == p.Reopen(2, "identified", "It is back")
    assert parse("reopen 2 --dry-run -m Back again") == p.Reopen(2, message="Back again", dry_run=True)
    assert "reopen needs an incident id" in str(refusal("reopen"))


def test_maintenance_with_window_and_no_auto() -> None:
    """maintenance reads an unquoted multiword window, components and --no-auto."""
    text = (
        "maintenance DB upgrade --from 2024-01-01 10:00 --to 2024-01-01 12:00 UTC -c forum --no-auto "
        "-m Planned"
    )
    assert parse(text) == p.Maintenance(
        title="DB upgrade", starts="2024-01-01 10:00", ends="2024-01-01 12:00 UTC",
        components=(p.ComponentChange("forum"),), message="Planned", auto=False,
    )


def test_start_and_complete() -> None:
    """start and complete take an id, an optional time and an optional message."""
    assert parse("start 4") == p.Start(incident=4)
    assert parse("complete #4 --at 14:00 --dry-run -m done") == p.Complete(4, "14:00", "done", True)


def test_extend_needs_to() -> None:
    """extend reads --to and takes words after the id as its message."""
    assert parse("extend 4 --to 16:00 Needs more time") == p.Extend(4, "16:00", "Needs more time")
    assert "extend needs --to TIME" in str(refusal("extend 4 more time"))


def test_edit_with_and_without_update_number() -> None:
    """edit takes an optional update number before -m."""
    assert parse("edit 3 2 -m fixed typo") == p.Edit(3, 2, "fixed typo")
    assert parse("edit #3 -m fixed") == p.Edit(3, None, "fixed")


def test_preview_with_and_without_id() -> None:
    """preview may name an incident or not, and reads -s and -c."""
    assert parse("preview -m hello") == p.Preview(None, "hello")
    expected = p.Preview(4, "bye", "resolved", (p.ComponentChange("app"),))
    assert parse("preview 4 -s resolved -c app -m bye") == expected


@pytest.mark.parametrize(
    ("text", "which"), [("list", "open"), ("list upcoming", "upcoming"), ("LIST All", "all")]
)
def test_list_scopes(text: str, which: str) -> None:
    """list defaults to open incidents and accepts upcoming or all."""
    assert parse(text) == p.ListIncidents(which)


def test_show_retry_components() -> None:
    """show and retry take one id; components takes nothing."""
    assert parse("show #5") == p.Show(5)
    assert parse("retry 5") == p.Retry(5)
    assert parse("Components") == p.Components()


def test_commands_are_frozen() -> None:
    """Parsed commands cannot be changed after parsing."""
    with pytest.raises(AttributeError):
        parse_as("show 5", p.Show).incident = 6  # type: ignore[misc]


# --- quoting ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text", ['open "Login broken" -c app', "open “Login broken” -c app", "open „Login broken“ -c app"]
)
def test_a_title_that_is_one_quoted_group_loses_the_grouping_quotes(text: str) -> None:
    """Straight, Slack smart and low quotes around the whole title group it and are not part of it."""
    assert parse_as(text, p.Open).title == "Login broken"


@pytest.mark.parametrize(("text", "title"), [
    ('open Its "quoted" word', 'Its "quoted" word'),
    ("open Its “quoted” word -c app", "Its “quoted” word"),
    ('open "Login" broken for “some” users', '"Login" broken for “some” users'),
    ('maintenance The "big" move --from 01:00 --to 02:00', 'The "big" move'),
])
def test_titles_keep_the_quotes_typed_in_them(text: str, title: str) -> None:
    """Quotes inside a title are part of what was typed, straight and smart alike."""
    assert parse(text).title == title  # type: ignore[union-attr]


def test_title_keeps_its_spacing_within_runs_and_stays_on_one_line() -> None:
    """A title is the free words as typed (spacing kept within a run, runs joined by one space), on one line."""
    assert parse_as("open Two  spaces -c app  then\nmore", p.Open).title == "Two  spaces then more"


def test_quotes_still_group_option_values() -> None:
    """Quotes group an option's value and are dropped from it, beside a title that keeps its own."""
    command = parse_as('open Its "quoted" word -c "app" --at "2010-09-02 02:03"', p.Open)
    assert (command.title, command.components, command.at) == (
        'Its "quoted" word', (p.ComponentChange("app"),), "2010-09-02 02:03")


def test_quoted_option_lookalike_is_a_word() -> None:
    """An option spelling inside quotes is part of the title, not an option."""
    assert parse('open "Flag -c ignored" -m ok') == p.Open(title="Flag -c ignored", message="ok")


@pytest.mark.parametrize("word", ["We're", "don’t", "5\"", "it's"])
def test_apostrophes_and_stray_quotes_are_not_quotes(word: str) -> None:
    """Apostrophes and unmatched quote marks stay in the word and do not group the rest."""
    assert parse_as(f"update 1 {word} sure -s identified", p.Update).message == f"{word} sure"


def test_quoted_message_words_are_kept_verbatim() -> None:
    """Quotes inside an update's free-word message stay exactly as typed."""
    assert parse_as('update 1 The “fix” worked', p.Update).message == "The “fix” worked"


# --- ids --------------------------------------------------------------------------------------


@pytest.mark.parametrize("written", ["42", "#42"])
def test_ids_with_or_without_hash(written: str) -> None:
    """An incident id may be written 42 or #42."""
    assert parse(f"show {written}") == p.Show(42)


@pytest.mark.parametrize("written", ["abc", "0", "-1", "#", "4.2", "١٢", "99999999999"])
def test_bad_ids_are_refused(written: str) -> None:
    """Anything but a positive integer id is refused with the subcommand's usage."""
    error = refusal(f"retry {written}")
    assert error.message == f'"{written}" is not an incident id'
    assert error.usage == USAGE["retry"]


def test_bad_update_number() -> None:
    """edit refuses an update number that is not a positive integer."""
    assert refusal("edit 3 two -m x").message == '"two" is not an update number'


# --- times ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("written", "value"),
    [
        ("2010-09-02 02:03", "2010-09-02 02:03"),
        ("2010-09-02 02:03 PDT", "2010-09-02 02:03 PDT"),
        ("2:03pm America/Los_Angeles", "2:03pm America/Los_Angeles"),
        ("2:03 pm", "2:03 pm"),
        ("14:44 +05:30", "14:44 +05:30"),
        ("14:44 UTC", "14:44 UTC"),
        ("14:44 CEST", "14:44 CEST"),
    ],
)
def test_unquoted_multiword_at(written: str, value: str) -> None:
    """An unquoted time takes the following words that look like time parts; the rest is the message."""
    expected = p.Update(incident=1, at=value, message="We're on it")
    assert parse(f"update 1 --at {written} We're on it") == expected


def test_capitalised_prose_after_a_time_is_not_a_zone() -> None:
    """Capitals that are not a zone abbreviation (DNS, EU) stay in the message."""
    expected = p.Update(incident=1, at="14:02", message="DNS is failing")
    assert parse("update 1 --at 14:02 DNS is failing") == expected


def test_quoted_time_is_taken_as_is() -> None:
    """A quoted time value is not extended by the words after it."""
    expected = p.Update(incident=1, at="2010-09-02 02:03", message="UTC x")
    assert parse('update 1 --at "2010-09-02 02:03" UTC x') == expected


def test_equals_form_and_em_dash_options() -> None:
    """`--at=14:00` works, and macOS's em dash for `--` is read as `--`."""
    assert parse("update 1 --at=14:00 -m hi") == p.Update(incident=1, at="14:00", message="hi")
    assert parse("open X —at 14:00 —dry-run") == p.Open(title="X", at="14:00", dry_run=True)


# --- refusals ---------------------------------------------------------------------------------


def test_unknown_subcommand_suggests_the_closest() -> None:
    """A misspelt subcommand is named, the closest one suggested, with the general usage."""
    error = refusal("updte 1 fixed")
    assert error.message == 'unknown subcommand "updte" — did you mean "update"?'
    assert "open|update" in error.usage


def test_unknown_help_topic() -> None:
    """help for an unknown subcommand is refused like the subcommand itself."""
    assert refusal("help resolv").message == 'unknown subcommand "resolv" — did you mean "resolve"?'


def test_unknown_option_is_named() -> None:
    """An unknown option is named, with a suggestion when one is close."""
    expected = 'unknown option "--stauts" — did you mean "--status"?'
    assert refusal("update 1 --stauts identified").message == expected
    assert refusal("update 1 -x foo").message == 'unknown option "-x"'


def test_option_that_does_not_apply() -> None:
    """A known option that the subcommand does not take is refused."""
    assert refusal("update 1 --from 10:00 x").message == 'option --from does not apply to "update"'


def test_repeated_option() -> None:
    """An option given twice, under either spelling, is refused."""
    error = refusal("update 1 -s identified --status monitoring hi")
    assert error.message == "option -s/--status given twice"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("open", "open needs a title"),
        ("open -c app", "open needs a title"),
        ("update", "update needs an incident id"),
        ("update 1", "update needs a message, -s STATUS or -c COMPONENTS"),
        ("maintenance Upgrade --to 12:00", "maintenance needs --from TIME"),
        ("maintenance Upgrade --from 10:00", "maintenance needs --to TIME"),
        ("edit 3", "edit needs -m TEXT"),
        ("preview 3", "preview needs -m TEXT"),
        ("show", "show needs an incident id"),
    ],
)
def test_missing_parts(text: str, message: str) -> None:
    """Missing titles, ids, times and messages are refused with the subcommand's usage."""
    error = refusal(text)
    assert error.message == message
    assert error.usage == USAGE[text.split()[0]]


@pytest.mark.parametrize("text", ["update 1 -m", "update 1 -m   \n ", "edit 3 --message="])
def test_empty_message_after_m(text: str) -> None:
    """-m with nothing after it is refused."""
    assert refusal(text).message == "-m/--message needs a message after it"


@pytest.mark.parametrize(
    ("text", "option"), [("update 1 -s", "-s/--status"), ("open t -c -m x", "-c/--components")]
)
def test_option_without_value(text: str, option: str) -> None:
    """An option missing its value says which one."""
    assert refusal(text).message == f"option {option} needs a value"


def test_flag_with_value() -> None:
    """A flag given a value is refused."""
    assert refusal("update 1 --dry-run=yes x").message == "option --dry-run takes no value"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("update 1 -s identifed x", 'unknown status "identifed" — did you mean "identified"?'),
        ("open t -i huge", 'unknown impact "huge" (one of: none, minor, major, critical)'),
        ("update 1 -c app:broken x", 'unknown component status "broken"'),
        ("update 1 -c app,App x", 'component "app" is listed twice'),
        ("update 1 -c ap$p x", '"ap$p" is not a component name (letters, digits, _ and - only)'),
        ("open t --publish twitter:x", "--publish takes channel names only, e.g. statuspage,twitter"),
        ("list nope", 'unknown list scope "nope" — did you mean "open"?'),
        ("show 1 2", 'unexpected "2"'),
        ("components all", 'unexpected "all"'),
        ("update 1 hello -m world", "give the message as words or after -m, not both"),
    ],
)
def test_bad_values(text: str, message: str) -> None:
    """Unknown statuses, impacts, component statuses and stray words are refused and named."""
    assert refusal(text).message.startswith(message)


def test_status_outside_both_kinds_lists_choices() -> None:
    """A status far from any choice lists every valid status."""
    assert "investigating" in refusal("update 1 -s zzz x").message


def test_usage_error_str_carries_usage() -> None:
    """str() of a refusal shows what was wrong and then the usage line."""
    assert str(refusal("update abc")) == f'"abc" is not an incident id\nUsage: {USAGE["update"]}'


# --- hostile text -----------------------------------------------------------------------------


def test_nul_byte_is_refused() -> None:
    """Text with a NUL byte is refused before anything else is read."""
    assert refusal("open Title\x00 -m x").message == "text contains a NUL byte"


@pytest.mark.parametrize("control", ["\x1b", "\x07", "\x1b[31m", "\x1b]8;;https://evil.example\x07", "\x9b", "\x7f",
                                     "\r", "\x85"])
def test_control_characters_are_removed(control: str) -> None:
    """ESC, BEL, CSI, OSC, DEL and C1 controls vanish from titles and messages; newline and tab stay."""
    command = parse_as(f"open Red{control} alert -m a{control}b\n\tc", p.Open)
    assert command.message is not None
    for text in (command.title, command.message):
        assert not any(ord(ch) < 32 and ch not in "\n\t" or 0x7F <= ord(ch) <= 0x9F for ch in text)
    assert command.message.endswith("b\n\tc")


def test_text_that_is_not_utf8_is_refused() -> None:
    """A lone surrogate (an undecodable argv byte, or a JSON \\udc80) is refused as invalid UTF-8."""
    assert refusal("open Caf\udce9 -m x").message == "the text is not valid UTF-8"


def test_rtl_override_is_dropped_by_the_parser() -> None:
    """An RTL override is dropped where every text comes in (Slack and the CLI alike), not by one channel."""
    assert parse_as("open \u202eevil title", p.Open).title == "evil title"


def test_title_limit() -> None:
    """A title over 200 characters is refused with both numbers."""
    assert refusal("open " + "x" * 201).message == "the title is 201 characters; the limit is 200"
    assert parse_as("open " + "x" * 200, p.Open).title == "x" * 200


def test_message_limit() -> None:
    """A message over 5,000 characters is refused with both numbers, via -m or free words."""
    expected = "the message is 5,001 characters; the limit is 5,000"
    assert refusal("update 1 -m " + "y" * 5001).message == expected
    assert refusal("update 1 " + "y " * 2501).message.startswith("the message is 5,001 characters")


def test_ten_thousand_characters_do_not_crash() -> None:
    """Very long, quote-heavy text is refused or parsed quickly, never crashes."""
    assert refusal('open ' + '"a ' * 3400).message.startswith("the title is")
