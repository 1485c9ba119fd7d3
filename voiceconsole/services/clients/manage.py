"""Clients (an agency's customers): create, rename, delete, and which agents serve which client.

An agent's calls belong to its client: assigning an agent to another client (or to none) moves its
calls too, history included, so every list, chart and export filtered by client agrees with the
agents the client has now. Rollups of the agent are recomputed in the same transaction.
"""

from __future__ import annotations

from sqlalchemy import delete, func, update
from sqlmodel import Session, col, select

from voiceconsole.models import Agent, Call, Client, ClientScoring, Invitation, Organization
from voiceconsole.models.types import pk, utcnow
from voiceconsole.schemas import AgentSummary, ClientDeleted, ClientOut
from voiceconsole.services.access import audit
from voiceconsole.services.access.actor import Actor
from voiceconsole.services.access.permissions import require
from voiceconsole.services.accounts.members import remove_client_viewers
from voiceconsole.services.agents import agent_summary
from voiceconsole.services.analytics import rollups
from voiceconsole.services.billing.plans import effective_plan
from voiceconsole.services.errors import Conflict, NotFound, ValidationFailed

MAX_NAME = 200


def _clean_name(name: str | None) -> str:
    name = " ".join((name or "").split())
    if not name or len(name) > MAX_NAME:
        raise ValidationFailed.field("name", f"Name must be 1–{MAX_NAME} characters")
    return name


def _get(session: Session, org: Organization, client_id: str, actor: Actor | None = None) -> Client:
    client = session.exec(select(Client).where(Client.organization_id == org.id, Client.public_id == client_id)).first()
    if client is None or (actor is not None and actor.client_id is not None and client.id != actor.client_id):
        raise NotFound("Client not found")
    return client


def _check_unique(session: Session, org: Organization, name: str, except_id: int | None = None) -> None:
    q = select(Client.id).where(Client.organization_id == org.id, func.lower(Client.name) == name.lower())
    if except_id is not None:
        q = q.where(Client.id != except_id)
    if session.exec(q).first() is not None:
        raise Conflict(
            "A client with this name already exists",
            [{"field": "name", "message": "A client with this name already exists"}],
        )


def _out(client: Client, agent_count: int) -> ClientOut:
    return ClientOut(
        id=client.public_id,
        name=client.name,
        agent_count=agent_count,
        show_costs=client.show_costs,
        show_agent_config=client.show_agent_config,
        created_at=client.created_at,
    )


def list_clients(session: Session, *, org: Organization, actor: Actor | None = None) -> list[ClientOut]:
    """The organization's clients by name, with how many agents each has (a client viewer sees its own)."""
    counts = (
        select(Agent.client_id, func.count().label("n"))
        .where(Agent.organization_id == org.id)
        .group_by(col(Agent.client_id))
        .subquery()
    )
    q = (
        select(Client, func.coalesce(counts.c.n, 0))
        .outerjoin(counts, counts.c.client_id == Client.id)
        .where(Client.organization_id == org.id)
    )
    if actor is not None and actor.client_id is not None:
        q = q.where(Client.id == actor.client_id)
    return [_out(c, n) for c, n in session.exec(q.order_by(func.lower(col(Client.name)), col(Client.id)))]


def get_client(session: Session, *, org: Organization, client_id: str, actor: Actor | None = None) -> ClientOut:
    client = _get(session, org, client_id, actor)
    n = session.exec(select(func.count()).select_from(Agent).where(Agent.client_id == client.id)).one()
    return _out(client, n)


def create_client(session: Session, *, org: Organization, name: str, actor: Actor) -> ClientOut:
    require(actor, "clients.manage")
    name = _clean_name(name)
    _check_unique(session, org, name)
    client = Client(organization_id=pk(org), name=name)
    session.add(client)
    session.flush()
    audit.record(
        session,
        organization_id=pk(org),
        actor=actor,
        action="client.created",
        target_type="client",
        target_id=client.public_id,
        details={"name": name},
    )
    return _out(client, 0)


def rename_client(session: Session, *, org: Organization, client_id: str, name: str, actor: Actor) -> ClientOut:
    require(actor, "clients.manage")
    client = _get(session, org, client_id)
    name = _clean_name(name)
    _check_unique(session, org, name, except_id=client.id)
    old, client.name = client.name, name
    session.add(client)
    session.flush()
    audit.record(
        session,
        organization_id=pk(org),
        actor=actor,
        action="client.renamed",
        target_type="client",
        target_id=client.public_id,
        details={"from": old, "to": name},
    )
    return get_client(session, org=org, client_id=client_id)


def update_client(
    session: Session,
    *,
    org: Organization,
    client_id: str,
    actor: Actor,
    name: str | None = None,
    show_costs: bool | None = None,
    show_agent_config: bool | None = None,
) -> ClientOut:
    """Rename a client and/or choose what its viewers see (costs, agent configuration); None leaves a
    setting as it is. Owners and admins only."""
    require(actor, "clients.manage")
    client = _get(session, org, client_id)
    if name is not None:
        rename_client(session, org=org, client_id=client_id, name=name, actor=actor)
    changes = {
        field: value
        for field, value in (("show_costs", show_costs), ("show_agent_config", show_agent_config))
        if value is not None and getattr(client, field) != value
    }
    if changes:
        for field, value in changes.items():
            setattr(client, field, value)
        session.add(client)
        session.flush()
        audit.record(
            session,
            organization_id=pk(org),
            actor=actor,
            action="client.portal_visibility_changed",
            target_type="client",
            target_id=client.public_id,
            details=changes,
        )
    return get_client(session, org=org, client_id=client_id)


def _move_agent(session: Session, agent: Agent, client_id: int | None) -> None:
    agent.client_id = client_id
    agent.updated_at = utcnow()
    session.add(agent)
    session.flush()
    session.exec(
        update(Call)
        .where(col(Call.organization_id) == agent.organization_id, col(Call.agent_id) == agent.id)
        .values(client_id=client_id)
    )
    rollups.refresh_rollups_for_agent(session, organization_id=agent.organization_id, agent_id=pk(agent))


def delete_client(session: Session, *, org: Organization, client_id: str, actor: Actor) -> ClientDeleted:
    """Delete a client: its agents (and their calls) become unassigned, its score overrides go, and its
    client viewers lose their access to the organization."""
    require(actor, "clients.manage")
    client = _get(session, org, client_id)
    agents = session.exec(select(Agent).where(Agent.organization_id == org.id, Agent.client_id == client.id)).all()
    for agent in agents:
        _move_agent(session, agent, None)
    # Calls whose agent is gone or moved earlier may still name the client.
    session.exec(
        update(Call).where(col(Call.organization_id) == org.id, col(Call.client_id) == client.id).values(client_id=None)
    )
    rollups.refresh_rollups_for_client(session, organization_id=pk(org), client_id=pk(client))
    viewers = remove_client_viewers(session, org=org, client_id=pk(client))  # their sessions and keys end too
    session.exec(delete(Invitation).where(col(Invitation.client_id) == client.id))
    session.exec(delete(ClientScoring).where(col(ClientScoring.client_id) == client.id))
    session.delete(client)
    session.flush()
    audit.record(
        session,
        organization_id=pk(org),
        actor=actor,
        action="client.deleted",
        target_type="client",
        target_id=client.public_id,
        details={"name": client.name, "unassigned_agents": len(agents), "removed_viewers": viewers or 0},
    )
    return ClientDeleted(id=client.public_id, unassigned_agents=len(agents))


def assign_agent(
    session: Session, *, org: Organization, agent_id: str, client_id: str | None, actor: Actor
) -> AgentSummary:
    """Put an agent (the platform's agent id) under a client, or under none with `client_id=None`."""
    require(actor, "clients.manage")
    agents = session.exec(
        select(Agent)
        .where(Agent.organization_id == org.id, Agent.platform_agent_id == agent_id)
        .order_by(col(Agent.id))
    ).all()
    if not agents:
        raise NotFound("Agent not found")
    client = _get(session, org, client_id) if client_id else None
    for agent in agents:
        if agent.client_id != (client.id if client else None):
            _move_agent(session, agent, client.id if client else None)
    audit.record(
        session,
        organization_id=pk(org),
        actor=actor,
        action="agent.client_assigned",
        target_type="agent",
        target_id=agent_id,
        details={"client": client.public_id if client else None},
    )
    return agent_summary(agents[0], client, plan=effective_plan(org))
