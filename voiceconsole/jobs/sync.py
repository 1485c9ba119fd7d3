"""Sync and connection-test jobs. Thin: they take an integration id and call the services.

`enqueue_sync` puts a minute bucket in the job id with `unique=True`: requests within the same
minute (a user pressing "Sync now" twice, the scheduler tick) collapse into one job. Two jobs of
different minutes may still overlap; the Redis lock in `services.sync` then makes the second
return at once.
"""

from __future__ import annotations

import time

from rq.exceptions import DuplicateJobError

from voiceconsole.jobs.queues import get_queue

SYNC_BUCKET_S = 60
SYNC_TIMEOUT_S = 4 * 3600  # a first import of a large account takes a while
TEST_BUCKET_S = 10


def sync_job_id(integration_id: int, now: float | None = None) -> str:
    return f"sync-{integration_id}-{int((now or time.time()) // SYNC_BUCKET_S)}"


def enqueue_sync(integration_id: int) -> bool:
    """Queue a sync of the integration; False when one is already queued in this time bucket."""
    try:
        get_queue("sync").enqueue(sync_integration_job, integration_id, job_id=sync_job_id(integration_id),
                                  unique=True, job_timeout=SYNC_TIMEOUT_S, result_ttl=3600,
                                  failure_ttl=7 * 86400)
        return True
    except DuplicateJobError:
        return False


def sync_integration_job(integration_id: int) -> dict:
    from voiceconsole.services.sync import sync_integration

    return sync_integration(integration_id).summary()


def enqueue_connection_test(integration_id: int) -> bool:
    try:
        get_queue("default").enqueue(connection_test_job, integration_id,
                                     job_id=f"integration-test-{integration_id}-{int(time.time() // TEST_BUCKET_S)}",
                                     unique=True, job_timeout=300, result_ttl=600, failure_ttl=86400)
        return True
    except DuplicateJobError:
        return False


def connection_test_job(integration_id: int) -> dict:
    from voiceconsole.services.integrations import run_connection_test

    return run_connection_test(integration_id)
