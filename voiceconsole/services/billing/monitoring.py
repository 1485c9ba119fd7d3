"""Plan limits on agents, with nothing lost: which agents are monitored (issue 18, item 2).

A plan includes so many monitored agents (`Plan.agents`, None: unlimited). Calls of an agent that is not
monitored are neither imported, scored nor alerted (services/intake/store.py skips them); the agent is still
listed, as "Not monitored" with the reason. Monitoring an agent later (a swap, an upgrade, a paid invoice
after a lapsed grace period) imports its past calls from the platform (`enqueue.backfill_agent`, run by
services/intake/backfill.py), so nothing is lost.

Who is monitored, decided in one place (`apply_plan_limits`):
- the agency's choice per agent (`Agent.monitoring`): "on" (always, while the plan allows), "off" (never),
  "auto" (the default: the most active, in the slots "on" agents leave);
- within "on" and within "auto", agents still listed by their platform come first, then the most calls in
  the last 30 days, then the most calls ever, then the latest call, then the oldest agent: a ranking that
  keeps monitored agents monitored (their calls are the ones stored) unless the agency or the plan changes.
- A new account's agents have no stored calls yet: the sync passes the platform's own count of their recent
  calls (`activity`) so that the first choice is the most active agent, not the first listed.

Turning an agent on takes a slot from an "auto" agent if need be; only when every slot is held by agents
turned on does it fail, with `PlanLimitReached` ("Free includes 1 monitored agent. Upgrade to Pro for 15.").
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from datetime import timedelta
from typing import Any, Protocol

from sqlalchemy import func
from sqlmodel import Session, col, select

from voiceconsole import enqueue
from voiceconsole.db import after_commit
from voiceconsole.models import Agent, Call, Organization
from voiceconsole.models.types import pk, utcnow
from voiceconsole.schemas import AgentMonitoring
from voiceconsole.services.access import audit
from voiceconsole.services.access.actor import Actor
from voiceconsole.services.access.permissions import require
from voiceconsole.services.billing.plans import Plan, effective_plan, upgrade_hint
from voiceconsole.services.errors import NotFound, PlanLimitReached

log = logging.getLogger(__name__)

MONITORING_CHOICES = ("auto", "on", "off")
ACTIVITY_WINDOW = timedelta(days=30)
TURNED_OFF = "Not monitored: turned off by the agency"


class _Monitorable(Protocol):
    """An Agent, or a row of the agents list with these columns."""

    monitored: bool
    monitoring: str


def not_monitored_reason(agent: _Monitorable, plan: Plan) -> str | None:
    """Why the agent's calls are not imported; None when they are."""
    if agent.monitored:
        return None
    if agent.monitoring == "off":
        return TURNED_OFF
    return f"Not monitored: {upgrade_hint(plan, 'agents')}"


def monitoring_status(agent: _Monitorable, plan: Plan) -> AgentMonitoring:
    """{monitored, monitoring, reason} of one agent under `plan` (the organization's `effective_plan`)."""
    return AgentMonitoring(
        monitored=agent.monitored, monitoring=agent.monitoring, reason=not_monitored_reason(agent, plan)
    )


def recent_call_counts(session: Session, *, org: Organization, since: Any = None) -> dict[int, int]:
    """Stored calls per agent started in the last 30 days (or since `since`)."""
    start = since or utcnow() - ACTIVITY_WINDOW
    rows = session.exec(
        select(col(Call.agent_id), func.count())
        .where(col(Call.organization_id) == org.id, col(Call.started_at) >= start, col(Call.agent_id).is_not(None))
        .group_by(col(Call.agent_id))
    ).all()
    return {agent_id: int(n) for agent_id, n in rows if agent_id is not None}


def lock_plan_limits(session: Session, org: Organization) -> None:
    """Decisions about one organization's monitored agents are made one at a time (PostgreSQL row lock;
    SQLite serialises writers anyway): two of them at once could each fill the last slot.

    A transaction that will change agent rows and then apply the limits (a sync storing its agents, a page
    bringing a new agent) takes this lock first, before it touches any agent: taken afterwards, two syncs of
    one organization could each hold an agent row the other's `apply_plan_limits` waits for (a deadlock)."""
    session.exec(select(Organization.id).where(Organization.id == org.id).with_for_update())


_lock = lock_plan_limits


def apply_plan_limits(session: Session, org: Organization, *, activity: Mapping[int, int] | None = None) -> list[int]:
    """Recompute which of the organization's agents are monitored under its `effective_plan` (module
    docstring); return the ids of the agents that became monitored. Their past calls are imported once the
    caller commits (`enqueue.backfill_agent`). `activity`: agent id → the platform's count of its recent
    calls, for agents whose calls are not stored (a new account's, at its first sync).

    Call it whenever the plan or the agents change: plan changes (Stripe webhooks, `voiceconsole org plan`,
    the end of a grace period), agents created by a sync or a webhook. Flushes; the caller commits."""
    _lock(session, org)
    plan = effective_plan(org)
    agents = list(session.exec(select(Agent).where(Agent.organization_id == org.id)))
    recent = recent_call_counts(session, org=org)
    hints = activity or {}

    def rank(agent: Agent) -> tuple[bool, int, int, float, int]:
        calls = max(recent.get(pk(agent), 0), hints.get(pk(agent), 0))
        last = agent.last_call_at.timestamp() if agent.last_call_at else float("-inf")
        return (agent.status != "online", -calls, -agent.total_calls, -last, pk(agent))

    ranked = sorted((a for a in agents if a.monitoring == "on"), key=rank) + sorted(
        (a for a in agents if a.monitoring not in ("on", "off")), key=rank
    )
    chosen = {pk(a) for a in (ranked if plan.agents is None else ranked[: plan.agents])}
    became: list[int] = []
    stopped: list[int] = []
    now = utcnow()
    for agent in agents:
        want = pk(agent) in chosen
        if agent.monitored != want:
            agent.monitored, agent.updated_at = want, now
            agent.backfill_pending = want  # until its backfill has run (a Redis blip loses no backfill)
            session.add(agent)
            (became if want else stopped).append(pk(agent))
    if became or stopped:
        session.flush()
        log.info(
            "organization %s (%s): agents now monitored %s, no longer monitored %s", org.id, plan.slug, became, stopped
        )
    if became:
        backfill = sorted(became)
        after_commit(session, lambda: _backfill(backfill))
    return sorted(became)


def _backfill(agent_ids: Iterable[int]) -> None:
    for agent_id in agent_ids:
        enqueue.backfill_agent(agent_id)


def pending_backfills(session: Session) -> list[int]:
    """Agents whose backfill was asked for and has not finished (the upkeep asks again: `backfill_agent`
    collapses a request for one already waiting)."""
    return [pk(a) for a in session.exec(select(Agent).where(col(Agent.backfill_pending)))]


def _find(session: Session, org: Organization, agent_id: str, actor: Actor | None) -> Agent:
    """The agent by the platform's agent id, as the API names it (a client viewer: of their client only)."""
    query = select(Agent).where(Agent.organization_id == org.id, Agent.platform_agent_id == agent_id)
    if actor is not None and actor.client_id is not None:
        query = query.where(Agent.client_id == actor.client_id)
    agent = session.exec(query.order_by(col(Agent.id))).first()
    if agent is None:
        raise NotFound("Agent not found")
    return agent


def get_monitoring(session: Session, *, org: Organization, actor: Actor, agent_id: str) -> AgentMonitoring:
    """Whether the agent (the platform's agent id) is monitored, the agency's choice, and why not."""
    require(actor, "agents.read")
    return monitoring_status(_find(session, org, agent_id, actor), effective_plan(org))


def set_monitoring(
    session: Session, *, org: Organization, actor: Actor, agent_id: str, monitored: bool
) -> AgentMonitoring:
    """The agency turns an agent's monitoring on ("on": it takes a slot from an agent chosen automatically)
    or off ("off": its calls stop being imported; the slot goes to the most active "auto" agent).

    PlanLimitReached (403, field `monitored`) when turning on and every slot of the plan is held by agents
    turned on. An agent that becomes monitored has its past calls imported once this commits. Audited as
    `agent.monitoring_changed`."""
    require(actor, "agents.monitoring")
    agent = _find(session, org, agent_id, actor)
    _lock(session, org)
    plan = effective_plan(org)
    choice = "on" if monitored else "off"
    if monitored and plan.agents is not None:
        held = session.exec(
            select(func.count())
            .select_from(Agent)
            .where(Agent.organization_id == org.id, Agent.monitoring == "on", col(Agent.id) != agent.id)
        ).one()
        if held >= plan.agents:
            raise PlanLimitReached("monitored", upgrade_hint(plan, "agents"))
    previous = agent.monitoring
    agent.monitoring, agent.updated_at = choice, utcnow()
    session.add(agent)
    session.flush()
    apply_plan_limits(session, org)
    audit.record(
        session,
        organization_id=pk(org),
        actor=actor,
        action="agent.monitoring_changed",
        target_type="agent",
        target_id=agent.platform_agent_id,
        details={"monitoring": choice, "previous": previous, "monitored": agent.monitored, "name": agent.name},
    )
    return monitoring_status(agent, plan)


def monitored_agents_count(session: Session, *, org: Organization) -> int:
    """Usage against `Plan.agents` (the billing page's bar)."""
    return int(
        session.exec(
            select(func.count()).select_from(Agent).where(Agent.organization_id == org.id, col(Agent.monitored))
        ).one()
    )
