"""Calls as the API and the UI show them: a list row, and the full detail."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from voiceconsole.schemas.base import PublicModel


class CallSummary(PublicModel):
    id: str
    platform_call_id: str
    agent_id: str | None
    agent_name: str | None
    client_id: str | None
    client_name: str | None = None
    platform: str
    status: str
    direction: str | None
    from_number: str | None
    to_number: str | None
    started_at: datetime | None
    # "platform": the platform's own start; "first_seen": it gave none (a call that never connected), so
    # the time VoiceConsole first saw the call stands in, for sorting and date filters.
    started_at_source: str = "platform"
    ended_at: datetime | None
    duration: float | None  # seconds
    cost: float | None  # USD
    cost_credits: int | None = None  # the platform's credits, as billed (ElevenLabs)
    cost_from_credits: bool = False  # `cost` was converted from credits at the operator's rate
    call_score: int | None
    sentiment: str | None
    summary: str | None
    tags: list[str] = []


class Note(PublicModel):
    id: str
    body: str
    author: str
    created_at: datetime


class LatencyStage(PublicModel):
    """One stage of the platform's own latency measurement, in milliseconds."""

    p50: float | None = None
    p90: float | None = None
    p95: float | None = None
    p99: float | None = None
    min: float | None = None
    max: float | None = None
    avg: float | None = None
    num: int | None = None


class VoiceMetrics(PublicModel):
    # The headline response latency: the platform's measurement when it sends one (`latency_source`
    # "platform", its `latency_stage`), else the estimate from the transcript's timing ("transcript").
    latency_p50_ms: int | None = None
    latency_p90_ms: int | None = None
    latency_source: str | None = None  # "platform" | "transcript" | None (neither)
    latency_stage: str | None = None  # the platform stage shown: "e2e" (Retell), "turn" (Vapi)
    # The transcript-based estimate, always (the scorer uses it on every platform alike).
    estimated_latency_p50_ms: int | None = None
    estimated_latency_p90_ms: int | None = None
    platform_latency: dict[str, LatencyStage] = {}  # by stage: "e2e", "llm", "tts", "asr", "turn", …
    interruptions: int | None = None
    talk_ratio: float | None = None
    longest_silence_s: float | None = None


class CostComponent(PublicModel):
    """One component of the cost as the platform itemised it; `name` is the platform's own word."""

    name: str
    usd: float | None = None
    credits: int | None = None
    quantity: float | None = None
    unit: str | None = None


class CallDetail(CallSummary):
    transcript: str | None
    transcript_turns: list[dict[str, Any]]
    recording_url: str | None
    recordings: dict[str, str] = {}  # other recordings by kind: "stereo", "multichannel", …
    cost_breakdown: list[CostComponent] = []
    score_breakdown: dict[str, Any] | None
    score_version: str | None = None
    voice_metrics: VoiceMetrics
    notes: list[Note]
    end_reason: str | None
    successful: bool | None = None
    platform_analysis: dict[str, Any] = {}
