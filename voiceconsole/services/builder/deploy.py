"""Building agents on the platforms: create one from a spec, save drafts, deploy a version (rolling back is
deploying an older one), and import an agent made elsewhere as its version 1.

Every platform call goes through the integration's connector and its `AgentWriter`
(platforms/builder): a refused field is a 422 naming our field with the platform's words, a platform that
does not answer a 502 with Retry-After. The spec deployed always carries this integration's receive URL as
its webhook, so an agent built here is monitored from its first call."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TypeVar

from sqlmodel import Session

from voiceconsole.models import Agent, AgentDeployment, Integration, Organization
from voiceconsole.models.types import pk, utcnow
from voiceconsole.platforms.base import AgentRecord, Platform
from voiceconsole.platforms.builder import AgentWriter, PlatformRejected, writer_for
from voiceconsole.platforms.connector import PlatformAuthError, PlatformError
from voiceconsole.schemas.agent_spec import AgentSpec
from voiceconsole.schemas.builder import AgentConfigOut, CreatedAgentOut, Drift
from voiceconsole.services.access.actor import SYSTEM, Actor
from voiceconsole.services.access.audit import record
from voiceconsole.services.access.permissions import require
from voiceconsole.services.billing.monitoring import apply_plan_limits, monitored_agents_count
from voiceconsole.services.billing.plans import effective_plan, upgrade_hint
from voiceconsole.services.builder import versions
from voiceconsole.services.builder.checks import blocking, check_spec
from voiceconsole.services.builder.templates import template
from voiceconsole.services.errors import (
    Conflict,
    NotFound,
    PlanLimitReached,
    PlatformUnavailable,
    ValidationFailed,
)
from voiceconsole.services.intake.store import upsert_agent
from voiceconsole.services.integrations import auth_error_message, connector_for, find_integration, webhook_url

log = logging.getLogger(__name__)
T = TypeVar("T")


def _platform_call(integration: Integration, what: str, work: Callable[[AgentWriter], T]) -> T:
    """Run `work` with the integration's writer; the platform's refusals and outages as our errors."""
    try:
        with connector_for(integration) as connector:
            return work(writer_for(connector))
    except PlatformRejected as exc:
        if exc.status_code == 404:
            raise Conflict(
                "The agent no longer exists on the platform",
                [{"field": "agentId", "message": f"It was deleted on {integration.platform}: create it again"}],
            ) from exc
        field = f"spec.{exc.field}" if exc.field else "spec"
        raise ValidationFailed("The platform refused the agent", [{"field": field, "message": exc.message}]) from exc
    except PlatformAuthError as exc:
        raise ValidationFailed(
            "The platform refused the integration's key",
            [{"field": "integrationId", "message": auth_error_message(integration.platform, exc.status_code)}],
        ) from exc
    except PlatformError as exc:
        log.warning("%s failed while %s: %s", integration.platform, what, exc)
        raise PlatformUnavailable(integration.platform) from exc


def _deployable(spec: AgentSpec, integration: Integration) -> AgentSpec:
    """The spec as the platform gets it: errors of the prompt check refused; this integration's webhook."""
    errors = blocking(check_spec(spec))
    if errors:
        raise ValidationFailed(
            "The agent is not ready to deploy", [{"field": f"spec.{e.field}", "message": e.message} for e in errors]
        )
    return spec.model_copy(update={"webhook_url": webhook_url(integration)})


def _room_for_one_more(session: Session, org: Organization) -> None:
    plan = effective_plan(org)
    if plan.agents is not None and monitored_agents_count(session, org=org) >= plan.agents:
        raise PlanLimitReached("platform", upgrade_hint(plan, "agents"))


def record_live(session: Session, agent: Agent, number: int, actor: Actor) -> None:
    """Version `number` is what the platform runs from now on (a deploy, an import)."""
    session.add(
        AgentDeployment(
            organization_id=agent.organization_id,
            agent_id=pk(agent),
            version=number,
            author=(actor.display or actor.ref)[:320],
            deployed_at=utcnow(),
        )
    )
    agent.deployed_version, agent.drift, agent.updated_at = number, None, utcnow()
    session.add(agent)
    session.flush()


def create_agent(
    session: Session,
    *,
    org: Organization,
    actor: Actor,
    platform: Platform,
    integration_id: str,
    spec: AgentSpec | None = None,
    template_id: str | None = None,
    note: str = "",
) -> CreatedAgentOut:
    """Create the agent on the platform from `spec` (or a template's), then remember it: version 1, deployed."""
    require(actor, "builder.manage")
    if spec is None:
        chosen = template(template_id or "")
        if chosen is None:
            raise ValidationFailed.field("templateId" if template_id else "spec", "Give a spec or a known template id")
        spec = chosen.spec
    integration = find_integration(session, org=org, integration_id=integration_id)
    if integration.disconnected_at is not None:
        raise NotFound("Integration not found")
    if integration.platform != platform:
        raise ValidationFailed.field("platform", f"The integration is a {integration.platform} account")
    _room_for_one_more(session, org)
    deployable = _deployable(spec, integration)
    deployed = _platform_call(integration, "creating an agent", lambda w: w.create(deployable))
    agent = upsert_agent(
        session,
        org=org,
        record=AgentRecord(
            platform=platform,
            platform_agent_id=deployed.platform_agent_id,
            name=spec.name,
            voice=spec.voice_id,
            model=spec.llm.model,
            prompt=spec.system_prompt,
            platform_version=deployed.platform_version,
        ),
        integration_id=pk(integration),
    )
    agent.builder_refs = dict(deployed.refs)
    agent.monitoring = "on"  # built to be monitored: it takes a slot the plan has (checked above)
    first = versions.save_version(
        session,
        agent=agent,
        spec=deployable,
        actor=actor,
        note=note or "Created",
        source="template" if template_id else "builder",
    )
    record_live(session, agent, first.number, actor)
    apply_plan_limits(session, org)
    record(
        session,
        organization_id=pk(org),
        actor=actor,
        action="agent.created",
        target_type="agent",
        target_id=agent.platform_agent_id,
        details={"platform": platform, "name": spec.name, "template": template_id},
    )
    return CreatedAgentOut(
        agent_id=agent.platform_agent_id, platform=platform, version=first.number, checks=check_spec(spec)
    )


def _integration_of(session: Session, agent: Agent) -> Integration:
    integration = session.get(Integration, agent.integration_id) if agent.integration_id else None
    if integration is None or integration.disconnected_at is not None:
        raise Conflict(
            "The agent's integration is disconnected",
            [{"field": "integrationId", "message": "Connect the platform account again to change this agent"}],
        )
    return integration


def import_from_platform(session: Session, agent: Agent, actor: Actor = SYSTEM) -> None:
    """Make the platform's current configuration the agent's version 1 (an agent built elsewhere)."""
    integration = _integration_of(session, agent)
    spec, refs = _platform_call(integration, "reading an agent", lambda w: w.read(agent.platform_agent_id))
    agent.builder_refs = dict(refs)
    first = versions.save_version(
        session, agent=agent, spec=spec, actor=actor, note="Imported from the platform", source="import"
    )
    record_live(session, agent, first.number, actor)


def get_config(session: Session, *, org: Organization, agent_id: str, actor: Actor) -> AgentConfigOut:
    """The latest version (importing the platform's configuration first if the agent has none)."""
    agent = versions.readable_agent(session, org=org, agent_id=agent_id, actor=actor)
    row = versions.latest(session, agent)
    if row is None:
        import_from_platform(session, agent)
        row = versions.latest(session, agent)
        assert row is not None
    spec = versions.spec_of(row)
    return AgentConfigOut(
        spec=spec,
        version=row.number,
        deployed_version=agent.deployed_version,
        drift=Drift.model_validate(agent.drift) if agent.drift else None,
        checks=check_spec(spec),
    )


def put_config(
    session: Session, *, org: Organization, agent_id: str, actor: Actor, spec: AgentSpec, note: str = ""
) -> AgentConfigOut:
    """Save `spec` as a new draft version (deploying is a separate step)."""
    agent = versions.managed_agent(session, org=org, agent_id=agent_id, actor=actor)
    if versions.latest(session, agent) is None:
        import_from_platform(session, agent)
    row = versions.save_version(session, agent=agent, spec=spec, actor=actor, note=note)
    record(
        session,
        organization_id=pk(org),
        actor=actor,
        action="agent.version_saved",
        target_type="agent",
        target_id=agent.platform_agent_id,
        details={"version": row.number, "note": row.note},
    )
    return get_config(session, org=org, agent_id=agent_id, actor=actor)


def deploy_version(session: Session, *, org: Organization, agent_id: str, number: int, actor: Actor) -> AgentConfigOut:
    """Make version `number` live on the platform (an older one: a rollback). A change made on the platform
    and not imported is refused (409): deploying would silently overwrite it."""
    agent = versions.managed_agent(session, org=org, agent_id=agent_id, actor=actor)
    row = versions.version_row(session, agent, number)
    if agent.drift:
        raise Conflict(
            "The agent was changed on the platform",
            [{"field": "drift", "message": "Import the platform's change as a version first, then deploy"}],
        )
    integration = _integration_of(session, agent)
    deployable = _deployable(versions.spec_of(row, masked=False), integration)
    refs = dict(agent.builder_refs or {})
    deployed = _platform_call(
        integration, "deploying an agent", lambda w: w.update(agent.platform_agent_id, refs, deployable)
    )
    previous = agent.deployed_version
    agent.builder_refs = dict(deployed.refs)
    agent.name, agent.prompt = deployable.name, deployable.system_prompt
    agent.voice, agent.model = deployable.voice_id, deployable.llm.model
    agent.platform_version = deployed.platform_version or agent.platform_version
    record_live(session, agent, number, actor)
    record(
        session,
        organization_id=pk(org),
        actor=actor,
        action="agent.deployed",
        target_type="agent",
        target_id=agent.platform_agent_id,
        details={"version": number, "previous": previous, "rollback": previous is not None and number < previous},
    )
    return get_config(session, org=org, agent_id=agent_id, actor=actor)
