"""The call score (DESIGN.md §7): four weighted categories, 0–100, with the reasons behind each.

`score_call` is the one place a call gets its score, in the product (scoring job), the CLI
(`voiceconsole score`) and the benchmarks. It is pure: no database, no network, no clock.

    result = score_call(ScoringInput.from_record(record), weights=org_weights)
    call.score, call.score_breakdown, call.score_version = result.score, result.breakdown, result.version
    call.__dict__.update(voice_metrics(result.features))   # or set the five columns one by one

A call with no transcript scores 0 with reason `no_transcript` and must be left out of averages
(`result.no_transcript`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from voiceconsole.scoring import categories as cat
from voiceconsole.scoring.features import CallFeatures, compute_features
from voiceconsole.scoring.outcome import NOT_CONNECTED, detect_outcome, read_exchanges
from voiceconsole.scoring.sentiment import read_caller_sentiment

# Bump whenever the same call would get a different score or breakdown: stored scores carry the
# version, so a rescoring job can find the calls scored by an older one.
SCORER_VERSION = "local-2"
CATEGORIES: tuple[str, ...] = ("duration", "sentiment", "outcome", "engagement")
DEFAULT_WEIGHTS: dict[str, int] = {"duration": 20, "sentiment": 25, "outcome": 35, "engagement": 20}
RANGES: tuple[tuple[int, str], ...] = ((80, "Excellent"), (60, "Good"), (40, "Needs attention"), (0, "Poor"))
NO_TRANSCRIPT = "no_transcript"

_ROLE_PREFIXES = {
    "agent": "agent",
    "ai": "agent",
    "bot": "agent",
    "assistant": "agent",
    "user": "user",
    "customer": "user",
    "caller": "user",
    "human": "user",
}


def range_label(score: int) -> str:
    """Excellent (80–100), Good (60–79), Needs attention (40–59), Poor (0–39)."""
    for floor, label in RANGES:
        if score >= floor:
            return label
    return "Poor"


def validate_weights(weights: Mapping[str, Any]) -> dict[str, int]:
    """Check a weight set: exactly the four categories, whole numbers ≥ 0, summing to 100.

    Returns a plain dict in category order; raises ValueError whose message names the field.
    """
    if not isinstance(weights, Mapping):
        raise ValueError("weights: must be an object with duration, sentiment, outcome and engagement")
    for key in weights:
        if key not in CATEGORIES:
            raise ValueError(f"weights.{key}: unknown category (expected one of {', '.join(CATEGORIES)})")
    out: dict[str, int] = {}
    for key in CATEGORIES:
        if key not in weights:
            raise ValueError(f"weights.{key}: required")
        v = weights[key]
        if isinstance(v, float) and v.is_integer():
            v = int(v)
        if isinstance(v, bool) or not isinstance(v, int):
            raise ValueError(f"weights.{key}: must be a whole number")
        if v < 0:
            raise ValueError(f"weights.{key}: must be 0 or more")
        out[key] = v
    total = sum(out.values())
    if total != 100:
        raise ValueError(f"weights: must add up to 100 (they add up to {total})")
    return out


def effective_weights(
    org_weights: Mapping[str, Any] | None = None, client_weights: Mapping[str, Any] | None = None
) -> dict[str, int]:
    """The weights that apply to a call: the client's override, else the organization's, else
    the defaults. Each set is validated whole (no mixing of partial sets)."""
    for w in (client_weights, org_weights):
        if w:
            return validate_weights(w)
    return dict(DEFAULT_WEIGHTS)


def parse_transcript_text(text: str) -> list[dict[str, Any]]:
    """Turns from a plain-text transcript ("Agent: …\\nUser: …"; also "AI:", "Bot:", "Customer:").

    Lines without a known speaker prefix continue the previous turn. Used for stored calls that
    have transcript text but no turns.
    """
    turns: list[dict[str, Any]] = []
    for line in text.splitlines():
        line = line.strip()
        if not line:
            continue
        head, sep, rest = line.partition(":")
        role = _ROLE_PREFIXES.get(head.strip().lower()) if sep and len(head) <= 20 else None
        if role:
            turns.append({"role": role, "text": rest.strip(), "start": None, "end": None})
        elif turns:
            turns[-1]["text"] += " " + line
    return turns


@dataclass(slots=True)
class ScoringInput:
    """What the scorer reads from a call: a stored call's columns, or a `CallRecord`."""

    status: str | None = "ended"
    duration_ms: int | None = None
    turns: list[dict[str, Any]] = field(default_factory=list)
    transcript: str | None = None
    sentiment: str | None = None  # platform's: Positive | Neutral | Negative (None if unknown)
    successful: bool | None = None  # platform's success flag (None if unknown)
    end_reason: str | None = None  # raw platform value
    summary: str | None = None

    @classmethod
    def from_record(cls, rec: Any) -> ScoringInput:
        """From a `voiceconsole.platforms.base.CallRecord` (or anything with the same fields)."""
        turns = [t.to_dict() if hasattr(t, "to_dict") else dict(t) for t in (rec.turns or [])]
        return cls(
            status=rec.status,
            duration_ms=rec.duration_ms,
            turns=turns,
            transcript=rec.transcript,
            sentiment=rec.sentiment,
            successful=rec.successful,
            end_reason=rec.end_reason,
            summary=rec.summary,
        )

    @classmethod
    def from_call(cls, call: Any) -> ScoringInput:
        """From a stored `voiceconsole.models.Call` row."""
        return cls(
            status=call.status,
            duration_ms=call.duration_ms,
            turns=list(call.transcript_turns or []),
            transcript=call.transcript,
            sentiment=call.sentiment,
            successful=call.successful,
            end_reason=call.end_reason,
            summary=call.summary,
        )


@dataclass(slots=True)
class ScoreResult:
    score: int
    range_label: str
    breakdown: dict[str, Any]  # JSON-ready: {category: {score, weight, reasons}, ..., "version"}
    version: str
    features: CallFeatures
    no_transcript: bool = False


def _spoken(turns: list[Any]) -> list[tuple[str, str]]:
    """(role, text) of the agent's and caller's turns with words, in call order."""
    spoken: list[tuple[str, str]] = []
    for t in turns:
        get = t.get if isinstance(t, dict) else (lambda k, _t=t: getattr(_t, k, None))
        text = get("text")
        if not text or not text.strip():
            continue
        role = _ROLE_PREFIXES.get(str(get("role") or "").lower())
        if role is not None:
            spoken.append((role, text))
    return spoken


def score_call(call: ScoringInput, weights: Mapping[str, Any] | None = None) -> ScoreResult:
    """Score one ended call in local mode. Weights default to DEFAULT_WEIGHTS (validated if given)."""
    w = dict(DEFAULT_WEIGHTS) if weights is None else validate_weights(weights)
    turns = call.turns or []
    spoken = _spoken(turns)
    if not spoken and call.transcript and call.transcript.strip():
        turns = parse_transcript_text(call.transcript)
        spoken = _spoken(turns)
    features = compute_features(turns, call.duration_ms)

    if not spoken:
        breakdown: dict[str, Any] = {
            name: {"score": 0, "weight": w[name], "reasons": [NO_TRANSCRIPT]} for name in CATEGORIES
        }
        breakdown["version"] = SCORER_VERSION
        breakdown[NO_TRANSCRIPT] = True
        return ScoreResult(0, range_label(0), breakdown, SCORER_VERSION, features, no_transcript=True)

    exchanges = read_exchanges(spoken)
    signals = detect_outcome(spoken, call.end_reason, call.summary, exchanges)
    caller_text = [text for role, text in spoken if role == "user"]
    results = {
        "duration": cat.duration(features, signals.end_class),
        "sentiment": cat.sentiment(call.sentiment, read_caller_sentiment(caller_text, exchanges.replies)),
        "outcome": cat.outcome(call.successful, signals, features, call.status),
        "engagement": cat.engagement(features),
    }
    if signals.voicemail or signals.end_class == NOT_CONNECTED:
        # Nobody to talk to: an answering machine's greeting says nothing about tone or rapport.
        where = "voicemail" if signals.voicemail else "nobody"
        results["sentiment"] = cat.CategoryResult(50, [f"Call reached {where}: no caller tone to judge"])
        results["engagement"] = cat.CategoryResult(10, [f"No conversation: the call reached {where}"])
    total = sum(results[name].score * w[name] for name in CATEGORIES) / 100
    score = int(min(100.0, max(0.0, total)) + 0.5)  # half up, like the categories
    breakdown = {
        name: {"score": results[name].score, "weight": w[name], "reasons": results[name].reasons} for name in CATEGORIES
    }
    breakdown["version"] = SCORER_VERSION
    return ScoreResult(score, range_label(score), breakdown, SCORER_VERSION, features)


def voice_metrics(features: CallFeatures) -> dict[str, Any]:
    """The voice-metric columns of the call table (None where the call's timing does not tell)."""
    has_timing = features.timing != "none"
    return {
        "latency_p50_ms": features.latency_p50_ms,
        "latency_p90_ms": features.latency_p90_ms,
        "interruptions": features.interruptions,
        "talk_ratio": round(features.talk_ratio, 3) if (features.talk_ratio is not None and has_timing) else None,
        "longest_silence_s": features.longest_silence_s,
    }
