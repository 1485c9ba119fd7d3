"""Every intake test runs with the settings of a developer working against the simulator (private
targets allowed, tiny retry waits, small pages) and queues holding only its own jobs."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def simulator_environment(integration_settings, no_jobs_left_behind, no_sync_waits_left_behind):
    """The root conftest's `integration_settings` and `no_jobs_left_behind`, for every test here."""


@pytest.fixture
def no_sync_waits_left_behind():
    """No sync waits across tests: the scheduled retries of syncs that found their lock taken
    (`enqueue.sync_at`; `queue.empty()` leaves scheduled jobs alone) and the waiting markers the
    integrations show are cleared before and after each test."""
    _clear_sync_waits()
    yield
    _clear_sync_waits()


def _clear_sync_waits() -> None:
    from rq.registry import ScheduledJobRegistry

    from voiceconsole.enqueue import get_queue, scoped
    from voiceconsole.redis_client import get_redis

    registry = ScheduledJobRegistry(queue=get_queue("sync"))
    for job_id in registry.get_job_ids():
        if job_id.startswith(scoped("sync-retry-")):
            registry.remove(job_id, delete_job=True)
    redis = get_redis()
    for key in redis.scan_iter("vc:sync-waiting:*"):
        redis.delete(key)
