"""An agent's versions: every save is an immutable version; the latest one is the draft the builder edits,
the deployed one is live on the platform. Diffs between any two."""

from __future__ import annotations

import difflib
from datetime import datetime
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, select

from voiceconsole.models import Agent, AgentDeployment, AgentVersion, Organization
from voiceconsole.models.types import pk
from voiceconsole.schemas.agent_spec import AgentSpec
from voiceconsole.schemas.builder import DiffOut, FieldChange, VersionDetail, VersionOut
from voiceconsole.services.access.actor import Actor
from voiceconsole.services.access.permissions import is_client_viewer, require
from voiceconsole.services.access.visibility import visibility
from voiceconsole.services.agents.lookup import find_agent
from voiceconsole.services.builder import secrets
from voiceconsole.services.errors import Forbidden, NotFound

# What a spec holds that a version diff does not show field by field (the prompt gets a line diff).
PROMPT = "systemPrompt"
WEBHOOK = "webhookUrl"  # ours, rewritten on every deploy: never a change an agency made


def readable_agent(session: Session, *, org: Organization, agent_id: str, actor: Actor) -> Agent:
    """The agent whose configuration `actor` may read: staff, or a client viewer whose client shows agent
    configurations (otherwise NotFound: the configuration does not exist for them)."""
    if is_client_viewer(actor):  # their client's agents, when the agency shows them agent configurations
        if not visibility(session, actor).agent_config:
            raise Forbidden("Client viewers cannot see agent configurations")
    else:
        require(actor, "builder.read")
    return find_agent(session, org=org, agent_id=agent_id, actor=actor)


def managed_agent(session: Session, *, org: Organization, agent_id: str, actor: Actor) -> Agent:
    require(actor, "builder.manage")
    return find_agent(session, org=org, agent_id=agent_id, actor=actor)


def latest(session: Session, agent: Agent) -> AgentVersion | None:
    return session.exec(
        select(AgentVersion).where(AgentVersion.agent_id == agent.id).order_by(col(AgentVersion.number).desc())
    ).first()


def version_row(session: Session, agent: Agent, number: int) -> AgentVersion:
    row = session.exec(
        select(AgentVersion).where(AgentVersion.agent_id == agent.id, AgentVersion.number == number)
    ).first()
    if row is None:
        raise NotFound(f"Version {number} not found")
    return row


def save_version(
    session: Session, *, agent: Agent, spec: AgentSpec, actor: Actor, note: str = "", source: str = "builder"
) -> AgentVersion:
    """A new version (the next number) holding `spec`, header secrets sealed (a masked one keeps the last
    version's value). Versions are never changed afterwards."""
    previous = latest(session, agent)
    number = (previous.number + 1) if previous else 1
    row = AgentVersion(
        organization_id=agent.organization_id,
        agent_id=pk(agent),
        number=number,
        spec=secrets.seal(spec.wire(), previous.spec if previous else None),
        note=note[:500],
        author=(actor.display or actor.ref)[:320],
        source=source,
    )
    session.add(row)
    session.flush()
    return row


def spec_of(row: AgentVersion, *, masked: bool = True) -> AgentSpec:
    return AgentSpec.model_validate(secrets.masked(row.spec) if masked else secrets.opened(row.spec))


def _deployed_at(session: Session, agent: Agent) -> dict[int, datetime]:
    rows = session.exec(
        select(AgentDeployment.version, func.max(AgentDeployment.deployed_at))
        .where(AgentDeployment.agent_id == agent.id)
        .group_by(col(AgentDeployment.version))
    ).all()
    return {int(v): at for v, at in rows}


def _out(row: AgentVersion, agent: Agent, deployed: dict[int, datetime]) -> dict[str, Any]:
    return {
        "version": row.number,
        "note": row.note,
        "author": row.author,
        "source": row.source,
        "created_at": row.created_at,
        "deployed_at": deployed.get(row.number),
        "live": agent.deployed_version == row.number,
    }


def list_versions(session: Session, *, org: Organization, agent_id: str, actor: Actor) -> list[VersionOut]:
    agent = readable_agent(session, org=org, agent_id=agent_id, actor=actor)
    deployed = _deployed_at(session, agent)
    rows = session.exec(
        select(AgentVersion).where(AgentVersion.agent_id == agent.id).order_by(col(AgentVersion.number).desc())
    ).all()
    return [VersionOut(**_out(r, agent, deployed)) for r in rows]


def get_version(session: Session, *, org: Organization, agent_id: str, number: int, actor: Actor) -> VersionDetail:
    agent = readable_agent(session, org=org, agent_id=agent_id, actor=actor)
    row = version_row(session, agent, number)
    return VersionDetail(**_out(row, agent, _deployed_at(session, agent)), spec=spec_of(row))


def _flat(value: Any, prefix: str = "") -> dict[str, Any]:
    """`{"llm": {"model": …}}` → `{"llm.model": …}`; lists of tools by position (`tools.0.number`)."""
    if isinstance(value, dict):
        out: dict[str, Any] = {}
        for key, item in value.items():
            out |= _flat(item, f"{prefix}{key}.")
        return out if out or not prefix else {prefix[:-1]: value}
    if isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
        out = {}
        for i, item in enumerate(value):
            out |= _flat(item, f"{prefix}{i}.")
        return out
    return {prefix[:-1]: value}


def changes_between(before: dict[str, Any], after: dict[str, Any], *, skip: tuple[str, ...] = ()) -> list[FieldChange]:
    """Every field (flattened) whose value differs, in the spec's order."""
    a, b = _flat(before), _flat(after)
    keys = list(dict.fromkeys([*a, *b]))
    return [
        FieldChange(field=k, before=a.get(k), after=b.get(k)) for k in keys if k not in skip and a.get(k) != b.get(k)
    ]


def prompt_diff(before: str, after: str, a: int, b: int) -> list[str]:
    """A unified line diff (lines without their ends, so a line added at the end changes nothing above it)."""
    return list(
        difflib.unified_diff(before.splitlines(), after.splitlines(), f"version {a}", f"version {b}", n=2, lineterm="")
    )


def diff(session: Session, *, org: Organization, agent_id: str, a: int, b: int, actor: Actor) -> DiffOut:
    agent = readable_agent(session, org=org, agent_id=agent_id, actor=actor)
    before = secrets.masked(version_row(session, agent, a).spec)
    after = secrets.masked(version_row(session, agent, b).spec)
    return DiffOut(
        a=a,
        b=b,
        prompt=prompt_diff(before.get(PROMPT, ""), after.get(PROMPT, ""), a, b),
        changes=changes_between(before, after, skip=(PROMPT, WEBHOOK)),
    )
