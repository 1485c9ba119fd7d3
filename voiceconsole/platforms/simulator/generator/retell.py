"""Retell rendering: a `_Conversation` as a Retell get-call object (transcript with word timestamps,
latency percentiles, cost breakdown, call_analysis; docs/platform-apis.md section 1) and an `_AgentSpec`
as a Retell agent carrying its Retell LLM.
"""

from __future__ import annotations

import random
from typing import Any

from voiceconsole.platforms.simulator.generator.catalog import (
    _RETELL_MODELS,
    _RETELL_VOICES,
    _AgentSpec,
    _Profile,
    _retell_id,
    _traits,
)
from voiceconsole.platforms.simulator.generator.conversation import _Conversation, _Turn

_RETELL_END = {
    "user_hangup": "user_hangup",
    "agent_hangup": "agent_hangup",
    "transfer": "call_transfer",
    "voicemail": "voicemail_reached",
    "no_answer": "dial_no_answer",
    "busy": "dial_busy",
    "error_llm": "error_llm_websocket_lost_connection",
    "error_asr": "error_asr",
    "error_tts": "error_retell",
}


def _retell_transcript(turns: list[_Turn]) -> tuple[str, list[dict[str, Any]]]:
    text = "".join(f"{'Agent' if t.role == 'agent' else 'User'}: {t.text}\n" for t in turns)
    obj = [
        {"role": t.role, "content": t.text, "words": [{"word": w, "start": s, "end": e} for w, s, e in t.words]}
        for t in turns
    ]
    return text, obj


def _percentiles_ms(values: list[float]) -> dict[str, Any]:
    ms = sorted(round(v * 1000) for v in values)
    stats: dict[str, Any] = {f"p{q}": ms[min(len(ms) - 1, q * len(ms) // 100)] for q in (50, 90, 95, 99)}
    stats.update(max=ms[-1], min=ms[0], num=len(ms), values=ms)
    return stats


def _retell_render(conv: _Conversation) -> tuple[str, list[dict[str, Any]], dict[str, Any] | None]:
    if conv._retell is None:
        text, obj = _retell_transcript(conv.turns)
        latency = {"e2e": _percentiles_ms(conv.latencies)} if conv.latencies else None
        conv._retell = (text, obj, latency)
    return conv._retell


def _retell_call(
    p: _Profile, conv: _Conversation, rng: random.Random, start_ms: int, other: str, web: bool, elapsed: float | None
) -> dict[str, Any]:
    call_id = _retell_id(rng)
    call: dict[str, Any] = {
        "call_id": call_id,
        "call_type": "web_call" if web else "phone_call",
        "agent_id": p.agent_id,
        "agent_version": p.version,
        "agent_name": p.name,
    }
    if not web:
        call["direction"] = conv.direction
        inbound = conv.direction == "inbound"
        call["from_number"], call["to_number"] = (other, p.number) if inbound else (p.number, other)
    call["start_timestamp"] = start_ms
    if elapsed is not None:
        call["call_status"] = "ongoing"
        call["transcript"], call["transcript_object"] = _retell_transcript(conv.partial(elapsed))
        return call

    text, obj, latency = _retell_render(conv)
    duration_ms = round(conv.duration * 1000)
    rate_cents = p.rate * (0.95 + 0.1 * rng.random()) * 100 / 60  # cents per second
    if conv.end.startswith("error"):
        call["call_status"] = "error"
    else:
        call["call_status"] = "ended" if conv.connected else "not_connected"
    call["end_timestamp"] = start_ms + duration_ms
    call["duration_ms"] = duration_ms
    call["transcript"] = text
    call["transcript_object"] = obj
    if conv.connected:
        call["recording_url"] = f"https://storage.example.com/retell/{call_id}/recording.wav"
    call["disconnection_reason"] = _RETELL_END[conv.end]
    call["call_cost"] = _retell_cost(conv.duration if conv.connected else 0.0, rate_cents)
    if latency:
        call["latency"] = latency
    call["call_analysis"] = {
        "call_summary": conv.summary,
        "user_sentiment": conv.sentiment or "Unknown",
        "call_successful": conv.successful,
        "in_voicemail": conv.end == "voicemail",
        "custom_analysis_data": conv.data,
    }
    return call


def _retell_cost(seconds: float, rate_cents: float) -> dict[str, Any]:
    total = round(seconds * rate_cents, 4)
    shares = (("retell_platform", 0.45), ("elevenlabs_tts", 0.35), ("gpt_4_1", 0.2))
    return {
        "combined_cost": total,
        "product_costs": [
            {"product": name, "unit_price": round(rate_cents * share, 6), "cost": round(total * share, 4)}
            for name, share in shares
        ]
        if seconds
        else [],
        "total_duration_seconds": round(seconds),
        "total_duration_unit_price": round(rate_cents, 6),
    }


def _retell_agent(rng: random.Random, spec: _AgentSpec) -> dict[str, Any]:
    agent_id = _retell_id(rng)
    version = rng.randint(1, 6)
    llm_id = f"llm_{rng.getrandbits(96):024x}"
    model = rng.choice(_RETELL_MODELS)
    persona = _traits("retell", agent_id)[0]
    prompt = spec.prompt(persona)
    updated_ms = int(spec.updated.timestamp() * 1000)
    return {
        "agent_id": agent_id,
        "agent_name": spec.name,
        "version": version,
        "is_published": True,
        "response_engine": {"type": "retell-llm", "llm_id": llm_id, "version": version},
        "voice_id": rng.choice(_RETELL_VOICES),
        "language": "en-US",
        "webhook_url": "https://hooks.example.com/retell",
        "max_call_duration_ms": 600000,
        "post_call_analysis_data": [dict(f) for f in _ANALYSIS_FIELDS],
        "last_modification_timestamp": updated_ms,
        "_client": spec.client.name,
        "_prompt": prompt,
        "_llm": {
            "llm_id": llm_id,
            "version": version,
            "is_published": True,
            "model": model,
            "general_prompt": prompt,
            "begin_message": spec.greeting(persona),
            "start_speaker": "agent",
            "last_modification_timestamp": updated_ms,
        },
    }


_ANALYSIS_FIELDS: list[dict[str, Any]] = [
    {
        "type": "enum",
        "name": "intent",
        "description": "Main reason for the call.",
        "choices": [
            "book_appointment",
            "reschedule_appointment",
            "cancel_appointment",
            "pricing_question",
            "support",
            "complaint",
            "lead_qualification",
            "appointment_confirmation",
            "wrong_number",
            "voicemail",
            "unknown",
        ],
    },
    {"type": "string", "name": "caller_name", "description": "The caller's full name, if given."},
    {"type": "boolean", "name": "appointment_booked", "description": "Was an appointment booked or kept?"},
    {"type": "string", "name": "appointment_time", "description": "Day and time of the booked appointment."},
    {"type": "boolean", "name": "lead_qualified", "description": "Did the lead qualify?"},
    {"type": "boolean", "name": "escalation_requested", "description": "Does a human need to follow up?"},
]
