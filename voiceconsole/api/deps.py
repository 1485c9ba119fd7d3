"""Typed dependencies: the database session and the authenticated, rate-limited principal."""

from __future__ import annotations

import asyncio
import weakref
from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Annotated, NoReturn
from urllib.parse import urlsplit

from fastapi import Depends, Request
from fastapi.dependencies.models import Dependant
from fastapi.security import APIKeyCookie, HTTPAuthorizationCredentials, HTTPBearer
from sqlmodel import Session
from starlette.concurrency import run_in_threadpool

from voiceconsole.api.errors import ApiError
from voiceconsole.api.inputs import check_text_params
from voiceconsole.api.session_cookie import SESSION_COOKIE
from voiceconsole.db import get_engine
from voiceconsole.models import Organization
from voiceconsole.services import accounts, api_keys, metrics
from voiceconsole.services.access.actor import Actor
from voiceconsole.services.api_keys import cache as api_key_cache
from voiceconsole.services.api_keys import rate_limits as ratelimit
from voiceconsole.services.billing.plans import effective_plan
from voiceconsole.services.security import sha256_hex
from voiceconsole.settings import get_settings

_UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}


async def get_session() -> AsyncIterator[Session]:
    # Creating a session does no I/O (it connects on first use, in the route's thread): only closing it,
    # which returns the connection to the pool, may need a thread. One thread hop less per request than
    # a sync generator dependency (entered and left in the threadpool).
    session = Session(get_engine(), expire_on_commit=False)
    try:
        yield session
    finally:
        await _close(session)


# Returning a connection must never wait for the request threadpool: when a burst has every one of its
# threads waiting for a pooled connection, a close queued behind them would hold its connection until the
# pool's timeout (30 s of stall for every tenant). Closes that send a ROLLBACK get threads of their own.
_CLOSERS = ThreadPoolExecutor(max_workers=4, thread_name_prefix="vc-session-close")


async def _close(session: Session) -> None:
    if session.in_transaction():
        await asyncio.get_running_loop().run_in_executor(_CLOSERS, session.close)  # a ROLLBACK: blocking I/O
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
        metrics.count_rate_limited()
        raise ApiError(429, "Too many requests", headers=decision.headers)


def _rate_limit(request: Request, identity: str, plan: str) -> None:
    _apply(request, ratelimit.check(identity, plan))


def _same_origin(request: Request) -> bool:
    """Cookie-authenticated writes must come from our own pages (CSRF defence)."""
    origin = request.headers.get("origin") or request.headers.get("referer")
    if not origin:
        return False
    o = urlsplit(origin)
    settings = get_settings()
    # Our own pages: the base URL's, this host's, and a frontend served apart (VOICECONSOLE_ALLOWED_ORIGINS).
    allowed = {urlsplit(settings.base_url).netloc, request.headers.get("host", "")}
    allowed.update(urlsplit(allowed_origin).netloc for allowed_origin in settings.allowed_origins)
    return o.netloc in allowed


def _refuse(request: Request) -> NoReturn:
    _rate_limit(request, f"ip:{_client_ip(request)}", "free")  # slows key guessing
    raise ApiError(401, "Unauthorized")


async def _refuse_async(request: Request) -> NoReturn:
    """`_refuse` from the event loop: the same rate limit by address, without a thread."""
    _apply(request, await ratelimit.check_async(f"ip:{_client_ip(request)}", "free"))
    raise ApiError(401, "Unauthorized")


def _grant_from_database(token: str) -> api_key_cache.Grant | None:
    """What the key grants, checked against the database (None: no such active key). Runs in a worker
    thread with a session of its own, closed before the thread is handed back: nothing is held while the
    request waits for Redis or for other requests."""
    epoch = api_key_cache.read_epoch()  # before the database: a revocation committed later bumps it
    with Session(get_engine(), expire_on_commit=False) as session:
        found = api_keys.authenticate_api_key(session, token)
        if found is None:
            return None
        key, org, actor = found
        return api_key_cache.grant_for(key, org, actor, epoch)


# Keys being checked against the database, per event loop: one lookup per key at a time, however many
# requests carry it. A burst from a key this process has not seen yet waits for one query instead of taking
# a thread and a connection per request.
_lookups: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, dict[str, asyncio.Task]] = weakref.WeakKeyDictionary()


async def _verified(digest: str, token: str) -> api_key_cache.Grant | None:
    flights = _lookups.setdefault(asyncio.get_running_loop(), {})
    lookup = flights.get(digest)
    if lookup is None:
        lookup = asyncio.ensure_future(run_in_threadpool(_grant_from_database, token))
        flights[digest] = lookup
        lookup.add_done_callback(lambda _: flights.pop(digest, None))
    grant = await asyncio.shield(lookup)  # a caller that goes away does not cancel the others' lookup
    if grant is not None:
        api_key_cache.put(digest, grant)
    return grant


def _from_cookie(request: Request) -> Principal:
    """The signed-in browser user, read with a session of its own, closed in this thread (see
    `_grant_from_database`); the organization row comes back detached."""
    with Session(get_engine(), expire_on_commit=False) as session:
        ctx = accounts.resolve_session(session, token=request.cookies.get(SESSION_COOKIE))
        session.commit()  # the session's "last seen", when resolve_session updated it (at most every 5 minutes)
    if ctx is None:
        _refuse(request)
    _rate_limit(
        request, f"user:{ctx.user.id}", effective_plan(ctx.organization).slug
    )  # first: refusals carry the headers too
    if request.method in _UNSAFE and not _same_origin(request):
        raise ApiError(403, "Cross-origin request refused")
    return Principal(org=ctx.organization, actor=_located(ctx.actor, request))


# Declared for the OpenAPI document (its security schemes); the credentials themselves are read below.
_bearer = HTTPBearer(auto_error=False, scheme_name="apiKey", description="`Authorization: Bearer viq_…`")
_cookie = APIKeyCookie(
    name=SESSION_COOKIE,
    auto_error=False,
    scheme_name="browserSession",
    description="The signed-in browser's session (writes only from the app's own pages)",
)


async def get_principal(
    request: Request,
    session: SessionDep,
    _key: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)] = None,
    _session_cookie: Annotated[str | None, Depends(_cookie)] = None,
) -> Principal:
    """The caller: an API key (Bearer) or a browser session (cookie), rate-limited by its plan.

    A key this process verified recently (api_key_cache) costs one Redis round trip, made from the event
    loop, which also says whether any key or organization changed since; anything else is checked in
    the database, once per key at a time, in a worker thread. The organization comes attached to the
    request's session without I/O: the session connects only when the route first uses it."""
    auth = request.headers.get("authorization", "")
    if not auth:
        principal = await run_in_threadpool(_from_cookie, request)
        check_text_params(request)
        session.add(principal.org)
        return principal
    scheme, _, token = auth.partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not api_keys.looks_like_key(token):
        await _refuse_async(request)
    digest = sha256_hex(token)
    grant = api_key_cache.get(digest)
    counted, counted_plan = None, None
    if grant is not None:
        counted_plan = grant.plan
        counted = await ratelimit.check_async(f"key:{grant.actor.id}", counted_plan, epoch_key=api_key_cache.EPOCH_KEY)
        if counted.epoch != grant.epoch:
            api_key_cache.drop(digest)  # something changed: ask the database
            grant = None
    if grant is None:
        grant = await _verified(digest, token)
        if grant is None:
            await _refuse_async(request)
    # A request counted under the remembered grant is not counted again after the database said yes, unless
    # the plan changed meanwhile: its new limits apply from this request on.
    if counted is None or counted_plan != grant.plan:
        counted = await ratelimit.check_async(f"key:{grant.actor.id}", grant.plan)
    decision = counted
    if api_key_cache.due_for_touch(grant):
        await run_in_threadpool(_touch, grant.key_id)
    _apply(request, decision)
    check_text_params(request)
    org = grant.organization()
    session.add(org)  # no I/O: the row as read, attached to this request's session
    return Principal(org=org, actor=_located(grant.actor, request))


def _located(actor: Actor, request: Request) -> Actor:
    """The actor with where this request came from, for the audit log."""
    return actor.at(ip=_client_ip(request), user_agent=request.headers.get("user-agent"))


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
