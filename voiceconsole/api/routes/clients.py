"""Clients of the agency, and which agents serve which client."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query
from pydantic import ConfigDict, Field, StrictBool, model_validator

from voiceconsole.api.deps import PrincipalDep, SessionDep
from voiceconsole.api.envelope import ok, ok_response, page_of
from voiceconsole.api.inputs import RequestBody
from voiceconsole.api.params import Paging, page_only
from voiceconsole.services import clients as clients_service

router = APIRouter(tags=["clients"])


class ClientIn(RequestBody):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=1, max_length=clients_service.MAX_NAME, examples=["Bright Smile Dental"])


class ClientPatch(RequestBody):
    model_config = ConfigDict(extra="forbid")
    name: str | None = Field(default=None, min_length=1, max_length=clients_service.MAX_NAME)
    showCosts: StrictBool | None = Field(default=None, description="Whether the client's viewers see costs")
    showAgentConfig: StrictBool | None = Field(
        default=None, description="Whether the client's viewers see agent prompts, voice and model"
    )

    @model_validator(mode="after")
    def _something(self) -> ClientPatch:
        if self.name is None and self.showCosts is None and self.showAgentConfig is None:
            raise ValueError("Give at least one of name, showCosts, showAgentConfig")
        return self


class AgentClientIn(RequestBody):
    model_config = ConfigDict(extra="forbid")
    clientId: str | None = Field(max_length=32, description="A client id (cli_…), or null to unassign")


@router.get("/clients", summary="List clients with their agent counts, by name")
def list_clients(principal: PrincipalDep, session: SessionDep, pg: Annotated[Paging, Depends(page_only)]):
    rows = clients_service.list_clients(session, org=principal.org, actor=principal.actor)
    return page_of([r.wire() for r in rows], page=pg.page, per_page=pg.per_page)


@router.post("/clients", status_code=201, summary="Create a client (owners and admins)")
def create_client(body: ClientIn, principal: PrincipalDep, session: SessionDep):
    created = clients_service.create_client(session, org=principal.org, name=body.name, actor=principal.actor)
    session.commit()
    return ok(created.wire())


@router.get("/clients/{client_id}", summary="One client")
def get_client(client_id: str, principal: PrincipalDep, session: SessionDep):
    client = clients_service.get_client(session, org=principal.org, client_id=client_id, actor=principal.actor)
    return ok_response(client.wire())


@router.patch("/clients/{client_id}", summary="Rename a client or choose what its viewers see (owners and admins)")
def update_client(client_id: str, body: ClientPatch, principal: PrincipalDep, session: SessionDep):
    """`showCosts` and `showAgentConfig` (both false for a new client) decide whether the client's viewers
    see costs and agent prompts/voice/model in their portal and through the API."""
    updated = clients_service.update_client(
        session,
        org=principal.org,
        client_id=client_id,
        actor=principal.actor,
        name=body.name,
        show_costs=body.showCosts,
        show_agent_config=body.showAgentConfig,
    )
    session.commit()
    return ok(updated.wire())


@router.delete("/clients/{client_id}", summary="Delete a client: its agents and their calls become unassigned")
def delete_client(client_id: str, principal: PrincipalDep, session: SessionDep):
    result = clients_service.delete_client(session, org=principal.org, client_id=client_id, actor=principal.actor)
    session.commit()
    return ok(result.wire())


@router.put("/agents/{agent_id}/client", summary="Assign an agent (the platform's agent id) to a client, or none")
def assign_agent(agent_id: str, body: AgentClientIn, principal: PrincipalDep, session: SessionDep):
    """The agent's calls, history included, move with it (lists, analytics and exports by client follow)."""
    agent = clients_service.assign_agent(
        session, org=principal.org, agent_id=agent_id, client_id=body.clientId, actor=principal.actor
    )
    session.commit()
    return ok(agent.wire())


@router.get("/reports/weekly", summary="The weekly report: the last 7 days against the 7 before")
def weekly_report(
    principal: PrincipalDep,
    session: SessionDep,
    client_id: Annotated[str | None, Query(alias="clientId", max_length=32, description="A client id (cli_…)")] = None,
):
    """Calls, success rate, average score and the score by category with their change, the most frequent
    reasons behind weak scores, and the best and worst scored calls. A client viewer gets their own
    client's (another client is 404); staff get one client's with `clientId`, else the whole agency's."""
    report = clients_service.weekly_report(session, org=principal.org, actor=principal.actor, client_id=client_id)
    return ok_response(report.wire())
