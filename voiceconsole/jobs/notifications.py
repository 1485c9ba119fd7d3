"""Notify-queue jobs: fan new events out to channels, and pump due deliveries. Idempotent.

Triggers, from fastest to slowest:
1. A commit that recorded events (services/events.py marks the session) enqueues
   `dispatch_events_job` from the `after_commit` hook registered in db.py; a commit that created or
   resumed deliveries (test event, resume) enqueues `deliver_due_job`.
2. After a pump, the earliest future retry is scheduled with `enqueue_at` (the worker's RQ
   scheduler moves it to the queue when due, polling every second).
3. The notify sweep, every NOTIFY_TICK_SECONDS from the worker's ticker (jobs/scheduler.py), does
   both: a lost trigger costs at most that long.
Requests collapse: while a run of a job is queued and not started, asking again adds nothing. Two
runs at the same time are harmless (claims are atomic), only wasteful.
"""

from __future__ import annotations

import logging
import time
import uuid
from datetime import datetime

from voiceconsole.jobs.queues import get_queue, get_redis
from voiceconsole.models.types import utcnow

log = logging.getLogger(__name__)
QUEUE = "notify"
PENDING_KEY = "vc:notify:queued:{}"  # set while a run is queued and not yet started
PENDING_TTL_S = 120  # a lost job stops collapsing new requests after this
PUMP_MAX_SECONDS = 240.0  # then the pump re-queues itself: a job never runs near its timeout
JOB_TIMEOUT_S = 900
SCHEDULED_PREFIX = "notify-pump-at-"


def _still_waiting(job_id: str) -> bool:
    from rq.exceptions import NoSuchJobError
    from rq.job import Job, JobStatus

    try:
        status = Job.fetch(job_id, connection=get_redis()).get_status(refresh=False)
    except NoSuchJobError:
        return False
    return status in (JobStatus.QUEUED, JobStatus.SCHEDULED, JobStatus.DEFERRED)


def _enqueue_once(name: str, func) -> bool:  # noqa: ANN001
    """Enqueue `func` unless a run of it is already waiting. True if enqueued.

    The marker names the waiting job, so a job that vanished (queue emptied, Redis restored from an
    old snapshot) stops collapsing requests at once instead of after PENDING_TTL_S."""
    redis = get_redis()
    key = PENDING_KEY.format(name)
    job_id = f"notify-{name}-{uuid.uuid4().hex[:20]}"
    if not redis.set(key, job_id, nx=True, ex=PENDING_TTL_S):
        waiting = redis.get(key)
        if waiting and _still_waiting(waiting.decode()):
            return False
        redis.set(key, job_id, ex=PENDING_TTL_S)
    try:
        get_queue(QUEUE).enqueue(func, job_id=job_id, job_timeout=JOB_TIMEOUT_S, result_ttl=60,
                                 failure_ttl=86400)
    except Exception:
        redis.delete(key)
        raise
    return True


def _started(name: str) -> None:
    """This run started: from now on a new request needs a new run."""
    from rq import get_current_job

    try:
        job = get_current_job()
        redis = get_redis()
        key = PENDING_KEY.format(name)
        waiting = redis.get(key)
        if job is None or (waiting and waiting.decode() == job.id):
            redis.delete(key)
    except Exception:  # noqa: BLE001
        log.warning("could not clear the notify queue marker %s", name, exc_info=True)


def enqueue_dispatch() -> bool:
    return _enqueue_once("dispatch", dispatch_events_job)


def enqueue_delivery() -> bool:
    return _enqueue_once("deliver", deliver_due_job)


def after_commit(session) -> None:  # noqa: ANN001 (a SQLAlchemy Session)
    """The db.py hook: a transaction that recorded events (or made deliveries due) committed."""
    from voiceconsole.services.events import NOTIFY_INFO_KEY

    wanted = session.info.pop(NOTIFY_INFO_KEY, None)
    if not wanted:
        return
    try:
        if "dispatch" in wanted:
            enqueue_dispatch()  # fans out, then delivers
        else:
            enqueue_delivery()
    except Exception:  # noqa: BLE001 (Redis away: the sweep finds the events)
        log.warning("could not queue notification dispatch; the periodic sweep will", exc_info=True)


def schedule_pump(at: datetime) -> bool:
    """Make sure a pump runs at `at`: at most one scheduled pump is kept, the earliest needed."""
    from rq.job import Job
    from rq.registry import ScheduledJobRegistry

    queue = get_queue(QUEUE)
    registry = ScheduledJobRegistry(queue=queue)
    when = at.timestamp()
    scheduled = [(job_id.decode() if isinstance(job_id, bytes) else job_id, score)
                 for job_id, score in queue.connection.zrange(registry.key, 0, -1, withscores=True)]
    scheduled = [(job_id, score) for job_id, score in scheduled if job_id.startswith(SCHEDULED_PREFIX)]
    if any(score <= when + 0.5 for _, score in scheduled):
        return False  # one already runs at or before then, and it schedules the next one
    for job_id, _ in scheduled:  # later ones are superseded by this earlier one
        try:
            Job.fetch(job_id, connection=queue.connection).delete()
        except Exception:  # noqa: BLE001 (already moved to the queue or gone)
            queue.connection.zrem(registry.key, job_id)
    queue.enqueue_at(at, deliver_due_job, job_id=f"{SCHEDULED_PREFIX}{int(when * 1000)}",
                     job_timeout=JOB_TIMEOUT_S, result_ttl=60, failure_ttl=86400)
    return True


def _deliver_and_reschedule() -> dict:
    from voiceconsole.services.notification_engine import deliver_due, next_due_at

    stats = deliver_due(max_seconds=PUMP_MAX_SECONDS).as_dict()
    upcoming = next_due_at()
    if upcoming is not None:
        if upcoming <= utcnow():
            enqueue_delivery()  # work left (the pump stopped at its time limit, or it fell due just now)
        else:
            schedule_pump(upcoming)
        stats["next"] = upcoming.isoformat()
    return stats


def dispatch_events_job() -> dict:
    """Fan out every undispatched event, then send what is due."""
    from voiceconsole.services.notification_fanout import fan_out_all

    _started("dispatch")
    t0 = time.monotonic()
    events, deliveries = fan_out_all()
    stats = _deliver_and_reschedule()
    stats.update(events=events, deliveries=deliveries, total_seconds=round(time.monotonic() - t0, 3))
    return stats


def deliver_due_job() -> dict:
    """Send every delivery due now, then schedule the next pump for the earliest retry."""
    _started("deliver")
    return _deliver_and_reschedule()


def notify_sweep_job() -> dict:
    """The safety net run by the scheduler tick: a dispatch that also covers lost requests."""
    return dispatch_events_job()
