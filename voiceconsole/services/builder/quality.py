"""Did this edit help? Each version's calls side by side: the calls attributed to it (the version live when
each started: services/intake/attribution.py), and their figures with the number of calls behind each one.

Definitions follow the analytics (services/analytics/figures.py): the average score leaves out calls
scored without a transcript; the success rate is the fraction of ended calls the platform flagged
successful; duration is of ended calls; cost per call is of calls with a cost."""

from __future__ import annotations

from sqlalchemy import and_, case, func, select
from sqlmodel import Session, col

from voiceconsole.models import Call, Organization
from voiceconsole.schemas.builder import VersionQuality
from voiceconsole.services.access.actor import Actor
from voiceconsole.services.builder.versions import readable_agent
from voiceconsole.services.calls.listing import COUNTED_SCORE


def compare_versions(session: Session, *, org: Organization, agent_id: str, actor: Actor) -> list[VersionQuality]:
    """Every version that has calls (newest first), with its figures."""
    agent = readable_agent(session, org=org, agent_id=agent_id, actor=actor)
    ended = col(Call.status) == "ended"
    rows = session.execute(
        select(
            col(Call.agent_version),
            func.count(),
            func.count(COUNTED_SCORE),
            func.avg(COUNTED_SCORE),
            func.sum(case((and_(ended, col(Call.successful).is_(True)), 1), else_=0)),
            func.sum(case((ended, 1), else_=0)),
            func.avg(case((ended, col(Call.duration_ms)), else_=None)),
            func.sum(col(Call.cost_usd)),
            func.count(col(Call.cost_usd)),
            func.sum(case((col(Call.sentiment) == "Positive", 1), else_=0)),  # models.SENTIMENTS
            func.sum(case((col(Call.sentiment) == "Neutral", 1), else_=0)),
            func.sum(case((col(Call.sentiment) == "Negative", 1), else_=0)),
        )
        .where(
            col(Call.organization_id) == org.id, col(Call.agent_id) == agent.id, col(Call.agent_version).is_not(None)
        )
        .group_by(col(Call.agent_version))
        .order_by(col(Call.agent_version).desc())
    ).all()
    out = []
    for version, calls, n_scored, avg, succeeded, n_ended, duration_ms, cost, n_costed, pos, neu, neg in rows:
        out.append(
            VersionQuality(
                version=int(version),
                calls=int(calls),
                scored_calls=int(n_scored),
                avg_score=round(float(avg), 1) if avg is not None else None,
                success_rate=round(int(succeeded) / int(n_ended), 4) if n_ended else None,
                outcome_calls=int(n_ended or 0),
                avg_duration_s=round(float(duration_ms) / 1000, 1) if duration_ms is not None else None,
                cost_per_call=round(float(cost) / int(n_costed), 4) if n_costed else None,
                costed_calls=int(n_costed),
                sentiment={"positive": int(pos or 0), "neutral": int(neu or 0), "negative": int(neg or 0)},
            )
        )
    return out
