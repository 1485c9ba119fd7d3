"""Calling windows: the days of the week and local hours in which a lead may be called, in the lead's own time zone.

A window is ISO weekdays (1 = Monday … 7 = Sunday) and a start and end of local wall-clock time ("09:00" to
"20:00"; the end is exclusive, "24:00" is the end of the day). Whether a moment is inside is read on the lead's
wall clock (`zoneinfo`), so the window follows daylight saving time: 09:00 in New York is 14:00 UTC in winter and
13:00 UTC in summer. On the day the clocks go forward, a start inside the skipped hour opens at the first local
time after it (02:30 → 03:30); on the day they go back, the repeated hour counts once for opening (the first
02:30) and the window stays open through both.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

DEFAULT_DAYS = (1, 2, 3, 4, 5)
DEFAULT_START = "09:00"
DEFAULT_END = "20:00"
FALLBACK_ZONE = "UTC"  # a lead without a time zone (rare: it is derived from the number)
_HHMM = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$|^24:00$")


class InvalidWindow(ValueError):
    """A window that cannot be used; the message names what is wrong."""


def minutes_of(text: str) -> int:
    """ "HH:MM" as minutes after midnight ("24:00" is 1440); InvalidWindow otherwise."""
    if not isinstance(text, str) or not _HHMM.match(text):
        raise InvalidWindow("A time is HH:MM on a 24-hour clock, e.g. 09:00 or 20:30")
    hours, minutes = text.split(":")
    return int(hours) * 60 + int(minutes)


@dataclass(frozen=True)
class Window:
    days: frozenset[int]  # ISO weekdays
    start: int  # minutes after local midnight
    end: int  # exclusive; 1440 is the end of the day

    @classmethod
    def of(cls, days: list[int] | tuple[int, ...], start: str, end: str) -> Window:
        """A checked window (InvalidWindow naming the problem otherwise)."""
        if not days:
            raise InvalidWindow("Choose at least one day of the week")
        if any(not isinstance(d, int) or isinstance(d, bool) or not 1 <= d <= 7 for d in days):
            raise InvalidWindow("Days are ISO weekdays: 1 (Monday) to 7 (Sunday)")
        begin, finish = minutes_of(start), minutes_of(end)
        if begin == 1440:
            raise InvalidWindow("The window cannot start at 24:00")
        if finish <= begin:
            raise InvalidWindow("The window must end after it starts (the same day)")
        return cls(frozenset(days), begin, finish)

    def describe(self) -> str:
        names = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
        days = ", ".join(names[d - 1] for d in sorted(self.days))
        return f"{days}, {_hhmm(self.start)}–{_hhmm(self.end)} in each lead's own time zone"


def _hhmm(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def zone(name: str | None) -> ZoneInfo:
    try:
        return ZoneInfo(name or FALLBACK_ZONE)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo(FALLBACK_ZONE)


def is_open(window: Window, moment: datetime, tz: str | None) -> bool:
    """Is `moment` (tz-aware) inside the window on the wall clock of `tz`?"""
    local = moment.astimezone(zone(tz))
    minute = local.hour * 60 + local.minute
    return local.isoweekday() in window.days and window.start <= minute < window.end


def _local_at(day: date, minutes: int, tz: ZoneInfo) -> datetime:
    """The instant of local wall time `minutes` on `day`: the first of a repeated time (fold 0); a time the
    clocks skipped is read with the offset before the change, which lands as far past the gap (02:30 → 03:30)."""
    if minutes >= 1440:
        wall = datetime.combine(day + timedelta(days=1), time(0), tzinfo=tz)
    else:
        wall = datetime.combine(day, time(minutes // 60, minutes % 60), tzinfo=tz)
    return wall.astimezone(UTC)


def next_opening(window: Window, moment: datetime, tz: str | None) -> datetime:
    """The first instant at or after `moment` inside the window (UTC): `moment` itself when it is open."""
    if is_open(window, moment, tz):
        return moment.astimezone(UTC)
    where = zone(tz)
    local_day = moment.astimezone(where).date()
    for offset in range(0, 9):
        day = local_day + timedelta(days=offset)
        if day.isoweekday() not in window.days:
            continue
        opening = _local_at(day, window.start, where)
        if opening < moment:
            continue
        if is_open(window, opening, tz):
            return opening
        # The start fell in a gap and the window is over by the time the clock resumes: try the next day.
    raise InvalidWindow("The window never opens")  # unreachable for a checked window


def default_window() -> Window:
    return Window.of(list(DEFAULT_DAYS), DEFAULT_START, DEFAULT_END)
