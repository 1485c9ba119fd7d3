"""Periodic work: every few minutes, enqueue what is due (per-integration syncs every 4 hours).

Each dispatch runs under a time-bucketed unique job id, so any number of workers can run this
ticker without enqueueing anything twice.
"""

from __future__ import annotations

import logging
import threading
import time

from rq.exceptions import DuplicateJobError

from voiceconsole.jobs.queues import get_queue

log = logging.getLogger(__name__)
TICK_SECONDS = 300


def dispatch_due_work() -> dict:
    """Enqueue a sync for every integration whose last sync is older than the interval."""
    from voiceconsole.services import sync_schedule

    return sync_schedule.enqueue_due_syncs()


def tick(now: float | None = None) -> bool:
    bucket = int((now or time.time()) // TICK_SECONDS)
    try:
        get_queue("default").enqueue(dispatch_due_work, job_id=f"dispatch-{bucket}", unique=True,
                                     result_ttl=TICK_SECONDS * 2, failure_ttl=86400)
        return True
    except DuplicateJobError:
        return False


def start_ticker(stop: threading.Event) -> threading.Thread:
    def run() -> None:
        while not stop.is_set():
            try:
                tick()
            except Exception:  # Redis briefly away: try again next tick
                log.exception("scheduler tick failed")
            stop.wait(TICK_SECONDS)

    thread = threading.Thread(target=run, name="voiceconsole-scheduler", daemon=True)
    thread.start()
    return thread
