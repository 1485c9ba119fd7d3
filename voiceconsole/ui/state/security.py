"""Settings → Security: where the signed-in person is signed in, and signing those sessions out."""

from __future__ import annotations

import reflex as rx

from voiceconsole.schemas import SessionOut
from voiceconsole.services.accounts import sessions as sessions_service
from voiceconsole.services.errors import DomainError
from voiceconsole.ui import format as fmt
from voiceconsole.ui.state.auth import LOGIN_ROUTE, AuthState, OrgScope

METHODS = {"magic_link": "Email link", "invitation": "Invitation link", "google": "Google", "oidc": "Single sign-on"}


def session_row(s: SessionOut, tz: str) -> dict[str, str]:
    return {
        "id": s.id,
        "device": s.device,
        "ip": s.ip or "Unknown",
        "method": METHODS.get(s.method, fmt.label(s.method)),
        "created": fmt.datetime_label(s.created_at, tz),
        "last_seen": fmt.datetime_label(s.last_seen_at, tz) if s.last_seen_at else "Not since signing in",
        "current": "yes" if s.current else "",
    }


class SecurityState(AuthState):
    sessions: list[dict[str, str]] = []
    error: str = ""
    message: str = ""

    def _reload(self, scope: OrgScope) -> None:
        rows = sessions_service.list_sessions(scope.session, actor=scope.actor)
        self.sessions = [session_row(s, self.timezone) for s in rows]

    def _failed(self, exc: DomainError) -> None:
        self.error = fmt.error_text(exc)

    @rx.event
    def load(self):
        self.error = self.message = ""
        self.sessions = []
        return self._org_action(self._reload, failed=self._failed)

    @rx.event
    def sign_out_session(self, session_id: str):
        def work(scope: OrgScope) -> SessionOut:
            revoked = sessions_service.revoke_session(scope.session, actor=scope.actor, session_id=session_id)
            self._reload(scope)
            return revoked

        def done(revoked: SessionOut):
            if revoked.current:
                return rx.redirect(LOGIN_ROUTE)
            self.message = f"Signed out {revoked.device}."
            return None

        self.error = self.message = ""
        return self._org_action(work, failed=self._failed, done=done)

    @rx.event
    def sign_out_everywhere(self, keep_current: bool):
        def work(scope: OrgScope):
            result = sessions_service.revoke_all_sessions(scope.session, actor=scope.actor, keep_current=keep_current)
            self._reload(scope)
            return result

        def done(result):
            if result.current_revoked:
                return rx.redirect(LOGIN_ROUTE)
            self.message = f"Signed out {fmt.count(result.revoked)} other session{'s' if result.revoked != 1 else ''}."
            return None

        self.error = self.message = ""
        return self._org_action(work, failed=self._failed, done=done)
