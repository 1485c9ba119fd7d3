"""Worker entry point: `voiceconsole worker [--burst]`.

A worker checks its database and Redis before it takes any job (services/readiness.py), and runs only the
jobs queued for its own database: every job carries the instance id of the database it was queued for
(enqueue.StampedQueue). A worker attached to the same Redis database as another deployment (a wrong
REDIS_URL or DATABASE_URL) leaves that deployment's jobs for its workers, and says so in its log.
"""

from __future__ import annotations

import logging
import threading
from datetime import timedelta

from rq import Queue, SimpleWorker, Worker
from rq.job import Job
from rq.worker.base import BaseWorker

from voiceconsole.db import get_engine, instance_id
from voiceconsole.enqueue import INSTANCE_META, all_queues
from voiceconsole.jobs.scheduler import start_ticker
from voiceconsole.models.types import utcnow
from voiceconsole.redis_client import get_redis
from voiceconsole.services import readiness

log = logging.getLogger(__name__)
NOT_OURS_DELAY = timedelta(seconds=60)  # a job of another deployment goes back for this long
# …this many times (an hour) at most: then no worker of its own has come for it (its deployment is gone,
# or its workers are down so long that the periodic safety nets will redo the work), and it is dropped.
NOT_OURS_LIMIT = 60
BOUNCES_META = "bounced"


class WorkerNotReady(RuntimeError):
    """The worker's database or Redis cannot be used: it takes no job."""


def is_ours(job: Job) -> bool:
    """Queued for this worker's database (or before jobs carried one: they run as they always did)."""
    queued_for = (job.meta or {}).get(INSTANCE_META)
    return queued_for is None or queued_for == instance_id()


class _OnlyOurJobs(BaseWorker):
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


def run_worker(*, burst: bool = False, simple: bool = False) -> bool:
    state = readiness.check()
    if not state.ready:
        raise WorkerNotReady("; ".join(f"{part}: {problem}" for part, problem in state.problems.items()))
    instance_id()  # read once, here: the work horses forked from this process inherit it
    # Nothing in this process uses the database from now on; a pooled connection left open would be shared
    # with every forked work horse (two processes on one connection: errors such as a duplicate prepared
    # statement).
    get_engine().dispose()
    stop = threading.Event()
    if not burst:
        start_ticker(stop)
    cls = VoiceConsoleSimpleWorker if simple else VoiceConsoleWorker
    worker = cls(all_queues(), connection=get_redis())
    try:
        # with_scheduler moves retries and enqueue_at jobs onto their queues when due.
        return worker.work(burst=burst, with_scheduler=True, logging_level="INFO")
    finally:
        stop.set()
