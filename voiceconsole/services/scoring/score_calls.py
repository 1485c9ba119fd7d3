"""Scoring stored calls: the score, breakdown and voice metrics written onto the call, and the events.

Weights and thresholds come from `rules.ScoringRules` (client overrides, agent thresholds).
In AI mode (a `judge` given, which only jobs do) outcome and sentiment come from the LLM judge, one
credit per call; a judgement already stored for the same transcript is reused, so rescoring with
new weights never asks or pays again. Any failure of the judge, or no credits left, scores that
call locally: scoring never stops.
"""

from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from sqlmodel import Session, col, select

from voiceconsole import enqueue
from voiceconsole.db import session_scope
from voiceconsole.models import Call, Event, Organization
from voiceconsole.models.types import pk, utcnow
from voiceconsole.scoring.llm_judge import (
    AiJudgement,
    LlmError,
    combine,
    input_fingerprint,
    stored_judgement,
    worth_judging,
)
from voiceconsole.scoring.scorer import ScoreResult, ScoringInput, score_call, voice_metrics
from voiceconsole.services.analytics.rollups import refresh_rollups_for_calls
from voiceconsole.services.billing import credits
from voiceconsole.services.notifications.events import NEWS_WINDOW, record_call_events
from voiceconsole.services.scoring.rules import ScoringRules, load_rules

log = logging.getLogger(__name__)
JUDGE_CONCURRENCY = 4  # LLM requests in flight per batch
BATCH = 200  # calls per transaction in local mode
AI_CHUNK = 25  # calls per transaction in AI mode: progress is kept if a long batch is interrupted


class CallJudge(Protocol):
    @property
    def model(self) -> str: ...

    def judge(self, inp: ScoringInput, input_hash: str | None = None) -> AiJudgement: ...


@dataclass
class ScoringOutcome:
    scored_call_ids: list[int] = field(default_factory=list)
    low_score_call_ids: list[int] = field(default_factory=list)
    agent_ids: set[int] = field(default_factory=set)
    ai_call_ids: list[int] = field(default_factory=list)  # scored in AI mode in this run
    fallbacks: dict[int, str] = field(default_factory=dict)  # call id -> why AI mode was not used
    events: int = 0


@dataclass
class _Plan:
    call: Call
    org: Organization
    inp: ScoringInput
    local: ScoreResult
    input_hash: str
    judgement: AiJudgement | None = None
    fresh: bool = False  # judged in this run: a credit is due
    fallback: str | None = None


def score_stored_calls(
    session: Session, *, call_ids: list[int], force: bool = False, judge: CallJudge | None = None
) -> ScoringOutcome:
    """Score the given calls (skipping live ones, and ones whose stored result would not change unless
    forced); report low scores against the most specific threshold (agent, client, organization);
    record `call.completed` and `call.low_score` for calls scored for the first time.

    Idempotent: the same calls, settings and scorer give the same stored result and no new events.
    """
    outcome = ScoringOutcome()
    if not call_ids:
        return outcome
    calls = session.exec(
        select(Call).where(col(Call.id).in_(call_ids), col(Call.status) != "in_progress").order_by(col(Call.id))
    ).all()
    orgs: dict[int, Organization] = {}
    rules: dict[int, ScoringRules] = {}
    for org_id in sorted({c.organization_id for c in calls}):
        orgs[org_id] = session.get_one(Organization, org_id)  # exists: the calls' foreign key
        rules[org_id] = load_rules(
            session,
            org=orgs[org_id],
            agent_ids=[c.agent_id for c in calls if c.organization_id == org_id and c.agent_id],
        )

    plans: list[_Plan] = []
    for call in calls:
        inp = ScoringInput.from_call(call)
        local = score_call(inp, rules[call.organization_id].weights_for(call))
        # The fingerprint is only needed to reuse a stored judgement or to make one.
        stored_ai = isinstance(call.score_breakdown, dict) and call.score_breakdown.get("mode") == "ai"
        input_hash = input_fingerprint(inp) if (stored_ai or judge is not None) else ""
        plans.append(
            _Plan(
                call,
                orgs[call.organization_id],
                inp,
                local,
                input_hash,
                judgement=stored_judgement(call.score_breakdown, input_hash) if stored_ai else None,
            )
        )
    if judge is not None:
        _judge(session, plans, judge)

    now = utcnow()
    newly: dict[int, list[Call]] = {}  # org id -> calls scored for the first time (for events)
    low: dict[int, int] = {}  # call id -> the threshold its score fell under
    for p in plans:
        call = p.call
        # Pay right before writing (see credits.spend); with nothing left, keep local mode.
        if (
            p.fresh
            and p.judgement is not None
            and not credits.spend(session, org=p.org, call_id=pk(call), reason=credits.AI_SCORING)
        ):
            p.judgement, p.fallback = None, "no_credits"
        result = combine(p.local, p.judgement, fallback=p.fallback)
        if p.fallback:
            outcome.fallbacks[pk(call)] = p.fallback
        threshold = rules[call.organization_id].threshold_for(call)
        is_low = not p.local.no_transcript and result.score < threshold
        if is_low:
            low[pk(call)] = threshold
        if (
            not force
            and call.score == result.score
            and call.score_version == result.version
            and call.score_breakdown == result.breakdown
        ):
            continue
        first_time = call.score is None or (call.score_excluded and not p.local.no_transcript)
        call.score = result.score
        call.score_breakdown = result.breakdown
        call.score_version = result.version
        call.score_excluded = p.local.no_transcript
        call.scored_at = utcnow()
        metrics = voice_metrics(p.local.features)
        call.latency_p50_ms = metrics.get("latency_p50_ms")
        call.latency_p90_ms = metrics.get("latency_p90_ms")
        call.interruptions = metrics.get("interruptions")
        call.talk_ratio = metrics.get("talk_ratio")
        call.longest_silence_s = metrics.get("longest_silence_s")
        session.add(call)
        outcome.scored_call_ids.append(pk(call))
        if result.mode == "ai":
            outcome.ai_call_ids.append(pk(call))
        if call.agent_id:
            outcome.agent_ids.add(call.agent_id)
        if is_low:
            outcome.low_score_call_ids.append(pk(call))
        if first_time and call.status == "ended" and _is_news(call, now):
            newly.setdefault(call.organization_id, []).append(call)
    session.flush()
    refresh_rollups_for_calls(session, outcome.scored_call_ids)  # the dashboard's daily figures
    for org_id, scored in newly.items():
        outcome.events += _record_events(session, org_id, "call.completed", scored)
        outcome.events += _record_events(
            session,
            org_id,
            "call.low_score",
            [c for c in scored if c.id in low],
            extra={cid: {"threshold": t} for cid, t in low.items()},
        )
    return outcome


def _judge(session: Session, plans: list[_Plan], judge: CallJudge) -> None:
    """Ask the judge about the calls that need it, within each organization's remaining credits.

    Nothing is written here (the LLM is slow; no lock or write transaction is held meanwhile):
    credits are only counted, and paid in the write pass.
    """
    budget: dict[int, int | None] = {}  # None: overage on, no limit
    todo: list[_Plan] = []
    for p in plans:
        if p.judgement is not None or p.local.no_transcript or not worth_judging(p.inp):
            continue
        org, org_id = p.org, pk(p.org)
        if org_id not in budget:
            budget[org_id] = credits.spendable(session, org=org)
        left = budget[org_id]
        if credits.already_spent(session, org=org, call_id=pk(p.call), reason=credits.AI_SCORING):
            todo.append(p)  # paid by an earlier run that did not finish: asking again is free
        elif left is None or left > 0:
            budget[org_id] = None if left is None else left - 1
            todo.append(p)
        else:
            p.fallback = "no_credits"
    if not todo:
        return

    def ask(p: _Plan) -> tuple[_Plan, AiJudgement | None, str | None]:
        try:
            return p, judge.judge(p.inp, p.input_hash), None
        except LlmError as exc:
            log.warning("AI scoring of call %s fell back to local mode: %s", p.call.id, exc)
            return p, None, exc.kind
        except Exception:  # a bug in the judge must not stop scoring
            log.exception("AI scoring of call %s failed", p.call.id)
            return p, None, "error"

    with ThreadPoolExecutor(max_workers=min(JUDGE_CONCURRENCY, len(todo))) as pool:
        for p, judgement, failure in pool.map(ask, todo):
            p.judgement, p.fresh, p.fallback = judgement, judgement is not None, failure


def _is_news(call: Call, now: datetime) -> bool:
    """Alerts are for calls that just happened: a 90-day backfill must not flood Slack with old calls."""
    moment = call.ended_at or call.started_at
    return moment is None or now - moment <= NEWS_WINDOW


def _record_events(
    session: Session, org_id: int, type: str, calls: list[Call], extra: dict[int, dict] | None = None
) -> int:
    """One event of this type per call: calls that already have one (an earlier, concurrent run) are skipped."""
    if not calls:
        return 0
    by_public = {c.public_id: pk(c) for c in calls}
    call_ref = Event.payload["callId"].as_string()
    seen = set(
        session.exec(
            select(call_ref).where(Event.organization_id == org_id, Event.type == type, call_ref.in_(list(by_public)))
        )
    )
    ids = [cid for pid, cid in by_public.items() if pid not in seen]
    return record_call_events(session, organization_id=org_id, type=type, call_ids=ids, extra=extra)


def score_calls(call_ids: list[int], *, judge: CallJudge | None = None) -> dict[str, Any]:
    """Score calls in transactions of a few calls each (AI mode with a `judge`), then ask for the cached
    stats of their agents. Returns the totals."""
    totals: dict[str, Any] = {"scored": 0, "low": 0, "ai": 0, "fallbacks": 0}
    agent_ids: set[int] = set()
    chunk = AI_CHUNK if judge else BATCH
    for i in range(0, len(call_ids), chunk):
        with session_scope() as session:
            outcome = score_stored_calls(session, call_ids=call_ids[i : i + chunk], judge=judge)
        totals["scored"] += len(outcome.scored_call_ids)
        totals["low"] += len(outcome.low_score_call_ids)
        totals["ai"] += len(outcome.ai_call_ids)
        totals["fallbacks"] += len(outcome.fallbacks)
        agent_ids |= outcome.agent_ids
    if agent_ids:
        enqueue.agent_stats(agent_ids)
    return totals
