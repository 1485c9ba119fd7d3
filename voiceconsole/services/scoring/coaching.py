"""Coaching for a call (DESIGN.md §7): cached per call and coach version, AI when configured.

`get_coaching` is what the API and the UI call. It never calls the LLM:
- cached AI coaching for the call's current transcript → returned;
- AI mode on and nothing cached → a coaching job is queued and the answer is `pending` (poll again);
- otherwise local coaching, computed inline (it is cheap) and cached.
Local coaching cached while AI mode is on (the AI attempt failed, or credits ran out, or it was
coached before AI mode was configured) is returned at once, and the AI attempt is retried in the
background when credits allow (after `AI_RETRY_AFTER` for a failed attempt).
`generate_coaching` is the job's side: it asks the LLM (one credit) and falls back to local.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from voiceconsole import enqueue
from voiceconsole.models import Call, Coaching, Organization
from voiceconsole.models.types import pk, utcnow
from voiceconsole.schemas import CoachingOut
from voiceconsole.scoring.coaching import AI_VERSION, LOCAL_VERSION, AiCoach, CoachingResult, local_coaching
from voiceconsole.scoring.llm_judge import LlmError, input_fingerprint, worth_judging
from voiceconsole.scoring.scorer import ScoringInput
from voiceconsole.services.access.actor import Actor
from voiceconsole.services.billing import credits
from voiceconsole.services.errors import NotFound
from voiceconsole.settings import get_settings

AI_RETRY_AFTER = timedelta(minutes=15)


def _call_for(session: Session, org: Organization, call_id: str, actor: Actor | None) -> Call:
    call = session.exec(select(Call).where(Call.organization_id == org.id, Call.public_id == call_id)).first()
    if call is None or (actor is not None and actor.client_id is not None and call.client_id != actor.client_id):
        raise NotFound("Call not found")
    return call


def cached(session: Session, *, call: Call, input_hash: str) -> dict[str, Coaching]:
    """Cached coaching rows for the call's current transcript, by version."""
    rows = session.exec(select(Coaching).where(Coaching.call_id == call.id, Coaching.input_hash == input_hash))
    return {row.version: row for row in rows}


def store(session: Session, *, call: Call, input_hash: str, result: CoachingResult) -> Coaching:
    """Insert or replace the cached coaching of this call and version (safe against a concurrent insert)."""
    content = result.content()
    row = session.exec(select(Coaching).where(Coaching.call_id == call.id, Coaching.version == result.version)).first()
    if row is None:
        row = Coaching(
            organization_id=call.organization_id,
            call_id=pk(call),
            version=result.version,
            mode=result.mode,
            input_hash=input_hash,
            content=content,
        )
        try:
            with session.begin_nested():
                session.add(row)
                session.flush()
            return row
        except IntegrityError:  # stored concurrently: replace it below
            row = session.exec(
                select(Coaching).where(Coaching.call_id == call.id, Coaching.version == result.version)
            ).one()
    row.mode, row.input_hash, row.content, row.created_at = result.mode, input_hash, content, utcnow()
    session.add(row)
    session.flush()
    return row


def _view(call: Call, row: Coaching) -> CoachingOut:
    return CoachingOut(status="ready", call_id=call.public_id, content=dict(row.content), generated_at=row.created_at)


def _retry_ai(session: Session, org: Organization, call: Call, row: Coaching) -> bool:
    """Whether local coaching cached while AI mode is on should be retried with the LLM."""
    fallback = (row.content or {}).get("fallback")
    if fallback and fallback != "no_credits" and utcnow() - row.created_at < AI_RETRY_AFTER:
        return False  # the LLM failed a moment ago: do not hammer it
    return credits.has_credit(session, org=org, call_id=call.id, reason=credits.AI_COACHING)


def get_coaching(
    session: Session, *, org: Organization, call_id: str, actor: Actor | None = None, ai_mode: bool | None = None
) -> CoachingOut:
    """Coaching for one call of the organization (404 for anyone else's). Never calls the LLM.

    May write the local coaching to the cache: the caller commits.
    """
    call = _call_for(session, org, call_id, actor)
    inp = ScoringInput.from_call(call)
    input_hash = input_fingerprint(inp)
    rows = cached(session, call=call, input_hash=input_hash)
    if AI_VERSION in rows:
        return _view(call, rows[AI_VERSION])
    if ai_mode is None:
        ai_mode = get_settings().llm_configured
    local = rows.get(LOCAL_VERSION)
    if ai_mode and worth_judging(inp):  # voicemail or no conversation: local says all there is
        if local is None:
            enqueue.coaching(pk(call))
            return CoachingOut(status="pending", call_id=call.public_id)
        if _retry_ai(session, org, call, local):
            enqueue.coaching(pk(call))
        return _view(call, local)
    if local is None:
        local = store(session, call=call, input_hash=input_hash, result=local_coaching(inp))
    return _view(call, local)


def generate_coaching(session: Session, *, call_id: int, coach: AiCoach | None) -> Coaching | None:
    """Coach a call and cache the result (the job's side). With a coach: one credit, unless this call's
    AI coaching was paid for already; no credits left or an unusable answer → local coaching, with
    the reason in `fallback`. Idempotent: AI coaching cached for the current transcript is kept."""
    call = session.get(Call, call_id)
    if call is None:
        return None
    org = session.get_one(Organization, call.organization_id)  # exists: the call's foreign key
    inp = ScoringInput.from_call(call)
    input_hash = input_fingerprint(inp)
    rows = cached(session, call=call, input_hash=input_hash)
    if AI_VERSION in rows:
        return rows[AI_VERSION]
    if coach is None or not worth_judging(inp):
        return rows.get(LOCAL_VERSION) or store(session, call=call, input_hash=input_hash, result=local_coaching(inp))

    def fallback(reason: str) -> Coaching:
        result = local_coaching(inp)
        result.fallback = reason
        return store(session, call=call, input_hash=input_hash, result=result)

    if not credits.has_credit(session, org=org, call_id=call.id, reason=credits.AI_COACHING):
        return fallback("no_credits")
    try:
        result = coach.coach(inp)
    except LlmError as exc:
        return fallback(exc.kind)
    if not credits.spend(session, org=org, call_id=pk(call), reason=credits.AI_COACHING):
        return fallback("no_credits")
    return store(session, call=call, input_hash=input_hash, result=result)
