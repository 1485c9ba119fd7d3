"""The call page's measured facts, as display strings: where the start time and the response latency
come from, the platform's latency by stage, the cost and its breakdown, and the other recordings."""

from __future__ import annotations

from typing import Any

from voiceconsole.ui import format as fmt

PLATFORM_NAMES = {"retell": "Retell", "vapi": "Vapi", "elevenlabs": "ElevenLabs"}
# The platforms' stage names, in the order a caller's wait builds up.
STAGE_LABELS = {
    "e2e": "End to end",
    "turn": "Turn",
    "asr": "Speech recognition",
    "transcriber": "Transcriber",
    "endpointing": "Endpointing",
    "llm": "LLM",
    "model": "Model",
    "llm_websocket_network_rtt": "LLM network",
    "knowledge_base": "Knowledge base",
    "kb": "Knowledge base",
    "tts": "Text to speech",
    "voice": "Voice",
    "s2s": "Speech to speech",
}
RECORDING_LABELS = {
    "stereo": "Stereo recording",
    "multichannel": "Multichannel recording",
    "scrubbed": "Recording (PII removed)",
    "scrubbed_multichannel": "Multichannel recording (PII removed)",
    "video": "Video recording",
}


def _ms(value: Any) -> str:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return fmt.DASH
    return f"{value / 1000:.2f} s" if value >= 1000 else f"{round(value)} ms"


def latency_source(metrics: dict[str, Any] | None, platform: str) -> str:
    """Which latency the response-time tiles show, in words."""
    m = metrics or {}
    if m.get("latencySource") == "platform":
        stage = STAGE_LABELS.get(str(m.get("latencyStage")), fmt.label(m.get("latencyStage"))).lower()
        return f"Response time measured by {PLATFORM_NAMES.get(platform, platform)} ({stage})"
    if m.get("latencySource") == "transcript":
        return "Response time estimated from the transcript's word timings"
    return ""


def latency_stages(metrics: dict[str, Any] | None) -> list[dict[str, str]]:
    """The platform's own latency by stage: one row per stage, known stages first in pipeline order."""
    stages: dict[str, dict[str, Any]] = (metrics or {}).get("platformLatency") or {}
    order = list(STAGE_LABELS)
    rows = []
    for name in sorted(stages, key=lambda n: (order.index(n) if n in order else len(order), n)):
        figures = stages[name] or {}
        median = figures.get("p50") if figures.get("p50") is not None else figures.get("avg")
        rows.append(
            {
                "key": name,
                "stage": STAGE_LABELS.get(name, fmt.label(name)),
                "p50": _ms(median) + (" avg" if figures.get("p50") is None and median is not None else ""),
                "p90": _ms(figures.get("p90")),
                "max": _ms(figures.get("max")),
            }
        )
    return rows


def estimate_note(metrics: dict[str, Any] | None) -> str:
    """The transcript estimate, when the tiles show the platform's figure instead (the score uses it)."""
    m = metrics or {}
    if m.get("latencySource") != "platform" or m.get("estimatedLatencyP50Ms") is None:
        return ""
    p90 = m.get("estimatedLatencyP90Ms")
    tail = f", p90 {_ms(p90)}" if p90 is not None else ""
    return f"Transcript estimate (used by the score): p50 {_ms(m['estimatedLatencyP50Ms'])}{tail}"


def cost_note(wire: dict[str, Any]) -> str:
    """What the cost is made of when it is not plain USD from the platform."""
    credits = wire.get("costCredits")
    if credits is None:
        return ""
    if wire.get("costFromCredits"):
        return f"{credits:,} credits, converted at the rate this deployment sets"
    if wire.get("cost") is None:
        return "Billed in credits; set a credit rate to see USD"
    return f"{credits:,} credits"


def cost_items(wire: dict[str, Any]) -> list[dict[str, str]]:
    """The platform's itemised cost: name, amount (USD or credits) and quantity."""
    out = []
    for item in wire.get("costBreakdown") or []:
        amount = fmt.call_cost(item.get("usd"), item.get("credits"))
        quantity = item.get("quantity")
        unit = item.get("unit") or ""
        out.append(
            {
                "name": fmt.label(item.get("name")),
                "amount": amount,
                "quantity": "" if quantity is None else f"{quantity:,.4g} {unit}".strip(),
            }
        )
    return out


def other_recordings(wire: dict[str, Any]) -> list[dict[str, str]]:
    """Recordings besides the main one, as links."""
    main = wire.get("recordingUrl")
    return [
        {"label": RECORDING_LABELS.get(kind, fmt.label(kind) + " recording"), "url": url}
        for kind, url in sorted((wire.get("recordings") or {}).items())
        if url and url != main
    ]


def started_label(wire: dict[str, Any], tz: str) -> str:
    """When the call started; a call the platform gave no start is dated by when it was first seen."""
    label = fmt.datetime_label(wire.get("startedAt"), tz)
    return f"{label} (first seen)" if wire.get("startedAtSource") == "first_seen" else label
