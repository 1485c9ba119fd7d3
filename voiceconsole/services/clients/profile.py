"""One client's page: its own figures over a period against the period before, the score by category,
its agents with their figures of the period, and its worst calls."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, col, select

from voiceconsole.models import Agent, Organization
from voiceconsole.schemas import AgentStatsRow
from voiceconsole.schemas.profiles import ClientProfile
from voiceconsole.services import analytics
from voiceconsole.services.access.actor import Actor
from voiceconsole.services.access.visibility import redact, visibility
from voiceconsole.services.agents import list_agents
from voiceconsole.services.agents.profile import WORST_CALLS, calls_of, worst_filters
from voiceconsole.services.analytics.categories import category_scores
from voiceconsole.services.analytics.rollups import Totals
from voiceconsole.services.clients.manage import get_client

MAX_AGENTS = 500  # a client has a handful of agents


def client_profile(
    session: Session,
    *,
    org: Organization,
    client_id: str,
    actor: Actor | None = None,
    range_: str = "30d",
    now: datetime | None = None,
) -> ClientProfile:
    """A client (public id) with the figures of the period `range_`. Another organization's client, or
    another client for a client viewer, is NotFound."""
    client = get_client(session, org=org, client_id=client_id, actor=actor)
    window = analytics.resolve_window(range_, now=now)
    scope = analytics.resolve_scope(session, org=org, client_id=client_id, actor=actor)
    agents, _ = list_agents(session, org=org, client_id=client_id, per_page=MAX_AGENTS, actor=actor)
    by_agent = analytics.figures_by(session, scope=scope, window=window, by="agent")
    db_ids = {
        (platform, pid): aid
        for aid, platform, pid in session.exec(
            select(Agent.id, Agent.platform, Agent.platform_agent_id).where(
                col(Agent.organization_id) == org.id, col(Agent.client_id) == scope.client_id
            )
        )
    }
    quiet = analytics.period_figures(Totals(), Totals())
    rows = [AgentStatsRow(**a.model_dump(), period=by_agent.get(db_ids.get((a.platform, a.id)), quiet)) for a in agents]
    rows.sort(key=lambda r: (-r.period.calls, r.name.lower()))  # busiest in the period first
    profile = ClientProfile(
        client=client,
        figures=analytics.summary(session, org=org, window=window, scope=scope),
        categories=category_scores(session, scope=scope, window=window),
        agents=rows,
        worst_calls=calls_of(
            session,
            org=org,
            filters=worst_filters(window, client_id=client_id),
            worst=True,
            limit=WORST_CALLS,
            actor=actor,
        ),
        period=analytics.window_meta(window),
    )
    return redact(profile, visibility(session, actor))
