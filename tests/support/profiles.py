"""An agency with clients, agents and scored calls in this period and the one before, for the agent and
client pages (services and UI states), plus the score breakdowns those calls store."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from voiceconsole.scoring.scorer import CATEGORIES, NO_TRANSCRIPT
from voiceconsole.services.analytics import rollups

LONG_PROMPT = "You are the front desk of Acme Dental. " * 20


def breakdown(duration: int, sentiment: int, outcome: int, engagement: int) -> dict[str, Any]:
    """A stored score breakdown with these category scores (weights as the scorer's defaults)."""
    weights = {"duration": 20, "sentiment": 25, "outcome": 35, "engagement": 20}
    scores = dict(zip(CATEGORIES, (duration, sentiment, outcome, engagement), strict=True))
    return {
        **{k: {"score": scores[k], "weight": weights[k], "reasons": [f"{k} reason"]} for k in CATEGORIES},
        "version": "test",
    }


def no_transcript_breakdown() -> dict[str, Any]:
    return {
        **{k: {"score": 0, "weight": 25, "reasons": [NO_TRANSCRIPT]} for k in CATEGORIES},
        NO_TRANSCRIPT: True,
        "version": "test",
    }


@dataclass
class Agency:
    org: Any
    acme: Any
    globex: Any
    desk: Any  # Acme's agent with calls now and before
    spare: Any  # Acme's agent without calls
    globex_desk: Any
    scored_now: list[Any] = field(default_factory=list)  # the desk's scored calls of this period
    breakdowns_now: list[dict[str, Any]] = field(default_factory=list)
    before: Any = None  # the desk's call of the previous period
    no_transcript: Any = None
    unscored: Any = None
    globex_call: Any = None
    token: str = ""  # a signed-in owner


def build_agency(db, factory) -> Agency:
    """Acme (the desk: three scored calls this period, one without a transcript, one not scored yet, and
    one 40 days ago; the spare: none) and Globex (one poor call), rollups up to date."""
    org = factory.org()
    acme, globex = factory.client(org, "Acme"), factory.client(org, "Globex")
    desk = factory.agent(org, client=acme, name="Acme desk")
    desk.voice, desk.model, desk.prompt, desk.platform_version = "11labs-Adrian", "gpt-4o-mini", LONG_PROMPT, "7"
    db.add(desk)
    db.commit()
    spare = factory.agent(org, client=acme, name="Acme night line", platform="vapi")
    globex_desk = factory.agent(org, client=globex, name="Globex desk")
    now = datetime.now(UTC)
    a = Agency(org=org, acme=acme, globex=globex, desk=desk, spare=spare, globex_desk=globex_desk)
    for hours, score, parts in ((1, 90, (90, 95, 88, 85)), (5, 40, (60, 20, 30, 55)), (30, 70, (80, 70, 65, 70))):
        a.breakdowns_now.append(breakdown(*parts))
        a.scored_now.append(
            factory.call(
                org, desk, started_at=now - timedelta(hours=hours), score=score, score_breakdown=a.breakdowns_now[-1]
            )
        )
    a.no_transcript = factory.call(
        org,
        desk,
        started_at=now - timedelta(hours=2),
        score=0,
        score_excluded=True,
        score_breakdown=no_transcript_breakdown(),
        transcript=None,
        transcript_turns=[],
    )
    a.unscored = factory.call(org, desk, started_at=now - timedelta(hours=3), score=None)
    a.before = factory.call(
        org, desk, started_at=now - timedelta(days=40), score=50, score_breakdown=breakdown(50, 50, 50, 50)
    )
    a.globex_call = factory.call(
        org, globex_desk, started_at=now - timedelta(hours=4), score=10, score_breakdown=breakdown(10, 10, 10, 10)
    )
    ids = [c.id for c in (*a.scored_now, a.no_transcript, a.unscored, a.before, a.globex_call)]
    rollups.refresh_rollups_for_calls(db, ids)
    db.commit()
    _, a.token = factory.user_session(org)
    return a
