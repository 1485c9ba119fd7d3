"""Daily summaries: record the `daily_summary` events that are due (services/daily_summary.py).

Run from the periodic ticker (every 5 minutes). Each run is idempotent: an audience's summary for a
day is one event whatever the number of runs or workers (dedupe key), so the ticker may call it as
often as it likes; enqueueing is additionally collapsed per tick bucket.
"""

from __future__ import annotations

from voiceconsole.db import session_scope
from voiceconsole.services.daily_summary import record_due_summaries

BUCKET_SECONDS = 300  # the ticker's period


def record_daily_summaries_job() -> dict:
    with session_scope() as session:
        recorded = record_due_summaries(session)
    return {"recorded": recorded}


def enqueue_daily_summaries(now: float | None = None) -> bool:
    """Enqueue one run per 5-minute bucket (True when this call enqueued it)."""
    from voiceconsole.jobs.queues import enqueue_once_per_bucket

    return enqueue_once_per_bucket("default", record_daily_summaries_job, name="daily-summary",
                                   seconds=BUCKET_SECONDS, now=now)
