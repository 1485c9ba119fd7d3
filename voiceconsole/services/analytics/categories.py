"""The call score by category (duration, sentiment, outcome, engagement) over a period.

Read from the calls' stored breakdowns (the rollups keep only the total score): one aggregate per period
on the (organization, started_at) or (organization, agent, started_at) index, the JSON read in SQL.
Calls scored without a transcript are left out, as they are of every score average.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Label, func, select
from sqlmodel import Session, col

from voiceconsole.models import Call
from voiceconsole.schemas.profiles import CategoryScore
from voiceconsole.scoring.scorer import CATEGORIES
from voiceconsole.services.analytics.figures import Scope, Window, round_figure


def _category_columns() -> list[Label[Any]]:
    columns: list[Label[Any]] = []
    for key in CATEGORIES:
        value = col(Call.score_breakdown)[(key, "score")].as_float()
        columns += [func.avg(value).label(f"{key}_avg"), func.count(value).label(f"{key}_n")]
    return columns


def _averages(session: Session, scope: Scope, start: datetime, end: datetime) -> dict[str, tuple[float | None, int]]:
    row = session.execute(
        select(*_category_columns()).where(
            *scope.call_conds(),
            col(Call.started_at) >= start,
            col(Call.started_at) < end,
            col(Call.score).is_not(None),
            col(Call.score_excluded).is_(False),
        )
    ).one()
    m = row._mapping
    return {
        key: (float(m[f"{key}_avg"]) if m[f"{key}_avg"] is not None else None, int(m[f"{key}_n"] or 0))
        for key in CATEGORIES
    }


def category_scores(session: Session, *, scope: Scope, window: Window) -> list[CategoryScore]:
    """Each category's average score over the window and over the period before it, in the scorer's order."""
    current = _averages(session, scope, window.start, window.end)
    previous = _averages(session, scope, *window.previous)
    out = []
    for key in CATEGORIES:
        (avg, n), (before, _) = current[key], previous[key]
        out.append(
            CategoryScore(
                key=key,
                avg_score=round_figure(avg),
                previous_avg_score=round_figure(before),
                change=round_figure(avg - before) if avg is not None and before is not None else None,
                calls=n,
            )
        )
    return out
