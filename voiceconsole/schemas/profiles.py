"""An agent's and a client's page: figures of a period with trends, score by category, calls worth a look."""

from __future__ import annotations

from datetime import datetime

from voiceconsole.schemas.agents import AgentStatsRow, AgentSummary
from voiceconsole.schemas.analytics import AnalyticsOut, PeriodMeta
from voiceconsole.schemas.base import PublicModel
from voiceconsole.schemas.calls import CallSummary
from voiceconsole.schemas.clients import ClientOut


class CategoryScore(PublicModel):
    """One category of the call score (duration, sentiment, outcome, engagement) averaged over a period."""

    key: str
    avg_score: float | None  # 0–100, over the scored calls with a transcript; None when there are none
    previous_avg_score: float | None  # the same over the period before, of equal length
    change: float | None  # in points
    calls: int  # calls averaged


class AgentConfig(PublicModel):
    """What the platform told us about the agent at the last sync."""

    integration: str | None  # the connected account's label
    voice: str | None
    model: str | None
    platform_version: str | None
    prompt_excerpt: str | None  # the start of the prompt, whitespace collapsed
    prompt_length: int  # characters of the whole prompt (0 without one)
    last_synced_at: datetime | None


class AgentProfile(PublicModel):
    agent: AgentSummary
    config: AgentConfig
    figures: AnalyticsOut  # KPIs, trends and series of the period
    categories: list[CategoryScore]
    recent_calls: list[CallSummary]  # newest first, any status
    worst_calls: list[CallSummary]  # lowest scores of the period first
    period: PeriodMeta


class ClientProfile(PublicModel):
    client: ClientOut
    figures: AnalyticsOut
    categories: list[CategoryScore]
    agents: list[AgentStatsRow]  # the client's agents, with the figures of the period under `period`
    worst_calls: list[CallSummary]
    period: PeriodMeta
