"""Typed dependencies: the database session and the authenticated, rate-limited principal."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Annotated, NoReturn
from urllib.parse import urlsplit

from fastapi import Depends, Request
from fastapi.dependencies.models import Dependant
from sqlmodel import Session
from starlette.concurrency import run_in_threadpool

from voiceconsole.api.errors import ApiError
from voiceconsole.db import get_engine
from voiceconsole.models import Organization
from voiceconsole.services import accounts, api_keys
from voiceconsole.services.access.actor import Actor
from voiceconsole.services.api_keys import cache as api_key_cache
from voiceconsole.services.api_keys import rate_limits as ratelimit
from voiceconsole.services.security import sha256_hex
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
        await _close(session)


async def _close(session: Session) -> None:
    if session.in_transaction():
        await run_in_threadpool(session.close)  # a ROLLBACK to send: blocking I/O
    else:
        session.close()  # nothing to hand back (see `release`): no I/O, no thread hop


def release(session: Session) -> None:
    """End the request's transaction and return its connection now, from the route's own thread (a
    read-only route, once it has what it answers with): one thread hop less than leaving it to
    `get_session`. The session stays usable; it would begin a new transaction."""
    session.close()


SessionDep = Annotated[Session, Depends(get_session)]


@dataclass
class Principal:
    org: Organization
    actor: Actor


def _client_ip(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def _apply(request: Request, decision: ratelimit.RateDecision) -> None:
    request.state.rate_headers = decision.headers
    if not decision.allowed:
        raise ApiError(429, "Too many requests", headers=decision.headers)


def _rate_limit(request: Request, identity: str, plan: str) -> None:
    _apply(request, ratelimit.check(identity, plan))


def _same_origin(request: Request) -> bool:
    """Cookie-authenticated writes must come from our own pages (CSRF defence)."""
    origin = request.headers.get("origin") or request.headers.get("referer")
    if not origin:
        return False
    o = urlsplit(origin)
    allowed = {urlsplit(get_settings().base_url).netloc, request.headers.get("host", "")}
    return o.netloc in allowed


def _refuse(request: Request) -> NoReturn:
    _rate_limit(request, f"ip:{_client_ip(request)}", "free")  # slows key guessing
    raise ApiError(401, "Unauthorized")


def _key_from_database(
    request: Request, session: Session, token: str, digest: str, counted: ratelimit.RateDecision | None
) -> Principal:
    """The key checked against the database (and remembered when valid). `counted`: this request's
    rate-limit decision when it was already counted under the remembered grant."""
    epoch = api_key_cache.read_epoch()  # before the database: a revocation committed later bumps it
    found = api_keys.authenticate_api_key(session, token)
    if found is None:
        _refuse(request)
    key, org = found
    actor = api_keys.actor_for_key(key)
    api_key_cache.put(digest, key, org, actor, epoch)
    _apply(request, counted or ratelimit.check(f"key:{key.public_id}", org.plan))
    return Principal(org=org, actor=actor)


def _from_cookie(request: Request, session: Session) -> Principal:
    ctx = accounts.resolve_session(session, token=request.cookies.get(SESSION_COOKIE))
    if ctx is None:
        _refuse(request)
    _rate_limit(request, f"user:{ctx.user.id}", ctx.organization.plan)  # first: refusals carry the headers too
    if request.method in _UNSAFE and not _same_origin(request):
        raise ApiError(403, "Cross-origin request refused")
    return Principal(org=ctx.organization, actor=ctx.actor)


async def get_principal(request: Request, session: SessionDep) -> Principal:
    """The caller: an API key (Bearer) or a browser session (cookie), rate-limited by its plan.

    A key this process verified recently (api_key_cache) costs one Redis round trip, made from the event
    loop, which also says whether any key or organization changed since; anything else is checked in
    the database, in a worker thread."""
    auth = request.headers.get("authorization", "")
    if not auth:
        return await run_in_threadpool(_from_cookie, request, session)
    scheme, _, token = auth.partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not api_keys.looks_like_key(token):
        await run_in_threadpool(_refuse, request)
    digest = sha256_hex(token)
    grant = api_key_cache.get(digest)
    counted = None
    if grant is not None:
        counted = await ratelimit.check_async(f"key:{grant.actor.id}", grant.plan, epoch_key=api_key_cache.EPOCH_KEY)
        if counted.epoch == grant.epoch:
            if api_key_cache.due_for_touch(grant):
                await run_in_threadpool(_touch, grant.key_id)
            _apply(request, counted)
            org = grant.organization()
            session.add(org)  # no I/O: the row as read, attached to this request's session
            return Principal(org=org, actor=grant.actor)
        api_key_cache.drop(digest)  # something changed: ask the database
    return await run_in_threadpool(_key_from_database, request, session, token, digest, counted)


def _touch(key_id: int) -> None:
    with Session(get_engine(), expire_on_commit=False) as session:
        api_keys.touch_last_used(session, key_id)


PrincipalDep = Annotated[Principal, Depends(get_principal)]


def _needs_principal(dependant: Dependant) -> bool:
    return any(d.call is get_principal or _needs_principal(d) for d in dependant.dependencies)


async def authenticate_unvalidated(request: Request) -> None:
    """Auth before validation, for the one validation FastAPI does before any dependency: parsing a JSON
    body. When the matched route needs a principal, resolve it now (same checks, same rate limit), so a
    bad body from an unauthenticated caller is a 401 (or 403/429), not a 422. Raises ApiError."""
    dependant = getattr(request.scope.get("route"), "dependant", None)
    if dependant is None or not _needs_principal(dependant):
        return
    session = Session(get_engine(), expire_on_commit=False)
    try:
        await get_principal(request, session)
    finally:
        await _close(session)


def rate_limit_anonymous(request: Request) -> None:
    """For unauthenticated endpoints (login links): limit by client address."""
    _rate_limit(request, f"ip:{_client_ip(request)}", "free")
