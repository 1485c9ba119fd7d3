"""Periodic work: every few minutes, enqueue what is due (per-integration syncs every 4 hours, daily
summaries at each audience's local hour, a rescoring pass after a scorer upgrade), and every
NOTIFY_TICK_SECONDS the notifications sweep.

Each dispatch runs under a time-bucketed unique job id, so any number of workers can run this
ticker without enqueueing anything twice.

Why the notify sweep ticks every 30 s rather than every 5 minutes: it is only the safety net
(events are fanned out right after their commit and retries are scheduled for their exact time),
but it is what catches a request lost to a Redis blip or a worker killed mid-run, and DESIGN.md §6
promises notifications within seconds. 30 s bounds that worst case at a cost of two indexed
queries per tick (undispatched events use a partial index; due deliveries the (status,
next_attempt_at) index). Stale claims are only released after 2 minutes, so a shorter tick would
not help them anyway.
"""

from __future__ import annotations

import logging
import threading

from voiceconsole.jobs.daily_summary import enqueue_daily_summaries
from voiceconsole.jobs.notifications import JOB_TIMEOUT_S, notify_sweep_job
from voiceconsole.jobs.queues import enqueue_once_per_bucket
from voiceconsole.jobs.scoring import enqueue_outdated_rescoring

# Imported here, not inside the ticker thread: RQ forks a work horse for each job, and a fork taken
# while another thread is half-way through importing a module leaves that module's import lock held
# forever in the child (the first job would hang importing it).

log = logging.getLogger(__name__)
TICK_SECONDS = 300
NOTIFY_TICK_SECONDS = 30


def dispatch_due_work() -> dict:
    """Enqueue a sync for every integration whose last sync is older than the interval."""
    from voiceconsole.services import sync_schedule

    return sync_schedule.enqueue_due_syncs()


def tick(now: float | None = None) -> bool:
    return enqueue_once_per_bucket("default", dispatch_due_work, name="dispatch", seconds=TICK_SECONDS, now=now)


def rescoring_tick(now: float | None = None) -> bool:
    """Look for organizations whose calls predate the current scorer version (see jobs/scoring.py)."""
    return enqueue_once_per_bucket("default", enqueue_outdated_rescoring, name="rescore-outdated",
                                   seconds=TICK_SECONDS, now=now)


def notify_tick(now: float | None = None) -> bool:
    """The notifications sweep: fan out missed events, send what is due."""
    return enqueue_once_per_bucket("notify", notify_sweep_job, name="notify-sweep", seconds=NOTIFY_TICK_SECONDS,
                                   now=now, job_timeout=JOB_TIMEOUT_S)


def start_ticker(stop: threading.Event) -> threading.Thread:
    def run() -> None:
        while not stop.is_set():
            # The sync dispatch is bucketed by TICK_SECONDS: calling it every notify tick enqueues it
            # once per bucket, as before.
            for what in (tick, notify_tick, enqueue_daily_summaries, rescoring_tick):
                try:
                    what()
                except Exception:  # Redis briefly away: try again next tick
                    log.exception("scheduler %s failed", what.__name__)
            stop.wait(NOTIFY_TICK_SECONDS)

    thread = threading.Thread(target=run, name="voiceconsole-scheduler", daemon=True)
    thread.start()
    return thread
