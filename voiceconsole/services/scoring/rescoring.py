"""Rescoring stored calls: after a weights change (one organization, or one client), and once per
organization after an upgrade brings a new scorer version (DESIGN.md §7), so averages never mix two
scorers.

Local only: calls keep a stored AI judgement for the same transcript, and no credit is spent.
Unchanged calls are left alone, so rescoring twice changes nothing the second time.
"""

from __future__ import annotations

from sqlmodel import Session, col, select

from voiceconsole import enqueue
from voiceconsole.db import session_scope
from voiceconsole.models import Agent, Call, Organization
from voiceconsole.models.types import id_column
from voiceconsole.redis_client import get_redis
from voiceconsole.scoring import SCORER_VERSION
from voiceconsole.services.scoring.score_calls import score_stored_calls

RESCORE_CHUNK = 200  # calls per transaction


def calls_to_rescore(
    session: Session, *, org_id: int, client_id: int | None = None, after_id: int = 0, limit: int = 500
) -> list[int]:
    """The next ids (in id order, after `after_id`) of the organization's finished calls, or of the
    calls of one client's agents (and calls stored under that client without an agent)."""
    conds = [col(Call.organization_id) == org_id, col(Call.status) != "in_progress", col(Call.id) > after_id]
    if client_id is not None:
        agents = select(Agent.id).where(Agent.organization_id == org_id, Agent.client_id == client_id)
        conds.append(
            (col(Call.agent_id).in_(agents.scalar_subquery()))
            | ((col(Call.agent_id).is_(None)) & (col(Call.client_id) == client_id))
        )
    return list(session.exec(select(id_column(Call)).where(*conds).order_by(col(Call.id)).limit(limit)))


def rescore_organization(org_id: int, client_id: int | None = None) -> dict:
    """Rescore an organization's calls (or one client's) with the weights in force now, chunk by chunk,
    then ask for the cached stats of the agents touched."""
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
        enqueue.agent_stats(agent_ids)
    if client_id is None:  # every call of the organization now carries the scorer in force
        get_redis().set(scorer_version_key(org_id), SCORER_VERSION)
    return {"org_id": org_id, "client_id": client_id, "rescored": scored, "batches": batches}


def scorer_version_key(org_id: int) -> str:
    return f"vc:scorer-version:{org_id}"


def request_outdated_rescoring() -> int:
    """Ask for a rescoring of every organization whose calls predate the current scorer version.
    Returns how many were queued.

    The marker lives in Redis: losing it costs one rescoring pass that changes nothing."""
    with session_scope() as session:
        org_ids = list(session.exec(select(id_column(Organization))))
    redis = get_redis()
    return sum(
        enqueue.rescoring(org_id)
        for org_id in org_ids
        if redis.get(scorer_version_key(org_id)) != SCORER_VERSION.encode()
    )
