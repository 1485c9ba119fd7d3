"""Each agent's cached figures (total calls, average score, cost…), recomputed after new or rescored calls."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import case, func, select
from sqlmodel import Session, col

from voiceconsole.models import Agent, Call
from voiceconsole.models.types import utcnow


def recompute_agent_stats(session: Session, *, agent_id: int) -> Agent | None:
    """Recompute an agent's cached figures from its calls. Idempotent: safe to run any number of times."""
    agent = session.get(Agent, agent_id)
    if agent is None:
        return None
    ended = col(Call.status) == "ended"
    scored = col(Call.score).is_not(None) & col(Call.score_excluded).is_(False)
    total, n_ended, n_scored, n_success, avg_score, avg_duration, cost, last = session.execute(
        select(
            func.count(),
            func.sum(case((ended, 1), else_=0)),
            func.sum(case((scored, 1), else_=0)),
            func.sum(case((ended & col(Call.successful).is_(True), 1), else_=0)),
            func.avg(case((scored, col(Call.score)), else_=None)),
            func.avg(case((ended, col(Call.duration_ms)), else_=None)),
            func.coalesce(func.sum(Call.cost_usd), 0),
            func.max(Call.started_at),
        ).where(col(Call.agent_id) == agent.id)
    ).one()
    agent.total_calls = total or 0
    agent.ended_calls = n_ended or 0
    agent.scored_calls = n_scored or 0
    agent.successful_calls = n_success or 0
    agent.avg_score = float(avg_score) if avg_score is not None else None
    agent.avg_duration_s = float(avg_duration) / 1000 if avg_duration is not None else None
    agent.total_cost = Decimal(str(cost))
    agent.last_call_at = last
    agent.stats_updated_at = utcnow()
    session.add(agent)
    session.flush()
    return agent
