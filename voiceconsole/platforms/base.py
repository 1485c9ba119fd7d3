"""The common shapes every platform connector maps onto.

Platform quirks (units, vocabularies, timestamp formats) stay inside each platform's module;
everything downstream (ingestion, scoring, the API) only sees these records.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from math import isfinite
from typing import Any, Literal

Platform = Literal["retell", "vapi", "elevenlabs"]
PLATFORMS: tuple[str, ...] = ("retell", "vapi", "elevenlabs")
PLATFORM_NAMES = {"retell": "Retell", "vapi": "Vapi", "elevenlabs": "ElevenLabs"}  # as people write them

CallStatus = Literal["ended", "error", "in_progress"]
Direction = Literal["inbound", "outbound"]
Sentiment = Literal["Positive", "Neutral", "Negative"]
Role = Literal["agent", "user", "tool", "system"]


@dataclass(slots=True)
class Word:
    word: str
    start: float  # seconds from the start of the call
    end: float


@dataclass(slots=True)
class Turn:
    """One utterance. Times are seconds from the start of the call (None when unknown)."""

    role: Role
    text: str
    start: float | None = None
    end: float | None = None
    words: list[Word] | None = None

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {"role": self.role, "text": self.text, "start": self.start, "end": self.end}
        if self.words:
            d["words"] = [{"word": w.word, "start": w.start, "end": w.end} for w in self.words]
        return d


@dataclass(slots=True)
class AgentRecord:
    platform: Platform
    platform_agent_id: str
    name: str
    voice: str | None = None
    model: str | None = None
    prompt: str | None = None
    platform_version: str | None = None
    updated_at: datetime | None = None  # UTC, tz-aware
    raw: dict[str, Any] = field(default_factory=dict)


@dataclass(slots=True)
class CostItem:
    """One component of a call's cost as the platform itemises it (Retell `product_costs`, Vapi `costs[]`
    or `costBreakdown`, ElevenLabs `charging`). `name` is the platform's own word for it."""

    name: str
    usd: Decimal | None = None
    credits: int | None = None  # platforms that bill in credits (ElevenLabs)
    quantity: float | None = None
    unit: str | None = None  # "seconds", "minutes", "tokens", "characters", …

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "usd": None if self.usd is None else float(self.usd),
            "credits": self.credits,
            "quantity": self.quantity,
            "unit": self.unit,
        }


@dataclass(slots=True)
class LatencyStats:
    """A platform's own measurement of one stage of response latency, in milliseconds."""

    p50: float | None = None
    p90: float | None = None
    p95: float | None = None
    p99: float | None = None
    min: float | None = None
    max: float | None = None
    avg: float | None = None
    num: int | None = None  # how many measurements

    def to_dict(self) -> dict[str, Any]:
        return {k: getattr(self, k) for k in LATENCY_FIELDS if getattr(self, k) is not None}


LATENCY_FIELDS = ("p50", "p90", "p95", "p99", "min", "max", "avg", "num")
# The stage that stands for "how long the caller waited for an answer": Retell's end-to-end, Vapi's turn.
HEADLINE_LATENCY_STAGES = ("e2e", "turn")


@dataclass(slots=True)
class CallRecord:
    platform: Platform
    platform_call_id: str
    platform_agent_id: str | None
    status: CallStatus
    started_at: datetime | None  # UTC, tz-aware
    agent_name: str | None = None
    direction: Direction | None = None
    from_number: str | None = None
    to_number: str | None = None
    ended_at: datetime | None = None
    duration_ms: int | None = None
    cost_usd: Decimal | None = None  # USD, already converted from the platform's unit
    recording_url: str | None = None
    transcript: str | None = None  # plain text, "Agent: …\nUser: …"
    turns: list[Turn] = field(default_factory=list)
    summary: str | None = None
    sentiment: Sentiment | None = None  # platform-provided, normalised
    successful: bool | None = None  # platform success flag: True / False / None (unknown)
    end_reason: str | None = None  # raw platform value, free text
    platform_status: str | None = None  # raw platform status
    analysis: dict[str, Any] = field(default_factory=dict)  # the platform's own analysis, raw
    metadata: dict[str, Any] = field(default_factory=dict)
    cost_credits: int | None = None  # the platform's credits (ElevenLabs `metadata.cost`), as given
    cost_breakdown: list[CostItem] = field(default_factory=list)
    latency: dict[str, LatencyStats] = field(default_factory=dict)  # platform-measured, by stage ("e2e", "llm", …)
    recordings: dict[str, str] = field(default_factory=dict)  # other recordings: "stereo", "multichannel", …
    # What this record was mapped from, kept (compressed) so a better mapper can re-derive the call
    # later: the platform object and which of the platform's mappers reads it (`remap(source, raw)`).
    raw: dict[str, Any] | None = None
    raw_source: str = "call"


def transcript_text(turns: list[Turn]) -> str:
    """Plain-text transcript in the common 'Agent: …' / 'User: …' line format."""
    names = {"agent": "Agent", "user": "User"}
    return "".join(f"{names[t.role]}: {t.text}\n" for t in turns if t.role in names and t.text)


_MICRO_USD = Decimal("0.000001")


def require_field(raw: Any, key: str, *, platform: str, what: str) -> str:
    """A required id from a platform payload; a clear ValueError when it is missing."""
    if not isinstance(raw, dict) or not raw.get(key):
        raise ValueError(f"{platform} {what} payload has no {key!r}")
    return str(raw[key])


def to_usd(amount: Any, *, per_dollar: int = 1) -> Decimal | None:
    """A platform amount as USD to the micro-dollar (`per_dollar=100` for cents); None when there is none,
    or when it is not a finite number (a cost we cannot read must not lose the call)."""
    if amount is None or isinstance(amount, bool):
        return None
    try:
        usd = (Decimal(str(amount)) / per_dollar).quantize(_MICRO_USD, rounding=ROUND_HALF_UP)
    except ArithmeticError:  # decimal.InvalidOperation ("abc", NaN, infinity) and overflow
        return None
    return usd if usd.is_finite() else None


def as_float(value: Any) -> float | None:
    """A JSON number as a float; None for anything else (strings, booleans, NaN, infinity, nested
    objects), so a field of the wrong type is skipped instead of failing the call."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    try:
        number = float(value)
    except OverflowError:  # an int too large for a float
        return None
    return number if isfinite(number) else None


def as_int(value: Any) -> int | None:
    """A JSON number that is a whole number (3 or 3.0) as an int; None for anything else."""
    number = as_float(value)
    return int(number) if number is not None and number.is_integer() else None
