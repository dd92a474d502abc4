"""Dates and durations in words, in the page's language (pendulum's locales): month titles such as "June 2010".

The SPEC §4 time strings (`2010-09-02 02:03 PDT (09:03 UTC)`) are not words: they come from bot.text.times
and read the same in every locale.
"""

from __future__ import annotations

from datetime import timedelta

import pendulum

LOCALES = ("en", "de", "fr", "es", "ja")


def month_title(key: str, pattern: str = "MMMM YYYY", locale: str = "en") -> str:
    """`2010-06` as its language names it: "June 2010", "Juni 2010", "2010年6月" (the pattern, pendulum's, comes
    from the catalog: `YYYY[年]M[月]` in Japanese)."""
    year, month = (int(part) for part in key.split("-"))
    return pendulum.datetime(year, month, 1).format(pattern, locale=locale)


def duration_words(delta: timedelta, locale: str = "en") -> str:
    """A duration in words ("3 hours 30 minutes", "3 Stunden 30 Minuten"), to the minute."""
    minutes = int(delta.total_seconds() // 60)
    if minutes == 0:
        return pendulum.duration(seconds=int(delta.total_seconds())).in_words(locale=locale)
    return pendulum.duration(minutes=minutes).in_words(locale=locale)
