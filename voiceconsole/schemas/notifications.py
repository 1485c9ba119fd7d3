"""Notification channels and their deliveries."""

from __future__ import annotations

from datetime import datetime

from voiceconsole.schemas.base import PublicModel


class ChannelOut(PublicModel):
    """A notification channel. Its URL is shown only as a hint; its secret only once."""

    id: str  # nch_…
    name: str
    kind: str  # webhook | slack | discord | email
    target: str  # URL hint (scheme, host, start of path) or the email address
    events: list[str]
    client_id: str | None = None  # only this client's events; None: all
    client_name: str | None = None
    status: str  # active | paused
    consecutive_failures: int = 0
    paused_at: datetime | None = None
    pause_reason: str | None = None
    summary_hour: int = 8  # daily summary, organization local time
    has_secret: bool = False
    previous_secret_expires_at: datetime | None = None  # after a rotation, the old secret signs until then
    last_delivery_at: datetime | None = None
    created_at: datetime
    updated_at: datetime


class ChannelCreated(ChannelOut):
    secret: str | None = None  # whsec_…, webhook channels only; shown once


class DeliveryAttemptOut(PublicModel):
    attempt: int
    started_at: datetime
    succeeded: bool
    status_code: int | None = None
    latency_ms: int | None = None
    response_snippet: str | None = None
    error: str | None = None


class DeliveryOut(PublicModel):
    id: str  # dlv_…
    event_id: str  # evt_…, the same on every attempt
    event: str
    status: str  # pending | delivering | held | succeeded | failed
    attempts: int
    next_attempt_at: datetime | None = None
    last_status_code: int | None = None
    last_latency_ms: int | None = None
    last_error: str | None = None
    created_at: datetime
    delivered_at: datetime | None = None
    attempt_log: list[DeliveryAttemptOut] = []
