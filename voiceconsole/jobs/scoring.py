"""Scoring jobs: score new calls, rescore after a weights or scorer change, coach a call. All idempotent.

Only these jobs build the LLM client (from settings): the web process never calls the LLM.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from rq.exceptions import DuplicateJobError, NoSuchJobError
from rq.job import Job, JobStatus

from voiceconsole.db import session_scope
from voiceconsole.jobs.queues import enqueue_agent_stats, get_queue, get_redis
from voiceconsole.scoring import SCORER_VERSION
from voiceconsole.scoring.llm_judge import LlmClient, LlmJudge
from voiceconsole.services.scoring import score_stored_calls

log = logging.getLogger(__name__)
BATCH = 200
AI_CHUNK = 25  # calls per transaction in AI mode: progress is kept if a long batch is interrupted
RESCORE_CHUNK = 200
_PENDING = (JobStatus.QUEUED, JobStatus.SCHEDULED, JobStatus.DEFERRED)


def score_calls_job(call_ids: list[int]) -> dict:
    """Score calls (AI mode when an LLM is configured), committing chunk by chunk."""
    client = LlmClient.from_settings()
    judge = LlmJudge(client) if client else None
    totals: dict[str, Any] = {"scored": 0, "low": 0, "ai": 0, "fallbacks": 0}
    agent_ids: set[int] = set()
    chunk = AI_CHUNK if judge else BATCH
    try:
        for i in range(0, len(call_ids), chunk):
            with session_scope() as session:
                outcome = score_stored_calls(session, call_ids=call_ids[i:i + chunk], judge=judge)
            totals["scored"] += len(outcome.scored_call_ids)
            totals["low"] += len(outcome.low_score_call_ids)
            totals["ai"] += len(outcome.ai_call_ids)
            totals["fallbacks"] += len(outcome.fallbacks)
            agent_ids |= outcome.agent_ids
    finally:
        if client:
            client.close()
    if agent_ids:
        enqueue_agent_stats(agent_ids)
    return totals


def enqueue_scoring(call_ids: list[int]) -> None:
    """Queue new or changed calls for scoring, in batches."""
    ids = sorted(set(call_ids))
    q = get_queue("scoring")
    for i in range(0, len(ids), BATCH):
        q.enqueue(score_calls_job, ids[i:i + BATCH], result_ttl=300, failure_ttl=86400)


def rescore_organization_job(org_id: int, client_id: int | None = None) -> dict:
    """Rescore an organization's calls (or one client's) with the weights in force now, in batches.

    Local only: calls keep a stored AI judgement for the same transcript, and no credit is spent.
    Unchanged calls are left alone, so running it twice changes nothing the second time.
    """
    from voiceconsole.services.score_settings import calls_to_rescore

    after, scored, batches = 0, 0, 0
    agent_ids: set[int] = set()
    while True:
        with session_scope() as session:
            ids = calls_to_rescore(session, org_id=org_id, client_id=client_id, after_id=after, limit=RESCORE_CHUNK)
            if not ids:
                break
            outcome = score_stored_calls(session, call_ids=ids)
        after = ids[-1]
        batches += 1
        scored += len(outcome.scored_call_ids)
        agent_ids |= outcome.agent_ids
    if agent_ids:
        enqueue_agent_stats(agent_ids)
    if client_id is None:  # every call of the organization now carries the scorer in force
        get_redis().set(scorer_version_key(org_id), SCORER_VERSION)
    return {"org_id": org_id, "client_id": client_id, "rescored": scored, "batches": batches}


def scorer_version_key(org_id: int) -> str:
    return f"vc:scorer-version:{org_id}"


def enqueue_outdated_rescoring() -> int:
    """After an upgrade brings a new scorer version, rescore each organization's calls once, in the
    background (DESIGN.md §7), so its averages never mix two scorers. Returns how many were queued.

    The marker lives in Redis: losing it costs one rescoring pass that changes nothing."""
    from sqlmodel import select

    from voiceconsole.models import Organization

    with session_scope() as session:
        org_ids = list(session.exec(select(Organization.id)))
    redis = get_redis()
    queued = 0
    for org_id in org_ids:
        if redis.get(scorer_version_key(org_id)) != SCORER_VERSION.encode():
            queued += enqueue_rescoring(org_id)
    return queued


def coach_call_job(call_id: int) -> dict:
    """Coach one call: with the LLM when configured (one credit), else (or on failure) locally."""
    from voiceconsole.scoring.coaching import AiCoach
    from voiceconsole.services.coaching import generate_coaching

    client = LlmClient.from_settings()
    try:
        with session_scope() as session:
            row = generate_coaching(session, call_id=call_id, coach=AiCoach(client) if client else None)
            return {"call_id": call_id, "mode": row.mode if row else None}
    finally:
        if client:
            client.close()


def _enqueue_collapsed(queue_name: str, func: Callable, args: tuple, job_id: str, **options: Any) -> bool:
    """Enqueue unless the same work is already waiting (it will read the latest state when it runs).

    While a run is in progress, one follow-up run is queued behind it. Returns whether queued.
    """
    q = get_queue(queue_name)
    for slot, depends in ((job_id, None), (f"{job_id}-next", job_id)):
        try:
            job = Job.fetch(slot, connection=q.connection)
        except NoSuchJobError:
            job = None
        if job is not None:
            status = job.get_status(refresh=True)
            if status in _PENDING:
                return False
            if status == JobStatus.STARTED:
                continue  # running: try the follow-up slot
            job.delete()  # finished or failed: make room for a fresh run
        try:
            q.enqueue(func, *args, job_id=slot, unique=True, depends_on=depends,
                      result_ttl=300, failure_ttl=86400, **options)
            return True
        except DuplicateJobError:
            return False  # enqueued concurrently by another process
    return False


def enqueue_rescoring(org_id: int, *, client_id: int | None = None) -> bool:
    """Ask for an organization's (or a client's) calls to be rescored; collapsed while one is waiting."""
    scope = f"client-{client_id}" if client_id is not None else "all"
    return _enqueue_collapsed("default", rescore_organization_job, (org_id, client_id),
                              f"rescore-{org_id}-{scope}", job_timeout=3600)


def enqueue_coaching(call_id: int) -> bool:
    """Ask for a call to be coached in the background; collapsed while a request is waiting."""
    return _enqueue_collapsed("scoring", coach_call_job, (call_id,), f"coaching-{call_id}")
