"""Stripe's webhook events, each handled once (services/billing/webhooks)."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from voiceconsole.models.types import UTCDateTime, utcnow


class StripeEvent(SQLModel, table=True):
    """A Stripe event id seen at `POST /api/billing/stripe/webhook`. Stripe sends an event again until it
    is acknowledged and may send it twice anyway: the primary key makes the second one a no-op."""

    __tablename__ = "stripe_event"
    id: str = Field(primary_key=True, max_length=255)
    type: str = Field(max_length=64)
    organization_id: int | None = Field(default=None, foreign_key="organization.id", index=True)
    received_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
