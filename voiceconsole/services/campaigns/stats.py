"""A campaign's results, live: leads, dials, outcome shares, conversions, score, cost and calls per hour."""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from decimal import Decimal

from sqlalchemy import case, func
from sqlmodel import Session, col, select

from voiceconsole.models import Call, CallAttempt, Organization
from voiceconsole.schemas.campaigns import CampaignStats, HourCount
from voiceconsole.services.access.actor import Actor
from voiceconsole.services.access.permissions import require
from voiceconsole.services.campaigns.campaigns import find_campaign, progress_of


def _pct(part: int, whole: int) -> float | None:
    return round(100.0 * part / whole, 1) if whole else None


def campaign_stats(session: Session, *, org: Organization, actor: Actor, campaign_id: str) -> CampaignStats:
    """Percentages of outcomes are of the dials whose outcome is known; conversions are of the leads."""
    require(actor, "campaigns.read")
    campaign = find_campaign(session, org, campaign_id)
    cid = campaign.id or 0
    progress = progress_of(session, [cid])[cid]
    outcomes: Counter[str] = Counter()
    for outcome, n in session.exec(
        select(CallAttempt.outcome, func.count())
        .where(
            CallAttempt.campaign_id == cid, col(CallAttempt.outcome).is_not(None), col(CallAttempt.status) == "ended"
        )
        .group_by(col(CallAttempt.outcome))
    ):
        outcomes[str(outcome)] = n
    dialed = session.exec(
        select(func.count())
        .select_from(CallAttempt)
        .where(CallAttempt.campaign_id == cid, col(CallAttempt.status).in_(("placed", "ended", "unknown")))
    ).one()
    known = sum(outcomes.values())
    score, cost = session.exec(
        select(
            func.avg(case((col(Call.score_excluded).is_(False), col(Call.score)), else_=None)),
            func.sum(Call.cost_usd),
        )
        .select_from(CallAttempt)
        .join(Call, col(Call.id) == col(CallAttempt.call_id))
        .where(CallAttempt.campaign_id == cid)
    ).one()
    cost_usd = float(cost or Decimal("0"))
    hours: Counter[datetime] = Counter()
    for dialed_at in session.exec(
        select(CallAttempt.dialed_at).where(CallAttempt.campaign_id == cid, col(CallAttempt.dialed_at).is_not(None))
    ):
        if dialed_at is not None:
            hours[dialed_at.replace(minute=0, second=0, microsecond=0)] += 1
    conversions = progress.converted
    return CampaignStats(
        leads=progress.leads,
        dialed=dialed,
        connected=outcomes["answered"],
        connected_pct=_pct(outcomes["answered"], known),
        voicemail_pct=_pct(outcomes["voicemail"], known),
        no_answer_pct=_pct(outcomes["no_answer"], known),
        busy_pct=_pct(outcomes["busy"], known),
        failed_pct=_pct(outcomes["failed"], known),
        conversions=conversions,
        conversion_pct=_pct(conversions, progress.leads),
        average_score=round(float(score), 1) if score is not None else None,
        cost_usd=round(cost_usd, 4),
        cost_per_conversion_usd=round(cost_usd / conversions, 4) if conversions else None,
        calls_per_hour=[HourCount(hour=h, calls=n) for h, n in sorted(hours.items())],
        funnel={"leads": progress.leads, "dialed": dialed, "connected": outcomes["answered"], "converted": conversions},
    )
