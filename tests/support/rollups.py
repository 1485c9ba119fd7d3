"""Helpers for the analytics tests: calls stored the way the product stores them (upsert + rollup hook),
and the rollups' figures computed independently, in Python, from the call rows."""

from __future__ import annotations

import random
import secrets
from collections import defaultdict
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from sqlmodel import select

from voiceconsole.models import Call, CallDailyRollup
from voiceconsole.platforms.base import CallRecord, Turn
from voiceconsole.services.analytics import rollups
from voiceconsole.services.analytics.rollups import MEASURES, Totals
from voiceconsole.services.intake.store import upsert_calls
from voiceconsole.services.scoring import score_stored_calls

TURNS = [
    Turn("agent", "Thanks for calling, how can I help?", 0.4, 2.5),
    Turn("user", "I'd like to book an appointment for next week please.", 3.1, 6.0),
    Turn("agent", "Sure, Tuesday at 10 works. You're booked.", 6.8, 9.5),
    Turn("user", "Great, thank you so much!", 10.1, 11.5),
]


def ingest(session, org, records: list[CallRecord]):
    """Store calls as sync and webhooks do: `upsert_calls` keeps the rollups exact itself."""
    result = upsert_calls(session, org=org, records=records)
    session.commit()
    return result


def rescore(session, call_ids: list[int], force: bool = True):
    """Score calls as the scoring job does: `score_stored_calls` refreshes their rollups itself."""
    outcome = score_stored_calls(session, call_ids=call_ids, force=force)
    session.commit()
    return outcome


def random_record(
    rng: random.Random,
    agent_ids: list[str | None],
    *,
    now: datetime,
    days: int = 20,
    platform: str = "retell",
    call_id: str | None = None,
) -> CallRecord:
    status = rng.choices(["ended", "error", "in_progress"], [85, 10, 5])[0]
    started = now - timedelta(seconds=rng.randint(0, days * 86400))
    if rng.random() < 0.02:
        started = None
    has_transcript = status == "ended" and rng.random() > 0.1
    duration = rng.randint(3_000, 600_000) if status != "in_progress" and rng.random() > 0.05 else None
    return CallRecord(
        platform=platform,
        platform_call_id=call_id or f"call_{secrets.token_hex(8)}",
        platform_agent_id=rng.choice(agent_ids),
        status=status,
        started_at=started,
        direction="inbound",
        ended_at=started + timedelta(milliseconds=duration) if started and duration else None,
        duration_ms=duration,
        cost_usd=Decimal(rng.randint(0, 2_000_000)) / Decimal(1_000_000) if rng.random() > 0.05 else None,
        transcript="Agent: hi\nUser: book\n" if has_transcript else None,
        turns=list(TURNS) if has_transcript else [],
        summary="Booked." if has_transcript else None,
        sentiment=rng.choice(["Positive", "Neutral", "Negative", None]),
        successful=rng.choice([True, False, None]) if status == "ended" else None,
    )


def expected_rollups(session, org_id: int) -> dict[tuple, Totals]:
    """(agent id, client id, UTC day) → figures, computed in Python from the call rows."""
    out: dict[tuple, Totals] = defaultdict(Totals)
    for c in session.exec(select(Call).where(Call.organization_id == org_id, Call.started_at.is_not(None))):
        day = c.started_at.astimezone(UTC).date()
        out[(c.agent_id, c.client_id, day)] = out[(c.agent_id, c.client_id, day)] + totals_of(c)
    return dict(out)


def totals_of(c: Call) -> Totals:
    scored = c.score is not None and not c.score_excluded
    ended = c.status == "ended"
    s = c.score if scored else None
    return Totals(
        calls=1,
        ended=int(ended),
        successful=int(ended and c.successful is True),
        scored=int(scored),
        score_sum=s or 0,
        score_excellent=int(s is not None and s >= 80),
        score_good=int(s is not None and 60 <= s < 80),
        score_attention=int(s is not None and 40 <= s < 60),
        score_poor=int(s is not None and s < 40),
        duration_count=int(ended and c.duration_ms is not None),
        duration_ms_sum=(c.duration_ms or 0) if ended else 0,
        cost_usd=Decimal(c.cost_usd or 0).quantize(rollups.MICRO),
        positive=int(c.sentiment == "Positive"),
        neutral=int(c.sentiment == "Neutral"),
        negative=int(c.sentiment == "Negative"),
    )


def stored_rollups(session, org_id: int) -> dict[tuple, Totals]:
    out = {}
    for r in session.exec(select(CallDailyRollup).where(CallDailyRollup.organization_id == org_id)):
        key = (r.agent_id, r.client_id, r.day if isinstance(r.day, date) else date.fromisoformat(str(r.day)))
        assert key not in out, f"two rollup rows for {key}"
        out[key] = Totals(**{f: rollups.money(getattr(r, f)) if f == "cost_usd" else getattr(r, f) for f in MEASURES})
    return out
