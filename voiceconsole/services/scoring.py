"""Scoring stored calls: the scorer's result, breakdown and voice metrics written onto the call."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlmodel import Session, select

from voiceconsole.models import Call, Organization
from voiceconsole.models.types import utcnow
from voiceconsole.scoring.scorer import ScoringInput, effective_weights, score_call, voice_metrics


@dataclass
class ScoringOutcome:
    scored_call_ids: list[int] = field(default_factory=list)
    low_score_call_ids: list[int] = field(default_factory=list)
    agent_ids: set[int] = field(default_factory=set)


def score_stored_calls(session: Session, *, call_ids: list[int], force: bool = False) -> ScoringOutcome:
    """Score the given calls (skipping live ones, and ones already scored by this version unless forced).

    Idempotent: the same calls and scorer version give the same stored result.
    """
    outcome = ScoringOutcome()
    if not call_ids:
        return outcome
    orgs: dict[int, Organization] = {}
    calls = session.exec(select(Call).where(Call.id.in_(call_ids), Call.status != "in_progress")).all()
    for call in calls:
        org = orgs.get(call.organization_id) or session.get(Organization, call.organization_id)
        orgs[call.organization_id] = org
        weights = effective_weights((org.settings or {}).get("score_weights"), None)
        result = score_call(ScoringInput.from_call(call), weights)
        if not force and call.score_version == result.version and call.score == result.score:
            continue
        call.score = result.score
        call.score_breakdown = result.breakdown
        call.score_version = result.version
        call.score_excluded = result.no_transcript
        call.scored_at = utcnow()
        metrics = voice_metrics(result.features)
        call.latency_p50_ms = metrics.get("latency_p50_ms")
        call.latency_p90_ms = metrics.get("latency_p90_ms")
        call.interruptions = metrics.get("interruptions")
        call.talk_ratio = metrics.get("talk_ratio")
        call.longest_silence_s = metrics.get("longest_silence_s")
        session.add(call)
        outcome.scored_call_ids.append(call.id)
        if call.agent_id:
            outcome.agent_ids.add(call.agent_id)
        if not result.no_transcript and result.score < org.alert_threshold:
            outcome.low_score_call_ids.append(call.id)
    session.flush()
    return outcome
