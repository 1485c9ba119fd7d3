"""Calling windows in each lead's own time zone, across daylight saving time changes."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from voiceconsole.services.campaigns.windows import InvalidWindow, Window, is_open, next_opening

WEEKDAYS = Window.of([1, 2, 3, 4, 5], "09:00", "20:00")
EVERY_DAY = Window.of([1, 2, 3, 4, 5, 6, 7], "09:00", "20:00")
NIGHT_START = Window.of([1, 2, 3, 4, 5, 6, 7], "02:30", "04:00")


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


@pytest.mark.parametrize(
    ("window", "moment", "tz", "expected"),
    [
        # New York, winter (EST, UTC-5): 09:00 local is 14:00 UTC
        (WEEKDAYS, utc(2026, 3, 6, 13, 59), "America/New_York", False),  # Friday 08:59
        (WEEKDAYS, utc(2026, 3, 6, 14, 0), "America/New_York", True),  # Friday 09:00
        (WEEKDAYS, utc(2026, 3, 7, 0, 59), "America/New_York", True),  # Friday 19:59
        (WEEKDAYS, utc(2026, 3, 7, 1, 0), "America/New_York", False),  # Friday 20:00: the end is exclusive
        # after the March change (EDT, UTC-4): 09:00 local is 13:00 UTC
        (WEEKDAYS, utc(2026, 3, 9, 13, 0), "America/New_York", True),  # Monday 09:00 EDT
        (WEEKDAYS, utc(2026, 3, 9, 12, 59), "America/New_York", False),
        # after the November change (EST again)
        (WEEKDAYS, utc(2026, 11, 2, 13, 30), "America/New_York", False),  # Monday 08:30 EST
        (WEEKDAYS, utc(2026, 11, 2, 14, 0), "America/New_York", True),
        # Berlin: CET (UTC+1) in winter, CEST (UTC+2) from 29 March 2026
        (WEEKDAYS, utc(2026, 3, 27, 8, 0), "Europe/Berlin", True),  # Friday 09:00 CET
        (WEEKDAYS, utc(2026, 3, 30, 7, 0), "Europe/Berlin", True),  # Monday 09:00 CEST
        (WEEKDAYS, utc(2026, 3, 30, 6, 59), "Europe/Berlin", False),
        (WEEKDAYS, utc(2026, 3, 28, 12, 0), "Europe/Berlin", False),  # Saturday
        # the same instant is inside for one lead and outside for another
        (WEEKDAYS, utc(2026, 6, 3, 15, 0), "Europe/Berlin", True),  # 17:00 CEST
        (WEEKDAYS, utc(2026, 6, 3, 15, 0), "Asia/Tokyo", False),  # 00:00 Thursday JST
        (WEEKDAYS, utc(2026, 6, 3, 15, 0), "America/Los_Angeles", False),  # 08:00 PDT
        (WEEKDAYS, utc(2026, 6, 3, 15, 0), None, True),  # no zone: UTC
    ],
)
def test_is_open(window, moment, tz, expected):
    assert is_open(window, moment, tz) is expected


@pytest.mark.parametrize(
    ("window", "moment", "tz", "expected"),
    [
        # open now: now
        (WEEKDAYS, utc(2026, 3, 6, 15, 0), "America/New_York", utc(2026, 3, 6, 15, 0)),
        # Friday evening in New York before the March change → Monday 09:00 EDT (13:00 UTC, not 14:00)
        (WEEKDAYS, utc(2026, 3, 7, 2, 0), "America/New_York", utc(2026, 3, 9, 13, 0)),
        # Saturday before the November change → Monday 09:00 EST (14:00 UTC)
        (WEEKDAYS, utc(2026, 10, 31, 16, 0), "America/New_York", utc(2026, 11, 2, 14, 0)),
        # every day: the Sunday of the change itself
        (EVERY_DAY, utc(2026, 3, 8, 5, 0), "America/New_York", utc(2026, 3, 8, 13, 0)),  # 00:00 EST → 09:00 EDT
        (EVERY_DAY, utc(2026, 11, 1, 5, 0), "America/New_York", utc(2026, 11, 1, 14, 0)),  # 01:00 EDT → 09:00 EST
        # Berlin's change (29 March): Saturday evening → Sunday 09:00 CEST = 07:00 UTC
        (EVERY_DAY, utc(2026, 3, 28, 20, 0), "Europe/Berlin", utc(2026, 3, 29, 7, 0)),
        (EVERY_DAY, utc(2026, 10, 24, 20, 0), "Europe/Berlin", utc(2026, 10, 25, 8, 0)),  # CET again
        # a start inside the skipped hour (02:30 on 8 March in New York) opens at 03:30 EDT = 07:30 UTC
        (NIGHT_START, utc(2026, 3, 8, 5, 0), "America/New_York", utc(2026, 3, 8, 7, 30)),
        # the repeated hour (1 November): 02:30 EST is unambiguous; 02:30 comes once, after the repeat
        (NIGHT_START, utc(2026, 11, 1, 5, 0), "America/New_York", utc(2026, 11, 1, 7, 30)),
        # Tokyo has no DST: Friday 21:00 JST → Monday 09:00 JST
        (WEEKDAYS, utc(2026, 6, 5, 12, 0), "Asia/Tokyo", utc(2026, 6, 8, 0, 0)),
    ],
)
def test_next_opening(window, moment, tz, expected):
    opening = next_opening(window, moment, tz)
    assert opening == expected
    assert is_open(window, opening, tz)


def test_end_of_day_window():
    late = Window.of([1, 2, 3, 4, 5, 6, 7], "18:00", "24:00")
    assert is_open(late, utc(2026, 6, 3, 21, 59), "Europe/Berlin")  # 23:59 CEST
    assert not is_open(late, utc(2026, 6, 3, 22, 0), "Europe/Berlin")


@pytest.mark.parametrize(
    ("days", "start", "end", "message"),
    [
        ([], "09:00", "20:00", "at least one day"),
        ([0], "09:00", "20:00", "ISO weekdays"),
        ([8], "09:00", "20:00", "ISO weekdays"),
        ([1], "9am", "20:00", "HH:MM"),
        ([1], "20:00", "09:00", "end after"),
        ([1], "09:00", "09:00", "end after"),
        ([1], "24:00", "24:00", "cannot start"),
        ([1], "09:00", "24:30", "HH:MM"),
    ],
)
def test_invalid_windows(days, start, end, message):
    with pytest.raises(InvalidWindow, match=message):
        Window.of(days, start, end)
