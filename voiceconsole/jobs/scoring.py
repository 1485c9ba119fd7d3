"""Scoring jobs: score new calls, rescore after a weights or scorer change, coach a call. All idempotent.

Only these jobs build the LLM client (from settings): the web process never calls the LLM.
"""

from __future__ import annotations

from voiceconsole.db import session_scope
from voiceconsole.scoring.coaching import AiCoach
from voiceconsole.scoring.llm_judge import LlmClient, LlmJudge
from voiceconsole.services.scoring.coaching import generate_coaching
from voiceconsole.services.scoring.rescoring import request_outdated_rescoring, rescore_organization
from voiceconsole.services.scoring.score_calls import score_calls


def score_calls_job(call_ids: list[int]) -> dict:
    """Score calls (AI mode when an LLM is configured)."""
    client = LlmClient.from_settings()
    try:
        return score_calls(call_ids, judge=LlmJudge(client) if client else None)
    finally:
        if client:
            client.close()


def rescore_organization_job(org_id: int, client_id: int | None = None) -> dict:
    """Rescore an organization's calls (or one client's) with the weights in force now."""
    return rescore_organization(org_id, client_id)


def rescore_outdated_job() -> int:
    """Rescore each organization whose calls predate the current scorer version (once); how many were queued."""
    return request_outdated_rescoring()


def coach_call_job(call_id: int) -> dict:
    """Coach one call: with the LLM when configured (one credit), else (or on failure) locally."""
    client = LlmClient.from_settings()
    try:
        with session_scope() as session:
            row = generate_coaching(session, call_id=call_id, coach=AiCoach(client) if client else None)
            return {"call_id": call_id, "mode": row.mode if row else None}
    finally:
        if client:
            client.close()
