"""The one time formatter and the time parser (SPEC §4)."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone

import jinja2
import pytest

from bot.errors import TimeError
from bot.text.timeparse import parse_time
from bot.text.times import (
    Clock,
    format_date,
    format_duration,
    format_instant,
    format_local_time,
    format_range,
    format_since,
    isoformat,
    register_filters,
    to_zone_iso,
    zone_abbreviation,
)

LA = Clock("America/Los_Angeles")
LA12 = Clock("America/Los_Angeles", hours=12)
NOW = datetime(2010, 9, 2, 12, 0, tzinfo=UTC)  # 05:00 PDT


def utc(text: str) -> datetime:
    """`2010-09-02 09:03` as an aware UTC datetime."""
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


@pytest.mark.parametrize(
    ("at", "expected"),
    [
        ("2010-09-02 09:03", "2010-09-02 02:03 PDT (09:03 UTC)"),
        ("2010-01-21 22:44", "2010-01-21 14:44 PST (22:44 UTC)"),
        ("2010-08-31 03:30", "2010-08-30 20:30 PDT (2010-08-31 03:30 UTC)"),
    ],
)
def test_spec_instants(at: str, expected: str) -> None:
    """Each instant row of the SPEC §4 table prints exactly as written."""
    assert format_instant(utc(at), LA) == expected


@pytest.mark.parametrize(
    ("start", "end", "clock", "expected"),
    [
        ("2010-09-02 09:03", "2010-09-02 09:10", LA, "2010-09-02 02:03–02:10 PDT (09:03–09:10 UTC)"),
        (
            "2010-08-31 03:30",
            "2010-08-31 06:59",
            LA,
            "2010-08-30 20:30–23:59 PDT (2010-08-31 03:30–06:59 UTC)",
        ),
        (
            "2010-04-19 21:55",
            "2010-04-20 21:00",
            LA,
            "2010-04-19 14:55 – 2010-04-20 14:00 PDT (2010-04-19 21:55 – 2010-04-20 21:00 UTC)",
        ),
        (
            "2010-03-14 07:00",
            "2010-03-14 10:30",
            LA,
            "2010-03-13 23:00 PST – 2010-03-14 03:30 PDT (2010-03-14 07:00–10:30 UTC)",
        ),
        ("2010-11-07 08:30", "2010-11-07 09:15", LA, "2010-11-07 01:30 PDT – 01:15 PST (08:30–09:15 UTC)"),
        ("2010-09-02 09:03", None, LA, "since 2010-09-02 02:03 PDT (09:03 UTC)"),
        ("2010-09-02 09:03", "2010-09-02 09:10", Clock(), "2010-09-02 09:03–09:10 UTC"),
        ("2010-09-02 09:03", "2010-09-02 09:10", LA12, "2010-09-02 2:03am–2:10am PDT (09:03–09:10 UTC)"),
        (
            "2010-06-21 20:28",
            "2010-06-22 06:15",
            LA12,
            "2010-06-21 1:28pm–11:15pm PDT (2010-06-21 20:28 – 2010-06-22 06:15 UTC)",
        ),
        (
            "2010-01-21 22:44",
            "2010-01-22 17:11",
            LA12,
            "2010-01-21 2:44pm – 2010-01-22 9:11am PST (2010-01-21 22:44 – 2010-01-22 17:11 UTC)",
        ),
    ],
)
def test_spec_ranges(start: str, end: str | None, clock: Clock, expected: str) -> None:
    """Each range row of the SPEC §4 table, and the two 12-hour examples, print exactly as written."""
    assert format_range(utc(start), utc(end) if end else None, clock) == expected


def test_display_zone_utc_drops_the_parenthesis() -> None:
    """With display zone UTC an instant is written once, in UTC."""
    assert format_instant(utc("2010-09-02 09:03"), Clock()) == "2010-09-02 09:03 UTC"


def test_since_matches_open_range() -> None:
    """format_since reads the same as a range with no end."""
    start = utc("2010-09-02 09:03")
    assert format_since(start, LA) == format_range(start, None, LA)


@pytest.mark.parametrize(
    ("zone", "at", "expected"),
    [
        ("Europe/London", "2010-01-21 22:44", "2010-01-21 22:44 GMT (22:44 UTC)"),
        ("Europe/London", "2010-07-01 22:44", "2010-07-01 23:44 BST (22:44 UTC)"),
        ("Europe/London", "2010-07-01 23:30", "2010-07-02 00:30 BST (2010-07-01 23:30 UTC)"),
        ("Australia/Sydney", "2010-01-21 22:44", "2010-01-22 09:44 AEDT (2010-01-21 22:44 UTC)"),
        ("Australia/Sydney", "2010-07-01 02:00", "2010-07-01 12:00 AEST (02:00 UTC)"),
        ("Asia/Kolkata", "2010-09-02 09:03", "2010-09-02 14:33 IST (09:03 UTC)"),
        ("Asia/Dubai", "2010-09-02 09:03", "2010-09-02 13:03 UTC+04:00 (09:03 UTC)"),
    ],
)
def test_zones_around_the_world(zone: str, at: str, expected: str) -> None:
    """Abbreviations follow the tz database at each instant, with UTC±hh:mm where it has no letters."""
    assert format_instant(utc(at), Clock(zone)) == expected


@pytest.mark.parametrize(
    ("zone", "at", "expected"),
    [
        ("America/Los_Angeles", "2010-01-21 22:44", "PST"),
        ("America/Los_Angeles", "2010-09-02 09:03", "PDT"),
        ("Asia/Kolkata", "2010-09-02 09:03", "IST"),
        ("Asia/Dubai", "2010-09-02 09:03", "UTC+04:00"),
        ("Asia/Kathmandu", "2010-09-02 09:03", "UTC+05:45"),
        ("America/Sao_Paulo", "2020-07-01 12:00", "UTC-03:00"),
        ("UTC", "2010-09-02 09:03", "UTC"),
    ],
)
def test_zone_abbreviation(zone: str, at: str, expected: str) -> None:
    """zone_abbreviation gives the letters valid at the instant, or a UTC offset label."""
    assert zone_abbreviation(utc(at), zone) == expected


def test_range_across_fall_back_hour_in_london() -> None:
    """A range across the autumn change names both abbreviations, one per end."""
    text = format_range(utc("2010-10-31 00:30"), utc("2010-10-31 01:15"), Clock("Europe/London"))
    assert text == "2010-10-31 01:30 BST – 01:15 GMT (00:30–01:15 UTC)"


def test_range_within_the_repeated_hour_keeps_both_readings_distinct() -> None:
    """The two 01:30s of the fall-back night read differently."""
    text = format_range(utc("2010-11-07 08:30"), utc("2010-11-07 09:30"), LA)
    assert text == "2010-11-07 01:30 PDT – 01:30 PST (08:30–09:30 UTC)"


@pytest.mark.parametrize(
    ("delta", "expected"),
    [
        (timedelta(seconds=59), "0 min"),
        (timedelta(minutes=7, seconds=59), "7 min"),
        (timedelta(hours=1), "1 h"),
        (timedelta(hours=1, minutes=47), "1 h 47 min"),
        (timedelta(days=2, hours=3, minutes=59), "2 d 3 h"),
        (timedelta(days=1), "1 d"),
    ],
)
def test_format_duration(delta: timedelta, expected: str) -> None:
    """Durations are truncated to whole minutes and show at most two units."""
    assert format_duration(delta) == expected


def test_negative_duration_is_refused() -> None:
    """A negative duration is a bug in the caller, not something to print."""
    with pytest.raises(ValueError):
        format_duration(timedelta(minutes=-1))


def test_local_date_and_time() -> None:
    """format_date and format_local_time give the local day and the bare local time."""
    at = utc("2010-08-31 03:30")
    assert format_date(at, LA) == "2010-08-30"
    assert format_local_time(at, LA) == "20:30"
    assert format_local_time(utc("2010-09-02 09:03"), LA12) == "2:03am"
    assert format_local_time(utc("2010-09-02 19:00"), LA12) == "12:00pm"
    assert format_local_time(utc("2010-09-02 07:05"), LA12) == "12:05am"


def test_machine_formats() -> None:
    """isoformat is RFC 3339 UTC with Z; to_zone_iso carries the zone's offset; seconds, no fraction."""
    at = datetime(2010, 9, 2, 9, 3, 0, 500, tzinfo=UTC)
    assert isoformat(at) == "2010-09-02T09:03:00Z"
    assert to_zone_iso(at, "America/Los_Angeles") == "2010-09-02T02:03:00-07:00"
    assert to_zone_iso(at, "Asia/Kolkata") == "2010-09-02T14:33:00+05:30"


def test_any_aware_datetime_is_accepted() -> None:
    """An instant in any offset prints the same as the same instant in UTC."""
    at = datetime(2010, 9, 2, 14, 33, tzinfo=timezone(timedelta(hours=5, minutes=30)))
    assert format_instant(at, LA) == "2010-09-02 02:03 PDT (09:03 UTC)"


def test_naive_datetime_is_refused() -> None:
    """A naive datetime is a bug: Herald keeps datetimes UTC-aware."""
    with pytest.raises(ValueError, match="naive"):
        format_instant(datetime(2010, 9, 2, 9, 3), LA)


def test_clock_refuses_bad_settings() -> None:
    """A clock of 13 hours or an unknown zone fails when the Clock is built."""
    with pytest.raises(ValueError):
        Clock(hours=13)
    with pytest.raises(ValueError):
        Clock("Mars/Olympus_Mons")


def test_filters_render_in_templates() -> None:
    """register_filters exposes the formatter to Jinja under the documented names."""
    env = jinja2.Environment()
    register_filters(env, LA)
    template = env.from_string(
        "{{ a|instant }}|{{ a|range(b) }}|{{ a|range(none) }}|{{ a|since }}|{{ (b - a)|duration }}|"
        "{{ a|localdate }}|{{ a|localtime }}|{{ a|iso }}|{{ a|zoneiso }}|{{ a|zoneiso('Asia/Kolkata') }}"
    )
    a, b = utc("2010-09-02 09:03"), utc("2010-09-02 10:50")
    assert template.render(a=a, b=b).split("|") == [
        "2010-09-02 02:03 PDT (09:03 UTC)",
        "2010-09-02 02:03–03:50 PDT (09:03–10:50 UTC)",
        "since 2010-09-02 02:03 PDT (09:03 UTC)",
        "since 2010-09-02 02:03 PDT (09:03 UTC)",
        "1 h 47 min",
        "2010-09-02",
        "02:03",
        "2010-09-02T09:03:00Z",
        "2010-09-02T02:03:00-07:00",
        "2010-09-02T14:33:00+05:30",
    ]


@pytest.mark.parametrize(
    ("text", "clock", "expected"),
    [
        ("02:03", LA, "2010-09-02 09:03"),
        ("2:03", LA, "2010-09-02 09:03"),
        ("14:44", LA, "2010-09-02 21:44"),
        ("2:03am", LA, "2010-09-02 09:03"),
        ("2:44 pm", LA, "2010-09-02 21:44"),
        ("2pm", LA, "2010-09-02 21:00"),
        ("12am", LA, "2010-09-02 07:00"),
        ("12:30PM", LA12, "2010-09-02 19:30"),
        ("2010-09-02 02:03", LA, "2010-09-02 09:03"),
        ("2010-09-02  2:03am", LA, "2010-09-02 09:03"),
        ("2010-09-02T02:03", LA, "2010-09-02 09:03"),
        ("2010-09-02T09:03:00Z", LA, "2010-09-02 09:03"),
        ("09:03 UTC", LA, "2010-09-02 09:03"),
        ("09:03 gmt", LA, "2010-09-02 09:03"),
        ("14:33 +05:30", LA, "2010-09-02 09:03"),
        ("2010-09-02 02:03-0700", LA, "2010-09-02 09:03"),
        ("13:03 UTC+04:00", LA, "2010-09-02 09:03"),
        ("2010-09-02 02:03 PDT", LA, "2010-09-02 09:03"),
        ("2010-09-02 02:03 pst", LA, "2010-09-02 10:03"),
        ("2010-01-21 14:44 PDT", LA, "2010-01-21 21:44"),
        ("2010-09-02 10:03 Europe/London", LA, "2010-09-02 09:03"),
        ("2010-01-21 22:44 Europe/London", LA, "2010-01-21 22:44"),
        ("14:33 IST", Clock("Asia/Kolkata"), "2010-09-02 09:03"),
        ("2010-07-01 12:00 AEST", Clock("Australia/Sydney"), "2010-07-01 02:00"),
        ("2010-01-22 09:44 AEDT", Clock("Australia/Sydney"), "2010-01-21 22:44"),
        ("2010-11-07 01:30 PDT", LA, "2010-11-07 08:30"),
        ("2010-11-07 01:30 PST", LA, "2010-11-07 09:30"),
        ("2010-11-07 01:30 -0800", LA, "2010-11-07 09:30"),
        ("2010-09-02 09:03", Clock(), "2010-09-02 09:03"),
    ],
)
def test_parse_time(text: str, clock: Clock, expected: str) -> None:
    """Accepted forms read as the right UTC instant; a bare time takes `now`'s date in its zone."""
    parsed = parse_time(text, clock=clock, now=NOW)
    assert parsed == utc(expected)
    assert parsed.utcoffset() == timedelta(0)


def test_bare_time_takes_the_date_of_now_in_the_written_zone() -> None:
    """At 23:00 PDT on 1 September it is already 2 September in London."""
    now = utc("2010-09-02 06:00")
    assert parse_time("08:00", clock=LA, now=now) == utc("2010-09-01 15:00")
    assert parse_time("08:00 Europe/London", clock=LA, now=now) == utc("2010-09-02 07:00")


def test_ambiguous_wall_time_is_refused_naming_both_readings() -> None:
    """01:30 on the fall-back night happens twice; the error says how to pick one."""
    with pytest.raises(TimeError) as caught:
        parse_time("2010-11-07 01:30", clock=LA, now=NOW)
    assert str(caught.value) == (
        "01:30 happens twice on 2010-11-07 in America/Los_Angeles: write 01:30 PDT or 01:30 PST"
    )


def test_ambiguous_wall_time_in_a_named_zone_is_refused() -> None:
    """An IANA name does not settle a repeated hour; an abbreviation does."""
    with pytest.raises(TimeError, match="happens twice on 2010-10-31 in Europe/London: write 01:30 BST"):
        parse_time("2010-10-31 01:30 Europe/London", clock=LA, now=NOW)


def test_missing_wall_time_is_refused_naming_both_readings() -> None:
    """02:30 on the spring-forward night never happens; the error names the jump and both readings."""
    with pytest.raises(TimeError) as caught:
        parse_time("2010-03-14 02:30", clock=LA, now=NOW)
    assert str(caught.value) == (
        "02:30 does not exist on 2010-03-14 in America/Los_Angeles "
        "(clocks jump from 02:00 PST to 03:00 PDT): write 01:30 PST or 03:30 PDT"
    )


def test_missing_wall_time_on_a_12_hour_clock() -> None:
    """The refusal speaks the clock the team reads."""
    with pytest.raises(TimeError, match=r"clocks jump from 2:00am PST to 3:00am PDT\): write 1:30am PST"):
        parse_time("2010-03-14 2:30am", clock=LA12, now=NOW)


def test_gap_time_with_an_abbreviation_is_accepted() -> None:
    """Writing the abbreviation makes the reading explicit, even inside the gap."""
    assert parse_time("2010-03-14 02:30 PST", clock=LA, now=NOW) == utc("2010-03-14 10:30")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("25:00", "not a real date and time"),
        ("2010-02-30 10:00", "not a real date and time"),
        ("tomorrowish", "Can't read 'tomorrowish'"),
        ("", "Can't read"),
        ("14", "Can't read"),
        ("13pm", "Can't read"),
        ("0am", "Can't read"),
        ("14:44 +25:00", "not a UTC offset"),
        ("14:44 Mars/Olympus_Mons", "not a time zone name"),
        ("14:44 CET", "CET is not an abbreviation used in America/Los_Angeles (it uses PDT, PST)"),
        ("14:44 EST", "EST is not an abbreviation used in America/Los_Angeles"),
    ],
)
def test_parse_time_refuses_garbage(text: str, message: str) -> None:
    """Unreadable text, impossible dates and foreign abbreviations are refused, naming the forms."""
    with pytest.raises(TimeError, match=re.escape(message)) as caught:
        parse_time(text, clock=LA, now=NOW)
    assert "Write a time like 14:44" in str(caught.value)


def test_parse_then_format_round_trips() -> None:
    """What the formatter prints for the local part, the parser reads back as the same instant."""
    for at in (utc("2010-11-07 08:30"), utc("2010-11-07 09:30"), utc("2010-03-14 10:30")):
        local = format_instant(at, LA12).split(" (")[0]
        assert parse_time(local, clock=LA12, now=NOW) == at
        local = format_instant(at, LA).split(" (")[0]
        assert parse_time(local, clock=LA, now=NOW) == at


# --- the next occurrence of a bare time (maintenance --from / --to) ---------------------------


def next_of(text: str, after: datetime, clock: Clock = LA) -> str:
    """The first instant `text` names at or after `after`, formatted."""
    return format_instant(parse_time(text, clock=clock, now=after, after=after), clock)


@pytest.mark.parametrize(("text", "expected"), [
    ("2am", "2010-09-02 02:00 PDT (09:00 UTC)"),  # passed at 17:35: tomorrow
    ("17:35", "2010-09-01 17:35 PDT (2010-09-02 00:35 UTC)"),  # the current minute is still ahead
    ("23:00", "2010-09-01 23:00 PDT (2010-09-02 06:00 UTC)"),  # later today
    ("2am UTC", "2010-09-01 19:00 PDT (2010-09-02 02:00 UTC)"),  # still ahead in UTC, where it is read
    ("0:30 UTC", "2010-09-02 17:30 PDT (2010-09-03 00:30 UTC)"),  # passed in UTC five minutes ago
    ("9:00 Europe/Berlin", "2010-09-02 00:00 PDT (07:00 UTC)"),
    ("2010-09-01 02:00", "2010-09-01 02:00 PDT (09:00 UTC)"),  # a date is taken as written, past or not
])
def test_a_bare_time_means_its_next_occurrence(text: str, expected: str) -> None:
    """With `after`, a time without a date is today's if still ahead (in its zone), else tomorrow's."""
    assert next_of(text, datetime(2010, 9, 2, 0, 35, tzinfo=UTC)) == expected  # 17:35 PDT


def test_next_occurrence_counts_hours_across_spring_forward() -> None:
    """1am to 4am on the night clocks spring forward is two hours, read on the wall clock."""
    evening = datetime(2010, 3, 14, 1, 35, tzinfo=UTC)  # 2010-03-13 17:35 PST
    starts = parse_time("1am", clock=LA, now=evening, after=evening)
    ends = parse_time("4am", clock=LA, now=evening, after=starts + timedelta(seconds=1))
    assert format_range(starts, ends, LA) == "2010-03-14 01:00 PST – 04:00 PDT (09:00–11:00 UTC)"
    assert ends - starts == timedelta(hours=2)
    with pytest.raises(TimeError, match="02:30 does not exist on 2010-03-14"):
        parse_time("2:30", clock=LA, now=evening, after=evening)


def test_an_end_before_the_start_on_the_clock_is_the_next_day_across_fall_back() -> None:
    """`--from 23:00 --to 02:00` on the night clocks fall back is four hours, not an error."""
    evening = datetime(2010, 11, 7, 5, 0, tzinfo=UTC)  # 2010-11-06 22:00 PDT
    starts = parse_time("23:00", clock=LA, now=evening, after=evening)
    ends = parse_time("02:00", clock=LA, now=evening, after=starts + timedelta(seconds=1))
    assert ends - starts == timedelta(hours=4)


def test_a_repeated_hour_half_past_is_the_reading_still_ahead() -> None:
    """At 01:45 PDT on fall-back night, 1:30 next happens as 01:30 PST; 1:50 (both ahead) is ambiguous."""
    during = datetime(2010, 11, 7, 8, 45, tzinfo=UTC)  # 01:45 PDT
    assert next_of("1:30", during) == "2010-11-07 01:30 PST (09:30 UTC)"
    with pytest.raises(TimeError, match="write 01:50 PDT or 01:50 PST"):
        next_of("1:50", during)


@pytest.mark.parametrize("text", ["9999-12-31 23:00", "0001-01-01 00:00 UTC", "0001-01-02 00:00",
                                  "1969-12-31 23:59 UTC", "3000-01-01 00:00"])
def test_years_where_zones_have_no_rules_are_refused(text: str) -> None:
    """Year 1 would be shown in local mean time (LMT) and year 9999 overflows on conversion: both are
    refused as times Herald cannot place, naming the years it can."""
    with pytest.raises(TimeError, match="outside the years Herald places times in"):
        parse_time(text, clock=LA, now=NOW)
    assert parse_time("1970-01-01 00:00 UTC", clock=LA, now=NOW) == utc("1970-01-01 00:00")
