"""One agent's page: its figures over a period against the period before, the score by category, its
recent and worst calls, and what its platform configuration holds."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, col, select

from voiceconsole.models import Agent, Client, Integration, Organization
from voiceconsole.schemas.calls import CallSummary
from voiceconsole.schemas.profiles import AgentConfig, AgentProfile
from voiceconsole.services import analytics
from voiceconsole.services.access.actor import Actor
from voiceconsole.services.access.visibility import redact, visibility
from voiceconsole.services.agents.overview import agent_summary
from voiceconsole.services.analytics.categories import category_scores
from voiceconsole.services.billing.plans import effective_plan
from voiceconsole.services.calls import CallFilters, page_calls
from voiceconsole.services.errors import NotFound

PROMPT_EXCERPT_CHARS = 280
RECENT_CALLS = 8
WORST_CALLS = 5


def prompt_excerpt(prompt: str | None, limit: int = PROMPT_EXCERPT_CHARS) -> str | None:
    """The start of a prompt on one line, cut at a word with an ellipsis when longer than `limit`."""
    text = " ".join((prompt or "").split())
    if not text:
        return None
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    return (cut.rsplit(" ", 1)[0] if " " in cut else cut).rstrip(" ,.;:") + "…"


def calls_of(
    session: Session,
    *,
    org: Organization,
    filters: CallFilters,
    worst: bool,
    limit: int,
    actor: Actor | None,
) -> list[CallSummary]:
    """A few calls of a filtered list: the newest, or (`worst`) the lowest scored first. The count behind
    them is not needed, so it stops at the page's size."""
    return page_calls(
        session,
        org=org,
        filters=filters,
        per_page=limit,
        sort_by="callScore" if worst else "startedAt",
        sort_order="asc" if worst else "desc",
        actor=actor,
        exact_total_limit=limit,
    ).rows


def worst_filters(
    window: analytics.Window, *, agent_id: str | None = None, client_id: str | None = None
) -> CallFilters:
    """The scored calls of a period (no-transcript ones left out) of an agent or a client, worst first."""
    return CallFilters(
        agent_id=agent_id,
        client_id=client_id,
        scored=True,
        date_from=window.start,
        date_to=None if window.live else window.end,
    )


def agent_profile(
    session: Session,
    *,
    org: Organization,
    agent_id: str,
    actor: Actor | None = None,
    range_: str = "30d",
    now: datetime | None = None,
) -> AgentProfile:
    """An agent (the platform's id) with the figures of the period `range_`. Another organization's agent,
    or another client's for a client viewer, is NotFound."""
    conds = [col(Agent.organization_id) == org.id, col(Agent.platform_agent_id) == agent_id]
    if actor is not None and actor.client_id is not None:
        conds.append(col(Agent.client_id) == actor.client_id)
    row = session.exec(
        select(Agent, Client, Integration.label)
        .outerjoin(Client, col(Client.id) == col(Agent.client_id))
        .outerjoin(Integration, col(Integration.id) == col(Agent.integration_id))
        .where(*conds)
        .order_by(col(Agent.id))
    ).first()
    if row is None:
        raise NotFound("Agent not found")
    agent, client, integration = row
    window = analytics.resolve_window(range_, now=now)
    # The same agents as the calls list's `agentId` filter: every agent with this platform id.
    scope = analytics.resolve_scope(session, org=org, agent_id=agent_id, actor=actor)
    profile = AgentProfile(
        agent=agent_summary(agent, client, plan=effective_plan(org)),
        config=AgentConfig(
            integration=integration,
            voice=agent.voice,
            model=agent.model,
            platform_version=agent.platform_version,
            prompt_excerpt=prompt_excerpt(agent.prompt),
            prompt_length=len(agent.prompt or ""),
            last_synced_at=agent.last_seen_at,
        ),
        figures=analytics.summary(session, org=org, window=window, scope=scope),
        categories=category_scores(session, scope=scope, window=window),
        recent_calls=calls_of(
            session, org=org, filters=CallFilters(agent_id=agent_id), worst=False, limit=RECENT_CALLS, actor=actor
        ),
        worst_calls=calls_of(
            session,
            org=org,
            filters=worst_filters(window, agent_id=agent_id),
            worst=True,
            limit=WORST_CALLS,
            actor=actor,
        ),
        period=analytics.window_meta(window),
    )
    return redact(profile, visibility(session, actor))
