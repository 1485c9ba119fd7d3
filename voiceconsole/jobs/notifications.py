"""Notify-queue jobs: fan new events out to channels, and pump due deliveries. Idempotent.

Triggers, from fastest to slowest:
1. A commit that recorded events asks for `dispatch_events_job` (services/notifications/events.py); a
   commit that created or resumed deliveries (test event, resume) asks for `deliver_due_job`.
2. After a pump, the earliest future retry is scheduled (`enqueue.notify_delivery_at`; the worker's RQ
   scheduler moves it to the queue when due, polling every second).
3. The notify sweep, every NOTIFY_TICK_SECONDS from the worker's ticker (jobs/scheduler.py), does
   both: a lost trigger costs at most that long.
Requests collapse: while a run of a job is waiting, asking again adds nothing (voiceconsole/enqueue.py). Two
runs at the same time are harmless (claims are atomic), only wasteful.
"""

from __future__ import annotations

import time

from voiceconsole import enqueue
from voiceconsole.models.types import utcnow
from voiceconsole.services.notifications.fanout import fan_out_all
from voiceconsole.services.notifications.outbox import next_due_at
from voiceconsole.services.notifications.sender import deliver_due

PUMP_MAX_SECONDS = 240.0  # then the pump re-queues itself: a job never runs near its timeout


def _deliver_and_reschedule() -> dict:
    stats = deliver_due(max_seconds=PUMP_MAX_SECONDS).as_dict()
    upcoming = next_due_at()
    if upcoming is not None:
        if upcoming <= utcnow():
            enqueue.notify_delivery()  # work left (the pump stopped at its time limit, or it fell due just now)
        else:
            enqueue.notify_delivery_at(upcoming)
        stats["next"] = upcoming.isoformat()
    return stats


def dispatch_events_job() -> dict:
    """Fan out every undispatched event, then send what is due."""
    t0 = time.monotonic()
    events, deliveries = fan_out_all()
    stats = _deliver_and_reschedule()
    stats.update(events=events, deliveries=deliveries, total_seconds=round(time.monotonic() - t0, 3))
    return stats


def deliver_due_job() -> dict:
    """Send every delivery due now, then schedule the next pump for the earliest retry."""
    return _deliver_and_reschedule()


def notify_sweep_job() -> dict:
    """The safety net run by the scheduler tick: a dispatch that also covers lost requests."""
    return dispatch_events_job()
