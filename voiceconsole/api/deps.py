"""Typed dependencies: the database session and the authenticated, rate-limited principal."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Annotated
from urllib.parse import urlsplit

from fastapi import Depends, Request
from starlette.concurrency import run_in_threadpool
from sqlmodel import Session

from voiceconsole.services import rate_limits as ratelimit
from voiceconsole.api.envelope import ApiError
from voiceconsole.db import get_engine
from voiceconsole.models import Organization
from voiceconsole.services import accounts, api_keys
from voiceconsole.services.errors import Actor
from voiceconsole.settings import get_settings

SESSION_COOKIE = "cp_session"
_UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}


async def get_session() -> AsyncIterator[Session]:
    # Creating a session does no I/O (it connects on first use, in the route's thread): only closing it,
    # which returns the connection to the pool, goes to a worker thread. One thread hop less per request
    # than a sync generator dependency (entered and left in the threadpool).
    session = Session(get_engine(), expire_on_commit=False)
    try:
        yield session
    finally:
        await run_in_threadpool(session.close)


SessionDep = Annotated[Session, Depends(get_session)]


@dataclass
class Principal:
    org: Organization
    actor: Actor


def _client_ip(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def _rate_limit(request: Request, identity: str, plan: str) -> None:
    decision = ratelimit.check(identity, plan)
    request.state.rate_headers = decision.headers
    if not decision.allowed:
        raise ApiError(429, "Too many requests", headers=decision.headers)


def _same_origin(request: Request) -> bool:
    """Cookie-authenticated writes must come from our own pages (CSRF defence)."""
    origin = request.headers.get("origin") or request.headers.get("referer")
    if not origin:
        return False
    o = urlsplit(origin)
    allowed = {urlsplit(get_settings().base_url).netloc, request.headers.get("host", "")}
    return o.netloc in allowed


def get_principal(request: Request, session: SessionDep) -> Principal:
    auth = request.headers.get("authorization", "")
    if auth:
        scheme, _, token = auth.partition(" ")
        found = api_keys.authenticate_api_key(session, token.strip()) if scheme.lower() == "bearer" else None
        if found is None:
            _rate_limit(request, f"ip:{_client_ip(request)}", "free")  # slows key guessing
            raise ApiError(401, "Unauthorized")
        key, org = found
        _rate_limit(request, f"key:{key.public_id}", org.plan)
        return Principal(org=org, actor=api_keys.actor_for_key(key))
    ctx = accounts.resolve_session(session, token=request.cookies.get(SESSION_COOKIE))
    if ctx is None:
        _rate_limit(request, f"ip:{_client_ip(request)}", "free")
        raise ApiError(401, "Unauthorized")
    _rate_limit(request, f"user:{ctx.user.id}", ctx.organization.plan)  # first: refusals carry the headers too
    if request.method in _UNSAFE and not _same_origin(request):
        raise ApiError(403, "Cross-origin request refused")
    return Principal(org=ctx.organization, actor=ctx.actor)


PrincipalDep = Annotated[Principal, Depends(get_principal)]


def _needs_principal(dependant) -> bool:  # noqa: ANN001 (fastapi.dependencies.models.Dependant)
    return any(d.call is get_principal or _needs_principal(d) for d in dependant.dependencies)


async def authenticate_unvalidated(request: Request) -> None:
    """Auth before validation, for the one validation FastAPI does before any dependency: parsing a JSON
    body. When the matched route needs a principal, resolve it now (same checks, same rate limit), so a
    bad body from an unauthenticated caller is a 401 (or 403/429), not a 422. Raises ApiError."""
    dependant = getattr(request.scope.get("route"), "dependant", None)
    if dependant is None or not _needs_principal(dependant):
        return

    def resolve() -> None:
        with Session(get_engine(), expire_on_commit=False) as session:
            get_principal(request, session)

    await run_in_threadpool(resolve)


def rate_limit_anonymous(request: Request) -> None:
    """For unauthenticated endpoints (login links): limit by client address."""
    _rate_limit(request, f"ip:{_client_ip(request)}", "free")
