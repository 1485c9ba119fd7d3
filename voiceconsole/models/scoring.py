"""Scoring settings below the organization, cached coaching, and the AI-credit ledger.

The organization's own weights live in `Organization.settings["score_weights"]` and its alert
threshold in `Organization.alert_threshold`; a client may override both, an agent the threshold.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Column, Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from voiceconsole.models.types import JSONType, UTCDateTime, utcnow

CREDIT_ENTRIES = ("grant", "spend")
CREDIT_REASONS = ("monthly_grant", "plan_top_up", "credit_pack", "ai_scoring", "ai_coaching")
CREDIT_POOLS = ("monthly", "pack", "overage")


class ClientScoring(SQLModel, table=True):
    """A client's overrides: its own score weights and alert threshold (None = the organization's)."""

    __tablename__ = "client_scoring"
    client_id: int = Field(foreign_key="client.id", primary_key=True)
    organization_id: int = Field(foreign_key="organization.id", index=True)
    weights: dict[str, int] | None = Field(default=None, sa_column=Column(JSONType, nullable=True))
    alert_threshold: int | None = None
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class AgentScoring(SQLModel, table=True):
    """An agent's alert threshold override (None = its client's, else the organization's)."""

    __tablename__ = "agent_scoring"
    agent_id: int = Field(foreign_key="agent.id", primary_key=True)
    organization_id: int = Field(foreign_key="organization.id", index=True)
    alert_threshold: int | None = None
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class Coaching(SQLModel, table=True):
    """Coaching insights for one call, cached per call and coach version (`coach-local-1`, `coach-ai-1`).

    `input_hash` fingerprints the transcript the insights were drawn from, so a call whose
    transcript changed is coached again.
    """

    __table_args__ = (UniqueConstraint("call_id", "version"),)
    id: int | None = Field(default=None, primary_key=True)
    organization_id: int = Field(foreign_key="organization.id", index=True)
    call_id: int = Field(foreign_key="call.id")
    version: str = Field(max_length=32)
    mode: str = Field(max_length=8)  # ai | local
    input_hash: str = Field(max_length=64)
    content: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSONType, nullable=False))
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class CreditLedger(SQLModel, table=True):
    """AI credits: one grant per organization and month (plus top-ups), one spend per call and reason.

    Amounts are signed (grants positive, spends −1); a month's balance is the sum of its rows.
    The unique (organization, call, reason) makes a retried job unable to spend twice; the partial
    unique index makes the monthly grant unique per month.
    """

    __tablename__ = "credit_ledger"
    __table_args__ = (
        UniqueConstraint("organization_id", "call_id", "reason", name="uq_credit_ledger_org_call_reason"),
        Index("ix_credit_ledger_org_period", "organization_id", "period"),
        Index(
            "uq_credit_ledger_monthly_grant",
            "organization_id",
            "period",
            unique=True,
            sqlite_where="reason = 'monthly_grant'",
            postgresql_where="reason = 'monthly_grant'",
        ),
    )
    id: int | None = Field(default=None, primary_key=True)
    organization_id: int = Field(foreign_key="organization.id")
    period: str = Field(max_length=7)  # YYYY-MM (UTC)
    entry: str = Field(max_length=8)  # grant | spend
    reason: str = Field(max_length=32)
    amount: int
    call_id: int | None = Field(default=None, foreign_key="call.id")
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    # "monthly" (the plan's allowance, per period), "pack" (bought credits, kept until spent) or
    # "overage" (spent past both, reported to Stripe's Billing Meter: `reported_at` once it took it).
    pool: str = Field(default="monthly", max_length=8)
    reported_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # A credit pack's Checkout session: the pack is granted once however often Stripe says it was paid.
    external_ref: str | None = Field(default=None, max_length=255, unique=True, index=True)
