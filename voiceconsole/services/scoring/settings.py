"""Reading and changing score settings: the organization's weights and alert threshold, a client's
override, an agent's threshold (what applies to a call is in `rules`).

Changing weights asks for a background rescoring once the change is committed; thresholds only
affect later alerts.
"""

from __future__ import annotations

from typing import Any

from sqlmodel import Session, col, select

from voiceconsole import enqueue
from voiceconsole.db import after_commit
from voiceconsole.models import Agent, AgentScoring, Client, ClientScoring, Organization
from voiceconsole.models.types import pk, utcnow
from voiceconsole.schemas import (
    AgentScoringOut,
    AgentThresholdOut,
    AiModeOut,
    ClientScoringOut,
    ScoringSettingsOut,
)
from voiceconsole.scoring.scorer import DEFAULT_WEIGHTS, effective_weights
from voiceconsole.services.access import audit
from voiceconsole.services.access.actor import Actor
from voiceconsole.services.access.permissions import require
from voiceconsole.services.billing import credits
from voiceconsole.services.errors import NotFound
from voiceconsole.services.scoring.rules import (
    DEFAULT_ALERT_THRESHOLD,
    WEIGHTS_KEY,
    check_threshold,
    check_weights,
    stored_org_weights,
)
from voiceconsole.settings import get_settings

UNSET: Any = type("Unset", (), {"__repr__": lambda self: "UNSET"})()  # "not given" as opposed to None


def _client(session: Session, org: Organization, client_id: str) -> Client:
    client = session.exec(select(Client).where(Client.organization_id == org.id, Client.public_id == client_id)).first()
    if client is None:
        raise NotFound("Client not found")
    return client


def _agent(session: Session, org: Organization, agent_id: str) -> Agent:
    agent = session.exec(
        select(Agent)
        .where(Agent.organization_id == org.id, col(Agent.platform_agent_id) == agent_id)
        .order_by(col(Agent.id))
    ).first()
    if agent is None:
        raise NotFound("Agent not found")
    return agent


def _client_out(org: Organization, client: Client, row: ClientScoring | None) -> ClientScoringOut:
    own = row.weights if row and row.weights else None
    threshold = row.alert_threshold if row else None
    return ClientScoringOut(
        client_id=client.public_id,
        client_name=client.name,
        weights=own,
        effective_weights=effective_weights(stored_org_weights(org), own),
        alert_threshold=threshold,
        effective_alert_threshold=threshold if threshold is not None else org.alert_threshold,
    )


def _agent_out(session: Session, org: Organization, agent: Agent, row: AgentScoring | None) -> AgentScoringOut:
    threshold = row.alert_threshold if row else None
    effective = threshold
    if effective is None and agent.client_id is not None:
        client_row = session.get(ClientScoring, agent.client_id)
        effective = client_row.alert_threshold if client_row else None
    return AgentScoringOut(
        agent_id=agent.platform_agent_id,
        agent_name=agent.name,
        alert_threshold=threshold,
        effective_alert_threshold=effective if effective is not None else org.alert_threshold,
    )


def scoring_settings(session: Session, *, org: Organization, actor: Actor) -> ScoringSettingsOut:
    """The organization's weights and threshold, the overrides below it, AI mode and this month's credits."""
    require(actor, "scoring.read")
    own = stored_org_weights(org)
    clients = session.exec(
        select(Client, ClientScoring)
        .join(ClientScoring, col(ClientScoring.client_id) == col(Client.id))
        .where(Client.organization_id == org.id)
        .order_by(Client.name)
    ).all()
    agents = session.exec(
        select(Agent, AgentScoring)
        .join(AgentScoring, col(AgentScoring.agent_id) == col(Agent.id))
        .where(col(Agent.organization_id) == org.id, col(AgentScoring.alert_threshold).is_not(None))
        .order_by(col(Agent.name))
    ).all()
    settings = get_settings()
    return ScoringSettingsOut(
        weights=own or dict(DEFAULT_WEIGHTS),
        custom_weights=own is not None,
        default_weights=dict(DEFAULT_WEIGHTS),
        alert_threshold=org.alert_threshold,
        default_alert_threshold=DEFAULT_ALERT_THRESHOLD,
        clients=[_client_out(org, c, row) for c, row in clients if row.weights or row.alert_threshold is not None],
        agents=[
            AgentThresholdOut(agent_id=a.platform_agent_id, agent_name=a.name, alert_threshold=row.alert_threshold)
            for a, row in agents
        ],
        ai_mode=AiModeOut(
            configured=settings.llm_configured, model=settings.llm_model if settings.llm_configured else None
        ),
        credits=credits.balance(session, org=org),
    )


def update_org_scoring(
    session: Session, *, org: Organization, actor: Actor, weights: Any = UNSET, alert_threshold: Any = UNSET
) -> bool:
    """Change the organization's weights (None = back to the defaults) and/or alert threshold.

    Returns whether the weights changed, in which case every call of the organization is rescored
    in the background once the caller commits.
    """
    require(actor, "scoring.manage")
    changed_weights = False
    details: dict[str, Any] = {}
    if weights is not UNSET:
        new = check_weights(weights)
        if new != stored_org_weights(org):
            settings = dict(org.settings or {})
            if new is None:
                settings.pop(WEIGHTS_KEY, None)
            else:
                settings[WEIGHTS_KEY] = new
            org.settings = settings  # a new dict, so the JSON column is seen as changed
            changed_weights = True
            details["weights"] = new
    if alert_threshold is not UNSET:
        value = check_threshold(alert_threshold, nullable=False)
        if value != org.alert_threshold:
            org.alert_threshold = value
            details["alertThreshold"] = value
    if details:
        session.add(org)
        audit.record(
            session,
            organization_id=pk(org),
            actor=actor,
            action="scoring.updated",
            target_type="organization",
            target_id=org.slug,
            details=details,
        )
        session.flush()
    if changed_weights:
        rescore_after_commit(session, org_id=pk(org))
    return changed_weights


def client_scoring(session: Session, *, org: Organization, client_id: str, actor: Actor) -> ClientScoringOut:
    require(actor, "scoring.read")
    client = _client(session, org, client_id)
    return _client_out(org, client, session.get(ClientScoring, client.id))


def update_client_scoring(
    session: Session,
    *,
    org: Organization,
    client_id: str,
    actor: Actor,
    weights: Any = UNSET,
    alert_threshold: Any = UNSET,
) -> tuple[ClientScoringOut, bool]:
    """Set or clear (None) a client's own weights and alert threshold.

    Returns the client's settings and whether its weights changed (its calls are then rescored in
    the background once the caller commits).
    """
    require(actor, "scoring.manage")
    client = _client(session, org, client_id)
    new_weights = check_weights(weights) if weights is not UNSET else UNSET
    new_threshold = check_threshold(alert_threshold) if alert_threshold is not UNSET else UNSET
    row = session.get(ClientScoring, pk(client)) or ClientScoring(client_id=pk(client), organization_id=pk(org))
    changed_weights = new_weights is not UNSET and new_weights != (row.weights or None)
    details: dict[str, Any] = {}
    if changed_weights:
        row.weights = new_weights
        details["weights"] = new_weights
    if new_threshold is not UNSET and new_threshold != row.alert_threshold:
        row.alert_threshold = new_threshold
        details["alertThreshold"] = new_threshold
    if details:
        row.updated_at = utcnow()
        session.add(row)
        audit.record(
            session,
            organization_id=pk(org),
            actor=actor,
            action="client_scoring.updated",
            target_type="client",
            target_id=client.public_id,
            details=details,
        )
        session.flush()
    if changed_weights:
        rescore_after_commit(session, org_id=pk(org), client_id=pk(client))
    return _client_out(org, client, row), changed_weights


def agent_scoring(session: Session, *, org: Organization, agent_id: str, actor: Actor) -> AgentScoringOut:
    require(actor, "scoring.read")
    agent = _agent(session, org, agent_id)
    return _agent_out(session, org, agent, session.get(AgentScoring, agent.id))


def update_agent_scoring(
    session: Session, *, org: Organization, agent_id: str, actor: Actor, alert_threshold: Any = UNSET
) -> AgentScoringOut:
    """Set or clear (None) an agent's alert threshold. Scores do not change, so nothing is rescored."""
    require(actor, "scoring.manage")
    agent = _agent(session, org, agent_id)
    row = session.get(AgentScoring, pk(agent)) or AgentScoring(agent_id=pk(agent), organization_id=pk(org))
    if alert_threshold is not UNSET:
        value = check_threshold(alert_threshold)
        if value != row.alert_threshold:
            row.alert_threshold = value
            row.updated_at = utcnow()
            session.add(row)
            audit.record(
                session,
                organization_id=pk(org),
                actor=actor,
                action="agent_scoring.updated",
                target_type="agent",
                target_id=agent.platform_agent_id,
                details={"alertThreshold": value},
            )
            session.flush()
    return _agent_out(session, org, agent, row)


def rescore_after_commit(session: Session, *, org_id: int, client_id: int | None = None) -> None:
    """Once the new weights are committed (a job must never read uncommitted settings), rescore the
    organization's (or the client's) calls in the background."""
    after_commit(session, lambda: enqueue.rescoring(org_id, client_id=client_id))
