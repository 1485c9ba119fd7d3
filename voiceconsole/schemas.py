"""Public shapes of our resources (camelCase on the wire), shared by the API and the UI.

Tables never leave the services: secrets (key hashes, encrypted platform keys) cannot leak.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict
from pydantic.alias_generators import to_camel


class PublicModel(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, from_attributes=True)

    def wire(self) -> dict[str, Any]:
        """The JSON-ready camelCase dict the API returns (and the UI state stores)."""
        return self.model_dump(mode="json", by_alias=True)


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


class AgentSummary(PublicModel):
    id: str  # the platform's agent id
    name: str
    platform: str
    status: str
    client_id: str | None
    client_name: str | None = None
    voice: str | None = None
    model: str | None = None
    total_calls: int
    avg_score: float | None
    avg_duration: float | None  # seconds
    total_cost: float
    success_rate: float | None = None  # percent of ended calls the platform marked successful
    last_call_at: datetime | None = None


class TrendPoint(PublicModel):
    date: str  # YYYY-MM-DD (UTC)
    calls: int
    avg_score: float | None
    cost: float


class AgentDetail(AgentSummary):
    prompt: str | None = None
    platform_version: str | None = None
    recent_calls: list[CallSummary]
    score_trend: list[TrendPoint]
    cost_per_minute: float | None = None
    period: dict[str, Any] | None = None  # figures of the requested period (see services.analytics.period_figures)


class ApiKeyOut(PublicModel):
    id: str
    name: str
    prefix: str
    role: str
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None = None


class ApiKeyCreated(ApiKeyOut):
    key: str  # shown once


class IntegrationOut(PublicModel):
    """A connected platform account. The API key itself is never returned: only its last 4 characters."""

    id: str
    platform: str
    label: str
    status: str  # active | error | stale (stale is computed when read), or disconnected
    api_key_last4: str
    base_url: str | None = None
    last_sync_at: datetime | None = None
    last_good_sync_at: datetime | None = None
    last_error: str | None = None
    created_at: datetime
    disconnected_at: datetime | None = None
    agent_count: int = 0
    webhook_url: str
    webhook_secret: str | None = None  # shown to owners and admins, to paste into the platform
    webhook_note: str


class ClientOut(PublicModel):
    id: str  # cli_…
    name: str
    agent_count: int = 0
    created_at: datetime


class ChannelOut(PublicModel):
    """A notification channel. Its URL is shown only as a hint; its secret only once."""

    id: str  # nch_…
    name: str
    kind: str  # webhook | slack | discord | email
    target: str  # URL hint (scheme, host, start of path) or the email address
    events: list[str]
    client_id: str | None = None  # only this client's events; None: all
    client_name: str | None = None
    status: str  # active | paused
    consecutive_failures: int = 0
    paused_at: datetime | None = None
    pause_reason: str | None = None
    summary_hour: int = 8  # daily summary, organization local time
    has_secret: bool = False
    previous_secret_expires_at: datetime | None = None  # after a rotation, the old secret signs until then
    last_delivery_at: datetime | None = None
    created_at: datetime
    updated_at: datetime


class ChannelCreated(ChannelOut):
    secret: str | None = None  # whsec_…, webhook channels only; shown once


class DeliveryAttemptOut(PublicModel):
    attempt: int
    started_at: datetime
    succeeded: bool
    status_code: int | None = None
    latency_ms: int | None = None
    response_snippet: str | None = None
    error: str | None = None


class DeliveryOut(PublicModel):
    id: str  # dlv_…
    event_id: str  # evt_…, the same on every attempt
    event: str
    status: str  # pending | delivering | held | succeeded | failed
    attempts: int
    next_attempt_at: datetime | None = None
    last_status_code: int | None = None
    last_latency_ms: int | None = None
    last_error: str | None = None
    created_at: datetime
    delivered_at: datetime | None = None
    attempt_log: list[DeliveryAttemptOut] = []
