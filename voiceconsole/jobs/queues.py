"""Redis connections and RQ queues."""

from __future__ import annotations

import time
from functools import lru_cache

import redis
from rq import Queue
from rq.exceptions import DuplicateJobError, NoSuchJobError
from rq.job import Job, JobStatus

from voiceconsole.settings import get_settings

# Listed in priority order: a worker drains earlier queues first. Notifications are short jobs that
# people wait for (DESIGN.md §6: seconds), so they go before the default and the long sync jobs.
QUEUE_NAMES = ("webhooks", "scoring", "notify", "default", "sync")
_PENDING = (JobStatus.QUEUED, JobStatus.SCHEDULED, JobStatus.DEFERRED)


@lru_cache(maxsize=1)
def get_redis() -> redis.Redis:
    # RQ pickles payloads: this connection must NOT decode responses.
    return redis.Redis.from_url(get_settings().redis_url)


def get_queue(name: str = "default") -> Queue:
    if name not in QUEUE_NAMES:
        raise ValueError(f"unknown queue {name!r}")
    return Queue(name, connection=get_redis(), default_timeout=600)


def all_queues() -> list[Queue]:
    return [get_queue(n) for n in QUEUE_NAMES]


def enqueue_once_per_bucket(queue_name: str, func, *, name: str, seconds: int, now: float | None = None,
                            **options) -> bool:
    """Enqueue `func` at most once per `seconds`-long time bucket (job id `{name}-{bucket}`), however many
    tickers ask: periodic work stays single without any coordination between workers."""
    bucket = int((now or time.time()) // seconds)
    try:
        get_queue(queue_name).enqueue(func, job_id=f"{name}-{bucket}", unique=True, result_ttl=seconds * 2,
                                      failure_ttl=86400, **options)
        return True
    except DuplicateJobError:
        return False


def enqueue_agent_stats(agent_ids: set[int] | list[int]) -> None:
    """Ask for agents' cached stats to be recomputed; collapsed while a run is still pending."""
    from voiceconsole.jobs.agent_stats import recompute_agent_stats_job

    q = get_queue("default")
    for agent_id in sorted(set(agent_ids)):
        job_id = f"agent-stats-{agent_id}"
        try:
            job = Job.fetch(job_id, connection=q.connection)
            if job.get_status(refresh=True) in _PENDING:
                continue  # the pending run will read the new calls too
            job.delete()  # finished or failed: make room for a fresh run
        except NoSuchJobError:
            pass
        try:
            q.enqueue(recompute_agent_stats_job, agent_id, job_id=job_id, unique=True,
                      result_ttl=60, failure_ttl=86400)
        except DuplicateJobError:
            pass  # enqueued concurrently by another process


def enqueue_email(*, to: str, subject: str, text: str, html: str | None = None) -> None:
    from rq import Retry

    from voiceconsole.jobs.email import send_email_job

    get_queue("notify").enqueue(send_email_job, to=to, subject=subject, text=text, html=html,
                                retry=Retry(max=3, interval=[10, 60, 300]))
