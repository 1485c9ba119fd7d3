"""One call with everything about it: transcript, score breakdown, voice metrics, notes and tags."""

from __future__ import annotations

from sqlmodel import Session, col, select

from voiceconsole.models import Agent, Call, CallNote, Client, Organization
from voiceconsole.models.types import pk
from voiceconsole.platforms.base import HEADLINE_LATENCY_STAGES
from voiceconsole.schemas import CallDetail, CostComponent, LatencyStage, Note, VoiceMetrics
from voiceconsole.services.access.actor import Actor
from voiceconsole.services.access.visibility import redact, visibility
from voiceconsole.services.calls.rows import summary_fields, tags_for
from voiceconsole.services.errors import NotFound


def find_call(session: Session, *, org: Organization, call_id: str, actor: Actor | None = None) -> Call:
    """The organization's call by public id; another organization's, or another client's for a client
    viewer, is NotFound."""
    call = session.exec(select(Call).where(Call.organization_id == org.id, Call.public_id == call_id)).first()
    if call is None or (actor is not None and actor.client_id is not None and call.client_id != actor.client_id):
        raise NotFound("Call not found")
    return call


def note_out(note: CallNote) -> Note:
    return Note(id=note.public_id, body=note.body, author=note.author, created_at=note.created_at)


def voice_metrics(call: Call) -> VoiceMetrics:
    """The call's voice metrics. The headline latency is the platform's own measurement of the caller's
    wait (Retell end to end, Vapi turn) when it sent one: measured inside the platform, it counts what
    the transcript's word timings cannot see. Otherwise the transcript-based estimate, which is kept
    beside it either way (the scorer reads the estimate, so scores compare alike across platforms)."""
    stages = {name: LatencyStage.model_validate(figures) for name, figures in (call.platform_latency or {}).items()}
    measured = [name for name in HEADLINE_LATENCY_STAGES if name in stages]
    # Vapi may send averages only: then its turn average stands for the median.
    headline = next((n for n in measured if stages[n].p50 is not None or stages[n].avg is not None), None)
    p50, p90 = call.latency_p50_ms, call.latency_p90_ms
    source = "transcript" if p50 is not None else None
    if headline is not None:
        stage = stages[headline]
        p50, p90 = _ms(stage.p50 if stage.p50 is not None else stage.avg), _ms(stage.p90)
        source = "platform"
    return VoiceMetrics(
        latency_p50_ms=p50,
        latency_p90_ms=p90,
        latency_source=source,
        latency_stage=headline,
        estimated_latency_p50_ms=call.latency_p50_ms,
        estimated_latency_p90_ms=call.latency_p90_ms,
        platform_latency=stages,
        interruptions=call.interruptions,
        talk_ratio=call.talk_ratio,
        longest_silence_s=call.longest_silence_s,
    )


def _ms(value: float | None) -> int | None:
    return None if value is None else round(value)


def get_call(session: Session, *, org: Organization, call_id: str, actor: Actor | None = None) -> CallDetail:
    call = find_call(session, org=org, call_id=call_id, actor=actor)
    agent = session.get(Agent, call.agent_id) if call.agent_id else None
    client = session.get(Client, call.client_id) if call.client_id else None
    call_pk = pk(call)
    notes = session.exec(
        select(CallNote).where(CallNote.call_id == call_pk).order_by(col(CallNote.created_at), col(CallNote.id))
    )
    detail = CallDetail(
        **summary_fields(call, agent, client, tags_for(session, [call_pk]).get(call_pk, [])),
        transcript=call.transcript,
        transcript_turns=call.transcript_turns,
        recording_url=call.recording_url,
        recordings=call.recording_urls or {},
        cost_breakdown=[CostComponent.model_validate(item) for item in call.cost_breakdown or []],
        score_breakdown=call.score_breakdown,
        score_version=call.score_version,
        voice_metrics=voice_metrics(call),
        notes=[note_out(n) for n in notes],
        end_reason=call.end_reason,
        successful=call.successful,
        platform_analysis=call.platform_analysis,
    )
    return redact(detail, visibility(session, actor))
