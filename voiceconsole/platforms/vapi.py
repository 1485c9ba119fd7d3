"""Vapi: mapping of native Assistant and Call objects onto the common records.

Shapes: /work/shared/platform-apis.md §2 (GET /call, GET /assistant, end-of-call-report `call`).
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from voiceconsole.platforms.base import AgentRecord, CallRecord, Turn, transcript_text

# --------------------------------------------------------------------------------------------------
# Mapping
# --------------------------------------------------------------------------------------------------

_MICRO_USD = Decimal("0.000001")
_LIVE_STATUSES = {"scheduled", "queued", "ringing", "in-progress", "forwarding"}
# "not-found" / "deletion-failed" describe a broken call record, not a finished conversation.
_BROKEN_STATUSES = {"not-found", "deletion-failed"}
_ERROR_PREFIXES = ("pipeline-error-", "call.start.error-", "call.in-progress.error-")
_DIRECTIONS = {"inboundPhoneCall": "inbound", "outboundPhoneCall": "outbound"}
_ROLES = {
    "bot": "agent",
    "assistant": "agent",
    "user": "user",
    "system": "system",
    "tool_calls": "tool",
    "tool_call_result": "tool",
    "tool": "tool",
    "function": "tool",
}
_SENTIMENTS = {"positive": "Positive", "neutral": "Neutral", "negative": "Negative"}
# successEvaluation words from the PassFail, DescriptiveScale and LikertScale rubrics.
_SUCCESS_WORDS = {
    "true": True, "pass": True, "passed": True, "yes": True, "excellent": True, "good": True,
    "agree": True, "strongly agree": True,
    "false": False, "fail": False, "failed": False, "no": False, "fair": False, "poor": False,
    "disagree": False, "strongly disagree": False,
}
_SCORE = re.compile(r"(\d+(?:\.\d+)?)\s*(%|/\s*(\d+(?:\.\d+)?))?")


def map_agent(raw: dict[str, Any]) -> AgentRecord:
    """Map an Assistant object."""
    agent_id = _require(raw, "id", "assistant")
    model = raw.get("model") or {}
    system = next((m.get("content") for m in model.get("messages") or [] if m.get("role") == "system"), None)
    return AgentRecord(
        platform="vapi",
        platform_agent_id=agent_id,
        name=raw.get("name") or agent_id,
        voice=(raw.get("voice") or {}).get("voiceId"),
        model=model.get("model"),
        prompt=system,
        platform_version=raw.get("latestVersion"),
        updated_at=_from_iso(raw.get("updatedAt")),
        raw=raw,
    )


def map_call(raw: dict[str, Any]) -> CallRecord:
    """Map a Call object (GET /call, GET /call/{id}, or the `call` of a server message)."""
    call_id = _require(raw, "id", "call")
    created_at = _from_iso(raw.get("createdAt"))
    connected_at = _from_iso(raw.get("startedAt"))
    ended_at = _from_iso(raw.get("endedAt"))
    duration_ms = (ended_at - connected_at) // timedelta(milliseconds=1) if connected_at and ended_at else None
    artifact = raw.get("artifact") or {}
    analysis = raw.get("analysis") or {}
    cost = raw.get("cost")
    if cost is None:
        cost = (raw.get("costBreakdown") or {}).get("total")
    turns = [_turn(m) for m in artifact.get("messages") or raw.get("messages") or [] if m.get("role") in _ROLES]
    direction = _DIRECTIONS.get(raw.get("type"))
    customer = (raw.get("customer") or {}).get("number")
    own = (raw.get("phoneNumber") or {}).get("number")
    from_number, to_number = {"inbound": (customer, own), "outbound": (own, customer)}.get(direction, (None, None))
    return CallRecord(
        platform="vapi",
        platform_call_id=call_id,
        platform_agent_id=raw.get("assistantId") or None,
        status=_status(raw.get("status"), raw.get("endedReason"), ended_at),
        # A call that never connected has no startedAt; when it was placed is the next best time.
        started_at=connected_at or created_at,
        agent_name=(raw.get("assistant") or {}).get("name"),
        direction=direction,
        from_number=from_number,
        to_number=to_number,
        ended_at=ended_at,
        duration_ms=duration_ms,
        cost_usd=_usd(cost),
        recording_url=_recording_url(raw, artifact),
        transcript=transcript_text(turns) or artifact.get("transcript") or raw.get("transcript") or None,
        turns=turns,
        summary=analysis.get("summary") or raw.get("summary"),
        sentiment=_sentiment(analysis.get("structuredData")),
        successful=parse_success_evaluation(analysis.get("successEvaluation")),
        end_reason=raw.get("endedReason"),
        platform_status=raw.get("status"),
        analysis=analysis,
        metadata=raw.get("metadata") or {},
    )


def parse_success_evaluation(value: Any) -> bool | None:
    """Read `analysis.successEvaluation`, whose format depends on the assistant's rubric.

    PassFail "true"/"false" (also pass/fail), NumericScale "1".."10" (>= 7 is a success),
    PercentageScale "70%" and up, DescriptiveScale Excellent/Good vs Fair/Poor, Likert agree vs
    disagree. Anything else (checklists, matrices, "Neutral") is unknown.
    """
    if value is None:
        return None
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in _SUCCESS_WORDS:
        return _SUCCESS_WORDS[text]
    match = _SCORE.fullmatch(text)
    if not match:
        return None
    score = float(match[1])
    if match[2] == "%":
        return score >= 70
    scale = float(match[3]) if match[3] else (10.0 if score <= 10 else 100.0)
    return score / scale >= 0.7


def _require(raw: Any, key: str, what: str) -> str:
    if not isinstance(raw, dict) or not raw.get(key):
        raise ValueError(f"Vapi {what} payload has no {key!r}")
    return str(raw[key])


def _from_iso(value: Any) -> datetime | None:
    if not value:
        return None
    parsed = datetime.fromisoformat(value)
    return parsed.replace(tzinfo=timezone.utc) if parsed.tzinfo is None else parsed.astimezone(timezone.utc)


def _usd(value: Any) -> Decimal | None:
    return None if value is None else Decimal(str(value)).quantize(_MICRO_USD, rounding=ROUND_HALF_UP)


def _status(status: str | None, ended_reason: str | None, ended_at: datetime | None) -> str:
    if status in _LIVE_STATUSES or (status is None and ended_at is None):
        return "in_progress"
    if status in _BROKEN_STATUSES or _is_error(ended_reason):
        return "error"
    return "ended"


def _is_error(reason: str | None) -> bool:
    return bool(reason) and (reason.startswith(_ERROR_PREFIXES) or "-failed-to-connect" in reason)


def _recording_url(raw: dict[str, Any], artifact: dict[str, Any]) -> str | None:
    mono = ((artifact.get("recording") or {}).get("mono") or {}).get("combinedUrl")
    return artifact.get("recordingUrl") or mono or raw.get("recordingUrl")


def _turn(message: dict[str, Any]) -> Turn:
    start = message.get("secondsFromStart")
    end = None
    if start is not None and message.get("time") is not None and message.get("endTime") is not None:
        end = round(start + (message["endTime"] - message["time"]) / 1000, 3)
    return Turn(role=_ROLES[message["role"]], text=_text(message), start=start, end=end)


def _text(message: dict[str, Any]) -> str:
    if message.get("message"):
        return message["message"]
    if message.get("result") is not None:
        return str(message["result"])
    calls = message.get("toolCalls") or []
    return ", ".join((c.get("function") or {}).get("name", "") for c in calls)


def _sentiment(structured: Any) -> str | None:
    # Vapi has no sentiment field; use one from the structured-data schema when the agency added it.
    if not isinstance(structured, dict):
        return None
    label = structured.get("sentiment")
    return _SENTIMENTS.get(label.lower()) if isinstance(label, str) else None
