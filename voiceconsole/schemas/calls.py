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
    ended_at: datetime | None
    duration: float | None  # seconds
    cost: float | None  # USD
    call_score: int | None
    sentiment: str | None
    summary: str | None
    tags: list[str] = []


class Note(PublicModel):
    id: str
    body: str
    author: str
    created_at: datetime


class VoiceMetrics(PublicModel):
    latency_p50_ms: int | None = None
    latency_p90_ms: int | None = None
    interruptions: int | None = None
    talk_ratio: float | None = None
    longest_silence_s: float | None = None


class CallDetail(CallSummary):
    transcript: str | None
    transcript_turns: list[dict[str, Any]]
    recording_url: str | None
    score_breakdown: dict[str, Any] | None
    score_version: str | None = None
    voice_metrics: VoiceMetrics
    notes: list[Note]
    end_reason: str | None
    successful: bool | None = None
    platform_analysis: dict[str, Any] = {}
