"""Retell rendering: a `_Conversation` as a Retell get-call object (transcript with word timestamps,
latency percentiles, cost breakdown, call_analysis; docs/platform-apis.md section 1) and an `_AgentSpec`
as a Retell agent carrying its Retell LLM.

`latency` has a `{p50, p90, p95, p99, max, min, num, values}` entry (ms; `values` sorted ascending) for
every stage Retell measures for the agent's set-up: always `e2e`, `asr`; `llm` and `tts` (or, for a
speech-to-speech model, `s2s` instead of both); `knowledge_base` when the agent's LLM has one;
`llm_websocket_network_rtt` for a custom LLM. `e2e` is the gap the caller waited (as before), and
asr + llm + tts (+ knowledge_base, or s2s in place of llm + tts) add up to it within a few percent.

`call_cost` (cents): `combined_cost` and `product_costs[]` {product, unit_price (cents/s), cost}, one
per product: "retell_platform", the voice ("elevenlabs_tts" / "openai_tts"), the LLM named after its
model ("gpt_4_1_mini") and, for an agent with a knowledge base, "knowledge_base" (an assumed name);
they add up to `combined_cost`. A call that never connected has no products.

A call that never connected (`not_connected`: dial_no_answer, dial_busy) has no `start_timestamp`
(Retell sets it when the call starts); `end_timestamp` is when the dial gave up, `duration_ms` is 0.
Web calls carry the `access_token` the browser joined with.
"""

from __future__ import annotations

import base64
import hashlib
import json
import random
import re
from typing import Any

from voiceconsole.platforms.simulator.generator.catalog import (
    _RETELL_MODELS,
    _RETELL_VOICES,
    _AgentSpec,
    _Profile,
    _retell_id,
    _traits,
    _uses_knowledge_base,
)
from voiceconsole.platforms.simulator.generator.conversation import _Conversation, _stages, _Turn

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


def _stats_ms(values: list[int]) -> dict[str, Any]:
    ms = sorted(values)
    stats: dict[str, Any] = {f"p{q}": ms[min(len(ms) - 1, q * len(ms) // 100)] for q in (50, 90, 95, 99)}
    stats.update(max=ms[-1], min=ms[0], num=len(ms), values=ms)
    return stats


def _retell_latency(conv: _Conversation, p: _Profile) -> dict[str, Any] | None:
    """The `latency` object: one entry per stage Retell measures for this agent's set-up."""
    if not conv.latencies:
        return None
    stages = _stages(conv)
    kb = p.knowledge_base
    per_stage: dict[str, list[int]] = {"e2e": [s.e2e for s in stages], "asr": [s.asr + s.endpointing for s in stages]}
    llm = [s.llm + (0 if kb else s.kb) for s in stages]
    if p.engine == "custom-llm":  # Retell's llm time includes the round trip to the customer's LLM server
        llm = [ms + s.network for ms, s in zip(llm, stages, strict=True)]
        per_stage["llm_websocket_network_rtt"] = [s.network for s in stages]
    if p.engine == "s2s":
        per_stage["s2s"] = [ms + s.tts for ms, s in zip(llm, stages, strict=True)]
    else:
        per_stage["llm"] = llm
        per_stage["tts"] = [s.tts for s in stages]
    if kb:
        per_stage["knowledge_base"] = [s.kb for s in stages]
    return {stage: _stats_ms(values) for stage, values in per_stage.items()}


def _retell_render(conv: _Conversation, p: _Profile) -> tuple[str, list[dict[str, Any]], dict[str, Any] | None]:
    """Transcript, transcript_object and latency, made once per conversation (one agent's) and shared."""
    if conv._retell is None:
        text, obj = _retell_transcript(conv.turns)
        conv._retell = (text, obj, _retell_latency(conv, p))
    return conv._retell


def _retell_call(
    p: _Profile,
    conv: _Conversation,
    rng: random.Random,
    start_ms: int,
    other: str,
    web: bool,
    elapsed: float | None,
    wanted: frozenset[str],
) -> dict[str, Any]:
    """A Retell call. Its variants come from the conversation (`wanted` is taken for the common
    renderer signature: "not_connected" is a conversation that did not connect)."""
    call_id = _retell_id(rng)
    call: dict[str, Any] = {
        "call_id": call_id,
        "call_type": "web_call" if web else "phone_call",
        "agent_id": p.agent_id,
        "agent_version": p.version,
        "agent_name": p.name,
    }
    if web:  # the token the browser joined with; derived from the id so the shared rng is not drawn
        call["access_token"] = _web_access_token(call_id)
    else:
        call["direction"] = conv.direction
        inbound = conv.direction == "inbound"
        call["from_number"], call["to_number"] = (other, p.number) if inbound else (p.number, other)
    if conv.connected or elapsed is not None:  # set once the call starts: never for a dial that failed
        call["start_timestamp"] = start_ms
    if elapsed is not None:
        call["call_status"] = "ongoing"
        call["transcript"], call["transcript_object"] = _retell_transcript(conv.partial(elapsed))
        return call

    text, obj, latency = _retell_render(conv, p)
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
        if p.knowledge_base and conv.latencies:
            url = f"https://storage.example.com/retell/{call_id}/knowledge_base_retrieved_contents.json"
            call["knowledge_base_retrieved_contents_url"] = url
    call["disconnection_reason"] = _RETELL_END[conv.end]
    call["call_cost"] = _retell_cost(p, conv.duration if conv.connected else 0.0, rate_cents)
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


def _web_access_token(call_id: str) -> str:
    """A JWT-shaped web-call access token (header.payload.signature, base64url)."""
    payload = base64.urlsafe_b64encode(json.dumps({"call_id": call_id}).encode()).decode().rstrip("=")
    signature = base64.urlsafe_b64encode(hashlib.sha256(call_id.encode()).digest()).decode().rstrip("=")
    return f"eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.{payload}.{signature}"


def _retell_product(name: str) -> str:
    """A model or provider as Retell names its product: "gpt-4.1-mini" -> "gpt_4_1_mini"."""
    return re.sub(r"[^a-z0-9]+", "_", name.lower()).strip("_")


def _retell_cost(p: _Profile, seconds: float, rate_cents: float) -> dict[str, Any]:
    """`call_cost` in cents: platform, voice and LLM products (plus knowledge base when the agent has one)."""
    total = round(seconds * rate_cents, 4)
    voice = "openai_tts" if str(p.voice.get("voice_id", "")).startswith("openai-") else "elevenlabs_tts"
    shares = [("retell_platform", 0.45), (voice, 0.35), (_retell_product(p.llm.get("model", "gpt-4.1")), 0.2)]
    if p.knowledge_base:  # Retell bills knowledge-base retrieval per minute, as its own product
        shares = [("retell_platform", 0.43), (voice, 0.35), (shares[2][0], 0.2), ("knowledge_base", 0.02)]
    costs = [round(total * share, 4) for _, share in shares]
    costs[0] = round(total - sum(costs[1:]), 4)  # the platform absorbs the rounding
    products = [
        {"product": name, "unit_price": round(rate_cents * share, 6), "cost": cost}
        for (name, share), cost in zip(shares, costs, strict=True)
    ]
    return {
        "combined_cost": total,
        "product_costs": products if seconds else [],
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
    llm: dict[str, Any] = {
        "llm_id": llm_id,
        "version": version,
        "is_published": True,
        "model": model,
        "general_prompt": prompt,
        "begin_message": spec.greeting(persona),
        "start_speaker": "agent",
        "last_modification_timestamp": updated_ms,
    }
    if _uses_knowledge_base(agent_id):  # its own generator: the shared rng's draws stay as they were
        llm["knowledge_base_ids"] = [f"knowledge_base_{random.Random(f'kb|{agent_id}').getrandbits(64):016x}"]
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
        "_llm": llm,
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
