"""A channel's deliveries log: every event sent to it, its status, and each attempt's outcome.

Read through the delivery engine's `list_deliveries` (20 a page, newest first). While the dialog is
open it refreshes itself every few seconds, so a queued test event's outcome appears on its own.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import reflex as rx

from voiceconsole.schemas import DeliveryAttemptOut, DeliveryOut
from voiceconsole.services.notifications import deliveries as delivery
from voiceconsole.ui import format as fmt
from voiceconsole.ui.state.auth import OrgScope
from voiceconsole.ui.state.notification_channels import EVENT_LABELS, NotificationChannelsState

PER_PAGE = 20
ALL_STATUSES = "all"
STATUS_OPTIONS = [
    (ALL_STATUSES, "All statuses"),
    ("succeeded", "Succeeded"),
    ("failed", "Failed"),
    ("pending", "Pending"),
    ("delivering", "Delivering"),
    ("held", "Held (paused)"),
]


@dataclass
class AttemptRow:
    attempt: str = ""
    time: str = ""
    succeeded: bool = False
    status_code: str = ""
    latency: str = ""
    response: str = ""  # the start of the receiver's response body
    error: str = ""


@dataclass
class DeliveryRow:
    id: str = ""
    event_id: str = ""
    event: str = ""
    status: str = ""
    attempts: str = "0"
    status_code: str = "—"
    latency: str = "—"
    time: str = ""
    detail: str = ""  # when it was delivered, or when the next attempt is due
    error: str = ""
    attempt_log: list[AttemptRow] = field(default_factory=list)


def _ms(value: int | None) -> str:
    return fmt.DASH if value is None else f"{value:,} ms"


def attempt_row(attempt: DeliveryAttemptOut, tz: str) -> AttemptRow:
    return AttemptRow(
        attempt=f"#{attempt.attempt}",
        time=fmt.datetime_label(attempt.started_at, tz, short=True),
        succeeded=attempt.succeeded,
        status_code=str(attempt.status_code) if attempt.status_code else fmt.DASH,
        latency=_ms(attempt.latency_ms),
        response=fmt.truncate(attempt.response_snippet, 300),
        error=attempt.error or "",
    )


def delivery_row(delivery: DeliveryOut, tz: str) -> DeliveryRow:
    detail = ""
    if delivery.delivered_at is not None:
        detail = f"Delivered {fmt.datetime_label(delivery.delivered_at, tz, short=True)}"
    elif delivery.next_attempt_at is not None and delivery.status in ("pending", "held"):
        detail = f"Next attempt {fmt.datetime_label(delivery.next_attempt_at, tz, short=True)}"
    return DeliveryRow(
        id=delivery.id,
        event_id=delivery.event_id,
        event=EVENT_LABELS.get(delivery.event, delivery.event),
        status=delivery.status,
        attempts=str(delivery.attempts),
        status_code=str(delivery.last_status_code) if delivery.last_status_code else fmt.DASH,
        latency=_ms(delivery.last_latency_ms),
        time=fmt.datetime_label(delivery.created_at, tz, short=True),
        detail=detail,
        error=delivery.last_error or "",
        attempt_log=[attempt_row(a, tz) for a in delivery.attempt_log],
    )


class DeliveriesLogState(NotificationChannelsState):
    log_channel_id: str = ""  # "" while the log is closed
    log_channel_name: str = ""
    deliveries: list[DeliveryRow] = []
    log_page: int = 1
    log_total: int = 0
    log_status: str = ALL_STATUSES
    log_error: str = ""
    expanded: list[str] = []  # deliveries whose attempts are shown

    @rx.var
    def log_open(self) -> bool:
        return self.log_channel_id != ""

    @rx.var
    def log_pages(self) -> int:
        return max(1, -(-self.log_total // PER_PAGE))

    @rx.var
    def log_range(self) -> str:
        if self.log_total == 0:
            return "No deliveries"
        first = (self.log_page - 1) * PER_PAGE + 1
        return f"{first}–{min(self.log_total, first + PER_PAGE - 1)} of {fmt.count(self.log_total)}"

    def _read_log(self):
        status = None if self.log_status == ALL_STATUSES else self.log_status
        channel_id, page = self.log_channel_id, self.log_page

        def read(scope: OrgScope):
            return delivery.list_deliveries(
                scope.session,
                org=scope.org,
                channel_id=channel_id,
                actor=scope.actor,
                page=page,
                per_page=PER_PAGE,
                status=status,
            )

        def show(result) -> None:
            items, total = result
            self.deliveries = [delivery_row(d, self.timezone) for d in items]
            self.log_total, self.log_error = total, ""

        def failed(exc) -> None:
            self.log_error = fmt.error_text(exc)

        return self._org_action(read, failed=failed, done=show)

    @rx.event
    def open_log(self, channel_id: str, name: str):
        self.log_channel_id, self.log_channel_name = channel_id, name
        self.log_page, self.log_total, self.log_status = 1, 0, ALL_STATUSES
        self.deliveries, self.expanded, self.log_error = [], [], ""
        return self._read_log()

    @rx.event
    def set_log_open(self, is_open: bool):
        if not is_open:
            self.log_channel_id = self.log_channel_name = ""
            self.deliveries, self.expanded, self.log_total = [], [], 0

    @rx.event
    def refresh_log(self):
        if not self.log_channel_id:
            return None
        return self._read_log()

    @rx.event
    def set_log_status(self, value: str):
        self.log_status, self.log_page = value, 1
        return self._read_log()

    @rx.event
    def log_previous(self):
        if self.log_page > 1:
            self.log_page -= 1
            return self._read_log()
        return None

    @rx.event
    def log_next(self):
        if self.log_page < self.log_pages:
            self.log_page += 1
            return self._read_log()
        return None

    @rx.event
    def toggle_attempts(self, delivery_id: str):
        if delivery_id in self.expanded:
            self.expanded = [d for d in self.expanded if d != delivery_id]
        else:
            self.expanded = [*self.expanded, delivery_id]
