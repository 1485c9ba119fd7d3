"""The add / edit notification channel dialog.

Every input is controlled by this state, so a refused save keeps what was typed, and the service's
field errors (ValidationFailed details: url, email, events, name, clientId, summaryHour) show next
to their fields. A channel's kind is chosen when it is added; its URL is never shown again (only a
hint), so editing leaves the URL empty to keep it.
"""

from __future__ import annotations

import reflex as rx

from voiceconsole.services.errors import DomainError
from voiceconsole.services.notifications import channels as service
from voiceconsole.ui import format as fmt
from voiceconsole.ui.state.auth import OrgScope
from voiceconsole.ui.state.notification_channels import (
    ALL_CLIENTS,
    EVENT_OPTIONS,
    KIND_LABELS,
    NotificationChannelsState,
    hour_label,
)

DEFAULT_EVENTS = ["call.low_score"]  # what a new channel starts with: the alert most agencies want
DEFAULT_HOUR = "8"
HOUR_OPTIONS = [(str(h), hour_label(h)) for h in range(24)]
FIELDS = ("kind", "name", "url", "email", "events", "clientId", "summaryHour")
_EVENT_ORDER = [key for key, _, _ in EVENT_OPTIONS]


class ChannelFormState(NotificationChannelsState):
    form_open: bool = False
    edit_id: str = ""  # "" while adding
    edit_target: str = ""  # the URL hint of the channel being edited
    kind: str = "webhook"
    name: str = ""
    url: str = ""
    email: str = ""
    events: list[str] = list(DEFAULT_EVENTS)
    client: str = ALL_CLIENTS
    summary_hour: str = DEFAULT_HOUR
    field_errors: dict[str, str] = {}
    form_error: str = ""

    @rx.var
    def editing(self) -> bool:
        return self.edit_id != ""

    @rx.var
    def kind_label(self) -> str:
        return KIND_LABELS.get(self.kind, self.kind)

    @rx.var
    def wants_summary(self) -> bool:
        return "daily_summary" in self.events

    # One var per field, so a field without an error renders nothing.
    @rx.var
    def kind_error(self) -> str:
        return self.field_errors.get("kind", "")

    @rx.var
    def name_error(self) -> str:
        return self.field_errors.get("name", "")

    @rx.var
    def url_error(self) -> str:
        return self.field_errors.get("url", "")

    @rx.var
    def email_error(self) -> str:
        return self.field_errors.get("email", "")

    @rx.var
    def events_error(self) -> str:
        return self.field_errors.get("events", "")

    @rx.var
    def client_error(self) -> str:
        return self.field_errors.get("clientId", "")

    @rx.var
    def hour_error(self) -> str:
        return self.field_errors.get("summaryHour", "")

    @rx.var
    def url_placeholder(self) -> str:
        if self.edit_id:
            return f"Leave empty to keep {self.edit_target}"
        return {"slack": "https://hooks.slack.com/services/…", "discord": "https://discord.com/api/webhooks/…"}.get(
            self.kind, "https://example.com/voiceconsole-events"
        )

    def _reset_form(self) -> None:
        self.edit_id = self.edit_target = ""
        self.kind, self.name, self.url, self.email = "webhook", "", "", ""
        self.events = list(DEFAULT_EVENTS)
        self.client, self.summary_hour = ALL_CLIENTS, DEFAULT_HOUR
        self.field_errors, self.form_error = {}, ""

    def _clear_error(self, *names: str) -> None:
        if any(n in self.field_errors for n in names):
            self.field_errors = {k: v for k, v in self.field_errors.items() if k not in names}
        self.form_error = ""

    @rx.event
    def open_add(self):
        self._reset_form()
        self.form_open = True

    @rx.event
    def open_edit(self, channel_id: str):
        def read(scope: OrgScope):
            return service.get_channel(scope.session, org=scope.org, channel_id=channel_id, actor=scope.actor)

        def fill(channel) -> None:
            self._reset_form()
            self.edit_id, self.kind, self.name = channel.id, channel.kind, channel.name
            self.edit_target = channel.target if channel.kind != "email" else ""
            self.email = channel.target if channel.kind == "email" else ""
            self.events = list(channel.events)
            self.client = channel.client_id or ALL_CLIENTS
            self.summary_hour = str(channel.summary_hour)
            self.form_open = True

        return self._org_action(read, failed=lambda exc: rx.toast.error(fmt.error_text(exc)), done=fill)

    @rx.event
    def set_form_open(self, is_open: bool):
        self.form_open = is_open
        if not is_open:
            self._reset_form()

    @rx.event
    def set_kind(self, value: str | list[str]):  # the segmented control's change signature
        value = value[0] if isinstance(value, list) and value else value
        if not self.edit_id and isinstance(value, str) and value in KIND_LABELS:
            self.kind = value
            self._clear_error("kind", "url", "email")

    @rx.event
    def set_name(self, value: str):
        self.name = value[: service.MAX_NAME]
        self._clear_error("name")

    @rx.event
    def set_url(self, value: str):
        self.url = value
        self._clear_error("url")

    @rx.event
    def set_email(self, value: str):
        self.email = value
        self._clear_error("email")

    @rx.event
    def set_event(self, event: str, checked: bool):
        chosen = set(self.events) | {event} if checked else set(self.events) - {event}
        self.events = [e for e in _EVENT_ORDER if e in chosen]
        self._clear_error("events")

    @rx.event
    def set_client(self, value: str):
        self.client = value
        self._clear_error("clientId")

    @rx.event
    def set_summary_hour(self, value: str):
        self.summary_hour = value
        self._clear_error("summaryHour")

    def _show_form_error(self, exc: DomainError) -> None:
        fields = {d.get("field"): d.get("message", "") for d in exc.details if d.get("field") in FIELDS}
        self.field_errors = fields
        self.form_error = "" if fields else fmt.error_text(exc)

    @rx.event
    def save(self, form_data: dict | None = None):
        """Add or update the channel from the (controlled) inputs; the dialog stays open on errors."""
        client_id = None if self.client == ALL_CLIENTS else self.client
        try:
            hour = int(self.summary_hour)
        except ValueError:
            hour = None
        url = self.url.strip()
        email = self.email.strip()
        is_email = self.kind == "email"
        editing, name = self.edit_id, self.name.strip()

        def write(scope: OrgScope):
            if editing:
                service.update_channel(
                    scope.session,
                    org=scope.org,
                    channel_id=editing,
                    actor=scope.actor,
                    name=name,
                    events=list(self.events),
                    url=(url or None) if not is_email else None,
                    email=email if is_email else None,
                    client_id=client_id,
                    summary_hour=hour,
                )
                created = None
            else:
                created = service.create_channel(
                    scope.session,
                    org=scope.org,
                    actor=scope.actor,
                    kind=self.kind,
                    events=list(self.events),
                    name=name or None,
                    url=None if is_email else url,
                    email=email if is_email else None,
                    client_id=client_id,
                    summary_hour=hour,
                )
            scope.session.flush()
            self._reload_channels(scope)
            return created

        def saved(created):
            self.form_open = False
            self._reset_form()
            if created is not None and created.secret:
                self._show_secret(created.secret, created.name, rotated=False)
                return None
            if created is not None:
                return rx.toast.success(f"Added “{created.name}”")
            return rx.toast.success("Channel saved")

        return self._org_action(write, failed=self._show_form_error, done=saved)
