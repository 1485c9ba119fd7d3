"""Invitations to the organization, and the link an invitee follows to accept one."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import RedirectResponse
from pydantic import ConfigDict, Field

from voiceconsole.api.deps import PrincipalDep, SessionDep, rate_limit_anonymous
from voiceconsole.api.envelope import ok, page_of
from voiceconsole.api.inputs import RequestBody, check_text_params
from voiceconsole.api.params import Paging, page_only
from voiceconsole.api.session_cookie import start_browser_session
from voiceconsole.services import accounts
from voiceconsole.services.errors import InvalidToken, PlanLimitReached
from voiceconsole.settings import get_settings

router = APIRouter(prefix="/invitations", tags=["team"])


class InvitationIn(RequestBody):
    model_config = ConfigDict(extra="forbid")
    email: str = Field(min_length=3, max_length=320, examples=["colleague@agency.com"])
    role: Literal["owner", "admin", "member", "client_viewer"] = Field(
        description="At most your own role (admins cannot invite owners)"
    )
    clientId: str | None = Field(
        default=None, max_length=32, description="The client (cli_…) a client_viewer sees; required for that role"
    )


@router.get("", summary="List pending invitations, newest first (expired ones too: resend them)")
def list_invitations(principal: PrincipalDep, session: SessionDep, pg: Annotated[Paging, Depends(page_only)]):
    rows = accounts.list_invitations(session, org=principal.org, actor=principal.actor)
    return page_of([r.wire() for r in rows], page=pg.page, per_page=pg.per_page)


@router.post("", status_code=201, summary="Invite someone by email with a role (owners and admins)")
def create_invitation(body: InvitationIn, principal: PrincipalDep, session: SessionDep):
    """Emails a single-use link valid for 24 hours. The same email pending twice, or a member's, is a 409."""
    created = accounts.create_invitation(
        session, org=principal.org, email=body.email, role=body.role, client_id=body.clientId, actor=principal.actor
    )
    session.commit()
    return ok(created.wire())


@router.post("/{invitation_id}/resend", summary="Send a new link (the old one stops working), valid 24 hours")
def resend_invitation(invitation_id: str, principal: PrincipalDep, session: SessionDep):
    sent = accounts.resend_invitation(session, org=principal.org, invitation_id=invitation_id, actor=principal.actor)
    session.commit()
    return ok(sent.wire())


@router.delete("/{invitation_id}", summary="Revoke a pending invitation")
def revoke_invitation(invitation_id: str, principal: PrincipalDep, session: SessionDep):
    revoked = accounts.revoke_invitation(session, org=principal.org, invitation_id=invitation_id, actor=principal.actor)
    session.commit()
    return ok(revoked.wire())


@router.get("/accept", include_in_schema=False, dependencies=[Depends(rate_limit_anonymous)])
def accept(request: Request, session: SessionDep, token: Annotated[str, Query(max_length=200)] = ""):
    """The invitation email's link: signs the invitee in as a member and opens the dashboard."""
    check_text_params(request)
    try:
        result = accounts.accept_invitation(
            session,
            token=token,
            ip=request.client.host if request.client else None,
            user_agent=request.headers.get("user-agent"),
        )
    except InvalidToken:
        session.rollback()
        return RedirectResponse(get_settings().page_url("/login?error=invitation"), status_code=303)
    except PlanLimitReached:  # the plan's seats filled up since the invitation was sent: the link stays valid
        session.rollback()
        return RedirectResponse(get_settings().page_url("/login?error=seats_full"), status_code=303)
    session.commit()
    response = RedirectResponse(get_settings().page_url("/dashboard"), status_code=303)
    return start_browser_session(response, result.session_token)
