"""The ticker's upkeep: the post-upgrade rescoring check is enqueued once per bucket and runs on a worker."""

from __future__ import annotations

import secrets

from rq import SimpleWorker
from rq.job import Job, JobStatus


def test_rescoring_check_is_collapsed_per_bucket_and_runs_in_a_worker(db, factory):
    from voiceconsole.enqueue import TICK_SECONDS, get_queue, outdated_rescoring, scoped
    from voiceconsole.redis_client import get_redis
    from voiceconsole.services.scoring import scorer_version_key

    queue = get_queue("default")
    queue.empty()
    org = factory.org()
    db.commit()
    get_redis().delete(scorer_version_key(org.id))
    bucket = 5 * 10**8 + secrets.randbelow(10**8)  # far from now: no other ticker used it
    assert outdated_rescoring(now=bucket * TICK_SECONDS) is True
    assert outdated_rescoring(now=bucket * TICK_SECONDS + TICK_SECONDS - 1) is False
    SimpleWorker([queue], connection=get_redis()).work(burst=True)
    job = Job.fetch(scoped(f"rescore-outdated-{bucket}"), connection=get_redis())
    assert job.get_status(refresh=True) == JobStatus.FINISHED and job.return_value() >= 1
    # The rescoring it queued ran in the same burst and marked the organization as current.
    assert get_redis().get(scorer_version_key(org.id)) is not None
    job.delete()
