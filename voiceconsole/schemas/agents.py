"""Agents as the API and the UI show them: a list row with figures, and the detail with trends."""

from __future__ import annotations

from datetime import datetime

from voiceconsole.schemas.analytics import PeriodFigures, PeriodFiguresWithMeta
from voiceconsole.schemas.base import PublicModel
from voiceconsole.schemas.calls import CallSummary


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
    total_cost: float | None  # USD; null where the client's viewers are not shown costs
    success_rate: float | None = None  # fraction (0–1) of ended calls the platform marked successful
    last_call_at: datetime | None = None
    # Plan limits (services/billing/monitoring): calls of an agent not monitored are not imported.
    monitored: bool = True
    monitoring_reason: str | None = None  # why not: "Not monitored: Free includes 1 monitored agent. …"


class AgentMonitoring(PublicModel):
    """Whether VoiceConsole imports, scores and alerts on an agent's calls (`/agents/{agentId}/monitoring`)."""

    monitored: bool
    monitoring: str  # the agency's choice: "auto" (the most active, as the plan allows) | "on" | "off"
    reason: str | None = None  # set when not monitored


class TrendPoint(PublicModel):
    date: str  # YYYY-MM-DD (UTC)
    calls: int
    avg_score: float | None
    cost: float | None


class AgentDetail(AgentSummary):
    prompt: str | None = None
    platform_version: str | None = None
    recent_calls: list[CallSummary]
    score_trend: list[TrendPoint]
    cost_per_minute: float | None = None
    period: PeriodFiguresWithMeta | None = None  # figures of the requested period, and the period


class AgentStatsRow(AgentSummary):
    """An agent on the dashboard: its all-time figures, and under `period` those of the requested period."""

    period: PeriodFigures


class AgentsOverview(PublicModel):
    """Aggregated agent performance for the dashboard (`GET /api/agents/stats`)."""

    total_agents: int
    online_agents: int
    total_calls: int
    avg_score: float | None
    total_cost: float | None
    period: PeriodFigures
    agents: list[AgentStatsRow]
