"""Vapi rendering: a `_Conversation` as a Vapi Call object (artifact messages and transcript, success
evaluation for the assistant's rubric, cost breakdown; docs/platform-apis.md section 2) and an
`_AgentSpec` as a Vapi assistant.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime
from typing import Any

from voiceconsole.platforms.simulator.generator.catalog import (
    _VAPI_MODELS,
    _VAPI_RUBRICS,
    _VAPI_VOICES,
    _AgentSpec,
    _Profile,
    _traits,
    _vapi_id,
)
from voiceconsole.platforms.simulator.generator.conversation import _Conversation, _Turn, _with_sentiment

_VAPI_END = {
    "user_hangup": "customer-ended-call",
    "agent_hangup": "assistant-ended-call",
    "transfer": "assistant-forwarded-call",
    "voicemail": "voicemail",
    "no_answer": "customer-did-not-answer",
    "busy": "customer-busy",
    "error_llm": "pipeline-error-openai-llm-failed",
    "error_asr": "pipeline-error-deepgram-transcriber-failed",
    "error_tts": "pipeline-error-eleven-labs-voice-failed",
}
_DESCRIPTIVE = {10: "Excellent", 9: "Excellent", 8: "Good", 7: "Good", 6: "Fair", 5: "Fair", 4: "Fair"}


def _iso(ms: int) -> str:
    moment = datetime.fromtimestamp(ms / 1000, UTC)
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _vapi_messages(turns: list[_Turn], start_ms: int, prompt: str) -> list[dict[str, Any]]:
    system = {"role": "system", "message": prompt, "time": start_ms, "secondsFromStart": 0}
    messages: list[dict[str, Any]] = [system]
    for t in turns:
        begin, end = start_ms + round(t.words[0][1] * 1000), start_ms + round(t.words[-1][2] * 1000)
        messages.append(
            {
                "role": "bot" if t.role == "agent" else "user",
                "message": t.text,
                "time": begin,
                "endTime": end,
                "secondsFromStart": t.words[0][1],
                "duration": end - begin,
            }
        )
    return messages


def _vapi_transcript(turns: list[_Turn]) -> str:
    return "".join(f"{'AI' if t.role == 'agent' else 'User'}: {t.text}\n" for t in turns)


def _vapi_success(p: _Profile, conv: _Conversation) -> str:
    if p.rubric == "NumericScale":
        return str(conv.score)
    if p.rubric == "DescriptiveScale":
        return _DESCRIPTIVE.get(conv.score, "Poor")
    return "true" if conv.successful else "false"


def _vapi_call(
    p: _Profile, conv: _Conversation, rng: random.Random, start_ms: int, other: str, web: bool, elapsed: float | None
) -> dict[str, Any]:
    call_id = _vapi_id(rng)
    created_ms = start_ms - rng.randrange(800, 3500)  # ringing before pick-up
    call: dict[str, Any] = {
        "id": call_id,
        "orgId": p.org_id,
        "assistantId": p.agent_id,
        "type": "webCall" if web else ("inboundPhoneCall" if conv.direction == "inbound" else "outboundPhoneCall"),
    }
    if not web:
        call["phoneNumberId"] = p.phone_number_id
        call["customer"] = {"number": other}
        call["phoneCallProvider"] = "twilio"
        call["phoneCallProviderId"] = f"CA{rng.getrandbits(128):032x}"
    call["createdAt"] = _iso(created_ms)
    if elapsed is not None:
        turns = conv.partial(elapsed)
        call["status"] = "in-progress"
        call["updatedAt"] = _iso(start_ms + round(elapsed * 1000))
        call["startedAt"] = _iso(start_ms)
        call["artifact"] = {
            "messages": _vapi_messages(turns, start_ms, p.prompt),
            "transcript": _vapi_transcript(turns),
        }
        return call

    if conv._vapi is None:
        conv._vapi = _vapi_transcript(conv.turns)
    end_ms = start_ms + round(conv.duration * 1000)
    call["status"] = "ended"
    call["endedReason"] = _VAPI_END[conv.end]
    call["updatedAt"] = _iso(end_ms + rng.randrange(3000, 20000))  # analysis lands a few seconds later
    if conv.connected:
        call["startedAt"] = _iso(start_ms)
    call["endedAt"] = _iso(end_ms)
    cost = round(conv.duration / 60 * p.rate * (0.95 + 0.1 * rng.random()), 4) if conv.connected else 0.0
    call["cost"] = cost
    call["costBreakdown"] = _vapi_cost(cost, conv)
    if conv.analysable:
        call["analysis"] = {
            "summary": conv.summary,
            "successEvaluation": _vapi_success(p, conv),
            "structuredData": _with_sentiment(conv),
        }
    else:
        call["analysis"] = {}
    artifact: dict[str, Any] = {
        "messages": _vapi_messages(conv.turns, start_ms, p.prompt) if conv.turns else [],
        "transcript": conv._vapi,
    }
    if conv.connected:
        base = f"https://storage.example.com/vapi/{call_id}"
        artifact["recordingUrl"] = f"{base}/mono.wav"
        artifact["stereoRecordingUrl"] = f"{base}/stereo.wav"
        artifact["recording"] = {"stereoUrl": f"{base}/stereo.wav", "mono": {"combinedUrl": f"{base}/mono.wav"}}
    call["artifact"] = artifact
    return call


def _vapi_cost(cost: float, conv: _Conversation) -> dict[str, Any]:
    parts = {"transport": 0.08, "stt": 0.1, "llm": 0.17, "tts": 0.3, "vapi": 0.35}
    breakdown: dict[str, Any] = {k: round(cost * v, 4) for k, v in parts.items()}
    breakdown["total"] = cost
    breakdown["llmPromptTokens"] = 900 * len(conv.turns)
    breakdown["llmCompletionTokens"] = conv.agent_chars // 4
    breakdown["ttsCharacters"] = conv.agent_chars
    return breakdown


def _vapi_agent(rng: random.Random, spec: _AgentSpec, org_id: str) -> dict[str, Any]:
    agent_id = _vapi_id(rng)
    persona = _traits("vapi", agent_id)[0]
    voice_provider, voice_id = rng.choice(_VAPI_VOICES)
    model_provider, model = rng.choice(_VAPI_MODELS)
    return {
        "id": agent_id,
        "orgId": org_id,
        "name": spec.name[:40],  # Vapi caps assistant names at 40 characters
        "firstMessage": spec.greeting(persona),
        "firstMessageMode": "assistant-speaks-first",
        "model": {
            "provider": model_provider,
            "model": model,
            "temperature": 0.4,
            "messages": [{"role": "system", "content": spec.prompt(persona)}],
        },
        "voice": {"provider": voice_provider, "voiceId": voice_id},
        "transcriber": {"provider": "deepgram", "model": "nova-3", "language": "en"},
        "analysisPlan": {"successEvaluationPlan": {"rubric": rng.choice(_VAPI_RUBRICS)}},
        "server": {"url": "https://hooks.example.com/vapi"},
        "serverMessages": ["status-update", "end-of-call-report"],
        "maxDurationSeconds": 600,
        "metadata": {"client": spec.client.name},
        "createdAt": _iso(int(spec.created.timestamp() * 1000)),
        "updatedAt": _iso(int(spec.updated.timestamp() * 1000)),
        "_client": spec.client.name,
    }
