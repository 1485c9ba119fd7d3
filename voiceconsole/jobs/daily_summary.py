"""Daily summaries: record the `daily_summary` events that are due (services/notifications/daily_summary.py).

Asked for by the periodic ticker (once per 5-minute bucket, `enqueue.daily_summaries`). Each run is
idempotent: an audience's summary for a day is one event whatever the number of runs or workers
(dedupe key).
"""

from __future__ import annotations

from voiceconsole.db import session_scope
from voiceconsole.services.notifications.daily_summary import record_due_summaries


def record_daily_summaries_job() -> dict:
    with session_scope() as session:
        recorded = record_due_summaries(session)
    return {"recorded": recorded}
