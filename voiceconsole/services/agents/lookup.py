"""An agent by the id every agent path uses (the platform's agent id), within the organization and, for a
client viewer, within their client: anything else is NotFound, never Forbidden."""

from __future__ import annotations

from sqlmodel import Session, col, select

from voiceconsole.models import Agent, Organization
from voiceconsole.services.access.actor import Actor
from voiceconsole.services.errors import NotFound


def find_agent(session: Session, *, org: Organization, agent_id: str, actor: Actor | None) -> Agent:
    query = select(Agent).where(Agent.organization_id == org.id, Agent.platform_agent_id == agent_id)
    if actor is not None and actor.client_id is not None:
        query = query.where(Agent.client_id == actor.client_id)
    agent = session.exec(query.order_by(col(Agent.id))).first()
    if agent is None:
        raise NotFound("Agent not found")
    return agent
