"""The login page: ask for a magic link by email."""

from __future__ import annotations

import reflex as rx

from voiceconsole.db import session_scope
from voiceconsole.services.accounts import request_login_link
from voiceconsole.services.api_keys import rate_limits as ratelimit
from voiceconsole.services.errors import ValidationFailed
from voiceconsole.ui.state.auth import HOME_ROUTE, AuthState

EXPIRED_MESSAGE = "That login link is invalid or has expired. Request a new one below."
TOO_MANY = "Too many login requests from your network. Wait a minute, then try again."


class LoginState(AuthState):
    email: str = ""
    sent_to: str = ""
    error: str = ""
    notice: str = ""
    sending: bool = False

    @rx.event
    def on_load(self):
        """Signed-in users go straight to the dashboard; explain an expired link."""
        self.sent_to = ""
        self.error = ""
        self.sending = False
        self.notice = EXPIRED_MESSAGE if self.router.url.query_parameters.get("error") == "expired" else ""
        with session_scope() as session:
            ctx = self._resolve(session)
        if ctx is not None:
            return rx.redirect(HOME_ROUTE, replace=True)
        return None

    @rx.event
    def set_email(self, value: str):
        self.email = value
        self.error = ""

    @rx.event
    def send_link(self, form_data: dict):
        email = str(form_data.get("email", self.email) or "").strip()
        self.email = email
        self.error = ""
        # The same per-address limit as POST /api/auth/magic-link, so this door is no wider.
        if not ratelimit.check(f"ip:{self.router.session.client_ip or 'unknown'}", "free").allowed:
            self.error = TOO_MANY
            return
        try:
            with session_scope() as session:
                request_login_link(session, email=email)
        except ValidationFailed as exc:
            self.error = exc.details[0]["message"] if exc.details else exc.message
            return
        self.sent_to = email
        self.notice = ""

    @rx.event
    def start_over(self):
        self.sent_to = ""
        self.error = ""
