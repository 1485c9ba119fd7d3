"""Retell AI: mapping of native agent and call objects onto the common records.

Shapes: /work/shared/platform-apis.md §1 (get-call, v3 list-calls items, get-agent, v2 list-agents).
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from voiceconsole.platforms.base import AgentRecord, CallRecord, Turn, Word, transcript_text

# --------------------------------------------------------------------------------------------------
# Mapping
# --------------------------------------------------------------------------------------------------

_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
_MICRO_USD = Decimal("0.000001")

# A call that never connected is over, just empty, so not_connected is "ended".
_STATUSES = {
    "registered": "in_progress",
    "ongoing": "in_progress",
    "not_connected": "ended",
    "ended": "ended",
    "error": "error",
}
_ROLES = {
    "agent": "agent",
    "user": "user",
    "dtmf": "user",  # the caller pressing keys
    # transfer_target is the human the call was handed to: neither the AI agent nor the caller.
    "transfer_target": "system",
    "tool_call_invocation": "tool",
    "tool_call_result": "tool",
}
_SENTIMENTS = {"Positive", "Neutral", "Negative"}  # "Unknown" means no sentiment


def map_agent(raw: dict[str, Any], llm: dict[str, Any] | None = None) -> AgentRecord:
    """Map a get-agent object (or a v2 list-agents summary).

    The prompt and model live on the Retell LLM (`GET /get-retell-llm/{llm_id}`); pass it as `llm`.
    """
    agent_id = _require(raw, "agent_id", "agent")
    llm = llm or {}
    version = raw.get("version")
    return AgentRecord(
        platform="retell",
        platform_agent_id=agent_id,
        name=raw.get("agent_name") or agent_id,
        voice=raw.get("voice_id"),
        model=llm.get("model"),
        prompt=llm.get("general_prompt"),
        platform_version=None if version is None else str(version),
        updated_at=_from_ms(raw.get("last_modification_timestamp") or raw.get("user_modified_timestamp")),
        raw=raw,
    )


def map_call(raw: dict[str, Any]) -> CallRecord:
    """Map a get-call object, a webhook `call`, or a v3 list-calls item (which has no transcript)."""
    call_id = _require(raw, "call_id", "call")
    started_at = _from_ms(raw.get("start_timestamp"))
    ended_at = _from_ms(raw.get("end_timestamp"))
    duration_ms = raw.get("duration_ms")
    if duration_ms is None and started_at and ended_at:
        duration_ms = (ended_at - started_at) // timedelta(milliseconds=1)
    analysis = raw.get("call_analysis") or {}
    turns = _turns(raw)
    direction = raw.get("direction")
    sentiment = analysis.get("user_sentiment")
    successful = analysis.get("call_successful")
    raw_status = raw.get("call_status")
    return CallRecord(
        platform="retell",
        platform_call_id=call_id,
        platform_agent_id=raw.get("agent_id"),
        status=_STATUSES.get(raw_status, "ended" if ended_at else "in_progress"),
        started_at=started_at,
        agent_name=raw.get("agent_name"),
        direction=direction if direction in ("inbound", "outbound") else None,
        from_number=raw.get("from_number"),
        to_number=raw.get("to_number"),
        ended_at=ended_at,
        duration_ms=duration_ms,
        cost_usd=_cents_to_usd((raw.get("call_cost") or {}).get("combined_cost")),
        recording_url=raw.get("recording_url"),
        transcript=(transcript_text(turns) if turns else raw.get("transcript")) or None,
        turns=turns,
        summary=analysis.get("call_summary"),
        sentiment=sentiment if sentiment in _SENTIMENTS else None,
        successful=successful if isinstance(successful, bool) else None,
        end_reason=raw.get("disconnection_reason"),
        platform_status=raw_status,
        analysis=analysis,
        metadata=raw.get("metadata") or {},
    )


def _require(raw: Any, key: str, what: str) -> str:
    if not isinstance(raw, dict) or not raw.get(key):
        raise ValueError(f"Retell {what} payload has no {key!r}")
    return str(raw[key])


def _from_ms(value: Any) -> datetime | None:
    return None if value is None else _EPOCH + timedelta(milliseconds=int(value))


def _cents_to_usd(cents: Any) -> Decimal | None:
    if cents is None:
        return None
    return (Decimal(str(cents)) / 100).quantize(_MICRO_USD, rounding=ROUND_HALF_UP)


def _turns(raw: dict[str, Any]) -> list[Turn]:
    # transcript_object holds only utterances; the tool-call variant is the fallback.
    items = raw.get("transcript_object") or raw.get("transcript_with_tool_calls") or []
    return [turn for turn in map(_turn, items) if turn is not None]


def _turn(item: dict[str, Any]) -> Turn | None:
    role = _ROLES.get(item.get("role"))
    if role is None:  # node transitions and other bookkeeping entries
        return None
    words = [
        Word(w.get("word", ""), w["start"], w["end"])
        for w in item.get("words") or []
        if w.get("start") is not None and w.get("end") is not None
    ]
    text = item.get("content") or item.get("digit") or _tool_text(item)
    return Turn(
        role=role,
        text=text,
        start=words[0].start if words else item.get("time_sec"),
        end=words[-1].end if words else None,
        words=words or None,
    )


def _tool_text(item: dict[str, Any]) -> str:
    name = item.get("name")
    return f"{name}({item.get('arguments', '')})" if name else ""
