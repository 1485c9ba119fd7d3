"""A worker runs only the jobs queued for its own database: attached by mistake to another deployment's
Redis database, it leaves that deployment's jobs alone (they go back to their queue for the right workers)
and says why in its log, instead of running them against the wrong data."""

from __future__ import annotations

import contextlib
import logging
import os
import secrets
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest
from rq.exceptions import NoSuchJobError
from rq.job import Job, JobStatus
from rq.registry import ScheduledJobRegistry

from voiceconsole import enqueue
from voiceconsole.db import instance_id
from voiceconsole.jobs.worker import VoiceConsoleSimpleWorker
from voiceconsole.redis_client import get_redis

VOICECONSOLE = Path(sys.executable).with_name("voiceconsole")


def test_every_queued_job_carries_this_databases_instance():
    assert instance_id()  # made by the migration
    job_id = f"test-stamp-{secrets.token_hex(4)}"
    try:
        enqueue.collapsed("default", enqueue.AGENT_STATS, 0, job_id=job_id)
        assert Job.fetch(enqueue.scoped(job_id), connection=get_redis()).meta[enqueue.INSTANCE_META] == instance_id()
    finally:
        Job.fetch(enqueue.scoped(job_id), connection=get_redis()).delete()


def test_a_job_of_another_database_is_left_for_its_own_workers(caplog):
    queue = enqueue.get_queue("default")
    queue.empty()
    ours = queue.enqueue(enqueue.AGENT_STATS, 0)
    theirs = queue.enqueue(enqueue.AGENT_STATS, 0, meta={enqueue.INSTANCE_META: "another-deployment"})
    with caplog.at_level(logging.ERROR, logger="voiceconsole.jobs.worker"):
        VoiceConsoleSimpleWorker([queue], connection=get_redis()).work(burst=True)
    assert ours.get_status(refresh=True) == JobStatus.FINISHED
    assert theirs.get_status(refresh=True) == JobStatus.SCHEDULED  # not run: back in its queue later
    assert theirs.id in ScheduledJobRegistry(queue=queue).get_job_ids()
    assert "queued for the database of another deployment" in caplog.text and "another-deployment" in caplog.text
    theirs.delete()


def test_policy_job_ids_are_the_deployments_own():
    """Job ids are global to a Redis database: another deployment's waiting "notify-dispatch" (or the leftover
    of one that is gone) must not make ours look already queued."""
    queue = enqueue.get_queue("notify")
    for slot in (enqueue.scoped("notify-dispatch"), enqueue.scoped("notify-dispatch-next")):  # an earlier test's
        with contextlib.suppress(NoSuchJobError):
            Job.fetch(slot, connection=get_redis()).delete()
    theirs = queue.enqueue(enqueue.NOTIFY_DISPATCH, job_id="notify-dispatch", meta={enqueue.INSTANCE_META: "gone"})
    try:
        assert enqueue.scoped("notify-dispatch") != "notify-dispatch"
        assert enqueue.notify_dispatch() is True
        assert Job.fetch(enqueue.scoped("notify-dispatch"), connection=get_redis()).meta[enqueue.INSTANCE_META] == (
            instance_id()
        )
    finally:
        theirs.delete()
        Job.fetch(enqueue.scoped("notify-dispatch"), connection=get_redis()).delete()


def test_a_job_no_worker_of_its_own_takes_is_dropped_after_an_hour_of_bounces(caplog):
    from voiceconsole.jobs.worker import BOUNCES_META, NOT_OURS_LIMIT

    queue = enqueue.get_queue("default")
    queue.empty()
    orphan = queue.enqueue(enqueue.AGENT_STATS, 0, meta={enqueue.INSTANCE_META: "gone", BOUNCES_META: NOT_OURS_LIMIT})
    with caplog.at_level(logging.ERROR, logger="voiceconsole.jobs.worker"):
        VoiceConsoleSimpleWorker([queue], connection=get_redis()).work(burst=True)
    assert "dropped" in caplog.text
    assert not Job.exists(orphan.id, connection=get_redis())
    assert orphan.id not in ScheduledJobRegistry(queue=queue).get_job_ids()


@pytest.mark.skipif(not os.environ.get("DATABASE_URL", "").startswith("postgres"), reason="needs PostgreSQL")
def test_a_worker_on_another_database_does_not_take_our_sync(factory):
    """The reported incident: a worker on the same Redis but another database took this deployment's sync
    jobs (and reported their integrations "disconnected or deleted"): our syncs never ran."""
    from voiceconsole.models import Integration
    from voiceconsole.services.security import encrypt

    base, _, _ = os.environ["DATABASE_URL"].replace("postgresql+psycopg://", "postgresql://").rpartition("/")
    other = f"vc_other_{secrets.token_hex(4)}"
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{other}"')
    try:
        env = {**os.environ, "DATABASE_URL": f"{base}/{other}"}
        subprocess.run([str(VOICECONSOLE), "db", "upgrade"], env=env, check=True, capture_output=True, timeout=120)
        # The row alone (no platform is ever asked here: the sync job must not even start).
        integration = Integration(
            organization_id=factory.org().id,
            platform="vapi",
            label="ours",
            api_key_encrypted=encrypt("vapi-key"),
            api_key_last4="-key",
        )
        factory.s.add(integration)
        factory.s.commit()
        queue = enqueue.get_queue("sync")
        queue.empty()
        assert enqueue.sync(integration.id)
        (job_id,) = queue.job_ids
        done = subprocess.run(
            [str(VOICECONSOLE), "worker", "--burst"], env=env, capture_output=True, text=True, timeout=120
        )
        assert "queued for the database of another deployment" in done.stderr + done.stdout
        job = Job.fetch(job_id, connection=get_redis())
        assert job.get_status(refresh=True) == JobStatus.SCHEDULED  # still ours to run
        job.delete()
    finally:
        with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{other}" WITH (FORCE)')
