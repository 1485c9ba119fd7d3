"""Score weights and alert thresholds: the organization's, a client's override, an agent's threshold.

Which apply to a call (`ScoringRules`): weights are the client's (the client of the call's agent)
when it has its own, else the organization's, else the defaults; the alert threshold is the
agent's, else the client's, else the organization's (60 unless changed). Changing weights asks
for a background rescoring once the change is committed; thresholds only affect later alerts.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import event
from sqlmodel import Session, select

from voiceconsole.models import Agent, AgentScoring, Call, Client, ClientScoring, Organization
from voiceconsole.models.types import utcnow
from voiceconsole.scoring.scorer import DEFAULT_WEIGHTS, effective_weights, validate_weights
from voiceconsole.services import audit, credits
from voiceconsole.services.errors import Actor, Forbidden, NotFound, ValidationFailed, require_manager
from voiceconsole.settings import get_settings

log = logging.getLogger(__name__)

DEFAULT_ALERT_THRESHOLD = 60
WEIGHTS_KEY = "score_weights"  # in Organization.settings
UNSET: Any = type("Unset", (), {"__repr__": lambda self: "UNSET"})()  # "not given" as opposed to None


# --- Validation and access -----------------------------------------------------------------------

def check_weights(weights: Any) -> dict[str, int] | None:
    """None (use the defaults / the organization's), or a valid weight set; else 422 naming the field."""
    if weights is None:
        return None
    try:
        return validate_weights(weights)
    except ValueError as exc:
        name, _, message = str(exc).partition(": ")
        raise ValidationFailed("Validation failed", [{"field": name, "message": message or str(exc)}]) from None


def check_threshold(value: Any, *, name: str = "alertThreshold", nullable: bool = True) -> int | None:
    if value is None:
        if nullable:
            return None
        raise ValidationFailed.field(name, "Required: a whole number from 0 to 100")
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 100:
        raise ValidationFailed.field(name, "Must be a whole number from 0 to 100")
    return value


def _require_admin(actor: Actor) -> None:
    require_manager(actor, "scoring settings")


def _require_staff(actor: Actor) -> None:
    if actor.role == "client_viewer":
        raise Forbidden("Client viewers cannot see the agency's scoring settings")


def stored_org_weights(org: Organization) -> dict[str, int] | None:
    """The organization's own weights, or None for the defaults (an invalid stored set counts as none)."""
    raw = (org.settings or {}).get(WEIGHTS_KEY)
    if not raw:
        return None
    try:
        return validate_weights(raw)
    except ValueError:
        log.warning("organization %s has invalid stored score weights; using the defaults", org.id)
        return None


# --- What applies to a call ----------------------------------------------------------------------

@dataclass
class ScoringRules:
    """The weights and thresholds of one organization, ready to apply to its calls."""

    org_weights: dict[str, int] | None
    org_threshold: int
    client_weights: dict[int, dict[str, int]] = field(default_factory=dict)
    client_thresholds: dict[int, int] = field(default_factory=dict)
    agent_thresholds: dict[int, int] = field(default_factory=dict)
    agent_clients: dict[int, int | None] = field(default_factory=dict)

    def client_of(self, call: Call) -> int | None:
        """The client of the call's agent (the agent may have moved since the call was stored)."""
        if call.agent_id is not None and call.agent_id in self.agent_clients:
            return self.agent_clients[call.agent_id]
        return call.client_id

    def weights_for(self, call: Call) -> dict[str, int]:
        return effective_weights(self.org_weights, self.client_weights.get(self.client_of(call)))

    def threshold_for(self, call: Call) -> int:
        if call.agent_id is not None and call.agent_id in self.agent_thresholds:
            return self.agent_thresholds[call.agent_id]
        client = self.client_of(call)
        if client is not None and client in self.client_thresholds:
            return self.client_thresholds[client]
        return self.org_threshold


def load_rules(session: Session, *, org: Organization, agent_ids: Iterable[int] = ()) -> ScoringRules:
    """The organization's rules; `agent_ids` are the agents whose client and threshold to look up."""
    rules = ScoringRules(org_weights=stored_org_weights(org), org_threshold=org.alert_threshold)
    for row in session.exec(select(ClientScoring).where(ClientScoring.organization_id == org.id)):
        if row.weights:
            try:
                rules.client_weights[row.client_id] = validate_weights(row.weights)
            except ValueError:
                log.warning("client %s has invalid stored score weights; ignoring them", row.client_id)
        if row.alert_threshold is not None:
            rules.client_thresholds[row.client_id] = row.alert_threshold
    ids = sorted(set(agent_ids))
    if ids:
        for agent_id, client_id in session.exec(
                select(Agent.id, Agent.client_id).where(Agent.organization_id == org.id, Agent.id.in_(ids))):
            rules.agent_clients[agent_id] = client_id
        for row in session.exec(select(AgentScoring).where(AgentScoring.organization_id == org.id,
                                                           AgentScoring.agent_id.in_(ids))):
            if row.alert_threshold is not None:
                rules.agent_thresholds[row.agent_id] = row.alert_threshold
    return rules


# --- Reading and changing the settings ------------------------------------------------------------

def _client(session: Session, org: Organization, client_id: str) -> Client:
    client = session.exec(select(Client).where(Client.organization_id == org.id, Client.public_id == client_id)).first()
    if client is None:
        raise NotFound("Client not found")
    return client


def _agent(session: Session, org: Organization, agent_id: str) -> Agent:
    agent = session.exec(select(Agent).where(Agent.organization_id == org.id,
                                             Agent.platform_agent_id == agent_id).order_by(Agent.id)).first()
    if agent is None:
        raise NotFound("Agent not found")
    return agent


def _client_wire(org: Organization, client: Client, row: ClientScoring | None) -> dict[str, Any]:
    own = row.weights if row and row.weights else None
    threshold = row.alert_threshold if row else None
    return {"clientId": client.public_id, "clientName": client.name, "weights": own,
            "effectiveWeights": effective_weights(stored_org_weights(org), own),
            "alertThreshold": threshold,
            "effectiveAlertThreshold": threshold if threshold is not None else org.alert_threshold}


def _agent_wire(session: Session, org: Organization, agent: Agent, row: AgentScoring | None) -> dict[str, Any]:
    threshold = row.alert_threshold if row else None
    effective = threshold
    if effective is None and agent.client_id is not None:
        client_row = session.get(ClientScoring, agent.client_id)
        effective = client_row.alert_threshold if client_row else None
    return {"agentId": agent.platform_agent_id, "agentName": agent.name, "alertThreshold": threshold,
            "effectiveAlertThreshold": effective if effective is not None else org.alert_threshold}


def scoring_settings(session: Session, *, org: Organization, actor: Actor) -> dict[str, Any]:
    """The organization's weights and threshold, the overrides below it, AI mode and this month's credits."""
    _require_staff(actor)
    own = stored_org_weights(org)
    clients = session.exec(
        select(Client, ClientScoring).join(ClientScoring, ClientScoring.client_id == Client.id)
        .where(Client.organization_id == org.id).order_by(Client.name)).all()
    agents = session.exec(
        select(Agent, AgentScoring).join(AgentScoring, AgentScoring.agent_id == Agent.id)
        .where(Agent.organization_id == org.id, AgentScoring.alert_threshold.is_not(None)).order_by(Agent.name)).all()
    settings = get_settings()
    return {
        "weights": own or dict(DEFAULT_WEIGHTS),
        "customWeights": own is not None,
        "defaultWeights": dict(DEFAULT_WEIGHTS),
        "alertThreshold": org.alert_threshold,
        "defaultAlertThreshold": DEFAULT_ALERT_THRESHOLD,
        "clients": [_client_wire(org, c, row) for c, row in clients if row.weights or row.alert_threshold is not None],
        "agents": [{"agentId": a.platform_agent_id, "agentName": a.name, "alertThreshold": row.alert_threshold}
                   for a, row in agents],
        "aiMode": {"configured": settings.llm_configured,
                   "model": settings.llm_model if settings.llm_configured else None},
        "credits": credits.balance(session, org=org).wire(),
    }


def update_org_scoring(session: Session, *, org: Organization, actor: Actor, weights: Any = UNSET,
                       alert_threshold: Any = UNSET) -> bool:
    """Change the organization's weights (None = back to the defaults) and/or alert threshold.

    Returns whether the weights changed, in which case every call of the organization is rescored
    in the background once the caller commits.
    """
    _require_admin(actor)
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
        audit.record(session, organization_id=org.id, actor=actor, action="scoring.update",
                     target_type="organization", target_id=org.slug, details=details)
        session.flush()
    if changed_weights:
        rescore_after_commit(session, org_id=org.id)
    return changed_weights


def client_scoring(session: Session, *, org: Organization, client_id: str, actor: Actor) -> dict[str, Any]:
    _require_staff(actor)
    client = _client(session, org, client_id)
    return _client_wire(org, client, session.get(ClientScoring, client.id))


def update_client_scoring(session: Session, *, org: Organization, client_id: str, actor: Actor,
                          weights: Any = UNSET, alert_threshold: Any = UNSET) -> tuple[dict[str, Any], bool]:
    """Set or clear (None) a client's own weights and alert threshold.

    Returns the client's settings and whether its weights changed (its calls are then rescored in
    the background once the caller commits).
    """
    _require_admin(actor)
    client = _client(session, org, client_id)
    new_weights = check_weights(weights) if weights is not UNSET else UNSET
    new_threshold = check_threshold(alert_threshold) if alert_threshold is not UNSET else UNSET
    row = session.get(ClientScoring, client.id) or ClientScoring(client_id=client.id, organization_id=org.id)
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
        audit.record(session, organization_id=org.id, actor=actor, action="scoring.client_update",
                     target_type="client", target_id=client.public_id, details=details)
        session.flush()
    if changed_weights:
        rescore_after_commit(session, org_id=org.id, client_id=client.id)
    return _client_wire(org, client, row), changed_weights


def agent_scoring(session: Session, *, org: Organization, agent_id: str, actor: Actor) -> dict[str, Any]:
    _require_staff(actor)
    agent = _agent(session, org, agent_id)
    return _agent_wire(session, org, agent, session.get(AgentScoring, agent.id))


def update_agent_scoring(session: Session, *, org: Organization, agent_id: str, actor: Actor,
                         alert_threshold: Any = UNSET) -> dict[str, Any]:
    """Set or clear (None) an agent's alert threshold. Scores do not change, so nothing is rescored."""
    _require_admin(actor)
    agent = _agent(session, org, agent_id)
    row = session.get(AgentScoring, agent.id) or AgentScoring(agent_id=agent.id, organization_id=org.id)
    if alert_threshold is not UNSET:
        value = check_threshold(alert_threshold)
        if value != row.alert_threshold:
            row.alert_threshold = value
            row.updated_at = utcnow()
            session.add(row)
            audit.record(session, organization_id=org.id, actor=actor, action="scoring.agent_update",
                         target_type="agent", target_id=agent.platform_agent_id, details={"alertThreshold": value})
            session.flush()
    return _agent_wire(session, org, agent, row)


# --- Rescoring once committed --------------------------------------------------------------------

def after_commit(session: Session, fn: Callable[[], None]) -> None:
    """Run `fn` once the session's transaction commits (a job must never read uncommitted settings).

    A failure to enqueue is logged, not raised: the change is saved, and a rescoring can be asked
    for again by saving once more.
    """
    def run(_session: Session) -> None:
        try:
            fn()
        except Exception:  # Redis away: the settings are saved; rescoring can be requested again
            log.exception("could not enqueue work after commit")

    event.listen(session, "after_commit", run, once=True)


def rescore_after_commit(session: Session, *, org_id: int, client_id: int | None = None) -> None:
    def enqueue() -> None:
        from voiceconsole.jobs.scoring import enqueue_rescoring

        enqueue_rescoring(org_id, client_id=client_id)

    after_commit(session, enqueue)


def calls_to_rescore(session: Session, *, org_id: int, client_id: int | None = None,
                     after_id: int = 0, limit: int = 500) -> list[int]:
    """The next ids (in id order, after `after_id`) of the organization's finished calls, or of the
    calls of one client's agents (and calls stored under that client without an agent)."""
    conds = [Call.organization_id == org_id, Call.status != "in_progress", Call.id > after_id]
    if client_id is not None:
        agents = select(Agent.id).where(Agent.organization_id == org_id, Agent.client_id == client_id)
        conds.append((Call.agent_id.in_(agents.scalar_subquery()))
                     | ((Call.agent_id.is_(None)) & (Call.client_id == client_id)))
    return list(session.exec(select(Call.id).where(*conds).order_by(Call.id).limit(limit)))
