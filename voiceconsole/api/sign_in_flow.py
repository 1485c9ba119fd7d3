"""The short-lived, signed cookie that carries an OpenID Connect sign-in from its start to its callback.

Authlib keeps each flow's state, nonce and PKCE code verifier in `request.session` (Starlette's
SessionMiddleware): binding the callback to the browser that started it is what makes a forged callback
fail. This applies that middleware to the sign-in routes only (`/api[/v1]/auth/{provider}/login|callback`),
so no other response ever carries the cookie. Signed with the secret key, HttpOnly, SameSite=Lax (sent on
the provider's top-level redirect back to us), 10 minutes.
"""

from __future__ import annotations

import re

from starlette.middleware.sessions import SessionMiddleware
from starlette.types import ASGIApp, Receive, Scope, Send

from voiceconsole.settings import get_settings

FLOW_COOKIE = "vc_sign_in"
FLOW_MAX_AGE_S = 600
SIGN_IN_PATH = re.compile(r"^/api(/v1)?/auth/[a-z]+/(login|callback)$")


class SignInFlowCookie:
    def __init__(self, app: ASGIApp):
        self.app = app
        self._with_session: SessionMiddleware | None = None
        self._for_settings: object = None

    def _middleware(self) -> SessionMiddleware:
        settings = get_settings()
        if self._with_session is None or self._for_settings is not settings:
            self._with_session = SessionMiddleware(
                self.app,
                secret_key=settings.secret_key,
                session_cookie=FLOW_COOKIE,
                max_age=FLOW_MAX_AGE_S,
                path="/api",
                same_site="lax",
                https_only=settings.secure_cookies,
            )
            self._for_settings = settings
        return self._with_session

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and SIGN_IN_PATH.match(scope.get("path", "")):
            await self._middleware()(scope, receive, send)
        else:
            await self.app(scope, receive, send)
