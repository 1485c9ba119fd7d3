"""Settings → Integrations: connect a platform account, see its status, test, sync, disconnect.

Testing and syncing run as jobs; the page refreshes itself every few seconds to show their outcome,
and a sync waiting for another one (or for a stopped worker's lock to lapse) with its retry time.
"""

from __future__ import annotations

from datetime import datetime

import reflex as rx

from voiceconsole.schemas import IntegrationOut, WorkQueued
from voiceconsole.services import integrations as service
from voiceconsole.services.errors import DomainError
from voiceconsole.settings import get_settings
from voiceconsole.ui import format as fmt
from voiceconsole.ui.state.auth import AuthState, OrgScope
from voiceconsole.ui.state.confirmation import ConfirmationMixin

PLATFORM_OPTIONS = [("retell", "Retell"), ("vapi", "Vapi"), ("elevenlabs", "ElevenLabs")]


def _clock(value: datetime, tz: str) -> str:
    """A time within the next minutes, to the second: 14:03:27 in the organization's timezone."""
    return f"{value.astimezone(fmt.zone(tz)):%H:%M:%S}"


def sync_waiting_text(item: IntegrationOut, tz: str) -> str:
    """Why the sync has not run yet, since when, and when it is tried again; empty when none waits."""
    if item.sync_waiting_since is None or item.sync_retry_at is None:
        return ""
    return (
        f"A sync has been waiting since {fmt.datetime_label(item.sync_waiting_since, tz)} for another sync of this "
        "account to finish (or for the lock of a stopped worker to lapse). "
        f"It is retried at {_clock(item.sync_retry_at, tz)}, or as soon as the other sync ends."
    )


def integration_row(item: IntegrationOut, tz: str) -> dict[str, str]:
    return {
        "id": item.id,
        "platform": item.platform,
        "label": item.label,
        "status": item.status,
        "key": "…" + item.api_key_last4,
        "agents": str(item.agent_count),
        "last_sync": fmt.datetime_label(item.last_sync_at, tz) if item.last_sync_at else "Never",
        "last_good_sync": fmt.datetime_label(item.last_good_sync_at, tz) if item.last_good_sync_at else "Never",
        "last_error": item.last_error or "",
        "webhook_url": item.webhook_url,
        "webhook_secret": item.webhook_secret or "",
        "webhook_note": item.webhook_note,
        "base_url": item.base_url or "",
        "sync_waiting": sync_waiting_text(item, tz),
        "sync_retry_at": _clock(item.sync_retry_at, tz) if item.sync_retry_at else "",
    }


class IntegrationsState(ConfirmationMixin, AuthState):
    integrations: list[dict[str, str]] = []
    platform: str = "retell"
    label_draft: str = ""
    base_url_draft: str = ""
    form_error: str = ""
    error: str = ""

    @rx.var
    def base_url_allowed(self) -> bool:
        """Custom base URLs are for the simulator and tests: offered only where private targets are allowed."""
        return get_settings().allow_private_targets

    def _reload(self, scope: OrgScope) -> None:
        items = service.list_integrations(scope.session, org=scope.org, actor=scope.actor)
        self.integrations = [integration_row(i, self.timezone) for i in items]

    @rx.event
    def load(self):
        self.form_error = self.error = ""
        self._clear_confirmation()
        self.integrations = []
        return self.refresh()

    @rx.event
    def refresh(self):
        return self._org_action(self._reload, failed=self._show_error)

    @rx.event
    def set_platform(self, value: str):
        self.platform = value
        self.form_error = ""

    @rx.event
    def set_label_draft(self, value: str):
        self.label_draft = value

    @rx.event
    def set_base_url_draft(self, value: str):
        self.base_url_draft = value

    @rx.event
    def connect(self, form_data: dict):
        """Store the account (the key encrypted) and queue its first sync."""
        api_key = str(form_data.get("api_key") or "")
        label = str(form_data.get("label", self.label_draft) or "")
        base_url = (
            str(form_data.get("base_url", self.base_url_draft) or "") if get_settings().allow_private_targets else None
        )
        secret = str(form_data.get("webhook_secret") or "").strip() or None

        def connect(scope: OrgScope) -> None:
            integration = service.create_integration(
                scope.session,
                org=scope.org,
                platform=self.platform,
                api_key=api_key,
                label=label,
                base_url=base_url or None,
                webhook_secret=secret if self.platform != "retell" else None,
                actor=scope.actor,
            )
            scope.session.commit()  # the sync job must find it
            service.request_sync(scope.session, org=scope.org, integration_id=integration.public_id, actor=scope.actor)
            self._reload(scope)

        def failed(exc: DomainError) -> None:
            self.label_draft, self.base_url_draft = label, base_url or ""
            self.form_error = fmt.error_text(exc)

        def connected(_) -> object:
            self.label_draft = self.base_url_draft = self.form_error = ""
            return rx.toast.success("Connected. The first sync is queued.")

        return self._org_action(connect, failed=failed, done=connected)

    def _queue(self, action, integration_id: str, done: str):
        def queue(scope: OrgScope) -> WorkQueued:
            outcome = action(scope.session, org=scope.org, integration_id=integration_id, actor=scope.actor)
            self._reload(scope)
            return outcome

        return self._org_action(
            queue,
            failed=lambda exc: rx.toast.error(exc.message),
            done=lambda outcome: rx.toast.success(done if outcome.queued else "Already queued; it will run shortly."),
        )

    @rx.event
    def test(self, integration_id: str):
        return self._queue(service.request_test, integration_id, "Connection test queued.")

    @rx.event
    def sync_now(self, integration_id: str):
        return self._queue(service.request_sync, integration_id, "Sync queued.")

    @rx.event
    def copy(self, value: str, what: str):
        return [rx.set_clipboard(value), rx.toast.success(f"{what} copied to the clipboard")]

    @rx.event
    def ask_disconnect(self, integration_id: str, label: str):
        self._ask_confirmation("disconnect", integration_id, label)

    def _show_error(self, exc: DomainError) -> None:
        self.error = exc.message

    @rx.event
    def confirm_disconnect(self):
        target = self._take_confirmation("disconnect")
        if target is None:
            return None
        integration_id, label = target

        def disconnect(scope: OrgScope) -> None:
            service.disconnect_integration(
                scope.session, org=scope.org, integration_id=integration_id, actor=scope.actor
            )
            scope.session.flush()
            self._reload(scope)

        return self._org_action(
            disconnect,
            failed=self._show_error,
            done=lambda _: rx.toast.success(f"Disconnected “{label}”. Its agents and calls are kept."),
        )
