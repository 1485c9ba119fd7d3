"""Campaigns: an agent calling a fixed set of leads, and every dial it made (migration 0014).

`Campaign` holds the settings (agent, caller number, calling window, retries, what counts as success) and the
lifecycle `draft → scheduled → running ⇄ paused → completed | cancelled`. When it starts, its lead selection is
frozen into `CampaignLead` rows (one per lead: its state in this campaign, attempts made, when it is due next).
`CallAttempt` is one dial of one lead, recorded (and committed) before the platform is asked, so that a worker
lost at any point never dials the same attempt twice (services/campaigns/dispatcher.py tells how).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Column, Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from voiceconsole.models.types import JSONType, UTCDateTime, public_id, utcnow

CAMPAIGN_STATUSES = ("draft", "scheduled", "running", "paused", "completed", "cancelled")
CAMPAIGN_LEAD_STATES = ("pending", "in_flight", "done", "skipped_dnc", "exhausted")
# claimed: recorded, not sent yet · dialing: being sent (or lost while sent) · placed: the platform has the call ·
# unknown: the platform's answer was lost (reconciled by metadata) · ended: the call is over · failed: no call.
ATTEMPT_STATUSES = ("claimed", "dialing", "placed", "ended", "failed", "unknown")
RETRYABLE_OUTCOMES = ("no_answer", "busy", "voicemail", "failed")


class Campaign(SQLModel, table=True):
    __table_args__ = (
        Index("ix_campaign_org_created", "organization_id", "created_at"),
        Index("ix_campaign_status", "status"),
    )
    id: int | None = Field(default=None, primary_key=True)
    public_id: str = Field(default_factory=lambda: public_id("cmp"), max_length=32, unique=True)
    organization_id: int = Field(foreign_key="organization.id")
    client_id: int | None = Field(default=None, foreign_key="client.id", index=True)
    name: str = Field(max_length=200)
    agent_id: int = Field(foreign_key="agent.id")
    integration_id: int = Field(foreign_key="integration.id")
    caller_number: str = Field(max_length=64)  # Retell `from_number` (E.164) / Vapi `phoneNumberId`
    # Who is called: {"kind": "tag", "tag": …} | {"kind": "filter", "status"?, "clientId"?, "search"?} |
    # {"kind": "leads", "leadIds": [lead_…]}; frozen into campaign_lead rows at start.
    audience: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSONType, nullable=False))
    starts_at: datetime | None = Field(default=None, sa_type=UTCDateTime)  # None: as soon as started
    ends_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # The calling window, in each lead's own time zone: ISO weekdays (1 = Monday) and local "HH:MM" bounds
    # (end exclusive; "24:00" is the end of the day).
    window_days: list[int] = Field(default_factory=lambda: [1, 2, 3, 4, 5], sa_column=Column(JSONType, nullable=False))
    window_start: str = Field(default="09:00", max_length=5)
    window_end: str = Field(default="20:00", max_length=5)
    max_concurrent: int = 5
    max_attempts: int = 3
    retry_delay_minutes: int = 60
    retry_outcomes: list[str] = Field(
        default_factory=lambda: ["no_answer", "busy"], sa_column=Column(JSONType, nullable=False)
    )
    leave_voicemail: bool = True
    voicemail_message: str | None = Field(default=None, max_length=1000)
    # Dynamic variable name → lead field ("first_name", "company", "custom.plan", …).
    variables: dict[str, str] = Field(default_factory=dict, sa_column=Column(JSONType, nullable=False))
    # What counts as a conversion: {"kind": "successful"} (the call's success flag) or
    # {"kind": "field", "field": "booked"} (a post-call data field being true).
    success_rule: dict[str, Any] = Field(
        default_factory=lambda: {"kind": "successful"}, sa_column=Column(JSONType, nullable=False)
    )
    status: str = Field(default="draft", max_length=16)  # CAMPAIGN_STATUSES
    paused_reason: str | None = Field(default=None, max_length=500)
    created_by: str = Field(default="", max_length=320)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    started_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    paused_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    finished_at: datetime | None = Field(default=None, sa_type=UTCDateTime)  # completed or cancelled
    dispatched_at: datetime | None = Field(default=None, sa_type=UTCDateTime)  # the last dispatch pass's claim


class CampaignLead(SQLModel, table=True):
    __tablename__ = "campaign_lead"
    __table_args__ = (
        UniqueConstraint("campaign_id", "lead_id", name="uq_campaign_lead"),
        Index("ix_campaign_lead_due", "campaign_id", "state", "next_attempt_at"),
    )
    id: int | None = Field(default=None, primary_key=True)
    campaign_id: int = Field(foreign_key="campaign.id")
    lead_id: int = Field(foreign_key="lead.id", index=True)
    organization_id: int = Field(foreign_key="organization.id")
    state: str = Field(default="pending", max_length=16)  # CAMPAIGN_LEAD_STATES
    attempts: int = 0  # attempts made (claimed ones included)
    next_attempt_at: datetime | None = Field(default=None, sa_type=UTCDateTime)  # None: due now
    last_outcome: str | None = Field(default=None, max_length=32)
    converted: bool = False
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class CallAttempt(SQLModel, table=True):
    __tablename__ = "call_attempt"
    __table_args__ = (
        UniqueConstraint("campaign_id", "lead_id", "n", name="uq_call_attempt_n"),
        Index("ix_call_attempt_campaign_status", "campaign_id", "status"),
        Index("ix_call_attempt_campaign_created", "campaign_id", "created_at"),
        Index("ix_call_attempt_platform_call", "platform_call_id"),
    )
    id: int | None = Field(default=None, primary_key=True)
    public_id: str = Field(default_factory=lambda: public_id("att"), max_length=32, unique=True)
    organization_id: int = Field(foreign_key="organization.id")
    campaign_id: int = Field(foreign_key="campaign.id")
    lead_id: int = Field(foreign_key="lead.id")
    n: int  # 1 for a lead's first attempt in the campaign
    status: str = Field(default="claimed", max_length=16)  # ATTEMPT_STATUSES
    to_number: str = Field(max_length=16)
    platform_call_id: str | None = Field(default=None, max_length=128)
    call_id: int | None = Field(default=None, foreign_key="call.id")  # the call, once it arrived
    outcome: str | None = Field(default=None, max_length=32)  # answered | no_answer | busy | voicemail | failed
    outcome_reason: str | None = Field(default=None, max_length=200)  # the platform's end reason, or our error
    converted: bool = False
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    dialed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    ended_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
