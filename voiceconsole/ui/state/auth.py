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
from voiceconsole.models.types import pk
from voiceconsole.services import branding
from voiceconsole.services.access.actor import Actor
from voiceconsole.services.access.permissions import is_client_viewer, is_manager
from voiceconsole.services.access.visibility import visibility
from voiceconsole.services.accounts import SessionContext, my_organizations, resolve_session, switch_organization
from voiceconsole.services.errors import DomainError, NotFound

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
    # A client viewer's portal (services.access.visibility, services.branding), read at each page load: what
    # it shows besides calls and scores, and the agency's logo (an API path) and accent colour.
    sees_costs: bool = True
    sees_agent_config: bool = True
    brand_logo_url: str = ""
    brand_accent: str = ""
    # The organizations the signed-in person belongs to ({slug, name}), for the switcher; the current one's slug.
    organizations: list[dict[str, str]] = []
    org_slug: str = ""
    _user_id: int | None = None
    _org_id: int | None = None

    @rx.var
    def is_authenticated(self) -> bool:
        return self.user_email != ""

    @rx.var
    def user_initial(self) -> str:
        return self.user_email[:1].upper()

    @rx.var
    def is_client_viewer(self) -> bool:
        return self.role == "client_viewer"

    @rx.var
    def brand_css(self) -> str:
        """The agency's accent colour over the theme's, in a client viewer's portal (a checked #rrggbb)."""
        if self.role != "client_viewer" or not self.brand_accent:
            return ""
        c = self.brand_accent
        return f":root [data-accent-color], :root .radix-themes {{--accent-9: {c}; --accent-10: {c}; --vc-brand: {c}}}"

    def _load_portal(self, session: Session, ctx: SessionContext) -> None:
        seen = visibility(session, ctx.actor)
        self.sees_costs, self.sees_agent_config = seen.costs, seen.agent_config
        brand = branding.get_branding(session, org=ctx.organization) if is_client_viewer(ctx.actor) else None
        self.brand_logo_url = (brand.logo_url or "") if brand else ""
        self.brand_accent = (brand.accent_color or "") if brand else ""

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
        self.sees_costs = self.sees_agent_config = True
        self.brand_logo_url = self.brand_accent = ""
        self.timezone = "UTC"
        self._user_id = None
        self._org_id = None

    def _resolve(self, session: Session) -> SessionContext | None:
        ctx = resolve_session(session, token=session_token(self.router.headers.cookie))
        if ctx is None:
            self._forget()
            self.organizations = []
        else:
            self._remember(ctx)
            self.organizations = [
                {"slug": o.slug, "name": o.name}
                for o in my_organizations(session, user_id=pk(ctx.user), current_org_id=ctx.organization.id)
            ]
            self.org_slug = ctx.organization.slug
        return ctx

    @rx.event
    def switch_organization(self, slug: str):
        """The account box's switcher: make another of my organizations this session's current one."""
        try:
            with session_scope() as session:
                switch_organization(session, token=session_token(self.router.headers.cookie), slug=slug)
        except NotFound:
            return rx.redirect(LOGIN_ROUTE)
        return rx.redirect(HOME_ROUTE)

    @contextmanager
    def open_org(self) -> Iterator[OrgScope]:
        """A database session scoped to the signed-in user's organization (commits on success).

        Raises NotSignedIn when the cookie no longer resolves to a live session.
        """
        with session_scope() as session:
            ctx = self._resolve(session)
            if ctx is None:
                raise NotSignedIn
            # Where the browser acts from, for the audit log (the websocket's address and User-Agent).
            actor = ctx.actor.at(ip=self.router.session.client_ip or None, user_agent=self.router.headers.user_agent)
            yield OrgScope(session=session, org=ctx.organization, actor=actor)

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
            if ctx is not None:
                self._load_portal(session, ctx)
        if ctx is None:
            return rx.redirect(LOGIN_ROUTE)
        return None

    @rx.event
    def require_staff(self):
        """on_load guard of the agency's own pages (clients, settings, team): `require_login`, and a client
        viewer is sent to their portal's home instead (the services refuse them these pages' data anyway)."""
        with session_scope() as session:
            ctx = self._resolve(session)
            if ctx is not None:
                self._load_portal(session, ctx)
        if ctx is None:
            return rx.redirect(LOGIN_ROUTE)
        if is_client_viewer(ctx.actor):
            return rx.redirect(HOME_ROUTE, replace=True)
        return None

    @rx.event
    def go_home(self):
        """The `/` route: the dashboard for signed-in users, else the login page."""
        with session_scope() as session:
            ctx = self._resolve(session)
        return rx.redirect(HOME_ROUTE if ctx is not None else LOGIN_ROUTE, replace=True)
