"""Uptime from component moves, against values computed by hand (clock changes and midnights included)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from bot.domain.uptime import Day, Move, Uptime, local_day, uptime

LA = "America/Los_Angeles"
NOW = datetime(2010, 11, 8, 12, 0, tzinfo=UTC)  # 04:00 PST, the day after the fall-back change
KNOWN = datetime(2010, 1, 1, tzinfo=UTC)


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


# Hand-computed history of `app` (times UTC; local in LA in the comments):
HISTORY = [
    # #2 partial outage across local midnight: Nov 4 23:00 PDT → Nov 5 02:00 PDT (1 h on the 4th, 2 h on the 5th)
    Move(utc(2010, 11, 5, 6), 2, "app", "partial_outage"),
    Move(utc(2010, 11, 5, 9), 2, "app", "operational"),
    # #3 maintenance Nov 6 09:00–11:00 PDT: left out of the denominator
    Move(utc(2010, 11, 6, 16), 3, "app", "under_maintenance"),
    Move(utc(2010, 11, 6, 18), 3, "app", "operational"),
    # #4 degraded Nov 7 00:00–01:00 PDT, overlapped from 00:30 PDT by #1's major outage
    Move(utc(2010, 11, 7, 7), 4, "app", "degraded_performance"),
    Move(utc(2010, 11, 7, 8), 4, "app", "operational"),
    # #1 major outage across the fall-back change: Nov 7 00:30 PDT → 02:30 PST, 3 real hours of a 25-hour day
    Move(utc(2010, 11, 7, 7, 30), 1, "app", "major_outage"),
    Move(utc(2010, 11, 7, 10, 30), 1, "app", "operational"),
    # another component's move does not count for app
    Move(utc(2010, 11, 3, 12), 5, "www", "major_outage"),
]


def by_date(found: Uptime, d: date) -> Day:
    return next(x for x in found.days if x.date == d)


def test_local_days_last_23_and_25_hours_across_clock_changes() -> None:
    """The display zone's day of a clock change is 23 hours in spring and 25 in autumn."""
    start, end = local_day(date(2010, 3, 14), LA)
    assert (end - start).total_seconds() == 23 * 3600
    start, end = local_day(date(2010, 11, 7), LA)
    assert (end - start).total_seconds() == 25 * 3600
    assert start == utc(2010, 11, 7, 7)


def test_a_major_outage_across_the_fall_back_change_counts_against_a_25_hour_day() -> None:
    """3 h of major outage on the 25-hour Nov 7: 1 − 10800/90000 = 88 %; the overlapped degraded half hour is shown."""
    day = by_date(uptime("app", HISTORY, known_from=KNOWN, now=NOW, zone=LA), date(2010, 11, 7))
    assert day.counted == 25 * 3600
    assert day.lost == 3 * 3600
    assert day.ratio == pytest.approx(0.88)
    assert day.seconds == {"major_outage": 10800, "degraded_performance": 1800}
    assert day.worst == "major_outage"
    assert day.incidents == (1, 4)


def test_a_partial_outage_across_midnight_is_split_between_the_two_days_and_weighed_0_3() -> None:
    """23:00–02:00 local: 1 h on the first day, 2 h on the second, each at 0.3."""
    found = uptime("app", HISTORY, known_from=KNOWN, now=NOW, zone=LA)
    first, second = by_date(found, date(2010, 11, 4)), by_date(found, date(2010, 11, 5))
    assert first.seconds == {"partial_outage": 3600} and second.seconds == {"partial_outage": 7200}
    assert first.lost == pytest.approx(1080) and second.lost == pytest.approx(2160)
    assert first.ratio == pytest.approx(1 - 1080 / 86400)


def test_maintenance_is_left_out_of_the_denominator() -> None:
    """Nov 6 counts 22 hours, all of them up."""
    day = by_date(uptime("app", HISTORY, known_from=KNOWN, now=NOW, zone=LA), date(2010, 11, 6))
    assert day.counted == 22 * 3600 and day.lost == 0 and day.ratio == 1
    assert day.worst == "under_maintenance"


def test_ninety_day_percentage_by_hand() -> None:
    """Window Aug 11 00:00 PDT (07:00 UTC) → now: 89 d 5 h, less 2 h maintenance; 14,040 weighted seconds lost."""
    found = uptime("app", HISTORY, known_from=KNOWN, now=NOW, zone=LA)
    assert len(found.days) == 90
    assert found.days[0].date == date(2010, 8, 11) and found.days[-1].date == date(2010, 11, 8)
    counted = 89 * 86400 + 5 * 3600 - 7200
    assert sum(d.counted for d in found.days) == counted
    assert found.ratio == pytest.approx(1 - 14040 / counted)
    assert found.percent == 99.82
    assert not found.partial
    assert by_date(found, date(2010, 11, 8)).counted == 4 * 3600  # today: up to now only


def test_a_spring_forward_day_of_23_hours() -> None:
    """Berlin, 2021-03-28 00:30 CET → 03:30 CEST is 2 real hours of a 23-hour day."""
    moves = [Move(utc(2021, 3, 27, 23, 30), 1, "api", "major_outage"),
             Move(utc(2021, 3, 28, 1, 30), 1, "api", "operational")]
    found = uptime("api", moves, known_from=KNOWN, now=utc(2021, 3, 29, 12), zone="Europe/Berlin")
    day = by_date(found, date(2021, 3, 28))
    assert day.counted == 23 * 3600
    assert day.ratio == pytest.approx(1 - 7200 / 82800)


def test_an_outage_begun_before_the_window_counts_from_the_window_start() -> None:
    """An incident open since Aug 9 takes Aug 11 from 00:00 to 05:00 PDT: the earlier move sets the state."""
    moves = [Move(utc(2010, 8, 9), 9, "app", "major_outage"), Move(utc(2010, 8, 11, 12), 9, "app", "operational")]
    found = uptime("app", moves, known_from=KNOWN, now=NOW, zone=LA)
    assert found.days[0].lost == 5 * 3600
    assert found.days[0].incidents == (9,)


def test_a_young_component_counts_only_since_it_was_known() -> None:
    """Known from Nov 1 10:00 UTC: earlier days count nothing, and the bar says since when."""
    found = uptime("app", [], known_from=utc(2010, 11, 1, 10), now=NOW, zone=LA)
    assert found.since == date(2010, 11, 1) and found.partial
    assert not by_date(found, date(2010, 10, 31)).known
    assert by_date(found, date(2010, 11, 1)).counted == 21 * 3600  # 10:00 UTC → midnight PDT (07:00 UTC)
    assert found.percent == 100.0


def test_two_incidents_on_one_component_take_the_worse_status() -> None:
    """A partial outage inside a major one counts as major; when the major ends, the partial remains."""
    moves = [Move(utc(2010, 11, 8, 8), 1, "app", "major_outage"), Move(utc(2010, 11, 8, 9), 2, "app", "partial_outage"),
             Move(utc(2010, 11, 8, 10), 1, "app", "operational")]
    day = uptime("app", moves, known_from=KNOWN, now=NOW, zone=LA).days[-1]
    assert day.seconds == {"major_outage": 7200, "partial_outage": 7200}
    assert day.lost == pytest.approx(7200 + 0.3 * 7200)
