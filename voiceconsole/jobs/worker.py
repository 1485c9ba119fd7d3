"""Worker entry point: `voiceconsole worker [--burst]`.

A worker checks its database and Redis before it takes any job (services/readiness.py), and runs only the
jobs queued for its own database: every job carries the instance id of the database it was queued for
(enqueue.StampedQueue). A worker attached to the same Redis database as another deployment (a wrong
REDIS_URL or DATABASE_URL) leaves that deployment's jobs for its workers, and says so in its log.

Every worker runs the periodic ticker (jobs/scheduler.py); one of them at a time holds the schedule.
Stopping: SIGTERM (or SIGINT) asks for RQ's warm shutdown: the worker takes no new job, lets the job
running in its work horse finish, then exits; it releases the scheduler lock at once, so another worker
takes the schedule over within a second. A second SIGTERM is RQ's cold shutdown: the work horse is killed
and its job, left in the started registry, is failed as abandoned (or retried, if it has retries left) when
a worker next cleans the registries. Send SIGTERM to the worker process only, not its process group
(systemd: KillMode=mixed; a container: the worker as PID 1): the work horse dies on SIGTERM.

Each job performed is counted in Redis by job function, outcome and duration (services/metrics/jobs.py),
and its log records carry its job id (services/logs.py).
"""

from __future__ import annotations

import logging
import threading
import time
from datetime import timedelta
from types import FrameType

from rq import Queue, SimpleWorker, Worker
from rq.job import Job
from rq.worker.base import BaseWorker

from voiceconsole.db import get_engine, instance_id
from voiceconsole.enqueue import INSTANCE_META, RETRY_IF_LOST_ONLY, all_queues, get_queue
from voiceconsole.jobs.scheduler import start_ticker
from voiceconsole.models.types import utcnow
from voiceconsole.redis_client import get_redis
from voiceconsole.services import metrics, readiness
from voiceconsole.services.logs import configure_logging, job_context
from voiceconsole.settings import get_settings

log = logging.getLogger(__name__)
NOT_OURS_DELAY = timedelta(seconds=60)  # a job of another deployment goes back for this long
# …this many times (an hour) at most: then no worker of its own has come for it (its deployment is gone,
# or its workers are down so long that the periodic safety nets will redo the work), and it is dropped.
NOT_OURS_LIMIT = 60
BOUNCES_META = "bounced"
TICKER_STOP_S = 5  # how long a stopping worker waits for its ticker to release the scheduler lock


class WorkerNotReady(RuntimeError):
    """The worker's database or Redis cannot be used: it takes no job."""


def is_ours(job: Job) -> bool:
    """Queued for this worker's database (or before jobs carried one: they run as they always did)."""
    queued_for = (job.meta or {}).get(INSTANCE_META)
    return queued_for is None or queued_for == instance_id()


class _OnlyOurJobs(BaseWorker):
    ticker_stop: threading.Event | None = None  # set on SIGTERM: the ticker gives the schedule up at once

    def request_stop(self, signum: int, frame: FrameType | None) -> None:
        if self.ticker_stop is not None:
            self.ticker_stop.set()
        super().request_stop(signum, frame)

    def handle_job_failure(self, job: Job, queue: Queue, started_job_registry=None, exc_string: str = "") -> None:
        if (job.meta or {}).get("retry") == RETRY_IF_LOST_ONLY["retry"]:
            job.retries_left = 0  # it failed and said so: only a run lost with its worker is retried
        super().handle_job_failure(job, queue, started_job_registry=started_job_registry, exc_string=exc_string)

    def perform_job(self, job: Job, queue: Queue) -> bool:
        started = time.monotonic()
        with job_context(job.id):
            succeeded = super().perform_job(job, queue)
        try:
            metrics.record_job(job.func_name, succeeded=succeeded, seconds=time.monotonic() - started)
        except Exception as exc:  # noqa: BLE001 (a metric lost to a Redis blip must not fail the job)
            log.warning("job metrics not recorded (%s)", type(exc).__name__)
        return succeeded

    def execute_job(self, job: Job, queue: Queue) -> None:
        if is_ours(job):
            super().execute_job(job, queue)
            return
        theirs, ours = (job.meta or {}).get(INSTANCE_META), instance_id()
        bounces = int((job.meta or {}).get(BOUNCES_META) or 0) + 1
        if bounces > NOT_OURS_LIMIT:
            log.error(
                "job %s (%s) of another deployment (instance %s) was left for its workers %d times and none "
                "took it: dropped.",
                job.id,
                job.func_name,
                theirs,
                NOT_OURS_LIMIT,
            )
            job.delete()
            return
        job.meta[BOUNCES_META] = bounces
        job.save_meta()
        log.error(
            "job %s (%s) was queued for the database of another deployment (instance %s; this worker's is %s): "
            "left for that deployment's workers. Give each deployment its own Redis database.",
            job.id,
            job.func_name,
            theirs,
            ours,
        )
        queue.schedule_job(job, utcnow() + NOT_OURS_DELAY)  # back in its queue later, not straight back here


class VoiceConsoleWorker(_OnlyOurJobs, Worker):
    """RQ's forking worker, running only this deployment's jobs."""


class VoiceConsoleSimpleWorker(_OnlyOurJobs, SimpleWorker):
    """The same, running jobs in its own process (no fork)."""


MAINTENANCE_INTERVAL_S = 60  # RQ's registry cleanup: a job left "started" by a dead host is failed or retried


def run_worker(*, burst: bool = False, simple: bool = False, queues: list[str] | None = None) -> bool:
    """Run a worker on `queues` (default: all, in the order they drain) with the periodic ticker (only the
    holder of the scheduler lock ticks, whatever queues it works)."""
    settings = get_settings()
    configure_logging(log_format=settings.log_format, level=settings.log_level)
    state = readiness.check()
    if not state.ready:
        raise WorkerNotReady("; ".join(f"{part}: {problem}" for part, problem in state.problems.items()))
    instance_id()  # read once, here: the work horses forked from this process inherit it
    # Nothing in this process uses the database from now on; a pooled connection left open would be shared
    # with every forked work horse (two processes on one connection: errors such as a duplicate prepared
    # statement).
    get_engine().dispose()
    stop = threading.Event()
    ticker = None if burst else start_ticker(stop)
    cls = VoiceConsoleSimpleWorker if simple else VoiceConsoleWorker
    chosen = [get_queue(name) for name in queues] if queues else all_queues()
    worker = cls(chosen, connection=get_redis(), maintenance_interval=MAINTENANCE_INTERVAL_S)
    worker.ticker_stop = stop
    try:
        # with_scheduler moves retries and enqueue_at jobs onto their queues when due.
        return worker.work(burst=burst, with_scheduler=True, logging_level=settings.log_level)
    finally:
        stop.set()
        if ticker is not None:
            ticker.join(TICKER_STOP_S)  # the lock released before this process exits
