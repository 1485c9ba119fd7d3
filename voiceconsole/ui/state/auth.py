"""Who is signed in. Every protected page's state inherits AuthState.

The session is the HttpOnly `cp_session` cookie set by `GET /api/auth/magic`. JavaScript cannot
read it, but the browser sends it with the websocket handshake, so Reflex sees it in
`self.router.headers.cookie`. Handlers never trust ids sent by the browser: each one re-resolves
the cookie through `open_org()` and works inside that organization only.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.cookies import CookieError, SimpleCookie
from typing import Any, TypeVar

import reflex as rx
from sqlmodel import Session

from voiceconsole.db import session_scope
from voiceconsole.models import Organization
from voiceconsole.services.access.actor import Actor
from voiceconsole.services.access.permissions import is_client_viewer, is_manager
from voiceconsole.services.accounts import SessionContext, resolve_session
from voiceconsole.services.errors import DomainError

SESSION_COOKIE = "cp_session"
LOGIN_ROUTE = "/login"
HOME_ROUTE = "/dashboard"  # where signing in lands

T = TypeVar("T")


class NotSignedIn(Exception):
    """The cookie is missing, expired or revoked."""


@dataclass
class OrgScope:
    """What a handler needs to call a service on behalf of the signed-in user."""

    session: Session
    org: Organization
    actor: Actor


def session_token(cookie_header: str | None) -> str | None:
    if not cookie_header:
        return None
    jar = SimpleCookie()
    try:
        jar.load(cookie_header)
    except CookieError:
        return None
    morsel = jar.get(SESSION_COOKIE)
    return morsel.value if morsel is not None and morsel.value else None


class AuthState(rx.State):
    user_email: str = ""
    org_name: str = ""
    role: str = ""
    timezone: str = "UTC"
    # What the signed-in member may do, decided by services.access (the rules the services enforce): the
    # UI only hides what would be refused anyway.
    can_edit: bool = False  # annotate calls (notes, tags)
    can_manage: bool = False  # owners and admins: API keys, clients, integrations, channels, scoring
    _user_id: int | None = None
    _org_id: int | None = None

    @rx.var
    def is_authenticated(self) -> bool:
        return self.user_email != ""

    @rx.var
    def user_initial(self) -> str:
        return self.user_email[:1].upper()

    def _remember(self, ctx: SessionContext) -> None:
        self.user_email = ctx.user.email
        self.org_name = ctx.organization.name
        self.role = ctx.membership.role
        self.can_edit = not is_client_viewer(ctx.actor)
        self.can_manage = is_manager(ctx.actor)
        self.timezone = ctx.organization.timezone or "UTC"
        self._user_id = ctx.user.id
        self._org_id = ctx.organization.id

    def _forget(self) -> None:
        self.user_email = ""
        self.org_name = ""
        self.role = ""
        self.can_edit = self.can_manage = False
        self.timezone = "UTC"
        self._user_id = None
        self._org_id = None

    def _resolve(self, session: Session) -> SessionContext | None:
        ctx = resolve_session(session, token=session_token(self.router.headers.cookie))
        if ctx is None:
            self._forget()
        else:
            self._remember(ctx)
        return ctx

    @contextmanager
    def open_org(self) -> Iterator[OrgScope]:
        """A database session scoped to the signed-in user's organization (commits on success).

        Raises NotSignedIn when the cookie no longer resolves to a live session.
        """
        with session_scope() as session:
            ctx = self._resolve(session)
            if ctx is None:
                raise NotSignedIn
            yield OrgScope(session=session, org=ctx.organization, actor=ctx.actor)

    def _org_action(
        self,
        work: Callable[[OrgScope], T],
        *,
        failed: Callable[[Any], object] | None = None,
        done: Callable[[T], object] | None = None,
        catch: type[Exception] | tuple[type[Exception], ...] = DomainError,
        signed_out: Callable[[], object] | None = None,
    ):
        """Run `work(scope)` in the signed-in organization and commit; return the handler's events.

        Those are `done(result)` once committed (None without `done`), a redirect to the login page when
        the session is gone (`signed_out()` instead, for a panel that must not navigate), or `failed(error)`
        when work raises one of `catch` (DomainError unless narrowed, e.g. to NotFound); nothing is committed
        then. Without `failed` nothing is caught: a read that expects no refusal lets it propagate.
        `failed` runs inside the `except` block, so it may log the traceback.
        """
        try:
            with self.open_org() as scope:
                result = work(scope)
        except NotSignedIn:
            return rx.redirect(LOGIN_ROUTE) if signed_out is None else signed_out()
        except catch as exc:
            if failed is None:
                raise
            return failed(exc)
        return done(result) if done is not None else None

    @rx.event
    def require_login(self):
        """on_load guard: load who is signed in, or send the browser to the login page."""
        with session_scope() as session:
            ctx = self._resolve(session)
        if ctx is None:
            return rx.redirect(LOGIN_ROUTE)
        return None

    @rx.event
    def go_home(self):
        """The `/` route: the dashboard for signed-in users, else the login page."""
        with session_scope() as session:
            ctx = self._resolve(session)
        return rx.redirect(HOME_ROUTE if ctx is not None else LOGIN_ROUTE, replace=True)
