"""The Agent Builder: create agents on the platforms, their configuration and versions, diffs, deploys and
rollbacks, drift, quality per version, templates — and a coaching suggestion turned into a draft."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Path
from pydantic import ConfigDict, Field, field_validator

from voiceconsole.api.deps import PrincipalDep, SessionDep
from voiceconsole.api.envelope import ok, ok_response, page_of
from voiceconsole.api.inputs import CamelBody, check_storable
from voiceconsole.api.params import Paging, page_only
from voiceconsole.schemas.agent_spec import AgentSpec
from voiceconsole.services import builder

router = APIRouter(tags=["agent builder"])
Version = Annotated[int, Path(ge=1, le=1_000_000)]


class _SpecBody(CamelBody):
    @field_validator("spec", mode="after", check_fields=False)
    @classmethod
    def _storable(cls, value: AgentSpec | None) -> AgentSpec | None:
        if value is not None:
            check_storable(value.model_dump())
        return value


class NewAgentIn(_SpecBody):
    model_config = ConfigDict(extra="forbid")
    platform: Literal["retell", "vapi", "elevenlabs"]
    integration_id: str = Field(max_length=32, description="The integration (int_…) to create the agent in")
    spec: AgentSpec | None = Field(default=None, description="The agent; or give templateId")
    template_id: str | None = Field(default=None, max_length=64, description="Start from this template")
    note: str = Field(default="", max_length=500)


class ConfigIn(_SpecBody):
    """What `GET …/config` returns, edited: `spec` is saved as a new draft version; the other fields of that
    answer may be sent back and are ignored."""

    model_config = ConfigDict(extra="forbid")
    spec: AgentSpec
    note: str = Field(default="", max_length=500)
    version: Any = None
    deployed_version: Any = None
    drift: Any = None
    checks: Any = None


class SuggestionIn(CamelBody):
    model_config = ConfigDict(extra="forbid")
    suggestion: str = Field(min_length=1, max_length=2000, description="The coaching suggestion to add")


@router.post("/agents", status_code=201, summary="Create an agent on its platform from a spec or a template")
def create_agent(body: NewAgentIn, principal: PrincipalDep, session: SessionDep):
    """The agent reports its calls to this integration's webhook from its first call. Owners and admins."""
    created = builder.create_agent(
        session,
        org=principal.org,
        actor=principal.actor,
        platform=body.platform,
        integration_id=body.integration_id,
        spec=body.spec,
        template_id=body.template_id,
        note=body.note,
    )
    session.commit()
    return ok_response(created.wire(), status_code=201)


@router.get("/agent-templates", summary="Templates for a new agent, by use case")
def list_templates(principal: PrincipalDep, pg: Annotated[Paging, Depends(page_only)]):
    del principal  # any signed-in caller
    return page_of([t.wire() for t in builder.TEMPLATES], page=pg.page, per_page=pg.per_page)


@router.get("/agents/{agent_id}/config", summary="The agent's latest configuration, deployed version and drift")
def get_config(agent_id: str, principal: PrincipalDep, session: SessionDep):
    out = builder.get_config(session, org=principal.org, agent_id=agent_id, actor=principal.actor)
    session.commit()  # an agent built elsewhere is imported as version 1 on first read
    return ok(out.wire())


@router.put("/agents/{agent_id}/config", summary="Save a new draft version (deploy it separately)")
def put_config(agent_id: str, body: ConfigIn, principal: PrincipalDep, session: SessionDep):
    out = builder.put_config(
        session, org=principal.org, agent_id=agent_id, actor=principal.actor, spec=body.spec, note=body.note
    )
    session.commit()
    return ok(out.wire())


@router.post("/agents/{agent_id}/config/import-drift", summary="Import a change made on the platform as a version")
def import_drift(agent_id: str, principal: PrincipalDep, session: SessionDep):
    out = builder.import_drift(session, org=principal.org, agent_id=agent_id, actor=principal.actor)
    session.commit()
    return ok(out.wire())


@router.get("/agents/{agent_id}/versions", summary="The agent's versions, newest first")
def list_versions(
    agent_id: str, principal: PrincipalDep, session: SessionDep, pg: Annotated[Paging, Depends(page_only)]
):
    rows = builder.list_versions(session, org=principal.org, agent_id=agent_id, actor=principal.actor)
    return page_of([r.wire() for r in rows], page=pg.page, per_page=pg.per_page)


@router.get("/agents/{agent_id}/versions/quality", summary="Each version's calls and figures, side by side")
def version_quality(agent_id: str, principal: PrincipalDep, session: SessionDep):
    rows = builder.compare_versions(session, org=principal.org, agent_id=agent_id, actor=principal.actor)
    return ok([r.wire() for r in rows])


@router.get("/agents/{agent_id}/versions/{n}", summary="One version with its spec")
def get_version(agent_id: str, n: Version, principal: PrincipalDep, session: SessionDep):
    out = builder.get_version(session, org=principal.org, agent_id=agent_id, number=n, actor=principal.actor)
    return ok(out.wire())


@router.post("/agents/{agent_id}/versions/{n}/deploy", summary="Make a version live (an older one: roll back)")
def deploy(agent_id: str, n: Version, principal: PrincipalDep, session: SessionDep):
    out = builder.deploy_version(session, org=principal.org, agent_id=agent_id, number=n, actor=principal.actor)
    session.commit()
    return ok(out.wire())


@router.get("/agents/{agent_id}/versions/{a}/diff/{b}", summary="What changed between two versions")
def diff(agent_id: str, a: Version, b: Version, principal: PrincipalDep, session: SessionDep):
    out = builder.diff(session, org=principal.org, agent_id=agent_id, a=a, b=b, actor=principal.actor)
    return ok(out.wire())


@router.post("/calls/{call_id}/coaching/to-prompt", summary="Add a coaching suggestion to the agent's prompt (a draft)")
def coaching_to_prompt(call_id: str, body: SuggestionIn, principal: PrincipalDep, session: SessionDep):
    out = builder.add_to_prompt(
        session, org=principal.org, actor=principal.actor, call_id=call_id, suggestion=body.suggestion
    )
    session.commit()
    return ok(out.wire())
