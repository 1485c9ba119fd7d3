"""Things that happened in an organization, for notifications and the activity feed (DESIGN.md §6).

Types: call.new (a call was synced or arrived by webhook), agent.status_change (online/offline),
and, from the scorer and notifications, call.completed, call.low_score, daily_summary.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Column, Index, text
from sqlmodel import Field, SQLModel

from voiceconsole.models.types import JSONType, UTCDateTime, public_id, utcnow

EVENT_TYPES = ("call.new", "call.completed", "call.low_score", "agent.status_change", "daily_summary")


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
