"""A client's weekly report: the last 7 days against the 7 before."""

from __future__ import annotations

from voiceconsole.schemas.analytics import AnalyticsOut, PeriodMeta
from voiceconsole.schemas.base import PublicModel
from voiceconsole.schemas.calls import CallSummary
from voiceconsole.schemas.clients import ClientOut
from voiceconsole.schemas.profiles import CategoryScore


class ReportIssue(PublicModel):
    """A reason the scorer gave for a weak category score, and on how many of the week's calls."""

    category: str  # duration | sentiment | outcome | engagement
    reason: str  # the scorer's words, figures left out ("Short call")
    calls: int


class WeeklyReport(PublicModel):
    client: ClientOut | None  # None: the whole agency (staff without a client chosen)
    figures: AnalyticsOut  # KPIs with trends against the 7 days before
    categories: list[CategoryScore]
    top_issues: list[ReportIssue]
    best_calls: list[CallSummary]
    worst_calls: list[CallSummary]
    period: PeriodMeta
