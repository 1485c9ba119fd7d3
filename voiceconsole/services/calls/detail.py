"""One call with everything about it: transcript, score breakdown, voice metrics, notes and tags."""

from __future__ import annotations

from sqlmodel import Session, col, select

from voiceconsole.models import Agent, Call, CallNote, Client, Organization
from voiceconsole.models.types import pk
from voiceconsole.schemas import CallDetail, Note, VoiceMetrics
from voiceconsole.services.access.actor import Actor
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


def get_call(session: Session, *, org: Organization, call_id: str, actor: Actor | None = None) -> CallDetail:
    call = find_call(session, org=org, call_id=call_id, actor=actor)
    agent = session.get(Agent, call.agent_id) if call.agent_id else None
    client = session.get(Client, call.client_id) if call.client_id else None
    call_pk = pk(call)
    notes = session.exec(
        select(CallNote).where(CallNote.call_id == call_pk).order_by(col(CallNote.created_at), col(CallNote.id))
    )
    return CallDetail(
        **summary_fields(call, agent, client, tags_for(session, [call_pk]).get(call_pk, [])),
        transcript=call.transcript,
        transcript_turns=call.transcript_turns,
        recording_url=call.recording_url,
        score_breakdown=call.score_breakdown,
        score_version=call.score_version,
        voice_metrics=VoiceMetrics(
            latency_p50_ms=call.latency_p50_ms,
            latency_p90_ms=call.latency_p90_ms,
            interruptions=call.interruptions,
            talk_ratio=call.talk_ratio,
            longest_silence_s=call.longest_silence_s,
        ),
        notes=[note_out(n) for n in notes],
        end_reason=call.end_reason,
        successful=call.successful,
        platform_analysis=call.platform_analysis,
    )
