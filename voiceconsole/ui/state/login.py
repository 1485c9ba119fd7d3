"""The login page: ask for a magic link by email."""

from __future__ import annotations

import reflex as rx

from voiceconsole.db import session_scope
from voiceconsole.services.accounts import request_login_link
from voiceconsole.services.api_keys import rate_limits as ratelimit
from voiceconsole.services.errors import ValidationFailed
from voiceconsole.settings import get_settings
from voiceconsole.ui.state.auth import HOME_ROUTE, AuthState

EXPIRED_MESSAGE = "That login link is invalid or has expired. Request a new one below."
# Why an invitation link came back to this page (api/routes/invitations.py's `?error=…`).
INVITATION_MESSAGES = {
    "invitation": "That invitation link is invalid, was already used or has expired. Ask the agency to resend it.",
    "seats_full": "This agency has used every team seat its plan includes, so the invitation cannot be accepted "
    "now. Ask them to free a seat or upgrade, then open the link again.",
}
# Why a sign-in with a provider came back to this page (api/routes/oidc.py's `?error=…&provider=…`).
PROVIDER_MESSAGES = {
    "provider_unavailable": "{label} cannot be reached right now, so signing in with it failed. Try again in a "
    "moment, or sign in with an email link below.",
    "sign_in_failed": "Signing in with {label} did not complete: it took too long, or was started in another "
    "browser or tab. Try again.",
    "cancelled": "Signing in with {label} was cancelled.",
    "unverified_email": "{label} has not verified your email address, so we cannot sign you in with it. Verify "
    "it with {label}, or sign in with an email link below.",
    "no_account": "There is no VoiceConsole account for the email address {label} gave us. Ask your agency to "
    "invite you, or sign in with an email link below to start a new agency.",
}


def provider_notice(error: str | None, provider: str | None) -> str:
    """The login page's explanation of `?error=…&provider=…` ("" when there is none)."""
    template = PROVIDER_MESSAGES.get(error or "")
    if template is None:
        return ""
    configured = get_settings().sign_in.get(provider or "")
    label = configured.label if configured is not None else "your sign-in provider"
    return template.format(label=label)


def provider_buttons() -> list[dict[str, str]]:
    """One "Sign in with …" button per configured provider (none when nothing is configured)."""
    return [
        {"name": p.name, "label": f"Sign in with {p.label}", "href": f"/api/auth/{p.name}/login"}
        for p in get_settings().sign_in.enabled
    ]


TOO_MANY = "Too many login requests from your network. Wait a minute, then try again."


class LoginState(AuthState):
    email: str = ""
    sent_to: str = ""
    error: str = ""
    notice: str = ""
    sending: bool = False
    providers: list[dict[str, str]] = []  # configured sign-in providers: name, label, href

    @rx.event
    def on_load(self):
        """Signed-in users go straight to the dashboard; explain an expired link."""
        self.sent_to = ""
        self.error = ""
        self.sending = False
        query = self.router.url.query_parameters
        error = query.get("error")
        if error == "expired":
            self.notice = EXPIRED_MESSAGE
        else:
            self.notice = INVITATION_MESSAGES.get(error or "") or provider_notice(error, query.get("provider"))
        self.providers = provider_buttons()
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
