"""A campaign's results, live: leads, dials, outcome shares, conversions, score, cost and calls per hour; the
list page's figures of many campaigns at once; the attempts with their lead and call, for the campaign page."""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from decimal import Decimal

from sqlalchemy import case, func
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from voiceconsole.models import Call, CallAttempt, Campaign, Lead, Organization
from voiceconsole.schemas.base import PublicModel
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


class ListFigures(PublicModel):
    """What the campaigns list shows of each campaign's results besides its progress."""

    connected_pct: float | None  # of the dials whose outcome is known


def list_figures(
    session: Session, *, org: Organization, actor: Actor, campaign_ids: list[str]
) -> dict[str, ListFigures]:
    """Connected % of many campaigns in one grouped query (the list page); other organizations' ids are ignored."""
    require(actor, "campaigns.read")
    if not campaign_ids:
        return {}
    ended = (col(CallAttempt.status) == "ended") & col(CallAttempt.outcome).is_not(None)
    rows = session.exec(
        select(
            Campaign.public_id,
            func.sum(case((ended, 1), else_=0)),
            func.sum(case((ended & (col(CallAttempt.outcome) == "answered"), 1), else_=0)),
        )
        .select_from(CallAttempt)
        .join(Campaign, col(Campaign.id) == col(CallAttempt.campaign_id))
        .where(col(Campaign.organization_id) == org.id, col(Campaign.public_id).in_(campaign_ids))
        .group_by(col(Campaign.public_id))
    )
    counts = {cid: (int(answered or 0), int(known or 0)) for cid, known, answered in rows}
    return {cid: ListFigures(connected_pct=_pct(*counts.get(cid, (0, 0)))) for cid in campaign_ids}


class AttemptDetail(PublicModel):
    """One dial as the campaign page's table shows it: the lead by name and the call's length and score."""

    id: str  # att_…
    n: int
    status: str
    outcome: str | None
    converted: bool
    lead_id: str
    lead_name: str
    to_number: str
    call_id: str | None
    started_at: datetime | None  # the call's start, else the dial's
    duration_ms: int | None
    score: int | None


_ATTEMPT_COLUMNS = (  # read by position in attempt_details
    col(CallAttempt.public_id),
    col(CallAttempt.n),
    col(CallAttempt.status),
    col(CallAttempt.outcome),
    col(CallAttempt.converted),
    col(CallAttempt.to_number),
    func.coalesce(Call.started_at, CallAttempt.dialed_at, CallAttempt.created_at),
    col(Lead.public_id),
    col(Lead.first_name),
    col(Lead.last_name),
    col(Call.public_id),
    col(Call.duration_ms),
    case((col(Call.score_excluded).is_(False), col(Call.score)), else_=None),
)


def attempt_details(
    session: Session, *, org: Organization, actor: Actor, campaign_id: str, page: int, per_page: int
) -> tuple[list[AttemptDetail], int]:
    """A campaign's dial attempts, newest first, joined to their lead and call (one query per page)."""
    require(actor, "campaigns.read")
    campaign = find_campaign(session, org, campaign_id)
    where = col(CallAttempt.campaign_id) == campaign.id
    total = session.exec(select(func.count()).select_from(CallAttempt).where(where)).one()
    # SQLAlchemy's own select: more columns than sqlmodel's typed overloads take (as in services/agents/overview.py).
    rows = session.connection().execute(
        sa_select(*_ATTEMPT_COLUMNS)
        .join(Lead, col(Lead.id) == col(CallAttempt.lead_id))
        .outerjoin(Call, col(Call.id) == col(CallAttempt.call_id))
        .where(where)
        .order_by(col(CallAttempt.created_at).desc(), col(CallAttempt.id).desc())
        .offset((page - 1) * per_page)
        .limit(per_page)
    )
    return [
        AttemptDetail(
            id=r[0],
            n=r[1],
            status=r[2],
            outcome=r[3],
            converted=r[4],
            to_number=r[5],
            started_at=r[6],
            lead_id=r[7],
            lead_name=" ".join(p for p in (r[8], r[9]) if p) or r[5],
            call_id=r[10],
            duration_ms=r[11],
            score=r[12],
        )
        for r in rows
    ], total
