"""Analytics as the API and the UI show them: KPIs, trends and series of a period, figures per agent or client,
and the portfolio. Counts are whole numbers; averages are rounded to one decimal, rates (fractions 0–1) to
three, money to the cent (see services/analytics/figures.py)."""

from __future__ import annotations

from pydantic import Field

from voiceconsole.schemas.base import PublicModel

Number = int | float  # counts stay whole numbers on the wire, averages keep their decimals


class Trend(PublicModel):
    current: Number | None
    previous: Number | None
    change: float | None  # percent change against the previous period; None when that was 0


class Trends(PublicModel):
    calls: Trend
    success_rate: Trend
    score: Trend
    duration: Trend
    cost: Trend | None  # null where the client's viewers are not shown costs


class SentimentBreakdown(PublicModel):
    positive: int
    neutral: int
    negative: int


class ScoreDistribution(PublicModel):
    excellent: int
    good: int
    attention: int
    poor: int


class SeriesPoint(PublicModel):
    t: str  # YYYY-MM-DD (UTC), or an ISO hour YYYY-MM-DDTHH:00:00Z
    calls: int
    avg_score: float | None
    cost: float | None
    success_rate: float | None


class Kpis(PublicModel):
    total_calls: int
    success_rate: float | None  # fraction (0–1) of ended calls the platform flagged successful
    avg_score: float | None  # scored calls, leaving out the no-transcript ones
    avg_duration: float | None  # seconds, ended calls
    total_cost: float | None  # USD; null where the client's viewers are not shown costs


class AnalyticsOut(Kpis):
    """What `GET /api/analytics` returns under `data`."""

    sentiment_breakdown: SentimentBreakdown
    score_distribution: ScoreDistribution
    trends: Trends
    series: list[SeriesPoint]


class PeriodMeta(PublicModel):
    """The period a figure covers, and the one before it of equal length (ISO 8601, `Z`)."""

    range: str
    from_: str = Field(serialization_alias="from")
    to: str
    previous_from: str
    previous_to: str
    granularity: str  # day | hour


class PeriodFigures(PublicModel):
    """One agent's (or client's, or a group's) figures over a period, against the period before."""

    calls: int
    success_rate: float | None
    avg_score: float | None
    previous_avg_score: float | None
    score_change: float | None  # percent change of the average score
    avg_duration: float | None
    cost: float | None
    cost_per_minute: float | None  # per talk minute of ended calls
    cost_per_successful_call: float | None


class PeriodFiguresWithMeta(PeriodMeta, PeriodFigures):
    """An agent's figures of the requested period, with the period itself (the agent detail's `period`)."""


class PortfolioRow(PublicModel):
    """A client's or agent's health: the average call score of the last 7 UTC days, against the 7 before."""

    id: str
    name: str
    health: float | None
    previous_health: float | None
    health_change: float | None  # points
    calls: int
    previous_calls: int
    calls_change: float | None  # percent
    success_rate: float | None
    cost: float | None


class PortfolioAgentRow(PortfolioRow):
    client_name: str | None


class Portfolio(PublicModel):
    """Clients and agents ranked by health, worst first; rows without scored calls this week come last."""

    from_: str = Field(serialization_alias="from")
    to: str
    clients: list[PortfolioRow]
    agents: list[PortfolioAgentRow]
