"""Daily rollups of calls: what the dashboard and the analytics API read instead of the calls table.

One row per organization × agent × client × UTC day of `started_at` (the client is the call's own
`client_id`, so a row never mixes clients even if an agent changed client during a day). Rows are
recomputed from the calls of that agent-day by `services.rollups`, never incremented, so they are
exact whatever order changes arrive in. Calls without `started_at` belong to no day and are not
rolled up (no date range can contain them either).
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import BigInteger, Column, Index, Numeric, func
from sqlmodel import Field, SQLModel, col

from voiceconsole.models.types import UTCDateTime, utcnow


class CallDailyRollup(SQLModel, table=True):
    __tablename__ = "call_daily_rollup"
    __table_args__ = (
        Index("ix_call_daily_rollup_org_day", "organization_id", "day"),
        Index("ix_call_daily_rollup_org_agent_day", "organization_id", "agent_id", "day"),
        Index("ix_call_daily_rollup_org_client_day", "organization_id", "client_id", "day"),
    )
    id: int | None = Field(default=None, primary_key=True)
    organization_id: int = Field(foreign_key="organization.id")
    agent_id: int | None = Field(default=None, foreign_key="agent.id")
    client_id: int | None = Field(default=None, foreign_key="client.id")
    day: date  # UTC day of started_at
    calls: int = 0  # every status
    ended: int = 0
    successful: int = 0  # ended and flagged successful by the platform
    scored: int = 0  # scored and not excluded (no-transcript calls are excluded from averages)
    score_sum: int = Field(default=0, sa_column=Column(BigInteger, nullable=False))
    score_excellent: int = 0  # scored 80–100
    score_good: int = 0  # 60–79
    score_attention: int = 0  # 40–59
    score_poor: int = 0  # 0–39
    duration_count: int = 0  # ended calls with a duration
    duration_ms_sum: int = Field(default=0, sa_column=Column(BigInteger, nullable=False))
    cost_usd: Decimal = Field(default=Decimal("0"), sa_column=Column(Numeric(16, 6), nullable=False))
    positive: int = 0
    neutral: int = 0
    negative: int = 0
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


# One row per key; agent and client may be NULL, which a plain unique constraint would not compare.
Index(
    "uq_call_daily_rollup_key",
    col(CallDailyRollup.organization_id),
    col(CallDailyRollup.day),
    func.coalesce(CallDailyRollup.agent_id, 0),
    func.coalesce(CallDailyRollup.client_id, 0),
    unique=True,
)
