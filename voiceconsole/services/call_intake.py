"""Calls arriving from a platform (a sync page or a webhook): store, record events, pick what to score.

Both doors use this, so a call is handled the same way whichever way it came in. Storing happens in
the caller's transaction; `dispatch_followups` runs after the commit (a job must never look for a
row that is not committed yet).
"""

from __future__ import annotations

import importlib.util
import logging
from dataclasses import dataclass, field
from datetime import datetime

from sqlmodel import Session

from voiceconsole.models import Organization
from voiceconsole.platforms.base import CallRecord
from voiceconsole.services.events import record_call_events
from voiceconsole.services.ingest import upsert_calls

log = logging.getLogger(__name__)
SCORING_MODULE = "voiceconsole.jobs.scoring"
SCORING_BATCH = 500


@dataclass
class Intake:
    new_call_ids: list[int] = field(default_factory=list)
    updated_call_ids: list[int] = field(default_factory=list)
    agent_ids: set[int] = field(default_factory=set)
    to_score: list[int] = field(default_factory=list)
    events: int = 0

    def merge(self, other: Intake) -> None:
        self.new_call_ids += other.new_call_ids
        self.updated_call_ids += other.updated_call_ids
        self.agent_ids |= other.agent_ids
        self.to_score += other.to_score
        self.events += other.events


def ready_for_scoring(record: CallRecord) -> bool:
    """An ended call whose platform analysis is in (Retell sends it after the call, with call_analyzed)."""
    if record.status != "ended":
        return False
    return record.platform != "retell" or bool(record.analysis)


def store_calls(session: Session, *, org: Organization, records: list[CallRecord], integration_id: int | None,
                events_since: datetime | None = None) -> Intake:
    """Upsert the calls; record `call.new` for new ones (started at or after `events_since`, if given).

    Every stored call that is ready is queued for scoring, new or changed: the scorer fingerprints
    its inputs and leaves a call whose inputs did not change as it was, so a later delivery that
    brings the analysis rescores the call and a repeated one costs a cheap check.
    """
    result = upsert_calls(session, org=org, records=records, integration_id=integration_id)
    intake = Intake(new_call_ids=result.new_call_ids, updated_call_ids=result.updated_call_ids,
                    agent_ids=set(result.agent_ids))
    by_key = {(r.platform, r.platform_call_id): r for r in records}
    new = set(result.new_call_ids)
    announce = []
    for call_id, key in result.call_keys.items():
        record = by_key[key]
        if ready_for_scoring(record):
            intake.to_score.append(call_id)
        if call_id in new and (events_since is None or (record.started_at and record.started_at >= events_since)):
            announce.append(call_id)
    intake.events = record_call_events(session, organization_id=org.id, type="call.new", call_ids=announce)
    return intake


def scoring_available() -> bool:
    """The scorer's jobs module is written by another part of the project: use it once it exists."""
    try:
        return importlib.util.find_spec(SCORING_MODULE) is not None
    except (ImportError, ValueError):
        return False


def enqueue_scoring(call_ids: list[int]) -> int:
    """Queue the calls for scoring in batches; returns how many were queued (0 without a scorer)."""
    if not call_ids or not scoring_available():
        return 0
    from voiceconsole.jobs import scoring

    ids = sorted(set(call_ids))
    if hasattr(scoring, "enqueue_scoring"):  # the scorer's own batching, when it offers one
        scoring.enqueue_scoring(ids)
        return len(ids)
    from voiceconsole.jobs.queues import get_queue

    queue = get_queue("scoring")
    for start in range(0, len(ids), SCORING_BATCH):
        queue.enqueue(scoring.score_calls_job, ids[start:start + SCORING_BATCH], result_ttl=300, failure_ttl=7 * 86400)
    return len(ids)


def dispatch_followups(intake: Intake) -> None:
    """After the commit: scoring for the calls that need it, cached stats for the agents touched."""
    from voiceconsole.jobs.queues import enqueue_agent_stats

    enqueue_scoring(intake.to_score)
    if intake.agent_ids:
        enqueue_agent_stats(intake.agent_ids)
