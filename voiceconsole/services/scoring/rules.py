"""Which score weights and alert threshold apply to a call: the organization's, a client's override, an
agent's threshold.

Weights are the client's (the client of the call's agent) when it has its own, else the
organization's, else the defaults; the alert threshold is the agent's, else the client's, else the
organization's (60 unless changed).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Literal, overload

from sqlmodel import Session, col, select

from voiceconsole.models import Agent, AgentScoring, Call, ClientScoring, Organization
from voiceconsole.models.types import id_column
from voiceconsole.scoring.scorer import effective_weights, validate_weights
from voiceconsole.services.errors import ValidationFailed

log = logging.getLogger(__name__)

DEFAULT_ALERT_THRESHOLD = 60
WEIGHTS_KEY = "score_weights"  # in Organization.settings


def check_weights(weights: Any) -> dict[str, int] | None:
    """None (use the defaults / the organization's), or a valid weight set; else 422 naming the field."""
    if weights is None:
        return None
    try:
        return validate_weights(weights)
    except ValueError as exc:
        name, _, message = str(exc).partition(": ")
        raise ValidationFailed("Validation failed", [{"field": name, "message": message or str(exc)}]) from None


@overload
def check_threshold(value: Any, *, name: str = ..., nullable: Literal[False]) -> int: ...
@overload
def check_threshold(value: Any, *, name: str = ..., nullable: bool = ...) -> int | None: ...
def check_threshold(value: Any, *, name: str = "alertThreshold", nullable: bool = True) -> int | None:
    if value is None:
        if nullable:
            return None
        raise ValidationFailed.field(name, "Required: a whole number from 0 to 100")
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 100:
        raise ValidationFailed.field(name, "Must be a whole number from 0 to 100")
    return value


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
        client = self.client_of(call)
        return effective_weights(self.org_weights, self.client_weights.get(client) if client is not None else None)

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
            select(id_column(Agent), col(Agent.client_id)).where(
                col(Agent.organization_id) == org.id, col(Agent.id).in_(ids)
            )
        ):
            rules.agent_clients[agent_id] = client_id
        for agent_row in session.exec(
            select(AgentScoring).where(AgentScoring.organization_id == org.id, col(AgentScoring.agent_id).in_(ids))
        ):
            if agent_row.alert_threshold is not None:
                rules.agent_thresholds[agent_row.agent_id] = agent_row.alert_threshold
    return rules
