"""Drift: the platform's configuration differs from the version deployed from here (someone edited the
agent in the vendor's console). The agent then shows "changed on platform" with what changed; the change
can be imported as a new version. It is never overwritten silently: deploying refuses while it stands.

Checked after each sync of an integration (jobs/builder.py), for the agents deployed from here. What the
platform would hold of the deployed spec (`AgentWriter.normalize`: fields a platform cannot store are not
differences) is compared with what it holds now."""

from __future__ import annotations

import logging
from typing import Any

from sqlmodel import Session, col, select

from voiceconsole.models import Agent, Integration, Organization
from voiceconsole.models.types import pk, utcnow
from voiceconsole.platforms.builder import AgentWriter, writer_for
from voiceconsole.platforms.connector import PlatformError
from voiceconsole.schemas.agent_spec import AgentSpec
from voiceconsole.schemas.builder import AgentConfigOut
from voiceconsole.services.access.actor import Actor
from voiceconsole.services.access.audit import record
from voiceconsole.services.builder import secrets, versions
from voiceconsole.services.builder.deploy import get_config, record_live
from voiceconsole.services.errors import Conflict
from voiceconsole.services.integrations import connector_for

log = logging.getLogger(__name__)
IGNORED = ("webhookUrl",)  # ours, rewritten on every deploy


def _comparable(spec: AgentSpec) -> dict[str, Any]:
    return secrets.masked(spec.wire())


def drift_of(session: Session, agent: Agent, writer: AgentWriter) -> dict[str, Any] | None:
    """What changed on the platform since the deployed version, or None."""
    if agent.deployed_version is None:
        return None
    deployed = versions.spec_of(versions.version_row(session, agent, agent.deployed_version), masked=False)
    expected = writer.normalize(deployed)
    actual, _ = writer.read(agent.platform_agent_id)
    changes = versions.changes_between(_comparable(expected), _comparable(actual), skip=IGNORED)
    if not changes:
        return None
    return {
        "detectedAt": utcnow().isoformat(),
        "changes": [c.wire() for c in changes],
        "spec": actual.wire(),  # header values as the platform gave them: sealed when imported
    }


def check_integration(session: Session, integration_id: int) -> int:
    """Look for drift on every agent of the integration deployed from here. Returns how many drifted."""
    integration = session.get(Integration, integration_id)
    if integration is None or integration.disconnected_at is not None:
        return 0
    agents = list(
        session.exec(
            select(Agent).where(Agent.integration_id == integration_id, col(Agent.deployed_version).is_not(None))
        )
    )
    if not agents:
        return 0
    drifted = 0
    with connector_for(integration) as connector:
        writer = writer_for(connector)
        for agent in agents:
            try:
                found = drift_of(session, agent, writer)
            except PlatformError as exc:  # gone from the platform, or the platform is down: next sync
                log.info("drift check of agent %s skipped: %s", agent.id, exc)
                continue
            before = (agent.drift or {}).get("changes")
            if (found or {}).get("changes") != before:  # a new or different drift (or none any more)
                agent.drift = found
                session.add(agent)
            drifted += found is not None
    session.flush()
    return drifted


def import_drift(session: Session, *, org: Organization, agent_id: str, actor: Actor) -> AgentConfigOut:
    """The platform's change becomes a new version, recorded as the one live (it is what the platform runs)."""
    agent = versions.managed_agent(session, org=org, agent_id=agent_id, actor=actor)
    if not agent.drift:
        raise Conflict("Nothing changed on the platform", [{"field": "drift", "message": "The agent has no drift"}])
    spec = AgentSpec.model_validate(agent.drift["spec"])
    changed = [c["field"] for c in agent.drift.get("changes", [])]
    row = versions.save_version(
        session, agent=agent, spec=spec, actor=actor, note="Changed on the platform", source="platform"
    )
    record_live(session, agent, row.number, actor)
    record(
        session,
        organization_id=pk(org),
        actor=actor,
        action="agent.drift_imported",
        target_type="agent",
        target_id=agent.platform_agent_id,
        details={"version": row.number, "changes": changed},
    )
    return get_config(session, org=org, agent_id=agent_id, actor=actor)
