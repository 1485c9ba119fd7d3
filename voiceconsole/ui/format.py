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


def call_cost(cost: float | None, credits: int | None) -> str:
    """A call's cost: USD when known, else the platform's credits as billed (no rate set to convert)."""
    if cost is None and credits is not None:
        return f"{credits:,} credits"
    return usd(cost)


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
    """One call's score (or one category of it): a whole number, as the scorer gives it."""
    if score is None:
        return DASH
    return str(round(score))


def avg_score(score: float | int | None) -> str:
    """An average of scores (a KPI, an agent's, a client's health, a category's): always one decimal, so
    "76.0" never stands beside "76.6"."""
    return DASH if score is None else f"{score:.1f}"


def count(n: int) -> str:
    return f"{n:,}"


def truncate(text: str | None, limit: int = 90) -> str:
    text = " ".join((text or "").split())
    if len(text) <= limit:
        return text
    return text[: limit - 1].rstrip() + "…"


# Names in tables (agents, clients) are shortened from the middle past this many characters; the full name
# is in the element's title.
NAME_LIMIT = 44


_NAME_SEPARATORS = (" – ", " — ", " - ", " · ", " | ", ": ")


def agent_label(name: str | None, client: str | None) -> str:
    """An agent's name shown next to its client's: without the client's name in front, which agencies often
    put there ("Bright Smile Dental – Front Desk" under "Bright Smile Dental" reads "Front Desk"), so a narrow
    column shows what tells the client's agents apart; shortened from the middle past NAME_LIMIT."""
    name = " ".join((name or "").split())
    client = " ".join((client or "").split())
    if client and name.lower().startswith(client.lower()):
        rest = name[len(client) :]
        for sep in _NAME_SEPARATORS:
            if rest.startswith(sep) and rest[len(sep) :].strip():
                name = rest[len(sep) :].strip()
                break
    return middle_ellipsis(name)


def middle_ellipsis(text: str | None, limit: int = NAME_LIMIT) -> str:
    """Shorten from the middle, keeping both ends: agents of one client share a prefix and differ at the
    end ("Bright Smile Dental – Lead Follow-up" vs "– Reminders"), so cutting the end would hide what tells
    them apart. 'Bright Smile Dental – Lead Follow-up' (limit 30) → 'Bright Smile De…Lead Follow-up'."""
    text = " ".join((text or "").split())
    if len(text) <= limit:
        return text
    if limit <= 1:
        return "…"[:limit]
    keep = limit - 1
    head = (keep + 1) // 2
    tail = keep - head
    return text[:head].rstrip() + "…" + (text[-tail:].lstrip() if tail else "")


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


def percent(rate: float | None) -> str:
    """A 0–1 rate (as the API gives success rates) as a percent with one decimal: 0.784 → '78.4%',
    0.78 → '78.0%'."""
    return DASH if rate is None else f"{rate * 100:.1f}%"


# A change against a previous period that held too few calls is noise, not a trend: 34 calls becoming 2,950
# reads "+8,576%" (the period before the first weeks of data). A change is shown only when the previous period
# held at least MIN_CALLS_TO_COMPARE calls and at least MIN_SHARE_TO_COMPARE of this period's; otherwise the
# cards and boards show "New" (it had none) or "—" (it had a few), with the reason in the tooltip.
# Documented in README.md (Analytics, clients and exports).
MIN_CALLS_TO_COMPARE = 10
MIN_SHARE_TO_COMPARE = 0.1
NEW = "New"


def _signed(change: float, unit: str) -> str:
    shown = f"{abs(change):,.1f}"
    if shown == "0.0":
        return f"0.0{unit}"
    return f"{'+' if change > 0 else '−'}{shown}{unit}"


def change_label(change: float | None) -> str:
    """A percent change with one decimal: '+12.5%', '−3.0%'; a dash when there is nothing to compare with."""
    return DASH if change is None else _signed(change, "%")


def points_label(change: float | None) -> str:
    """A change of a 0–100 score, always in points with one decimal: '+4.2 pts'."""
    return DASH if change is None else _signed(change, " pts")


def score_points(current: float | None, previous: float | None) -> float | None:
    """The change of an average score in points (the API's trends give a percent change)."""
    return None if current is None or previous is None else round(current - previous, 1)


def comparable(previous_calls: int | None, current_calls: int = 0) -> bool:
    """Whether the previous period held enough calls for a change against it to mean something: at least
    MIN_CALLS_TO_COMPARE, and at least MIN_SHARE_TO_COMPARE of this period's."""
    if previous_calls is None or previous_calls < MIN_CALLS_TO_COMPARE:
        return False
    return previous_calls >= MIN_SHARE_TO_COMPARE * current_calls


def delta_label(
    change: float | None, previous_calls: int | None, current_calls: int = 0, *, points: bool = False
) -> str:
    """A change against the previous period when that period is `comparable`: else "New" when it had no calls
    (and this one has some), "—" when it had too few. `points`: a score change ('+3.2 pts'), else a percent
    change ('+12.5%')."""
    if not comparable(previous_calls, current_calls):
        return NEW if not previous_calls and current_calls > 0 else DASH
    return points_label(change) if points else change_label(change)


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


def upload_rejected(rejections: list[dict], max_bytes: int, kind: str = "CSV file") -> str:
    """Why the browser refused a chosen file (react-dropzone's rejection codes), in words."""
    codes = {e.get("code") for r in rejections if isinstance(r, dict) for e in r.get("errors") or []}
    if "file-too-large" in codes:
        return f"The file is over {max_bytes // (1024 * 1024)} MB, the most one upload takes"
    if "file-invalid-type" in codes:
        return f"Choose a {kind} (.csv)"
    if "too-many-files" in codes:
        return "Choose one file"
    return "The browser refused the file"
