"""Agents with their figures: the list (cached all-time figures), one agent with trends, and the overview
of a period for the dashboard."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, Row, func
from sqlalchemy import select as sa_select
from sqlalchemy.orm import Mapped
from sqlmodel import Session, col, select

from voiceconsole.models import Agent, Call, Client, Organization
from voiceconsole.models.types import pk, utcnow
from voiceconsole.schemas import AgentDetail, AgentsOverview, AgentStatsRow, AgentSummary, TrendPoint
from voiceconsole.schemas.analytics import PeriodFiguresWithMeta, PeriodMeta
from voiceconsole.services import analytics
from voiceconsole.services.access.actor import Actor
from voiceconsole.services.access.visibility import redact, redact_all, visibility
from voiceconsole.services.analytics.rollups import Totals
from voiceconsole.services.billing.monitoring import not_monitored_reason
from voiceconsole.services.billing.plans import Plan, effective_plan
from voiceconsole.services.calls import CallFilters, list_calls
from voiceconsole.services.calls.rows import CLIENT_REF_COLUMNS, ClientRef, client_ref
from voiceconsole.services.errors import NotFound, ValidationFailed

AGENT_SORT_COLUMNS: dict[str, Mapped[Any]] = {
    "name": col(Agent.name),
    "totalCalls": col(Agent.total_calls),
    "avgScore": col(Agent.avg_score),
    "avgDuration": col(Agent.avg_duration_s),
    "totalCost": col(Agent.total_cost),
    "lastCallAt": col(Agent.last_call_at),
}


# What the agents list reads of an agent (plain rows, not ORM objects: no prompt, and no per-row
# instrumentation to pay for on every list request), with its client's public id and name.
_LIST_COLUMNS = (
    col(Agent.platform_agent_id),
    col(Agent.name),
    col(Agent.platform),
    col(Agent.status),
    col(Agent.voice),
    col(Agent.model),
    col(Agent.total_calls),
    col(Agent.ended_calls),
    col(Agent.successful_calls),
    col(Agent.avg_score),
    col(Agent.avg_duration_s),
    col(Agent.total_cost),
    col(Agent.last_call_at),
    col(Agent.monitored),
    col(Agent.monitoring),
)


def agent_summary(
    agent: Agent | Row[*tuple[Any, ...]], client: Client | ClientRef | None, *, plan: Plan
) -> AgentSummary:
    """An agent's public shape, with its cached all-time figures and whether it is monitored (why not, under
    `plan`: the organization's `effective_plan`). `agent`: an Agent, or a row with its `_LIST_COLUMNS`;
    `client`: a Client, a list_rows.ClientRef, or None."""
    ended = agent.ended_calls
    return AgentSummary(
        id=agent.platform_agent_id,
        name=agent.name,
        platform=agent.platform,
        status=agent.status,
        client_id=client.public_id if client else None,
        client_name=client.name if client else None,
        voice=agent.voice,
        model=agent.model,
        total_calls=agent.total_calls,
        avg_score=round(agent.avg_score, 1) if agent.avg_score is not None else None,
        avg_duration=round(agent.avg_duration_s, 1) if agent.avg_duration_s is not None else None,
        total_cost=float(round(agent.total_cost or Decimal(0), 4)),
        success_rate=analytics.round_rate(agent.successful_calls / ended) if ended else None,
        last_call_at=agent.last_call_at,
        monitored=agent.monitored,
        monitoring_reason=not_monitored_reason(agent, plan),
    )


def _scope(org: Organization, actor: Actor | None) -> list[ColumnElement[bool]]:
    conds: list[ColumnElement[bool]] = [col(Agent.organization_id) == org.id]
    if actor is not None and actor.client_id is not None:
        conds.append(col(Agent.client_id) == actor.client_id)
    return conds


def list_agents(
    session: Session,
    *,
    org: Organization,
    page: int = 1,
    per_page: int = 20,
    sort_by: str = "name",
    sort_order: str = "asc",
    platform: str | None = None,
    status: str | None = None,
    client_id: str | None = None,
    actor: Actor | None = None,
) -> tuple[list[AgentSummary], int]:
    if sort_by not in AGENT_SORT_COLUMNS:
        raise ValidationFailed.field("sortBy", f"Must be one of: {', '.join(AGENT_SORT_COLUMNS)}")
    seen = visibility(session, actor)
    if sort_by == "totalCost" and not seen.costs:  # the order alone would tell the costs
        raise ValidationFailed.field("sortBy", "Costs are not shown to this client's viewers")
    conds = _scope(org, actor)
    if platform:
        conds.append(col(Agent.platform) == platform)
    if status:
        conds.append(col(Agent.status) == status)
    if client_id:
        conds.append(
            col(Agent.client_id).in_(
                select(Client.id)
                .where(Client.organization_id == org.id, Client.public_id == client_id)
                .scalar_subquery()
            )
        )
    total = session.exec(select(func.count()).select_from(Agent).where(*conds)).one()
    sort_column = AGENT_SORT_COLUMNS[sort_by]
    order = (
        [sort_column.desc().nulls_last(), col(Agent.id).desc()]
        if sort_order == "desc"
        else [sort_column.asc().nulls_last(), col(Agent.id)]
    )
    rows = (
        session.connection()
        .execute(
            sa_select(*_LIST_COLUMNS, *CLIENT_REF_COLUMNS)
            .outerjoin(Client, col(Client.id) == col(Agent.client_id))
            .where(*conds)
            .order_by(*order)
            .offset((page - 1) * per_page)
            .limit(per_page)
        )
        .all()
    )
    plan = effective_plan(org)
    return redact_all([agent_summary(r, client_ref(r), plan=plan) for r in rows], seen), total


def get_agent(
    session: Session,
    *,
    org: Organization,
    agent_id: str,
    actor: Actor | None = None,
    trend_days: int = 30,
    range_: str = "30d",
) -> AgentDetail:
    """Detail with recent calls, the daily score trend, and the figures of the period `range_` against the
    period before (from the rollups: see `period_figures`)."""
    row = session.exec(
        select(Agent, Client)
        .outerjoin(Client, col(Client.id) == col(Agent.client_id))
        .where(*_scope(org, actor), col(Agent.platform_agent_id) == agent_id)
        .order_by(col(Agent.id))
    ).first()
    if row is None:
        raise NotFound("Agent not found")
    agent, client = row
    recent, _ = list_calls(session, org=org, filters=CallFilters(agent_id=agent_id), per_page=10, actor=actor)
    since = utcnow() - timedelta(days=trend_days)
    day = func.date(Call.started_at)
    trend_rows = session.exec(
        select(day, func.count(), func.avg(Call.score), func.coalesce(func.sum(Call.cost_usd), 0))
        .where(col(Call.organization_id) == org.id, col(Call.agent_id) == agent.id, col(Call.started_at) >= since)
        .group_by(day)
        .order_by(day)
    ).all()
    minutes = (agent.avg_duration_s or 0) * agent.total_calls / 60
    detail = AgentDetail(
        **agent_summary(agent, client, plan=effective_plan(org)).model_dump(),
        prompt=agent.prompt,
        platform_version=agent.platform_version,
        recent_calls=recent,
        score_trend=[
            TrendPoint(
                date=str(d),
                calls=n,
                avg_score=round(float(s), 1) if s is not None else None,
                cost=float(round(Decimal(c or 0), 4)),
            )
            for d, n, s, c in trend_rows
        ],
        cost_per_minute=round(float(agent.total_cost) / minutes, 4) if minutes else None,
        period=_period_of(session, org=org, agent_ids=[pk(agent)], range_=range_),
    )
    return redact(detail, visibility(session, actor))


def _period_of(session: Session, *, org: Organization, agent_ids: list[int], range_: str) -> PeriodFiguresWithMeta:
    window = analytics.resolve_window(range_)
    scope = analytics.Scope(org_id=pk(org), agent_ids=agent_ids)
    return PeriodFiguresWithMeta(
        **analytics.period_figures(*_combined(session, scope, window)).model_dump(),
        **analytics.window_meta(window).model_dump(),
    )


def _combined(session: Session, scope: analytics.Scope, window: analytics.Window) -> tuple[Totals, Totals]:
    cur = analytics.period_totals(session, scope, window.start, window.end, live=window.live)
    prev = analytics.period_totals(session, scope, *window.previous)
    return cur.get((None, None), Totals()), prev.get((None, None), Totals())


def agents_overview(
    session: Session, *, org: Organization, actor: Actor | None = None, range_: str = "30d"
) -> tuple[AgentsOverview, PeriodMeta]:
    """Aggregated agent performance for the dashboard: (data, meta).

    Each agent carries its cached all-time figures and, under `period`, the figures of the period
    `range_` (from the daily rollups): calls, successRate, avgScore with previousAvgScore and scoreChange
    (percent change against the previous period of equal length), avgDuration, cost, costPerMinute,
    costPerSuccessfulCall.
    """
    agents, _ = list_agents(session, org=org, per_page=10_000, sort_by="totalCalls", sort_order="desc", actor=actor)
    window = analytics.resolve_window(range_)
    scope = analytics.resolve_scope(session, org=org, actor=actor)
    figures = analytics.figures_by(session, scope=scope, window=window, by="agent")
    db_ids = {
        (platform, pid): aid
        for aid, platform, pid in session.exec(
            select(Agent.id, Agent.platform, Agent.platform_agent_id).where(*_scope(org, actor))
        )
    }
    empty = analytics.period_figures(Totals(), Totals())
    total_calls = sum(a.total_calls for a in agents)
    scored = [(a.avg_score, a.total_calls) for a in agents if a.avg_score is not None and a.total_calls]
    weight = sum(n for _, n in scored)
    data = AgentsOverview(
        total_agents=len(agents),
        online_agents=sum(1 for a in agents if a.status == "online"),
        total_calls=total_calls,
        avg_score=round(sum(s * n for s, n in scored) / weight, 1) if weight else None,
        total_cost=round(sum(a.total_cost or 0 for a in agents), 4),
        period=analytics.period_figures(*_combined(session, scope, window)),
        agents=[
            AgentStatsRow(**a.model_dump(), period=figures.get(db_ids.get((a.platform, a.id)), empty)) for a in agents
        ],
    )
    return redact(data, visibility(session, actor)), analytics.window_meta(window)
