"""Agents, calls, and what people add to calls (notes, tags)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Column, ForeignKey, Index, Integer, LargeBinary, Numeric, UniqueConstraint, text
from sqlmodel import Field, SQLModel

from voiceconsole.models.types import JSONType, UTCDateTime, public_id, utcnow

CALL_STATUSES = ("ended", "error", "in_progress")
# Where started_at comes from: the platform's own start, or (a call the platform gives no start, such as
# one that never connected) the time VoiceConsole first saw it, so it still sorts and filters by date.
START_SOURCES = ("platform", "first_seen")
DIRECTIONS = ("inbound", "outbound")
_COUNTED_SCORE = "(CASE WHEN (score_excluded IS true) THEN NULL ELSE score END)"
SENTIMENTS = ("Positive", "Neutral", "Negative")


class Agent(SQLModel, table=True):
    __table_args__ = (
        UniqueConstraint("organization_id", "platform", "platform_agent_id"),
        Index("ix_agent_org_name", "organization_id", "name"),
    )
    id: int | None = Field(default=None, primary_key=True)
    organization_id: int = Field(foreign_key="organization.id")
    integration_id: int | None = Field(default=None, foreign_key="integration.id")
    client_id: int | None = Field(default=None, foreign_key="client.id", index=True)
    platform: str = Field(max_length=16)
    platform_agent_id: str = Field(max_length=128)
    name: str = Field(max_length=300)
    status: str = Field(default="online", max_length=16)  # online | offline
    voice: str | None = Field(default=None, max_length=200)
    model: str | None = Field(default=None, max_length=200)
    prompt: str | None = None
    platform_version: str | None = Field(default=None, max_length=64)
    # Plan limits (services/billing/monitoring): the owner's choice ("auto" | "on" | "off") and its
    # outcome. Calls of an agent not monitored are neither imported, scored nor alerted.
    monitoring: str = Field(default="auto", max_length=8)
    monitored: bool = Field(default=True)
    backfill_pending: bool = Field(default=False)  # became monitored: its past calls are still to import
    # The Agent Builder (services/builder): the version live on the platform, what changed there since (set by
    # a sync that found the platform's config differs: {"changes": [...], "spec": {...}}), and the platform's
    # own ids behind the agent (Retell's LLM id).
    deployed_version: int | None = None
    drift: dict[str, Any] | None = Field(default=None, sa_column=Column(JSONType, nullable=True))
    builder_refs: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSONType, nullable=False))
    last_seen_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    # Cached aggregates, recomputed by the `recompute_agent_stats` job after calls change.
    total_calls: int = 0
    ended_calls: int = 0
    scored_calls: int = 0
    successful_calls: int = 0
    avg_score: float | None = None
    avg_duration_s: float | None = None
    total_cost: Decimal = Field(default=Decimal("0"), sa_column=Column(Numeric(14, 6), nullable=False))
    last_call_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    stats_updated_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class Call(SQLModel, table=True):
    __table_args__ = (
        UniqueConstraint("organization_id", "platform", "platform_call_id"),
        # List queries order by (column, id): the indexes carry id so a page is an index range scan.
        Index("ix_call_org_started", "organization_id", "started_at", "id"),
        Index("ix_call_org_agent_started", "organization_id", "agent_id", "started_at"),
        Index("ix_call_org_client_started", "organization_id", "client_id", "started_at"),
        Index("ix_call_org_score", "organization_id", "score", "id"),
        # Sorting by score orders by the score that counts (`listing.COUNTED_SCORE`: none for a call scored 0
        # for having no transcript), last in both directions: one index per direction, PostgreSQL only (the
        # expression must read exactly as the query's for the planner to use it).
        Index("ix_call_org_counted_score", "organization_id", text(_COUNTED_SCORE), text("id")).ddl_if(
            dialect="postgresql"
        ),
        Index(
            "ix_call_org_counted_score_desc",
            "organization_id",
            text(f"{_COUNTED_SCORE} DESC NULLS LAST"),
            text("id DESC"),
        ).ddl_if(dialect="postgresql"),
        # INCLUDE score: "negative calls scoring under 50 since…" counts from the index alone.
        Index(
            "ix_call_org_sentiment_started",
            "organization_id",
            "sentiment",
            "started_at",
            "id",
            postgresql_include=["score"],
        ),
        Index("ix_call_org_status_started", "organization_id", "status", "started_at"),
        Index("ix_call_agent_id", "agent_id"),
    )
    id: int | None = Field(default=None, primary_key=True)
    public_id: str = Field(default_factory=lambda: public_id("cl"), max_length=32, unique=True)
    organization_id: int = Field(foreign_key="organization.id")
    agent_id: int | None = Field(default=None, foreign_key="agent.id")
    agent_version: int | None = None  # the Agent Builder version live when the call started (services/builder)
    client_id: int | None = Field(default=None, foreign_key="client.id")  # copied from the agent
    integration_id: int | None = Field(default=None, foreign_key="integration.id")
    platform: str = Field(max_length=16)
    platform_call_id: str = Field(max_length=128)
    status: str = Field(max_length=16)
    direction: str | None = Field(default=None, max_length=16)
    from_number: str | None = Field(default=None, max_length=32)
    to_number: str | None = Field(default=None, max_length=32)
    started_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    started_at_source: str = Field(default="platform", max_length=16)  # START_SOURCES
    ended_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    duration_ms: int | None = None
    cost_usd: Decimal | None = Field(default=None, sa_column=Column(Numeric(12, 6)))
    cost_from_credits: bool = False  # cost_usd converted from the platform's credits at the operator's rate
    cost_credits: int | None = None  # the platform's credits (ElevenLabs), as given
    # Items as the platform itemised them: [{name, usd, credits, quantity, unit}].
    cost_breakdown: list[dict[str, Any]] = Field(default_factory=list, sa_column=Column(JSONType, nullable=False))
    recording_url: str | None = None
    recording_urls: dict[str, str] = Field(default_factory=dict, sa_column=Column(JSONType, nullable=False))  # stereo…
    transcript: str | None = None
    transcript_turns: list[dict[str, Any]] = Field(default_factory=list, sa_column=Column(JSONType, nullable=False))
    summary: str | None = None
    sentiment: str | None = Field(default=None, max_length=16)
    successful: bool | None = None
    platform_analysis: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSONType, nullable=False))
    end_reason: str | None = Field(default=None, max_length=200)
    platform_status: str | None = Field(default=None, max_length=64)
    call_metadata: dict[str, Any] = Field(default_factory=dict, sa_column=Column("metadata", JSONType, nullable=False))
    score: int | None = None
    score_breakdown: dict[str, Any] | None = Field(default=None, sa_column=Column(JSONType))
    score_version: str | None = Field(default=None, max_length=32)
    score_excluded: bool = False  # no transcript: scored 0 but left out of averages
    scored_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # Voice metrics estimated from the transcript's timing (what the scorer uses, on every platform alike)…
    latency_p50_ms: int | None = None
    latency_p90_ms: int | None = None
    # …and the platform's own latency measurement by stage, when it sends one: {"e2e": {"p50": …}, …}.
    platform_latency: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSONType, nullable=False))
    interruptions: int | None = None
    talk_ratio: float | None = None  # agent talk time / total talk time
    longest_silence_s: float | None = None
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class CallNote(SQLModel, table=True):
    __tablename__ = "call_note"
    id: int | None = Field(default=None, primary_key=True)
    public_id: str = Field(default_factory=lambda: public_id("note"), max_length=32, unique=True)
    organization_id: int = Field(foreign_key="organization.id")
    call_id: int = Field(foreign_key="call.id", index=True)
    author: str = Field(max_length=320)  # the user's email or the API key's name
    body: str
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class Tag(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("organization_id", "name"),)
    id: int | None = Field(default=None, primary_key=True)
    organization_id: int = Field(foreign_key="organization.id")
    name: str = Field(max_length=50)


class CallTag(SQLModel, table=True):
    __tablename__ = "call_tag"
    call_id: int = Field(foreign_key="call.id", primary_key=True)
    tag_id: int = Field(foreign_key="tag.id", primary_key=True, index=True)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class CallPayload(SQLModel, table=True):
    """The latest raw platform object of a call, zlib-compressed JSON, so a better mapper can re-derive
    the call later without asking the platform again (`voiceconsole calls remap`). Its own table: call
    lists never read it."""

    __tablename__ = "call_payload"
    call_id: int = Field(sa_column=Column(Integer, ForeignKey("call.id", ondelete="CASCADE"), primary_key=True))
    source: str = Field(max_length=48)  # which of the platform's mappers reads it (`Connector.remap`)
    payload: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    size: int  # bytes before compression
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
