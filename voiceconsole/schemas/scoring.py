"""Scoring as the API and the UI show it: coaching for a call, and this month's AI credits."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from voiceconsole.schemas.base import PublicModel


class CoachingOut(PublicModel):
    """`pending` (poll again) or `ready` with the coach's insights; on the wire the insights (summary,
    wentWell, wentWrong, mode, …) sit beside `status` and `callId`."""

    status: str  # pending | ready
    call_id: str
    content: dict[str, Any] | None = None
    generated_at: datetime | None = None

    def wire(self) -> dict[str, Any]:
        if self.status == "pending":
            return {"status": "pending", "callId": self.call_id}
        generated = self.generated_at.isoformat().replace("+00:00", "Z") if self.generated_at else None
        return {"status": "ready", "callId": self.call_id, **(self.content or {}), "generatedAt": generated}


class CreditsOut(PublicModel):
    """An organization's AI credits this month (DESIGN.md §7)."""

    period: str  # YYYY-MM, UTC
    plan: str
    allowance: int  # the plan's monthly credits
    granted: int  # credited this month (the allowance, plus any top-ups)
    used: int  # spent this month, from every pool
    remaining: int  # what may still be spent without overage: the month's allowance left plus packs
    packs: int = 0  # bought credits left (they do not lapse at the month's end)
    overage: bool = False  # past both, AI work goes on and each credit is invoiced on Stripe's meter
    overage_used: int = 0  # credits past the allowance and packs this month


class ClientScoringOut(PublicModel):
    """A client's own weights and alert threshold (None: inherits the organization's), and what applies."""

    client_id: str
    client_name: str
    weights: dict[str, int] | None
    effective_weights: dict[str, int]
    alert_threshold: int | None
    effective_alert_threshold: int


class AgentThresholdOut(PublicModel):
    """An agent's own alert threshold."""

    agent_id: str  # the platform's agent id
    agent_name: str
    alert_threshold: int | None


class AgentScoringOut(AgentThresholdOut):
    effective_alert_threshold: int  # the agent's, else its client's, else the organization's


class AiModeOut(PublicModel):
    configured: bool
    model: str | None


class ScoringSettingsOut(PublicModel):
    """The organization's weights and threshold, the overrides below it, AI mode and this month's credits."""

    weights: dict[str, int]
    custom_weights: bool
    default_weights: dict[str, int]
    alert_threshold: int
    default_alert_threshold: int
    clients: list[ClientScoringOut]  # clients with their own weights or threshold
    agents: list[AgentThresholdOut]  # agents with their own threshold
    ai_mode: AiModeOut
    credits: CreditsOut
