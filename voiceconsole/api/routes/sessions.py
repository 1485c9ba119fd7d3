"""The signed-in person's browser sessions: list them, sign one out, sign out everywhere."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query
from fastapi.responses import JSONResponse

from voiceconsole.api.deps import PrincipalDep, SessionDep
from voiceconsole.api.envelope import ok_response, page_of
from voiceconsole.api.params import Paging, page_only
from voiceconsole.api.session_cookie import end_browser_session
from voiceconsole.services.accounts import sessions as sessions_service

router = APIRouter(prefix="/sessions", tags=["sessions"])


def _signed_out(response: JSONResponse) -> JSONResponse:
    end_browser_session(response)
    return response


@router.get("", summary="Your active browser sessions (device, IP, created, last seen), this one first")
def list_sessions(principal: PrincipalDep, session: SessionDep, pg: Annotated[Paging, Depends(page_only)]):
    """Signed-in people only: an API key has no sessions (403)."""
    rows = sessions_service.list_sessions(session, actor=principal.actor)
    return page_of([r.wire() for r in rows], page=pg.page, per_page=pg.per_page)


@router.delete("/{session_id}", summary="Sign one of your sessions out")
def revoke_session(session_id: str, principal: PrincipalDep, session: SessionDep):
    revoked = sessions_service.revoke_session(session, actor=principal.actor, session_id=session_id)
    session.commit()
    response = ok_response(revoked.wire())
    return _signed_out(response) if revoked.current else response


@router.delete("", summary="Sign out everywhere: every session but this one, or all of them")
def revoke_all_sessions(
    principal: PrincipalDep,
    session: SessionDep,
    keep_current: Annotated[
        bool, Query(alias="keepCurrent", description="Keep this browser signed in (default); false signs it out too")
    ] = True,
):
    result = sessions_service.revoke_all_sessions(session, actor=principal.actor, keep_current=keep_current)
    session.commit()
    response = ok_response(result.wire())
    return _signed_out(response) if result.current_revoked else response
