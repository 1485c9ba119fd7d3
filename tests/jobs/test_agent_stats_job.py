"""The agent-stats job on the real Redis (REDIS_URL, else the embedded server), the scheduler tick
and the `voiceconsole worker --burst` command.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from statistics import mean

import pytest
from rq import SimpleWorker

from tests.support.http import bearer

VOICECONSOLE = Path(sys.executable).with_name("voiceconsole")


@pytest.fixture
def queue(no_jobs_left_behind):
    """The default queue; every queue starts empty (a burst worker drains them all, leftovers included)."""
    from voiceconsole.enqueue import get_queue

    return get_queue("default")


def _drain(queue) -> None:
    from voiceconsole.redis_client import get_redis

    SimpleWorker([queue], connection=get_redis()).work(burst=True)


def _insert_calls(factory, org, agent):
    """A realistic mix: scored and unscored ended calls, an error call and one still in progress."""
    base = datetime.now(UTC).replace(microsecond=0) - timedelta(days=3)
    specs = [
        dict(score=88, duration_ms=61_500, cost_usd=Decimal("0.123400"), status="ended"),
        dict(score=71, duration_ms=185_250, cost_usd=Decimal("0.456700"), status="ended"),
        dict(score=93, duration_ms=42_000, cost_usd=Decimal("0.081000"), status="ended"),
        dict(score=None, duration_ms=95_000, cost_usd=Decimal("0.200000"), status="ended"),  # not scored yet
        dict(score=None, duration_ms=4_000, cost_usd=Decimal("0.010000"), status="error", successful=False),
        dict(score=None, duration_ms=None, cost_usd=None, status="in_progress", successful=None),
    ]
    return [factory.call(org, agent, started_at=base + timedelta(hours=i), **spec) for i, spec in enumerate(specs)]


def _expected(calls) -> dict:
    ended = [c for c in calls if c.status == "ended"]
    scores = [c.score for c in calls if c.score is not None]
    return {
        "total_calls": len(calls),
        "avg_score": mean(scores),
        "avg_duration_s": mean(c.duration_ms for c in ended) / 1000,  # of completed calls
        "total_cost": sum((c.cost_usd for c in calls if c.cost_usd is not None), Decimal(0)),
        "last_call_at": max(c.started_at for c in calls),
    }


def _cached(db, agent) -> dict:
    db.refresh(agent)
    return {
        "total_calls": agent.total_calls,
        "avg_score": agent.avg_score,
        "avg_duration_s": agent.avg_duration_s,
        "total_cost": agent.total_cost,
        "last_call_at": agent.last_call_at,
    }


def _assert_matches(cached: dict, expected: dict) -> None:
    assert cached["total_calls"] == expected["total_calls"]
    assert cached["avg_score"] == pytest.approx(float(expected["avg_score"]))
    assert cached["avg_duration_s"] == pytest.approx(float(expected["avg_duration_s"]))
    assert Decimal(cached["total_cost"]) == expected["total_cost"]  # exact: money is Decimal
    assert cached["last_call_at"] == expected["last_call_at"]


def test_job_computes_the_agents_figures(factory, db, queue, api_client):
    from voiceconsole import enqueue

    org = factory.org()
    agent = factory.agent(org)
    calls = _insert_calls(factory, org, agent)
    assert _cached(db, agent)["total_calls"] == 0  # nothing computed before the job runs

    enqueue.agent_stats({agent.id})
    _drain(queue)

    expected = _expected(calls)
    _assert_matches(_cached(db, agent), expected)

    r = api_client.get("/api/v1/agents", headers=bearer(factory.api_key(org)))
    assert r.status_code == 200
    (row,) = r.json()["data"]
    assert row["id"] == agent.platform_agent_id
    assert row["totalCalls"] == expected["total_calls"]
    assert row["avgScore"] == round(float(expected["avg_score"]), 1)
    assert row["avgDuration"] == round(float(expected["avg_duration_s"]), 1)
    assert Decimal(str(row["totalCost"])) == expected["total_cost"].quantize(Decimal("0.0001"))
    assert datetime.fromisoformat(row["lastCallAt"].replace("Z", "+00:00")) == expected["last_call_at"]


def test_job_only_counts_its_own_agents_calls(factory, db, queue):
    from voiceconsole import enqueue

    org = factory.org()
    agent, neighbour = factory.agent(org), factory.agent(org)
    calls = _insert_calls(factory, org, agent)
    factory.call(org, neighbour, score=10, cost_usd=Decimal("9.000000"))
    enqueue.agent_stats([agent.id, neighbour.id])
    _drain(queue)
    _assert_matches(_cached(db, agent), _expected(calls))
    assert _cached(db, neighbour)["total_calls"] == 1
    assert _cached(db, neighbour)["avg_score"] == 10


def test_job_is_idempotent_and_picks_up_new_calls(factory, db, queue):
    from voiceconsole import enqueue

    org = factory.org()
    agent = factory.agent(org)
    calls = _insert_calls(factory, org, agent)
    enqueue.agent_stats({agent.id})
    _drain(queue)
    first = _cached(db, agent)
    enqueue.agent_stats({agent.id})
    _drain(queue)
    assert _cached(db, agent) == first  # running twice changes nothing
    _assert_matches(first, _expected(calls))

    calls.append(factory.call(org, agent, score=12, duration_ms=30_000, cost_usd=Decimal("0.050000")))
    enqueue.agent_stats({agent.id})
    _drain(queue)
    _assert_matches(_cached(db, agent), _expected(calls))


def test_job_function_can_run_twice_directly(factory, db):
    from voiceconsole.jobs.agent_stats import recompute_agent_stats_job

    org = factory.org()
    agent = factory.agent(org)
    calls = _insert_calls(factory, org, agent)
    assert recompute_agent_stats_job(agent.id) == {"agent_id": agent.id, "total_calls": len(calls)}
    once = _cached(db, agent)
    assert recompute_agent_stats_job(agent.id) == {"agent_id": agent.id, "total_calls": len(calls)}
    assert _cached(db, agent) == once
    # an agent deleted since the job was queued is not an error
    assert recompute_agent_stats_job(10**9) == {"agent_id": 10**9, "total_calls": None}


def test_enqueueing_twice_while_queued_collapses_to_one_job(factory, db, queue):
    from voiceconsole import enqueue

    org = factory.org()
    agent = factory.agent(org)
    calls = _insert_calls(factory, org, agent)
    job_id = enqueue.scoped(f"agent-stats-{agent.id}")
    enqueue.agent_stats({agent.id})
    enqueue.agent_stats([agent.id, agent.id])
    enqueue.agent_stats({agent.id})
    assert queue.get_job_ids().count(job_id) == 1
    _drain(queue)
    assert job_id not in queue.get_job_ids()
    _assert_matches(_cached(db, agent), _expected(calls))
    # once it has run, asking again queues a fresh run
    enqueue.agent_stats({agent.id})
    assert queue.get_job_ids().count(job_id) == 1
    _drain(queue)


def test_scheduler_tick_enqueues_once_per_time_bucket(queue):
    from rq.job import Job

    from voiceconsole import enqueue
    from voiceconsole.enqueue import TICK_SECONDS, due_syncs
    from voiceconsole.redis_client import get_redis

    # A bucket far from now, so a ticker running elsewhere on this Redis cannot have used it.
    bucket = 10**8 + secrets.randbelow(10**8)
    start = bucket * TICK_SECONDS
    try:
        assert due_syncs(now=start) is True
        assert due_syncs(now=start + 1) is False
        assert due_syncs(now=start + TICK_SECONDS - 1) is False
        assert queue.get_job_ids().count(enqueue.scoped(f"dispatch-{bucket}")) == 1
        assert due_syncs(now=start + TICK_SECONDS) is True  # the next bucket dispatches again
        assert enqueue.scoped(f"dispatch-{bucket + 1}") in queue.get_job_ids()
    finally:
        for b in (bucket, bucket + 1):
            with contextlib.suppress(Exception):
                Job.fetch(enqueue.scoped(f"dispatch-{b}"), connection=get_redis()).delete()


def test_dispatch_job_runs_in_a_worker(queue):
    from rq.job import Job, JobStatus

    from voiceconsole import enqueue
    from voiceconsole.enqueue import TICK_SECONDS, due_syncs
    from voiceconsole.redis_client import get_redis

    bucket = 3 * 10**8 + secrets.randbelow(10**8)
    assert due_syncs(now=bucket * TICK_SECONDS)
    _drain(queue)
    job = Job.fetch(enqueue.scoped(f"dispatch-{bucket}"), connection=get_redis())
    assert job.get_status(refresh=True) == JobStatus.FINISHED
    assert set(job.return_value()) == {"due", "enqueued"}
    job.delete()


def _cli_env() -> dict[str, str]:
    env = dict(os.environ)  # DATABASE_URL (the throwaway DB), VOICECONSOLE_DATA_DIR, REDIS_URL
    env.setdefault("VOICECONSOLE_LOG_LEVEL", "WARNING")
    return env


def test_worker_burst_drains_the_queues_and_exits_0(factory, db, queue):
    from voiceconsole import enqueue

    org = factory.org()
    agent = factory.agent(org)
    calls = _insert_calls(factory, org, agent)
    enqueue.agent_stats({agent.id})
    assert enqueue.scoped(f"agent-stats-{agent.id}") in queue.get_job_ids()
    started = time.monotonic()
    proc = subprocess.run(
        [str(VOICECONSOLE), "worker", "--burst"], env=_cli_env(), capture_output=True, text=True, timeout=120
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert time.monotonic() - started < 120
    assert enqueue.scoped(f"agent-stats-{agent.id}") not in queue.get_job_ids()
    _assert_matches(_cached(db, agent), _expected(calls))


def test_worker_burst_with_nothing_to_do_exits_0(queue):
    proc = subprocess.run(
        [str(VOICECONSOLE), "worker", "--burst", "--simple"],
        env=_cli_env(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
