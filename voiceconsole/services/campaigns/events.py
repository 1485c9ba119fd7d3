"""The campaign events channels subscribe to, and their payloads (docs/webhooks.md shows each one).

`campaign.started`, `campaign.paused` and `campaign.completed` carry the campaign and its progress (leads,
leads dialed, conversions), so a message can say "Spring reactivation paused: Retell refused the caller number ·
412/1,000 leads dialed, 38 conversions". `lead.converted` and `lead.do_not_call` carry the lead and, when a
campaign call caused them, the campaign, attempt and call. Each is recorded by the one transition that happens
once (a conditional update in campaigns.py, outcomes.py or dnc.py), so each is recorded exactly once.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, select

from voiceconsole.models import Agent, Call, CallAttempt, Campaign, CampaignLead, Client, Lead
from voiceconsole.models.types import pk
from voiceconsole.services.notifications.events import record_event


def _iso(value: Any) -> str | None:
    return value.isoformat().replace("+00:00", "Z") if value is not None else None


def _client(session: Session, client_id: int | None) -> Client | None:
    return session.get(Client, client_id) if client_id is not None else None


def campaign_payload(session: Session, campaign: Campaign) -> dict[str, Any]:
    """The campaign and where it stands: its leads, how many were dialed at least once, how many converted."""
    rows = session.exec(
        select(
            func.count(),
            func.count().filter(col(CampaignLead.attempts) > 0),
            func.count().filter(col(CampaignLead.converted).is_(True)),
        ).where(col(CampaignLead.campaign_id) == campaign.id)
    ).one()
    client = _client(session, campaign.client_id)
    agent = session.get(Agent, campaign.agent_id)
    return {
        "campaignId": campaign.public_id,
        "campaignName": campaign.name,
        "clientId": client.public_id if client else None,
        "clientName": client.name if client else None,
        "agentId": agent.platform_agent_id if agent else None,
        "agentName": agent.name if agent else None,
        "platform": agent.platform if agent else None,
        "status": campaign.status,
        "leads": int(rows[0] or 0),
        "dialed": int(rows[1] or 0),
        "converted": int(rows[2] or 0),
    }


def record_campaign_event(session: Session, campaign: Campaign, type_: str, **extra: Any) -> None:
    """`campaign.started` (+ startedAt), `campaign.paused` (+ pausedAt, reason, pausedBy "user" | "system") or
    `campaign.completed` (+ finishedAt). The caller made the transition and commits."""
    session.flush()
    record_event(
        session,
        organization_id=campaign.organization_id,
        type=type_,
        payload={
            **campaign_payload(session, campaign),
            **{k: _iso(v) if k.endswith("At") else v for k, v in extra.items()},
        },
    )


def lead_payload(
    session: Session, lead: Lead, *, campaign: Campaign | None = None, attempt: CallAttempt | None = None
) -> dict[str, Any]:
    """The lead (its client, else the campaign's) and the campaign, attempt and call behind the event, or nulls."""
    client_id = lead.client_id if lead.client_id is not None else campaign.client_id if campaign else None
    client = _client(session, client_id)
    call = session.get(Call, attempt.call_id) if attempt is not None and attempt.call_id is not None else None
    name = " ".join(p for p in (lead.first_name, lead.last_name) if p) or None
    return {
        "leadId": lead.public_id,
        "leadName": name,
        "phone": lead.phone,
        "clientId": client.public_id if client else None,
        "clientName": client.name if client else None,
        "campaignId": campaign.public_id if campaign else None,
        "campaignName": campaign.name if campaign else None,
        "attemptId": attempt.public_id if attempt else None,
        "callId": call.public_id if call else None,
    }


def record_lead_converted(session: Session, *, lead: Lead, campaign: Campaign, attempt: CallAttempt) -> None:
    record_event(
        session,
        organization_id=campaign.organization_id,
        type="lead.converted",
        payload=lead_payload(session, lead, campaign=campaign, attempt=attempt),
    )


def record_leads_do_not_call(
    session: Session,
    *,
    lead_ids: list[int],
    source: str,
    reason: str | None,
    attempt: CallAttempt | None = None,
) -> None:
    """One `lead.do_not_call` per lead just marked (source: "call", "manual" or "import"; the attempt whose
    call asked for it, when a call did)."""
    campaign = session.get(Campaign, attempt.campaign_id) if attempt is not None else None
    for lead in session.exec(select(Lead).where(col(Lead.id).in_(lead_ids)).order_by(col(Lead.id))):
        mine = attempt is not None and attempt.lead_id == pk(lead)
        payload = lead_payload(session, lead, campaign=campaign if mine else None, attempt=attempt if mine else None)
        record_event(
            session,
            organization_id=lead.organization_id,
            type="lead.do_not_call",
            payload={**payload, "source": source, "reason": reason},
        )
