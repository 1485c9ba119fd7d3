"""Turning wire values (ISO datetimes, seconds, USD) into the short strings the UI shows.

Plain functions, used by the states when they build rows; unit-testable without Reflex.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timezone
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

DASH = "—"
PLATFORM_LABELS = {"retell": "Retell", "vapi": "Vapi", "elevenlabs": "ElevenLabs"}


def zone(name: str | None) -> ZoneInfo | timezone:
    try:
        return ZoneInfo(name or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return UTC


def parse_iso(value: str | datetime | None) -> datetime | None:
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        dt = value
    else:
        try:
            dt = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return None
    return dt if dt.tzinfo else dt.replace(tzinfo=UTC)


def datetime_label(value: str | datetime | None, tz: str | None = "UTC", *, short: bool = False) -> str:
    """'Nov 24, 2025 14:03' in the organization's timezone; `short` drops the current year."""
    dt = parse_iso(value)
    if dt is None:
        return DASH
    local = dt.astimezone(zone(tz))
    if short and local.year == datetime.now(local.tzinfo).year:
        return f"{local:%b} {local.day}, {local:%H:%M}"
    return f"{local:%b} {local.day}, {local.year} {local:%H:%M}"


def mmss(seconds: float | None) -> str:
    """Seconds as mm:ss (h:mm:ss past an hour)."""
    if seconds is None:
        return DASH
    total = max(0, round(seconds))
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours}:{minutes:02d}:{secs:02d}"
    return f"{minutes:02d}:{secs:02d}"


def usd(value: float | None) -> str:
    if value is None:
        return DASH
    if 0 < abs(value) < 0.01:
        return f"${value:.4f}"
    return f"${value:,.2f}"


def score_band(score: float | int | None) -> str:
    """The band a 0–100 call score falls in: excellent, good, attention, poor (or none)."""
    if score is None:
        return "none"
    if score >= 80:
        return "excellent"
    if score >= 60:
        return "good"
    if score >= 40:
        return "attention"
    return "poor"


def score_text(score: float | int | None) -> str:
    if score is None:
        return DASH
    return f"{score:g}" if isinstance(score, float) else str(score)


def count(n: int) -> str:
    return f"{n:,}"


def truncate(text: str | None, limit: int = 90) -> str:
    text = " ".join((text or "").split())
    if len(text) <= limit:
        return text
    return text[: limit - 1].rstrip() + "…"


def local_date(value: str | datetime | None, tz: str | None) -> str:
    """'YYYY-MM-DD' of a moment in the given timezone ('' when missing)."""
    moment = parse_iso(value)
    return moment.astimezone(zone(tz)).date().isoformat() if moment else ""


def day_bounds(value: str, tz: str | None, *, end: bool) -> datetime | None:
    """A 'YYYY-MM-DD' date input as the start (or end) of that day in the organization's timezone."""
    if not value:
        return None
    try:
        day = date.fromisoformat(value)
    except ValueError:
        return None
    local = datetime.combine(day, time.max if end else time.min, tzinfo=zone(tz))
    return local.astimezone(UTC)


def error_text(exc) -> str:
    """The most specific user-readable message of a service error (DomainError)."""
    details = getattr(exc, "details", None) or []
    if details and details[0].get("message"):
        return details[0]["message"]
    return getattr(exc, "message", None) or str(exc)


def label(value: str | None) -> str:
    """'in_progress' → 'In progress'."""
    if not value:
        return DASH
    text = value.replace("_", " ")
    return text[:1].upper() + text[1:]


def percent(value: float | None) -> str:
    return DASH if value is None else f"{value:g}%"


def change_label(change: float | None) -> str:
    """A percent change as '+12.5%' / '−3%'; a dash when there is nothing to compare with."""
    if change is None:
        return DASH
    if change == 0:
        return "0%"
    return f"{'+' if change > 0 else '−'}{abs(change):g}%"


def points_label(change: float | None) -> str:
    """A change of a 0–100 score in points: '+4.2 pts'."""
    if change is None:
        return DASH
    if change == 0:
        return "0 pts"
    return f"{'+' if change > 0 else '−'}{abs(change):g} pts"


def day_label(value: str) -> str:
    """'2026-11-03' → 'Nov 3'; an ISO hour → 'Nov 3 14:00' (UTC, as the series is bucketed)."""
    try:
        if len(value) == 10:
            d = date.fromisoformat(value)
            return f"{d:%b} {d.day}"
        dt = datetime.fromisoformat(value.replace("Z", "+00:00"))
        return f"{dt:%b} {dt.day} {dt:%H}:00"
    except ValueError:
        return value


def period_label(start: datetime, end: datetime) -> str:
    """'Nov 1 – Nov 30, 2026' for a dashboard period (days in UTC, as the analytics are)."""
    first, last = start.astimezone(UTC), end.astimezone(UTC)
    if first.year == last.year:
        return f"{first:%b} {first.day} – {last:%b} {last.day}, {last.year}"
    return f"{first:%b} {first.day}, {first.year} – {last:%b} {last.day}, {last.year}"
