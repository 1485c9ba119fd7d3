"""Periodic work: every NOTIFY_TICK_SECONDS, each worker's ticker asks for what is due: the
notifications sweep, the poll of calls still open (bucketed by OPEN_CALLS_TICK_SECONDS: once a
minute), and (bucketed by TICK_SECONDS) the look for due syncs (every 4 hours per integration), the
daily summaries at each audience's local hour, and the rescoring check after a scorer upgrade.

Each request is enqueued under a time-bucketed unique job id (`enqueue.once_per_bucket`), so any
number of workers can run this ticker without enqueueing anything twice. The ticker only enqueues
jobs by name: it imports no job, so nothing is imported in this thread while RQ forks work horses
(a fork taken while another thread is half-way through an import leaves that module's lock held in
the child, and the first job would hang).

Why the notify sweep ticks every 30 s rather than every 5 minutes: it is only the safety net
(events are fanned out right after their commit and retries are scheduled for their exact time),
but it is what catches a request lost to a Redis blip or a worker killed mid-run, and DESIGN.md §6
promises notifications within seconds. 30 s bounds that worst case at a cost of two indexed
queries per tick (undispatched events use a partial index; due deliveries the (status,
next_attempt_at) index). Stale claims are only released after 2 minutes, so a shorter tick would
not help them anyway.

Exactly one ticker ticks at a time, across all hosts: every worker runs this thread, but only the holder
of the scheduler lock (a Redis key with an expiry, `SchedulerLock`) asks for anything. The holder renews
the lock about every second; the others try to take it as often. A holder that dies (SIGKILL, its host
lost) stops renewing, its lock expires after VOICECONSOLE_SCHEDULER_LOCK_TTL_S (30 s, one notify tick),
and another worker's ticker takes it within a second of that: at most one tick is lost, and the
bucketed job ids above remain the second guard (two tickers briefly overlapping still enqueue each
bucket's jobs once). A worker told to stop (SIGTERM, see jobs/worker.py) releases the lock at once.
The holder ticks once per NOTIFY_TICK_SECONDS bucket, at its start, so no bucket is skipped by drift.
"""

from __future__ import annotations

import logging
import secrets
import threading
import time
from collections.abc import Callable, Sequence

import redis

from voiceconsole import enqueue
from voiceconsole.redis_client import get_redis
from voiceconsole.settings import get_settings

log = logging.getLogger(__name__)
TICKS = (
    enqueue.due_syncs,
    enqueue.open_call_polls,
    enqueue.notify_sweep,
    enqueue.daily_summaries,
    enqueue.outdated_rescoring,
    enqueue.billing_upkeep,
    enqueue.campaign_dispatch,
)
MAX_STEP_S = 1.0  # how often the holder renews and the others try to take over, at most

# Take the lock if it is free, renew it if it is ours: one atomic step, one round trip.
_HOLD = """
local holder = redis.call('get', KEYS[1])
if holder == ARGV[1] then
  redis.call('pexpire', KEYS[1], ARGV[2])
  return 1
end
if not holder then
  redis.call('set', KEYS[1], ARGV[1], 'PX', ARGV[2])
  return 1
end
return 0
"""
_RELEASE = """
if redis.call('get', KEYS[1]) == ARGV[1] then
  return redis.call('del', KEYS[1])
end
return 0
"""


def lock_key() -> str:
    return f"voiceconsole:{enqueue.scoped('scheduler-lock')}"  # one per deployment (see enqueue.scoped)


class SchedulerLock:
    """The right to tick: a Redis key holding a random token, with an expiry its holder keeps renewing."""

    def __init__(self, connection: redis.Redis, *, key: str, ttl_s: float):
        self.connection, self.key, self.ttl_ms = connection, key, max(1, int(ttl_s * 1000))
        self.token = secrets.token_hex(16)

    def hold(self) -> bool:
        """Take the lock if it is free or renew it if it is ours; True when this instance holds it now."""
        return bool(self.connection.eval(_HOLD, 1, self.key, self.token, self.ttl_ms))

    def release(self) -> bool:
        """Give the lock up if it is still ours (another worker then takes it at its next step)."""
        return bool(self.connection.eval(_RELEASE, 1, self.key, self.token))


def start_ticker(
    stop: threading.Event,
    *,
    ttl_s: float | None = None,
    ticks: Sequence[Callable[[], object]] = TICKS,
    tick_s: float = enqueue.NOTIFY_TICK_SECONDS,
    key: str | None = None,
) -> threading.Thread:
    """Run the ticker in a daemon thread until `stop` is set; it releases the lock on its way out."""
    ttl = ttl_s if ttl_s is not None else get_settings().scheduler_lock_ttl_s
    lock = SchedulerLock(get_redis(), key=key or lock_key(), ttl_s=ttl)
    step = min(MAX_STEP_S, ttl / 5)  # renewals well inside the expiry

    def tick() -> None:
        for ask in ticks:
            try:
                ask()
            except Exception:  # Redis briefly away: try again next tick
                log.exception("scheduler %s failed", getattr(ask, "__name__", ask))

    def run() -> None:
        held, last_bucket = False, None
        try:
            while not stop.is_set():
                try:
                    holding = lock.hold()
                except redis.RedisError as exc:  # cannot renew: act as if lost, another may take over
                    log.warning("scheduler lock unavailable (%s)", type(exc).__name__)
                    holding = False
                if holding != held:
                    log.info("scheduler: %s the schedule", "took over" if holding else "lost")
                    held = holding
                bucket = int(time.time() // tick_s)
                if held and bucket != last_bucket:
                    last_bucket = bucket
                    tick()
                stop.wait(step)
        finally:
            try:
                if lock.release():
                    log.info("scheduler: released the schedule")
            except redis.RedisError:
                pass  # it expires on its own

    thread = threading.Thread(target=run, name="voiceconsole-scheduler", daemon=True)
    thread.start()
    return thread
