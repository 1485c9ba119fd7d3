"""Things that happened in an organization, for notifications and the activity feed (DESIGN.md §6).

`EVENTS` is the one list of event types (channels subscribe to them; the API, the channel form and the
webhook docs read it): call events from intake and the scorer, agent status changes, the daily summary, and
campaign events (services/campaigns/events.py).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Column, Index, text
from sqlmodel import Field, SQLModel

from voiceconsole.models.types import JSONType, UTCDateTime, public_id, utcnow

# type → (label, what it means), in the order people are shown them.
EVENTS: dict[str, tuple[str, str]] = {
    "call.completed": ("Call completed", "A call ended and was scored"),
    "call.low_score": ("Low score", "A call scored below your alert threshold"),
    "call.new": ("New call", "A call arrived from a platform"),
    "agent.status_change": ("Agent status change", "An agent went online or offline"),
    "daily_summary": ("Daily summary", "The day's calls, scores and costs, once a day"),
    "campaign.started": ("Campaign started", "A campaign began calling its leads"),
    "campaign.paused": ("Campaign paused", "A campaign was paused, by someone or by VoiceConsole, with the reason"),
    "campaign.completed": ("Campaign completed", "A campaign settled every lead or reached its end time"),
    "lead.converted": ("Lead converted", "A campaign call met the campaign's success rule"),
    "lead.do_not_call": (
        "Lead do-not-call",
        "A lead's number went on the do-not-call list (asked on a call, or added)",
    ),
}
EVENT_TYPES = tuple(EVENTS)


class Event(SQLModel, table=True):
    __table_args__ = (
        Index("ix_event_org_created", "organization_id", "created_at"),
        # The fan-out reads only events not yet turned into deliveries.
        Index(
            "ix_event_undispatched",
            "id",
            postgresql_where=text("dispatched_at IS NULL"),
            sqlite_where=text("dispatched_at IS NULL"),
        ),
        Index("uq_event_dedupe_key", "dedupe_key", unique=True),
    )
    id: int | None = Field(default=None, primary_key=True)
    public_id: str = Field(default_factory=lambda: public_id("evt"), max_length=32, unique=True)
    organization_id: int = Field(foreign_key="organization.id")
    type: str = Field(max_length=64)
    payload: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSONType, nullable=False))
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    dispatched_at: datetime | None = Field(default=None, sa_type=UTCDateTime)  # fanned out to channels
    # Events that must happen once (e.g. one daily summary per day and audience) carry a key.
    dedupe_key: str | None = Field(default=None, max_length=200)
