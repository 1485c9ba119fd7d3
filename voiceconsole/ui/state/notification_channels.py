"""Settings → Integrations → Notification channels: the list and each channel's actions.

Send test, resume, rotate secret and delete call the same services as the API. Sending is the
delivery engine's job (a worker), so a test event is only *queued* here; its outcome shows in the
deliveries log (state/deliveries_log.py). The add/edit dialog is state/channel_form.py.
A webhook channel's signing secret is shown once, after creating or rotating it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import reflex as rx

from voiceconsole.models.events import EVENTS
from voiceconsole.schemas import ChannelOut
from voiceconsole.services import clients as clients_service
from voiceconsole.services.errors import DomainError, Forbidden
from voiceconsole.services.notifications import channels as service
from voiceconsole.services.notifications import deliveries as delivery
from voiceconsole.ui import format as fmt
from voiceconsole.ui.state.auth import AuthState, OrgScope
from voiceconsole.ui.state.confirmation import ConfirmationMixin

KIND_OPTIONS = [("webhook", "Webhook"), ("slack", "Slack"), ("discord", "Discord"), ("email", "Email")]
KIND_LABELS = dict(KIND_OPTIONS)
EVENT_OPTIONS = [(key, label, about) for key, (label, about) in EVENTS.items()]  # models/events.py: one list
EVENT_LABELS = {key: label for key, label, _ in EVENT_OPTIONS}
ALL_CLIENTS = "all"  # Radix selects cannot hold an empty value


def hour_label(hour: int) -> str:
    return f"{hour:02d}:00"


@dataclass
class ChannelRow:
    """One channel, ready to show."""

    id: str = ""
    name: str = ""
    kind: str = "webhook"
    kind_label: str = ""
    target: str = ""
    events: list[str] = field(default_factory=list)  # human labels
    client: str = "All clients"
    status: str = "active"
    paused: bool = False
    pause_reason: str = ""
    paused_since: str = ""
    failures: int = 0
    failures_label: str = ""  # "2 failed deliveries in a row", "" when none
    last_delivery: str = "Never"
    summary: str = ""  # "Daily summary at 08:00 (Europe/Berlin)" when it wants the summary
    secret_note: str = ""  # after a rotation: until when the previous secret still signs
    is_webhook: bool = False


def channel_row(channel: ChannelOut, tz: str) -> ChannelRow:
    failures = channel.consecutive_failures
    secret_note = ""
    if channel.previous_secret_expires_at is not None:
        secret_note = (
            f"The previous secret also signs until {fmt.datetime_label(channel.previous_secret_expires_at, tz)}."
        )
    return ChannelRow(
        id=channel.id,
        name=channel.name,
        kind=channel.kind,
        kind_label=KIND_LABELS.get(channel.kind, channel.kind),
        target=channel.target,
        events=[EVENT_LABELS.get(e, e) for e in channel.events],
        client=channel.client_name or "All clients",
        status=channel.status,
        paused=channel.status == "paused",
        pause_reason=channel.pause_reason or "",
        paused_since=fmt.datetime_label(channel.paused_at, tz) if channel.paused_at else "",
        failures=failures,
        failures_label=f"{failures} failed deliver{'y' if failures == 1 else 'ies'} in a row" if failures else "",
        last_delivery=fmt.datetime_label(channel.last_delivery_at, tz) if channel.last_delivery_at else "Never",
        summary=(
            f"Daily summary at {hour_label(channel.summary_hour)} ({tz})" if "daily_summary" in channel.events else ""
        ),
        secret_note=secret_note,
        is_webhook=channel.kind == "webhook",
    )


class NotificationChannelsState(ConfirmationMixin, AuthState):
    channels: list[ChannelRow] = []
    clients: list[dict[str, str]] = []  # for the client filter select: id, name
    channels_visible: bool = False  # client viewers never see the section
    channels_loaded: bool = False
    channels_error: str = ""
    secret: str = ""  # a webhook's signing secret, shown once; gone on dismiss or the next page load
    secret_channel: str = ""
    secret_rotated: bool = False

    @rx.var
    def can_manage_channels(self) -> bool:
        """The section's name for AuthState.can_manage (its views and tests use it)."""
        return self.can_manage

    def _reload_channels(self, scope: OrgScope) -> None:
        items = service.list_channels(scope.session, org=scope.org, actor=scope.actor)
        self.channels = [channel_row(c, self.timezone) for c in items]
        self.clients = [
            {"id": c.id, "name": c.name}
            for c in clients_service.list_clients(scope.session, org=scope.org, actor=scope.actor)
        ]
        self.channels_visible = self.channels_loaded = True

    def _show_channels_error(self, exc: DomainError) -> None:
        self.channels_error = fmt.error_text(exc)

    @rx.event
    def load_channels(self):
        self.channels, self.clients = [], []
        self.channels_loaded = self.channels_visible = False
        self.channels_error = self.secret = self.secret_channel = ""
        self._clear_confirmation()
        return self.refresh_channels()

    @rx.event
    def refresh_channels(self):
        def failed(exc: DomainError) -> None:
            if isinstance(exc, Forbidden):  # client viewers: the section stays hidden
                self.channels, self.channels_visible = [], False
            else:
                self.channels_error = exc.message

        return self._org_action(self._reload_channels, failed=failed)

    # --- per-channel actions -------------------------------------------------------------------------

    @rx.event
    def send_test(self, channel_id: str, name: str):
        def send(scope: OrgScope) -> str:
            return delivery.send_test_event(scope.session, org=scope.org, channel_id=channel_id, actor=scope.actor)

        def queued(event_id: str):  # committed: the commit hook has asked a worker to send it
            return rx.toast.info(
                f"Test event {event_id} queued for “{name}”. Its outcome shows in the channel's deliveries.",
                duration=6000,
            )

        return self._org_action(send, failed=lambda exc: rx.toast.error(fmt.error_text(exc)), done=queued)

    @rx.event
    def resume(self, channel_id: str, name: str):
        def resume(scope: OrgScope) -> None:
            delivery.resume_channel(scope.session, org=scope.org, channel_id=channel_id, actor=scope.actor)
            scope.session.flush()
            self._reload_channels(scope)

        def resumed(_):
            return rx.toast.success(f"Resumed “{name}”. Held events are being delivered.")

        return self._org_action(resume, failed=lambda exc: rx.toast.error(fmt.error_text(exc)), done=resumed)

    @rx.event
    def ask_delete_channel(self, channel_id: str, name: str):
        self._ask_confirmation("delete-channel", channel_id, name)

    @rx.event
    def confirm_delete_channel(self):
        target = self._take_confirmation("delete-channel")
        if target is None:
            return None
        channel_id, name = target

        def delete(scope: OrgScope) -> None:
            service.delete_channel(scope.session, org=scope.org, channel_id=channel_id, actor=scope.actor)
            scope.session.flush()
            self._reload_channels(scope)

        return self._org_action(
            delete, failed=self._show_channels_error, done=lambda _: rx.toast.success(f"Deleted “{name}”")
        )

    @rx.event
    def ask_rotate_secret(self, channel_id: str, name: str):
        self._ask_confirmation("rotate-secret", channel_id, name)

    @rx.event
    def confirm_rotate_secret(self):
        target = self._take_confirmation("rotate-secret")
        if target is None:
            return None
        channel_id, name = target

        def rotate(scope: OrgScope) -> str | None:
            secret = service.rotate_secret(
                scope.session, org=scope.org, channel_id=channel_id, actor=scope.actor
            ).secret
            scope.session.flush()
            self._reload_channels(scope)
            return secret

        def rotated(secret: str | None) -> None:
            self._show_secret(secret or "", name, rotated=True)

        return self._org_action(rotate, failed=self._show_channels_error, done=rotated)

    # --- the one-time secret -------------------------------------------------------------------------

    def _show_secret(self, secret: str, channel_name: str, *, rotated: bool) -> None:
        self.secret, self.secret_channel, self.secret_rotated = secret, channel_name, rotated

    @rx.event
    def copy_secret(self):
        return [rx.set_clipboard(self.secret), rx.toast.success("Signing secret copied to the clipboard")]

    @rx.event
    def set_secret_open(self, is_open: bool):
        if not is_open:
            self.secret = self.secret_channel = ""
            self.secret_rotated = False
