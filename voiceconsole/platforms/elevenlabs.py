"""ElevenLabs Agents: mapping of native agent and conversation objects onto the common records.

Shapes: /work/shared/platform-apis.md §3 (GET conversation, list-conversations summary, GET agent,
post_call_transcription webhook `data`).
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from voiceconsole.platforms.base import AgentRecord, CallRecord, Turn, transcript_text

# --------------------------------------------------------------------------------------------------
# Mapping
# --------------------------------------------------------------------------------------------------

_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
_MICRO_USD = Decimal("0.000001")
_STATUSES = {
    "initiated": "in_progress",
    "in-progress": "in_progress",
    "processing": "in_progress",
    "done": "ended",
    "failed": "error",
}
_SUCCESS = {"success": True, "failure": False}
_SENTIMENTS = {"positive": "Positive", "neutral": "Neutral", "negative": "Negative"}
# Analysis fields that the list summary carries at its top level.
_SUMMARY_ANALYSIS_KEYS = (
    "call_successful", "call_success_score", "transcript_summary", "call_summary_title", "sentiment_analysis",
    "evaluation_criteria_results", "data_collection_results",
)


def map_agent(raw: dict[str, Any]) -> AgentRecord:
    """Map a GET agent object (or a list-agents entry, which has only id, name and timestamps)."""
    agent_id = _require(raw, "agent_id", "agent")
    config = raw.get("conversation_config") or {}
    prompt = (config.get("agent") or {}).get("prompt") or {}
    return AgentRecord(
        platform="elevenlabs",
        platform_agent_id=agent_id,
        name=raw.get("name") or agent_id,
        voice=(config.get("tts") or {}).get("voice_id"),
        model=prompt.get("llm"),
        prompt=prompt.get("prompt"),
        platform_version=raw.get("version_id"),
        updated_at=_from_secs((raw.get("metadata") or {}).get("updated_at_unix_secs")),
        raw=raw,
    )


def map_call(raw: dict[str, Any]) -> CallRecord:
    """Map a conversation (GET, or a post_call_transcription webhook's `data`) or a list summary."""
    conversation_id = _require(raw, "conversation_id", "conversation")
    meta = raw.get("metadata") or {}
    analysis = raw.get("analysis") or {k: raw[k] for k in _SUMMARY_ANALYSIS_KEYS if k in raw}
    phone = meta.get("phone_call") or {}
    direction = phone.get("direction") or raw.get("direction")
    direction = direction if direction in ("inbound", "outbound") else None
    external, own = phone.get("external_number"), phone.get("agent_number")
    from_number, to_number = {"inbound": (external, own), "outbound": (own, external)}.get(direction, (None, None))
    status = _STATUSES.get(raw.get("status"), "ended")
    started_at = _from_secs(_first(meta, raw, "start_time_unix_secs"))
    duration_secs = _first(meta, raw, "call_duration_secs")
    # While the call runs, call_duration_secs is only the time so far.
    duration_ms = None if status == "in_progress" or duration_secs is None else int(duration_secs) * 1000
    ended_at = started_at + timedelta(milliseconds=duration_ms) if started_at and duration_ms is not None else None
    turns = _turns(raw.get("transcript") or [])
    cost = _first(meta, raw, "cost_fiat")  # USD; metadata.cost is credits, never use it as money
    return CallRecord(
        platform="elevenlabs",
        platform_call_id=conversation_id,
        platform_agent_id=raw.get("agent_id"),
        status=status,
        started_at=started_at,
        agent_name=raw.get("agent_name"),
        direction=direction,
        from_number=from_number,
        to_number=to_number,
        ended_at=ended_at,
        duration_ms=duration_ms,
        cost_usd=None if cost is None else Decimal(str(cost)).quantize(_MICRO_USD, rounding=ROUND_HALF_UP),
        recording_url=None,  # no URL: the audio is fetched from GET …/conversations/{id}/audio
        transcript=transcript_text(turns) or None,
        turns=turns,
        summary=analysis.get("transcript_summary"),
        sentiment=_sentiment(analysis),
        successful=_SUCCESS.get(analysis.get("call_successful")),
        end_reason=_first(meta, raw, "termination_reason"),
        platform_status=raw.get("status"),
        analysis=analysis,
        metadata=meta,
    )


def _require(raw: Any, key: str, what: str) -> str:
    if not isinstance(raw, dict) or not raw.get(key):
        raise ValueError(f"ElevenLabs {what} payload has no {key!r}")
    return str(raw[key])


def _first(meta: dict[str, Any], raw: dict[str, Any], key: str) -> Any:
    """A field from metadata (conversation shape) or the top level (list summary shape)."""
    return meta[key] if meta.get(key) is not None else raw.get(key)


def _from_secs(value: Any) -> datetime | None:
    return None if value is None else _EPOCH + timedelta(seconds=int(value))


def _turns(items: list[dict[str, Any]]) -> list[Turn]:
    timed = [item for item in items if _role(item)]
    turns = []
    for i, item in enumerate(timed):
        # Only start times are given: a turn ends when the next one starts (unknown for the last).
        following = timed[i + 1].get("time_in_call_secs") if i + 1 < len(timed) else None
        turns.append(Turn(role=_role(item), text=_text(item), start=item.get("time_in_call_secs"), end=following))
    return turns


def _role(item: dict[str, Any]) -> str | None:
    if item.get("message"):
        return {"agent": "agent", "user": "user"}.get(item.get("role"))
    # message is null for turns that only call tools.
    return "tool" if item.get("tool_calls") or item.get("tool_results") else None


def _text(item: dict[str, Any]) -> str:
    if item.get("message"):
        return item["message"]
    calls = item.get("tool_calls") or item.get("tool_results") or []
    return ", ".join(str(c.get("tool_name", "")) for c in calls)


def _sentiment(analysis: dict[str, Any]) -> str | None:
    label = (analysis.get("sentiment_analysis") or {}).get("overall_label")
    if label is None:
        # Not in the full conversation: fall back to a "sentiment" data-collection item if configured.
        label = ((analysis.get("data_collection_results") or {}).get("sentiment") or {}).get("value")
    return _SENTIMENTS.get(label.lower()) if isinstance(label, str) else None
