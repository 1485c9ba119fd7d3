"""The demo's Agent Builder story: one agent built here on the simulated Retell account, with three
versions whose prompts get better, each deployed in turn with calls of its own — so the agent page's
version comparison shows what each edit did (the simulator's calls succeed more often with a better
prompt: voiceconsole/platforms/simulator/agents_store.py)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
from sqlmodel import Session, col, select

from voiceconsole.models import Agent, AgentDeployment, Integration, Organization
from voiceconsole.services.access.actor import SYSTEM
from voiceconsole.services.builder import versions
from voiceconsole.services.builder.deploy import create_agent, deploy_version, put_config
from voiceconsole.services.builder.templates import template

DEMO_AGENT_NAME = "Bright Smile front desk (built here)"
CALLS_PER_VERSION = 40
_PROMPTS = (
    ("First cut", "You answer the phone for Bright Smile Dental and book appointments."),
    (
        "A clear goal, confirm the details",
        "You are the receptionist of Bright Smile Dental. Your goal is to book, move or cancel appointments. "
        "Ask for the caller's full name and offer two concrete times. Confirm the name, the date and the time "
        "before you book anything, and keep your answers short: this is a phone call.",
    ),
    ("Empathy and the practice's name", None),  # the template's full prompt
)


def ensure_demo_builder_agent(session: Session, *, org: Organization, simulator_url: str) -> str | None:
    """Build the agent once (three versions, each with its calls on the simulator); its platform id."""
    existing = session.exec(select(Agent).where(Agent.organization_id == org.id, Agent.name == DEMO_AGENT_NAME)).first()
    if existing is not None:
        return existing.platform_agent_id
    integration = session.exec(
        select(Integration).where(
            Integration.organization_id == org.id,
            Integration.platform == "retell",
            col(Integration.disconnected_at).is_(None),
        )
    ).first()
    chosen = template("dental-receptionist")
    if integration is None or chosen is None:
        return None
    base = chosen.spec.model_copy(update={"name": DEMO_AGENT_NAME, "voice_id": "retell-Cimo"})
    agent_id = ""
    for number, (note, prompt) in enumerate(_PROMPTS, start=1):
        spec = base.model_copy(update={"system_prompt": prompt or base.system_prompt})
        if number == 1:
            agent_id = create_agent(
                session,
                org=org,
                actor=SYSTEM,
                platform="retell",
                integration_id=integration.public_id,
                spec=spec,
                note=note,
            ).agent_id
        else:
            put_config(session, org=org, agent_id=agent_id, actor=SYSTEM, spec=spec, note=note)
            deploy_version(session, org=org, agent_id=agent_id, number=number, actor=SYSTEM)
        first_start = _calls_on_simulator(simulator_url, agent_id)
        _deployed_just_before(session, org, agent_id, number, first_start)
    session.commit()  # the sync (queued by the demo) brings the calls, each attributed to its version
    return agent_id


def _calls_on_simulator(simulator_url: str, agent_id: str) -> datetime:
    """Calls of the version just deployed, made on the simulator; when the first of them started."""
    added = (
        httpx.post(
            f"{simulator_url.rstrip('/')}/_sim/calls",
            json={"platform": "retell", "count": CALLS_PER_VERSION, "agentId": agent_id},
            timeout=30,
        )
        .raise_for_status()
        .json()["calls"]
    )
    starts = [c["start_timestamp"] for c in added if c.get("start_timestamp")]
    return datetime.fromtimestamp(min(starts) / 1000, UTC)


def _deployed_just_before(session: Session, org: Organization, agent_id: str, number: int, first: datetime) -> None:
    """The simulator's clock runs on its own: date the deployment to just before its first call, so each call
    is attributed to the version that made it."""
    agent = versions.readable_agent(session, org=org, agent_id=agent_id, actor=SYSTEM)
    row = session.exec(
        select(AgentDeployment)
        .where(AgentDeployment.agent_id == agent.id, AgentDeployment.version == number)
        .order_by(col(AgentDeployment.id).desc())
    ).first()
    if row is not None:
        row.deployed_at = first - timedelta(seconds=1)
        session.add(row)
        session.flush()
