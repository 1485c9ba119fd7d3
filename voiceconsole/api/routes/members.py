"""The team: members of the organization, their roles, removing them, transferring ownership."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends
from pydantic import ConfigDict, Field

from voiceconsole.api.deps import PrincipalDep, SessionDep
from voiceconsole.api.envelope import ok, page_of
from voiceconsole.api.inputs import RequestBody
from voiceconsole.api.params import Paging, page_only
from voiceconsole.services import accounts

router = APIRouter(prefix="/members", tags=["team"])

Role = Literal["owner", "admin", "member", "client_viewer"]


class MemberRoleIn(RequestBody):
    model_config = ConfigDict(extra="forbid")
    role: Role = Field(description="owner (owners only), admin, member or client_viewer")
    clientId: str | None = Field(
        default=None, max_length=32, description="The client (cli_…) a client_viewer sees; required for that role"
    )


@router.get("", summary="List the organization's members (owners, admins and members)")
def list_members(principal: PrincipalDep, session: SessionDep, pg: Annotated[Paging, Depends(page_only)]):
    rows = accounts.list_members(session, org=principal.org, actor=principal.actor)
    return page_of([r.wire() for r in rows], page=pg.page, per_page=pg.per_page)


@router.patch("/{member_id}", summary="Change a member's role (only owners make or unmake owners)")
def change_role(member_id: str, body: MemberRoleIn, principal: PrincipalDep, session: SessionDep):
    """The last owner cannot be demoted (409). What the member's sessions and API keys may do changes on their
    next request."""
    member = accounts.change_role(
        session, org=principal.org, member_id=member_id, role=body.role, client_id=body.clientId, actor=principal.actor
    )
    session.commit()
    return ok(member.wire())


@router.delete("/{member_id}", summary="Remove a member (or leave: your own membership)")
def remove_member(member_id: str, principal: PrincipalDep, session: SessionDep):
    """Their sessions in this organization and the API keys they created here stop working at once. The last
    owner cannot be removed or leave (409)."""
    removed = accounts.remove_member(session, org=principal.org, member_id=member_id, actor=principal.actor)
    session.commit()
    return ok(removed.wire())


@router.post("/{member_id}/transfer-ownership", summary="Make this member an owner; you become an admin (owners)")
def transfer_ownership(member_id: str, principal: PrincipalDep, session: SessionDep):
    member = accounts.transfer_ownership(session, org=principal.org, member_id=member_id, actor=principal.actor)
    session.commit()
    return ok(member.wire())
