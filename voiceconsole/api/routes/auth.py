"""Magic-link login and browser sessions (the HttpOnly `cp_session` cookie)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse, RedirectResponse
from pydantic import Field

from voiceconsole.api.deps import SESSION_COOKIE, PrincipalDep, SessionDep, rate_limit_anonymous
from voiceconsole.api.envelope import ok, ok_response
from voiceconsole.api.inputs import RequestBody, check_text_params
from voiceconsole.api.session_cookie import end_browser_session, start_browser_session
from voiceconsole.services import accounts
from voiceconsole.services.errors import InvalidToken
from voiceconsole.settings import get_settings

router = APIRouter(prefix="/auth", tags=["auth"])


class LinkRequest(RequestBody):
    email: str = Field(min_length=3, max_length=320, examples=["you@agency.com"])


@router.post(
    "/magic-link",
    status_code=202,
    dependencies=[Depends(rate_limit_anonymous)],
    summary="Email a single-use login link",
)
def request_link(body: LinkRequest, session: SessionDep):
    accounts.request_login_link(session, email=body.email)
    session.commit()
    # Same answer whether or not the address has an account.
    return ok({"sent": True})


@router.get("/magic", include_in_schema=False, dependencies=[Depends(rate_limit_anonymous)])
def use_link(
    request: Request, session: SessionDep, token: Annotated[str, Query(max_length=200)] = "", next: str = "/dashboard"
):
    check_text_params(request)
    try:
        result = accounts.consume_magic_link(
            session,
            token=token,
            ip=request.client.host if request.client else None,
            user_agent=request.headers.get("user-agent"),
        )
    except InvalidToken:
        session.rollback()
        return RedirectResponse(get_settings().page_url("/login?error=expired"), status_code=303)
    session.commit()
    target = next if next.startswith("/") and not next.startswith("//") else "/dashboard"
    response = RedirectResponse(get_settings().page_url(target), status_code=303)
    return start_browser_session(response, result.session_token)


@router.post("/logout", summary="End the browser session")
def logout(request: Request, session: SessionDep):
    accounts.logout(session, token=request.cookies.get(SESSION_COOKIE))
    session.commit()
    wants_json = "application/json" in request.headers.get("accept", "")
    response = (
        JSONResponse({"data": {"loggedOut": True}, "meta": {}})
        if wants_json
        else RedirectResponse(get_settings().page_url("/login"), status_code=303)
    )
    return end_browser_session(response)


@router.get("/me", summary="Who is calling: user or API key, and the organization")
def me(principal: PrincipalDep):
    org = principal.org
    return ok_response(
        {
            "actor": principal.actor.display,
            "role": principal.actor.role,
            "organization": {"slug": org.slug, "name": org.name, "plan": org.plan},
        }
    )
