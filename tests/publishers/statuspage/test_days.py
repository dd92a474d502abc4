"""Local days and months as UTC bounds: a day is 23 or 25 hours when the clocks change, a month likewise."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from publishers.statuspage.days import Span, day, local_date, month, month_key, past_days

LA, BERLIN = "America/Los_Angeles", "Europe/Berlin"
HOUR = timedelta(hours=1)


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    """A UTC instant."""
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def test_an_ordinary_day_runs_midnight_to_midnight_local() -> None:
    """A summer day in Los Angeles is 24 hours from 07:00 UTC, keyed by its local date."""
    found = day(date(2010, 9, 2), LA)
    assert found == Span("2010-09-02", utc(2010, 9, 2, 7), utc(2010, 9, 3, 7))


@pytest.mark.parametrize(("zone", "when", "start", "end", "hours"), [
    (LA, date(2010, 3, 14), utc(2010, 3, 14, 8), utc(2010, 3, 15, 7), 23),  # spring forward: PST → PDT
    (LA, date(2010, 11, 7), utc(2010, 11, 7, 7), utc(2010, 11, 8, 8), 25),  # fall back: PDT → PST
    (BERLIN, date(2010, 3, 28), utc(2010, 3, 27, 23), utc(2010, 3, 28, 22), 23),  # CET → CEST
    (BERLIN, date(2010, 10, 31), utc(2010, 10, 30, 22), utc(2010, 10, 31, 23), 25),  # CEST → CET
])
def test_a_day_when_the_clocks_change(zone: str, when: date, start: datetime, end: datetime, hours: int) -> None:
    """The day the clocks go forward has 23 hours and the day they go back 25, each from local midnight."""
    found = day(when, zone)
    assert (found.key, found.start, found.end) == (when.isoformat(), start, end)
    assert found.end - found.start == hours * HOUR


def test_days_follow_each_other_without_gap_or_overlap() -> None:
    """Consecutive local days share their bounds, across a change of the clocks too."""
    for zone in (LA, BERLIN, "UTC", "Asia/Kolkata"):
        first = date(2010, 3, 1)
        for n in range(60):
            assert day(first + timedelta(days=n), zone).end == day(first + timedelta(days=n + 1), zone).start


def test_holds_includes_the_start_but_not_the_end() -> None:
    """A span holds its first instant, not its end, and never a missing instant."""
    found = day(date(2010, 11, 7), LA)
    assert found.holds(found.start) and found.holds(found.end - timedelta(microseconds=1))
    assert not found.holds(found.end) and not found.holds(found.start - timedelta(microseconds=1))
    assert not found.holds(None)


@pytest.mark.parametrize(("at", "zone", "expected"), [
    (utc(2010, 8, 31, 3, 30), LA, date(2010, 8, 30)),  # evening before, in Los Angeles
    (utc(2010, 8, 31, 3, 30), BERLIN, date(2010, 8, 31)),
    (utc(2010, 3, 27, 23, 30), BERLIN, date(2010, 3, 28)),  # just after local midnight, CET
    (utc(2010, 11, 7, 8, 30), LA, date(2010, 11, 7)),  # the repeated hour 01:30 PST
])
def test_local_date_is_the_date_on_the_local_calendar(at: datetime, zone: str, expected: date) -> None:
    """An instant falls on the date its zone's calendar shows."""
    assert local_date(at, zone) == expected


def test_past_days_are_the_last_local_days_today_first() -> None:
    """The Past's days count back from today's local date, and the one the clocks went forward has 23 hours."""
    now = utc(2010, 3, 20, 6, 30)  # 2010-03-19 23:30 PDT
    found = past_days(now, LA, 14)
    assert [s.key for s in found[:2]] == ["2010-03-19", "2010-03-18"]
    assert found[-1].key == "2010-03-06" and len(found) == 14
    assert found[0].holds(now)
    assert {s.key: (s.end - s.start) // HOUR for s in found if s.end - s.start != 24 * HOUR} == {"2010-03-14": 23}
    assert all(later.start == earlier.end for later, earlier in zip(found, found[1:], strict=False))


def test_past_days_default_to_fourteen() -> None:
    """Without a count, The Past has 14 days."""
    assert len(past_days(utc(2010, 9, 2, 16), BERLIN)) == 14


@pytest.mark.parametrize(("at", "zone", "key"), [
    (utc(2010, 9, 1, 3), LA, "2010-08"),  # still August on the Pacific coast
    (utc(2010, 9, 1, 3), BERLIN, "2010-09"),
    (utc(2010, 12, 31, 23, 30), BERLIN, "2011-01"),
])
def test_month_key_is_the_local_month(at: datetime, zone: str, key: str) -> None:
    """An instant belongs to the month its zone's calendar shows."""
    assert month_key(at, zone) == key


@pytest.mark.parametrize(("key", "zone", "start", "end", "hours"), [
    ("2010-09", LA, utc(2010, 9, 1, 7), utc(2010, 10, 1, 7), 30 * 24),
    ("2010-03", LA, utc(2010, 3, 1, 8), utc(2010, 4, 1, 7), 31 * 24 - 1),
    ("2010-11", LA, utc(2010, 11, 1, 7), utc(2010, 12, 1, 8), 30 * 24 + 1),
    ("2010-10", BERLIN, utc(2010, 9, 30, 22), utc(2010, 10, 31, 23), 31 * 24 + 1),
    ("2010-12", BERLIN, utc(2010, 11, 30, 23), utc(2010, 12, 31, 23), 31 * 24),  # into the next year
    ("2012-02", "UTC", utc(2012, 2, 1), utc(2012, 3, 1), 29 * 24),
])
def test_month_bounds_are_local_midnights(key: str, zone: str, start: datetime, end: datetime, hours: int) -> None:
    """A month runs from its first local midnight to the next month's, an hour short or long with the clocks."""
    found = month(key, zone)
    assert (found.key, found.start, found.end) == (key, start, end)
    assert found.end - found.start == hours * HOUR


def test_a_month_holds_the_instants_whose_key_it_has() -> None:
    """Every instant of a month, checked hourly, has that month's key, and the month's end the next one's."""
    found = month("2010-11", LA)
    at = found.start
    while at < found.end:
        assert month_key(at, LA) == "2010-11"
        at += HOUR
    assert month_key(found.end, LA) == "2010-12"
