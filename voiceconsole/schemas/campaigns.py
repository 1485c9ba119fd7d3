"""Campaigns, their progress and their dial attempts, as the API and the UI show them."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Self

from voiceconsole.schemas.base import PublicModel


class CallingWindow(PublicModel):
    days: list[int]  # ISO weekdays, 1 = Monday
    start: str  # "HH:MM", the lead's local time
    end: str  # exclusive; "24:00" is the end of the day
    description: str  # in plain words


class CampaignProgress(PublicModel):
    leads: int
    pending: int
    in_flight: int
    done: int
    skipped_dnc: int
    exhausted: int
    converted: int


class CampaignOut(PublicModel):
    id: str  # cmp_…
    name: str
    client_id: str | None
    agent_id: str  # the platform's agent id, as elsewhere in the API
    agent_name: str | None
    platform: str
    caller_number: str
    audience: dict[str, Any]
    starts_at: datetime | None
    ends_at: datetime | None
    window: CallingWindow
    max_concurrent: int
    max_attempts: int
    retry_delay_minutes: int
    retry_outcomes: list[str]
    leave_voicemail: bool
    voicemail_message: str | None
    variables: dict[str, str]
    success_rule: dict[str, Any]
    status: str
    paused_reason: str | None
    progress: CampaignProgress | None  # once started
    created_by: str
    created_at: datetime
    updated_at: datetime
    started_at: datetime | None
    paused_at: datetime | None
    finished_at: datetime | None


class CampaignDeleted(PublicModel):
    id: str
    deleted: bool = True


class AttemptOut(PublicModel):
    id: str  # att_…
    lead_id: str
    n: int
    status: str
    to_number: str
    platform_call_id: str | None
    call_id: str | None  # cl_…, once the call arrived
    outcome: str | None
    outcome_reason: str | None
    converted: bool
    created_at: datetime
    dialed_at: datetime | None
    ended_at: datetime | None

    @classmethod
    def of(cls, attempt: Any, *, lead_id: str, call_id: str | None, **extra: Any) -> Self:
        """From a `CallAttempt` row, given the public ids of its lead and call (it holds only their keys)."""
        return cls(
            id=attempt.public_id,
            lead_id=lead_id,
            n=attempt.n,
            status=attempt.status,
            to_number=attempt.to_number,
            platform_call_id=attempt.platform_call_id,
            call_id=call_id,
            outcome=attempt.outcome,
            outcome_reason=attempt.outcome_reason,
            converted=attempt.converted,
            created_at=attempt.created_at,
            dialed_at=attempt.dialed_at,
            ended_at=attempt.ended_at,
            **extra,
        )


class HourCount(PublicModel):
    hour: datetime  # the UTC hour the dials started in
    calls: int


class CampaignStats(PublicModel):
    leads: int
    dialed: int  # attempts that reached the platform
    connected: int
    connected_pct: float | None
    voicemail_pct: float | None
    no_answer_pct: float | None
    busy_pct: float | None
    failed_pct: float | None
    conversions: int
    conversion_pct: float | None  # of the leads
    average_score: float | None
    cost_usd: float
    cost_per_conversion_usd: float | None
    calls_per_hour: list[HourCount]
    funnel: dict[str, int]  # leads → dialed → connected → converted
