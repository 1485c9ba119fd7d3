"""Outbound notifications (DESIGN.md §6): channels, and one delivery per (event, channel).

The event table is the outbox: an event is fanned out once (`event.dispatched_at`) into delivery
rows, and the delivery rows are the source of truth for what was sent. RQ jobs only pump them, so
a lost job, a restarted worker or a paused channel never loses or repeats an event.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from voiceconsole.models.types import JSONType, UTCDateTime, public_id, utcnow

CHANNEL_KINDS = ("webhook", "slack", "discord", "email")
CHANNEL_STATUSES = ("active", "paused")
# pending: waiting for its (next) attempt at next_attempt_at; delivering: claimed by a worker;
# held: its channel is paused, sent on resume; succeeded / failed: final.
DELIVERY_STATUSES = ("pending", "delivering", "held", "succeeded", "failed")


class NotificationChannel(SQLModel, table=True):
    __tablename__ = "notification_channel"
    id: int | None = Field(default=None, primary_key=True)
    public_id: str = Field(default_factory=lambda: public_id("nch"), max_length=32, unique=True)
    organization_id: int = Field(foreign_key="organization.id", index=True)
    client_id: int | None = Field(default=None, foreign_key="client.id")  # None: every client
    name: str = Field(max_length=200)
    kind: str = Field(max_length=16)
    # Slack / Discord / webhook URLs often carry their own credentials, so they are encrypted;
    # target_hint is what the UI and API show (scheme, host and the path's start).
    target_encrypted: str | None = None
    target_hint: str = Field(default="", max_length=300)
    email: str | None = Field(default=None, max_length=320)
    events: list[str] = Field(default_factory=list, sa_column=Column(JSONType, nullable=False))
    secret_encrypted: str | None = None  # whsec_…, webhook channels only; shown once
    previous_secret_encrypted: str | None = None  # still signs until previous_secret_expires_at
    previous_secret_expires_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    summary_hour: int = Field(default=8)  # local hour (organization time zone) of the daily summary
    status: str = Field(default="active", max_length=16)
    consecutive_failures: int = Field(default=0)
    paused_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    pause_reason: str | None = Field(default=None, max_length=500)
    last_delivery_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    created_by: str | None = Field(default=None, max_length=200)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class Delivery(SQLModel, table=True):
    __table_args__ = (
        UniqueConstraint("channel_id", "event_id", name="uq_delivery_channel_event"),
        Index("ix_delivery_due", "status", "next_attempt_at"),
        Index("ix_delivery_channel_created", "channel_id", "created_at"),
    )
    id: int | None = Field(default=None, primary_key=True)
    public_id: str = Field(default_factory=lambda: public_id("dlv"), max_length=32, unique=True)
    organization_id: int = Field(foreign_key="organization.id")
    channel_id: int = Field(foreign_key="notification_channel.id")
    event_id: int = Field(foreign_key="event.id")
    status: str = Field(default="pending", max_length=16)
    attempts: int = Field(default=0)
    next_attempt_at: datetime | None = Field(default_factory=utcnow, sa_type=UTCDateTime)
    claimed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    last_status_code: int | None = None
    last_error: str | None = Field(default=None, max_length=500)
    last_latency_ms: int | None = None
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    delivered_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class DeliveryAttempt(SQLModel, table=True):
    """One try of one delivery: the channel's delivery log."""

    __tablename__ = "delivery_attempt"
    __table_args__ = (Index("ix_delivery_attempt_channel", "channel_id", "started_at"),)
    id: int | None = Field(default=None, primary_key=True)
    delivery_id: int = Field(foreign_key="delivery.id", index=True)
    channel_id: int = Field(foreign_key="notification_channel.id")
    attempt: int
    started_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    succeeded: bool = False
    status_code: int | None = None
    latency_ms: int | None = None
    response_snippet: str | None = Field(default=None, max_length=500)
    error: str | None = Field(default=None, max_length=500)
