"""Settings → Integrations: connect a platform account, see its status, test, sync, re-enter its API key,
disconnect.

Testing and syncing run as jobs; the page refreshes itself every few seconds to show their outcome,
and a sync waiting for another one (or for a stopped worker's lock to lapse) with its retry time.
The API key of an account being connected, and a re-entered one, is checked with the platform before it
is stored (services/integrations/key_check.py, a few seconds at most): that runs as a background event, so
this tab's state is not locked while the platform answers. A key the platform refuses shows under the key
field; a platform that cannot be asked, above the form.

Webhook secrets are masked on the cards: a secret reaches the browser only once it is revealed or copied.
"""

from __future__ import annotations

from datetime import datetime

import reflex as rx

from voiceconsole.db import session_scope
from voiceconsole.schemas import IntegrationOut, WorkQueued
from voiceconsole.services import integrations as service
from voiceconsole.services.errors import DomainError
from voiceconsole.settings import get_settings
from voiceconsole.ui import format as fmt
from voiceconsole.ui.state.auth import LOGIN_ROUTE, AuthState, NotSignedIn, OrgScope
from voiceconsole.ui.state.confirmation import ConfirmationMixin

PLATFORM_OPTIONS = [("retell", "Retell"), ("vapi", "Vapi"), ("elevenlabs", "ElevenLabs")]
PLATFORM_NAMES = dict(PLATFORM_OPTIONS)
# The connect form's fields the page empties itself (they are not bound to this state: the key and the
# secret are never kept in it).
API_KEY_INPUT_ID = "integration-api-key-input"
WEBHOOK_SECRET_INPUT_ID = "integration-webhook-secret-input"


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


def integration_row(item: IntegrationOut, tz: str, *, reveal: bool = False) -> dict[str, str]:
    """The card's values; the webhook secret only when `reveal` (else masked: `has_webhook_secret`)."""
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
        "has_webhook_secret": "yes" if item.webhook_secret else "",
        "webhook_secret": (item.webhook_secret or "") if reveal else "",
        "secret_revealed": "yes" if reveal and item.webhook_secret else "",
        "webhook_note": item.webhook_note,
        "base_url": item.base_url or "",
        "sync_waiting": sync_waiting_text(item, tz),
        "sync_retry_at": _clock(item.sync_retry_at, tz) if item.sync_retry_at else "",
    }


def connect_errors(exc: DomainError) -> tuple[str, str, str]:
    """(under the key field, the platform could not be asked, above the form) for an account not connected:
    the platform's refusal, or bad input, names `apiKey`; a platform that cannot be asked is told apart
    (nothing is wrong with what was typed: try again); anything else (other fields, a conflict, a role) is
    the form's."""
    if isinstance(exc, service.PlatformUnreachable):
        reasons = [d["message"] for d in exc.details if d.get("message")]
        return "", f"{exc.message} ({'; '.join(reasons)})" if reasons else exc.message, ""
    for detail in exc.details:
        if detail.get("field") == "apiKey":
            return detail.get("message") or exc.message, "", ""
    return "", "", fmt.error_text(exc)


def key_change_errors(exc: DomainError) -> tuple[str, str]:
    """(under the key field, above the form) for a refused key change: the platform's refusal or bad input
    names `apiKey`; anything else (the platform could not be asked, a conflict, a role) is the form's."""
    for detail in exc.details:
        if detail.get("field") == "apiKey":
            return detail.get("message") or exc.message, ""
    reasons = [d["message"] for d in exc.details if d.get("message")]
    return "", f"{exc.message} ({'; '.join(reasons)})" if reasons else exc.message


class IntegrationsState(ConfirmationMixin, AuthState):
    integrations: list[dict[str, str]] = []
    platform: str = "retell"
    label_draft: str = ""
    base_url_draft: str = ""
    # The connect form: why the last account was not connected (connect_errors), and whether its key is
    # being checked with the platform.
    form_error: str = ""
    api_key_error: str = ""
    unreachable_error: str = ""
    connecting: bool = False
    error: str = ""
    # The cards whose webhook secret is shown (backend only: the ids; the secrets are in their rows).
    _revealed_secrets: list[str] = []
    # "Re-enter API key": the integration whose form is open, and why the last key was not stored.
    key_for: str = ""
    key_error: str = ""
    key_form_error: str = ""
    key_checking: bool = False

    @rx.var
    def base_url_allowed(self) -> bool:
        """Custom base URLs are for the simulator and tests: offered only where private targets are allowed."""
        return get_settings().allow_private_targets

    def _reload(self, scope: OrgScope) -> None:
        items = service.list_integrations(scope.session, org=scope.org, actor=scope.actor)
        shown = {i.id for i in items}
        self._revealed_secrets = [i for i in self._revealed_secrets if i in shown]
        self.integrations = [integration_row(i, self.timezone, reveal=i.id in self._revealed_secrets) for i in items]

    def _clear_connect_errors(self) -> None:
        self.form_error = self.api_key_error = self.unreachable_error = ""

    @rx.event
    def load(self):
        self.error = ""
        self._clear_connect_errors()
        self.connecting = False
        self._revealed_secrets = []
        self._close_key_form()
        self.key_checking = False
        self._clear_confirmation()
        self.integrations = []
        return self.refresh()

    @rx.event
    def refresh(self):
        return self._org_action(self._reload, failed=self._show_error)

    @rx.event
    def set_platform(self, value: str):
        self.platform = value
        self._clear_connect_errors()

    @rx.event
    def set_label_draft(self, value: str):
        self.label_draft = value

    @rx.event
    def set_base_url_draft(self, value: str):
        self.base_url_draft = value

    @rx.event(background=True)
    async def connect(self, form_data: dict):
        """Connect the account once its platform accepts the key (services/integrations/connections.py),
        store it (the key encrypted) and queue its first sync; otherwise show why, nothing stored.

        The label and base URL stay as typed after a failure. The key does too when the platform could
        not be asked (it may well be right: connecting again is one click), but not when the platform
        refused it: the field is masked, so a wrong key cannot be corrected in place, only pasted again.
        The key is never kept in this state, only in the browser's field."""
        api_key = str(form_data.get("api_key") or "")
        secret = str(form_data.get("webhook_secret") or "").strip() or None
        async with self:
            if self.connecting:
                return None
            platform = self.platform
            label = str(form_data.get("label", self.label_draft) or "")
            base_url = (
                str(form_data.get("base_url", self.base_url_draft) or "")
                if get_settings().allow_private_targets
                else None
            )
            try:
                with self.open_org() as scope:
                    org, actor = scope.org, scope.actor
            except NotSignedIn:
                return rx.redirect(LOGIN_ROUTE)
            self.connecting = True
            self._clear_connect_errors()

        def connect() -> str | DomainError:
            # A session of its own, in a worker thread: the service asks the platform with no transaction open.
            try:
                with session_scope() as session:
                    integration = service.create_integration(
                        session,
                        org=org,
                        platform=platform,
                        api_key=api_key,
                        label=label,
                        base_url=base_url or None,
                        webhook_secret=secret if platform != "retell" else None,
                        actor=actor,
                    )
                    session.commit()  # the sync job must find it
                    service.request_sync(session, org=org, integration_id=integration.public_id, actor=actor)
                    return integration.platform
            except DomainError as exc:
                return exc

        try:
            outcome = await rx.run_in_thread(connect)
        finally:
            async with self:
                self.connecting = False
        async with self:
            if isinstance(outcome, DomainError):
                self.label_draft, self.base_url_draft = label, base_url or ""
                self.api_key_error, self.unreachable_error, self.form_error = connect_errors(outcome)
                if self.api_key_error:
                    return [rx.set_value(API_KEY_INPUT_ID, ""), rx.set_focus(API_KEY_INPUT_ID)]
                return None
            self.label_draft = self.base_url_draft = ""
            self._org_action(self._reload, failed=self._show_error)
            name = PLATFORM_NAMES.get(outcome, outcome)
            return [
                rx.set_value(API_KEY_INPUT_ID, ""),
                rx.set_value(WEBHOOK_SECRET_INPUT_ID, ""),
                rx.toast.success(f"Connected: {name} accepted the API key. The first sync is queued."),
            ]

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

    def _close_key_form(self) -> None:
        self.key_for = self.key_error = self.key_form_error = ""

    @rx.event
    def open_key_form(self, integration_id: str):
        if not self.key_checking:
            self._close_key_form()
            self.key_for = integration_id

    @rx.event
    def close_key_form(self):
        if not self.key_checking:
            self._close_key_form()

    @rx.event(background=True)
    async def save_key(self, form_data: dict):
        """Store the re-entered key once its platform accepts it (services/integrations/key_change.py);
        otherwise show why, on the field when the platform refused the key. The key itself is never kept
        in this state."""
        api_key = str(form_data.get("api_key") or "")
        async with self:
            integration_id = self.key_for
            if not integration_id or self.key_checking:
                return None
            try:
                with self.open_org() as scope:
                    org, actor = scope.org, scope.actor
            except NotSignedIn:
                return rx.redirect(LOGIN_ROUTE)
            self.key_checking, self.key_error, self.key_form_error = True, "", ""

        def change() -> str | DomainError:
            # A session of its own, in a worker thread: the service asks the platform with no transaction open.
            try:
                with session_scope() as session:
                    return service.change_api_key(
                        session, org=org, integration_id=integration_id, api_key=api_key, actor=actor
                    ).platform
            except DomainError as exc:
                return exc

        try:
            outcome = await rx.run_in_thread(change)
        finally:
            async with self:
                self.key_checking = False
        async with self:
            if isinstance(outcome, DomainError):
                if self.key_for == integration_id:
                    self.key_error, self.key_form_error = key_change_errors(outcome)
                return None
            self._close_key_form()
            self._org_action(self._reload, failed=self._show_error)
            name = PLATFORM_NAMES.get(outcome, outcome)
            return rx.toast.success(f"{name} accepted the new API key. A sync with it is queued.")

    @rx.event
    def copy(self, value: str, what: str):
        return [rx.set_clipboard(value), rx.toast.success(f"{what} copied to the clipboard")]

    @rx.event
    def toggle_secret(self, integration_id: str):
        """Show or mask a card's webhook secret (read afresh: owners and admins only, as the service says)."""
        if integration_id in self._revealed_secrets:
            self._revealed_secrets = [i for i in self._revealed_secrets if i != integration_id]
        else:
            self._revealed_secrets = [*self._revealed_secrets, integration_id]
        return self._org_action(self._reload, failed=self._show_error)

    @rx.event
    def copy_secret(self, integration_id: str):
        """Copy a card's webhook secret, shown or not, read afresh from the service."""

        def secret(scope: OrgScope) -> str | None:
            return service.get_integration(
                scope.session, org=scope.org, integration_id=integration_id, actor=scope.actor
            ).webhook_secret

        def copied(value: str | None):
            if not value:
                return rx.toast.error("This integration has no webhook secret to copy.")
            return [rx.set_clipboard(value), rx.toast.success("Webhook secret copied to the clipboard")]

        return self._org_action(secret, failed=lambda exc: rx.toast.error(exc.message), done=copied)

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
