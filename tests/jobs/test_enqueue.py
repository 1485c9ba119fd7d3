"""The one enqueue module: every job it names exists, and its at-most-once policies hold against real Redis."""

from __future__ import annotations

import contextlib
import secrets

import pytest
from rq.job import Job, JobStatus
from rq.utils import import_attribute

from voiceconsole import enqueue
from voiceconsole.redis_client import get_redis


@pytest.mark.parametrize("path", enqueue.JOBS)
def test_every_named_job_resolves_to_a_function(path):
    assert callable(import_attribute(path)), path


def test_every_job_path_constant_is_listed():
    constants = {
        value
        for name, value in vars(enqueue).items()
        if name.isupper() and isinstance(value, str) and value.startswith("voiceconsole.jobs.")
    }
    assert constants == set(enqueue.JOBS)


def test_the_enqueue_module_imports_no_job_and_no_service():
    import ast
    import inspect

    tree = ast.parse(inspect.getsource(enqueue))
    imported = {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) and node.module}
    assert not {m for m in imported if m.startswith(("voiceconsole.jobs", "voiceconsole.services"))}


def _job_id() -> str:
    return f"test-collapsed-{secrets.token_hex(6)}"


def _cleanup(*job_ids: str) -> None:
    for job_id in job_ids:
        with contextlib.suppress(Exception):  # not there
            Job.fetch(enqueue.scoped(job_id), connection=get_redis()).delete()


def test_collapsed_adds_nothing_while_a_run_waits():
    job_id = _job_id()
    try:
        assert enqueue.collapsed("default", enqueue.AGENT_STATS, 0, job_id=job_id) is True
        assert enqueue.collapsed("default", enqueue.AGENT_STATS, 0, job_id=job_id) is False
        assert Job.fetch(enqueue.scoped(job_id), connection=get_redis()).get_status() == JobStatus.QUEUED
    finally:
        _cleanup(enqueue.scoped(job_id), enqueue.scoped(f"{job_id}-next"))


@pytest.mark.parametrize("wait_for_running", [True, False])
def test_collapsed_queues_one_follow_up_behind_or_beside_a_running_one(wait_for_running):
    job_id = _job_id()
    try:
        assert enqueue.collapsed("default", enqueue.AGENT_STATS, 0, job_id=job_id) is True
        running = Job.fetch(enqueue.scoped(job_id), connection=get_redis())
        running.set_status(JobStatus.STARTED)  # as a worker does when it takes the job
        assert (
            enqueue.collapsed("default", enqueue.AGENT_STATS, 0, job_id=job_id, wait_for_running=wait_for_running)
            is True
        )
        follow_up = Job.fetch(enqueue.scoped(f"{job_id}-next"), connection=get_redis())
        assert follow_up.get_status() == (JobStatus.DEFERRED if wait_for_running else JobStatus.QUEUED)
        # While both exist, a third request adds nothing.
        assert (
            enqueue.collapsed("default", enqueue.AGENT_STATS, 0, job_id=job_id, wait_for_running=wait_for_running)
            is False
        )
    finally:
        _cleanup(enqueue.scoped(job_id), enqueue.scoped(f"{job_id}-next"))


def test_collapsed_replaces_a_finished_or_failed_run():
    job_id = _job_id()
    try:
        assert enqueue.collapsed("default", enqueue.AGENT_STATS, 0, job_id=job_id) is True
        Job.fetch(enqueue.scoped(job_id), connection=get_redis()).set_status(JobStatus.FAILED)
        assert enqueue.collapsed("default", enqueue.AGENT_STATS, 0, job_id=job_id) is True
        assert Job.fetch(enqueue.scoped(job_id), connection=get_redis()).get_status() == JobStatus.QUEUED
    finally:
        _cleanup(enqueue.scoped(job_id), enqueue.scoped(f"{job_id}-next"))


def test_once_per_bucket_enqueues_once_per_bucket():
    seconds = 60
    base = (9 * 10**8 + secrets.randbelow(10**8)) * seconds  # a bucket no real tick uses
    name = f"test-bucket-{secrets.token_hex(4)}"
    try:
        assert enqueue.once_per_bucket("default", enqueue.AGENT_STATS, 0, name=name, seconds=seconds, now=base)
        assert not enqueue.once_per_bucket(
            "default", enqueue.AGENT_STATS, 0, name=name, seconds=seconds, now=base + seconds - 1
        )
        assert enqueue.once_per_bucket(
            "default", enqueue.AGENT_STATS, 0, name=name, seconds=seconds, now=base + seconds
        )
    finally:
        _cleanup(enqueue.scoped(f"{name}-{base // seconds}"), enqueue.scoped(f"{name}-{base // seconds + 1}"))


def test_sync_at_keeps_one_retry_per_integration_the_earliest():
    from datetime import UTC, datetime, timedelta

    from rq.registry import ScheduledJobRegistry

    first = 9 * 10**8 + secrets.randbelow(10**8)  # ids no test integration has
    registry = ScheduledJobRegistry(queue=enqueue.get_queue("sync"))

    def retries(integration_id: int) -> list[tuple[str, float]]:
        entries = get_redis().zrange(registry.key, 0, -1, withscores=True)
        prefix = enqueue.scoped(f"sync-retry-{integration_id}-")
        return [(i.decode(), score) for i, score in entries if i.decode().startswith(prefix)]

    soon = datetime.now(UTC).replace(microsecond=0) + timedelta(hours=1)  # never due while the suite runs
    try:
        assert enqueue.sync_at(first, soon + timedelta(minutes=10)) is True
        assert enqueue.sync_at(first, soon + timedelta(minutes=20)) is False  # a later one: the earlier stays
        assert enqueue.sync_at(first, soon) is True  # an earlier one replaces it
        assert enqueue.sync_at(first + 1, soon + timedelta(minutes=20)) is True  # another integration's is its own
        ((job_id, when),) = retries(first)
        assert when == soon.timestamp()
        job = Job.fetch(job_id, connection=get_redis())
        assert (job.func_name, job.args, job.origin) == (enqueue.SYNC, (first,), "sync")
        assert job.timeout == enqueue.SYNC_TIMEOUT_S
        assert len(retries(first + 1)) == 1
    finally:
        _cleanup(*(job_id for i in (first, first + 1) for job_id, _ in retries(i)))
        for i in (first, first + 1):
            for job_id, _ in retries(i):
                registry.remove(job_id)
