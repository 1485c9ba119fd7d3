"""Vapi rendering: a `_Conversation` as a Vapi Call object (artifact messages and transcript, success
evaluation for the assistant's rubric, cost breakdown; docs/platform-apis.md section 2) and an
`_AgentSpec` as a Vapi assistant.

Costs: `cost` (USD), `costBreakdown` {transport, stt, llm, tts, vapi, total, llmPromptTokens,
llmCompletionTokens, ttsCharacters, analysisCostBreakdown?} and `costs[]`, one item per component
told apart by `type`: transport {provider, minutes, cost}, transcriber {transcriber, minutes, cost},
model {model, promptTokens, completionTokens, cost}, voice {voice, characters, cost}, vapi {subType,
minutes, cost} and, when the call was analysed, one analysis {analysisType, model, promptTokens,
completionTokens, cost} per summary / structuredData / successEvaluation. The items add up to `cost`;
the model item plus the analysis items make `costBreakdown.llm`. A call that never connected costs 0
and has no items.

`artifact.performanceMetrics` (calls with at least one agent response): `turnLatencies[]` {modelLatency,
voiceLatency, transcriberLatency, endpointingLatency, turnLatency} per agent response, in ms
(turnLatency is the gap the caller waited; the four stages add up to it less a little transport
time), their averages, from/toTransportLatencyAverage, numUserInterrupted and numAssistantInterrupted
(the agent turns the caller talked over).

Calls that never connected have no `startedAt`. Most rang out (`customer-did-not-answer`,
`customer-busy`: `endedAt` set); about one in seven never left Vapi's queue (`call.start.error-…`), so
it has neither `startedAt` nor `endedAt` nor a `phoneCallProviderId`, only `createdAt` / `updatedAt`.
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
from voiceconsole.platforms.simulator.generator.conversation import (
    _Conversation,
    _stages,
    _Turn,
    _with_sentiment,
)

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
# Why a dial never left Vapi's queue (a share of the calls that did not connect).
_QUEUE_ERRORS = (
    "call.start.error-subscription-concurrency-limit-reached",
    "call.start.error-subscription-concurrency-limit-reached",
    "call.start.error-vapi-number-outbound-daily-limit",
)
_QUEUE_ERROR_SHARE = 0.15
_ANALYSIS_MODEL = {"provider": "openai", "model": "gpt-4.1-mini"}  # what Vapi's analysisPlan runs on
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
    p: _Profile,
    conv: _Conversation,
    rng: random.Random,
    start_ms: int,
    other: str,
    web: bool,
    elapsed: float | None,
    wanted: frozenset[str],
) -> dict[str, Any]:
    """A Vapi Call; `wanted` may ask for the "queue_error" variant (for a call that did not connect)."""
    call_id = _vapi_id(rng)
    created_ms = start_ms - rng.randrange(800, 3500)  # ringing before pick-up
    # Own generator, seeded by the call id: the shared rng's draws (and so every other call) stay as they were.
    side = random.Random(f"vapi|{call_id}")
    queue_error = not conv.connected and elapsed is None and side.random() < _QUEUE_ERROR_SHARE
    queue_error = queue_error or (not conv.connected and "queue_error" in wanted)
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
        if queue_error:  # never reached the carrier
            del call["phoneCallProviderId"]
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
    call["endedReason"] = side.choice(_QUEUE_ERRORS) if queue_error else _VAPI_END[conv.end]
    call["updatedAt"] = _iso(end_ms + rng.randrange(3000, 20000))  # analysis lands a few seconds later
    if conv.connected:
        call["startedAt"] = _iso(start_ms)
    if not queue_error:
        call["endedAt"] = _iso(end_ms)
    cost = round(conv.duration / 60 * p.rate * (0.95 + 0.1 * rng.random()), 4) if conv.connected else 0.0
    call["cost"] = cost
    call["costBreakdown"] = breakdown = _vapi_cost(cost, conv)
    call["costs"] = _vapi_costs(p, conv, cost, breakdown, web)
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
    metrics = _vapi_performance(conv)
    if metrics is not None:
        artifact["performanceMetrics"] = metrics
    call["artifact"] = artifact
    return call


def _vapi_performance(conv: _Conversation) -> dict[str, Any] | None:
    """`artifact.performanceMetrics`, made once per conversation and shared (read-only)."""
    if conv._vapi_metrics is None and conv.latencies:
        stages = _stages(conv)
        turns = [
            {
                "modelLatency": s.llm + s.kb,
                "voiceLatency": s.tts,
                "transcriberLatency": s.asr,
                "endpointingLatency": s.endpointing,
                "turnLatency": s.e2e,
            }
            for s in stages
        ]
        network = sum(s.network for s in stages) / len(stages)

        def average(key: str) -> float:
            return round(sum(t[key] for t in turns) / len(turns), 1)

        conv._vapi_metrics = {
            "turnLatencies": turns,
            "modelLatencyAverage": average("modelLatency"),
            "voiceLatencyAverage": average("voiceLatency"),
            "transcriberLatencyAverage": average("transcriberLatency"),
            "endpointingLatencyAverage": average("endpointingLatency"),
            "turnLatencyAverage": average("turnLatency"),
            "fromTransportLatencyAverage": round(network * 0.55, 1),
            "toTransportLatencyAverage": round(network * 0.45, 1),
            "numUserInterrupted": 0,  # the callers here never get talked over
            "numAssistantInterrupted": sum(1 for t in conv.turns if t.role == "agent" and t.interrupted),
        }
    return conv._vapi_metrics


def _vapi_cost(cost: float, conv: _Conversation) -> dict[str, Any]:
    parts = {"transport": 0.08, "stt": 0.1, "llm": 0.17, "tts": 0.3, "vapi": 0.35}
    breakdown: dict[str, Any] = {k: round(cost * v, 4) for k, v in parts.items()}
    breakdown["total"] = cost
    breakdown["llmPromptTokens"] = 900 * len(conv.turns)
    breakdown["llmCompletionTokens"] = conv.agent_chars // 4
    breakdown["ttsCharacters"] = conv.agent_chars
    return breakdown


def _vapi_analysis_costs(conv: _Conversation, budget: float) -> list[dict[str, Any]]:
    """One `analysis` costs[] item per analysis Vapi ran, priced like a small model, within `budget`."""
    if not conv.analysable:
        return []
    prompt = 250 + sum(len(t.text) for t in conv.turns) // 4  # the transcript plus the instructions
    runs = (("summary", 20 + len(conv.summary) // 4), ("structuredData", 45), ("successEvaluation", 4))
    prices = [(prompt * 0.4 + completion * 1.6) / 1_000_000 for _, completion in runs]
    scale = min(1.0, 0.4 * budget / sum(prices))  # never more than 40 % of the call's LLM spend
    return [
        {
            "type": "analysis",
            "analysisType": kind,
            "model": _ANALYSIS_MODEL,
            "promptTokens": prompt,
            "completionTokens": completion,
            "cost": round(price * scale, 6),
        }
        for (kind, completion), price in zip(runs, prices, strict=True)
    ]


def _vapi_costs(
    p: _Profile, conv: _Conversation, cost: float, breakdown: dict[str, Any], web: bool
) -> list[dict[str, Any]]:
    """`costs[]`, adding up to `cost`; also puts the analysis share into `breakdown`."""
    if not cost:
        return []
    minutes = round(conv.duration / 60, 4)
    analysis = _vapi_analysis_costs(conv, breakdown["llm"])
    if analysis:
        summary: dict[str, Any] = {}
        for item in analysis:
            kind = item["analysisType"]
            summary[kind] = item["cost"]
            summary[f"{kind}PromptTokens"] = item["promptTokens"]
            summary[f"{kind}CompletionTokens"] = item["completionTokens"]
        breakdown["analysisCostBreakdown"] = summary
    items: list[dict[str, Any]] = [
        {
            "type": "transport",
            "provider": "daily" if web else "twilio",
            "minutes": minutes,
            "cost": breakdown["transport"],
        },
        {"type": "transcriber", "transcriber": p.transcriber, "minutes": minutes, "cost": breakdown["stt"]},
        {
            "type": "model",
            "model": p.llm,
            "promptTokens": breakdown["llmPromptTokens"],
            "completionTokens": breakdown["llmCompletionTokens"],
            "cost": round(breakdown["llm"] - sum(a["cost"] for a in analysis), 6),
        },
        {"type": "voice", "voice": p.voice, "characters": breakdown["ttsCharacters"], "cost": breakdown["tts"]},
    ]
    rest = cost - sum(i["cost"] for i in items) - sum(a["cost"] for a in analysis)
    items.append({"type": "vapi", "subType": "normal", "minutes": minutes, "cost": round(rest, 6)})  # absorbs rounding
    return items + analysis


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
