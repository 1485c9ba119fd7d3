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
"""

from __future__ import annotations

import logging
import threading

from voiceconsole import enqueue

log = logging.getLogger(__name__)
TICKS = (
    enqueue.due_syncs,
    enqueue.open_call_polls,
    enqueue.notify_sweep,
    enqueue.daily_summaries,
    enqueue.outdated_rescoring,
)


def start_ticker(stop: threading.Event) -> threading.Thread:
    def run() -> None:
        while not stop.is_set():
            for ask in TICKS:
                try:
                    ask()
                except Exception:  # Redis briefly away: try again next tick
                    log.exception("scheduler %s failed", ask.__name__)
            stop.wait(enqueue.NOTIFY_TICK_SECONDS)

    thread = threading.Thread(target=run, name="voiceconsole-scheduler", daemon=True)
    thread.start()
    return thread
