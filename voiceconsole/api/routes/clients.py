"""Clients of the agency, and which agents serve which client."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import ConfigDict, Field

from voiceconsole.api.deps import PrincipalDep, SessionDep
from voiceconsole.api.envelope import ok, ok_response
from voiceconsole.api.inputs import RequestBody
from voiceconsole.services import clients as clients_service

router = APIRouter(tags=["clients"])


class ClientIn(RequestBody):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=1, max_length=clients_service.MAX_NAME, examples=["Bright Smile Dental"])


class AgentClientIn(RequestBody):
    model_config = ConfigDict(extra="forbid")
    clientId: str | None = Field(max_length=32, description="A client id (cli_…), or null to unassign")


@router.get("/clients", summary="List clients with their agent counts")
def list_clients(principal: PrincipalDep, session: SessionDep):
    rows = clients_service.list_clients(session, org=principal.org, actor=principal.actor)
    return ok_response([r.wire() for r in rows], total=len(rows))


@router.post("/clients", status_code=201, summary="Create a client (owners and admins)")
def create_client(body: ClientIn, principal: PrincipalDep, session: SessionDep):
    created = clients_service.create_client(session, org=principal.org, name=body.name, actor=principal.actor)
    session.commit()
    return ok(created.wire())


@router.get("/clients/{client_id}", summary="One client")
def get_client(client_id: str, principal: PrincipalDep, session: SessionDep):
    client = clients_service.get_client(session, org=principal.org, client_id=client_id, actor=principal.actor)
    return ok_response(client.wire())


@router.patch("/clients/{client_id}", summary="Rename a client (owners and admins)")
def rename_client(client_id: str, body: ClientIn, principal: PrincipalDep, session: SessionDep):
    renamed = clients_service.rename_client(
        session, org=principal.org, client_id=client_id, name=body.name, actor=principal.actor
    )
    session.commit()
    return ok(renamed.wire())


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
