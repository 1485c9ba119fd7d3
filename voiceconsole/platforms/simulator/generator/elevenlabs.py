"""ElevenLabs rendering: a `_Conversation` as an ElevenLabs conversation object (transcript, metadata with
phone call and cost, analysis with evaluation criteria and data collection; docs/platform-apis.md
section 3) and an `_AgentSpec` as an ElevenLabs agent.

Costs (finished conversations): `metadata.cost` is credits, `metadata.cost_fiat` USD, and
`metadata.charging` itemises them: `llm_price` / `llm_charge` (USD / credits for the LLM, also per
model in `llm_usage.initiated_generation.model_usage`), `platform_price` / `platform_charge` (the rest),
`call_charge` (the non-LLM credits under their older name, equal to `platform_charge`), `tier`,
`dev_discount`, `is_burst`, `free_minutes_consumed`, `free_llm_dollars_consumed`. So cost =
llm_charge + call_charge and cost_fiat = llm_price + platform_price. One conversation in ten is "older":
`cost_fiat` is null and `charging` has no platform_price / platform_charge, so only credits give the
total. About one in sixteen ended conversations has `termination_reason: ""`. A quarter of the agents
take calls over a SIP trunk (`phone_call.type` "sip_trunking": no stream_sid).
"""

from __future__ import annotations

import random
from typing import Any

from voiceconsole.platforms.simulator.generator.catalog import (
    _EL_LLMS,
    _EL_VOICES,
    _AgentSpec,
    _client_industry,
    _el_id,
    _Profile,
    _traits,
)
from voiceconsole.platforms.simulator.generator.conversation import _Conversation, _Turn, _with_sentiment

_EL_END = {
    "user_hangup": "Call ended by remote party",
    "agent_hangup": "end_call tool was called.",
    "transfer": "transfer_to_number tool was called.",
    "voicemail": "Voicemail detected",
    "no_answer": "Call not answered",
    "busy": "Line busy",
    "error_llm": "LLM request failed",
    "error_asr": "Speech recognition failed",
    "error_tts": "TTS generation failed",
}
_EL_SUCCESS = {True: "success", False: "failure"}
_LEGACY_SHARE = 0.1  # conversations from before ElevenLabs reported USD: credits only
_BLANK_REASON_SHARE = 0.06  # ended conversations whose termination_reason is ""
_CREDITS_PER_SECOND = 8.3


def _el_transcript(turns: list[_Turn]) -> list[dict[str, Any]]:
    return [
        {"role": t.role, "message": t.text, "time_in_call_secs": int(t.words[0][1]), "interrupted": t.interrupted}
        for t in turns
    ]


def _el_analysis(conv: _Conversation) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """The transcript and the analysis of a finished conversation (made once, then shared)."""
    if conv._el is None:
        outcome = _EL_SUCCESS[conv.successful] if conv.analysable else "unknown"
        collected = _with_sentiment(conv)
        conv._el = (
            _el_transcript(conv.turns),
            {
                "call_successful": outcome,
                "transcript_summary": conv.summary,
                "evaluation_criteria_results": {
                    "goal_achieved": {"criteria_id": "goal_achieved", "result": outcome, "rationale": conv.summary},
                },
                "data_collection_results": {
                    key: {"data_collection_id": key, "value": value, "rationale": ""}
                    for key, value in collected.items()
                },
            },
        )
    return conv._el


def _el_call(
    p: _Profile,
    conv: _Conversation,
    rng: random.Random,
    start_ms: int,
    other: str,
    web: bool,
    elapsed: float | None,
    wanted: frozenset[str],
) -> dict[str, Any]:
    """An ElevenLabs conversation; `wanted` may ask for "credits_only" or "blank_termination_reason"."""
    start_s = start_ms // 1000
    conversation_id = _el_id(rng, "conv")
    call: dict[str, Any] = {
        "agent_id": p.agent_id,
        "agent_name": p.name,
        "conversation_id": conversation_id,
        "user_id": None,
    }
    metadata: dict[str, Any] = {
        "start_time_unix_secs": start_s,
        "accepted_time_unix_secs": start_s,
        "main_language": "en",
    }
    if not web:
        inbound = conv.direction == "inbound"
        stream_sid, call_sid = rng.getrandbits(128), rng.getrandbits(128)
        metadata["phone_call"] = {
            "type": "twilio",
            "direction": conv.direction,
            "agent_number": p.number,
            "external_number": other,
            "phone_number_id": p.phone_number_id,
            "stream_sid": f"MZ{stream_sid:032x}",
            "call_sid": f"CA{call_sid:032x}",
        }
        if p.telephony == "sip_trunking":  # the SIP trunk's own call id; no Twilio media stream
            del metadata["phone_call"]["stream_sid"]
            metadata["phone_call"].update(type="sip_trunking", call_sid=f"{call_sid:032x}")
        if not inbound and not conv.connected:
            del metadata["accepted_time_unix_secs"]
    if elapsed is not None:
        call["status"] = "in-progress"
        call["transcript"] = _el_transcript(conv.partial(elapsed))
        metadata["call_duration_secs"] = int(elapsed)
        call["metadata"] = metadata
        call.update(has_audio=False, has_user_audio=False, has_response_audio=False, has_auxiliary_audio=False)
        return call

    transcript, analysis = _el_analysis(conv)
    seconds = round(conv.duration)
    cost_fiat = round(seconds / 60 * p.rate * (0.95 + 0.1 * rng.random()), 4) if conv.connected else 0.0
    is_error = conv.end.startswith("error")
    # Own generator, seeded by the conversation id: the shared rng's draws (and so every other call) stay.
    side = random.Random(f"elevenlabs|{conversation_id}")
    legacy = side.random() < _LEGACY_SHARE or "credits_only" in wanted
    blank_reason = conv.connected and not is_error and side.random() < _BLANK_REASON_SHARE
    blank_reason = blank_reason or "blank_termination_reason" in wanted
    call["status"] = "failed" if is_error else "done"
    call["transcript"] = transcript
    metadata["call_duration_secs"] = seconds
    metadata["cost"] = credits = round(seconds * _CREDITS_PER_SECOND)  # the USD figure is cost_fiat
    metadata["cost_fiat"] = None if legacy else cost_fiat
    metadata["charging"] = _el_charging(p, conv, side, credits, cost_fiat, legacy)
    metadata["termination_reason"] = "" if blank_reason else _EL_END[conv.end]
    if is_error:
        metadata["error"] = {"code": 1011, "reason": _EL_END[conv.end]}
    call["metadata"] = metadata
    call["analysis"] = analysis
    audio = conv.connected
    call.update(has_audio=audio, has_user_audio=audio, has_response_audio=audio, has_auxiliary_audio=False)
    return call


def _el_charging(
    p: _Profile, conv: _Conversation, side: random.Random, credits: int, usd: float, legacy: bool
) -> dict[str, Any]:
    """`metadata.charging`: the LLM's share of the credits and of the USD price, and the rest."""
    share = side.uniform(0.12, 0.3) if credits else 0.0
    llm_price, llm_charge = round(usd * share, 6), round(credits * share)
    prompt_tokens = 700 * sum(1 for t in conv.turns if t.role == "agent")
    output_tokens = conv.agent_chars // 4
    input_price = round(llm_price * 0.7, 6)
    charging: dict[str, Any] = {
        "dev_discount": False,
        "is_burst": False,
        "tier": "pro",
        "llm_usage": {
            "irreversible_generation": {"model_usage": {}},
            "initiated_generation": {
                "model_usage": {
                    p.llm.get("model", "gpt-4o-mini"): {
                        "input": {"tokens": prompt_tokens, "price": input_price},
                        "output_total": {"tokens": output_tokens, "price": round(llm_price - input_price, 6)},
                    }
                }
                if credits
                else {}
            },
        },
        "llm_price": llm_price,
        "llm_charge": llm_charge,
        "call_charge": credits - llm_charge,
        "free_minutes_consumed": 0.0,
        "free_llm_dollars_consumed": 0.0,
    }
    if not legacy:
        charging["platform_charge"] = credits - llm_charge
        charging["platform_price"] = round(usd - llm_price, 6)
    return charging


def _el_agent(rng: random.Random, spec: _AgentSpec) -> dict[str, Any]:
    agent_id = _el_id(rng, "agent")
    persona = _traits("elevenlabs", agent_id)[0]
    return {
        "agent_id": agent_id,
        "name": spec.name,
        "tags": [_client_industry(spec.client.name, spec.client.industry), spec.role.lower().replace(" ", "-")],
        "conversation_config": {
            "agent": {
                "first_message": spec.greeting(persona),
                "language": "en",
                "prompt": {
                    "prompt": spec.prompt(persona),
                    "llm": rng.choice(_EL_LLMS),
                    "temperature": 0.3,
                    "tool_ids": [],
                },
            },
            "tts": {
                "voice_id": rng.choice(_EL_VOICES),
                "model_id": "eleven_flash_v2",
                "stability": 0.5,
                "speed": 1.0,
                "similarity_boost": 0.8,
            },
        },
        "metadata": {
            "created_at_unix_secs": int(spec.created.timestamp()),
            "updated_at_unix_secs": int(spec.updated.timestamp()),
        },
        "version_id": _el_id(rng, "agtvrsn"),
        "_client": spec.client.name,
    }
