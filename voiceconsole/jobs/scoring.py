from __future__ import annotations

from voiceconsole.db import session_scope
from voiceconsole.jobs.queues import enqueue_agent_stats, get_queue
from voiceconsole.services.scoring import score_stored_calls

BATCH = 200


def score_calls_job(call_ids: list[int]) -> dict:
    with session_scope() as session:
        outcome = score_stored_calls(session, call_ids=call_ids)
    if outcome.agent_ids:
        enqueue_agent_stats(outcome.agent_ids)
    return {"scored": len(outcome.scored_call_ids), "low": len(outcome.low_score_call_ids)}


def enqueue_scoring(call_ids: list[int]) -> None:
    """Queue new or changed calls for scoring, in batches."""
    ids = sorted(set(call_ids))
    q = get_queue("scoring")
    for i in range(0, len(ids), BATCH):
        q.enqueue(score_calls_job, ids[i:i + BATCH], result_ttl=300, failure_ttl=86400)
