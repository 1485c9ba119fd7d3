"""The sync lock when its holder dies or waits on a slow platform: a killed worker must not freeze an
integration (hardening, item 4).

A worker killed mid-sync leaves the lock as it was: acquired, never released, no longer renewed (here:
`dead_holder`). Its TTL is lowered to seconds (`short_lock`), so that what takes a minute in production
takes seconds here. Syncs run as jobs on real RQ workers on the test Redis: in this process (a
SimpleWorker, with what RQ's scheduler does every second done by `_move_due_retries`) and, in the last
test, as worker processes, the first of which is killed mid-sync for real.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime

import pytest
from rq.exceptions import NoSuchJobError
from rq.job import Job
from rq.registry import ScheduledJobRegistry
from sqlmodel import select

from tests.support.http import bearer
from tests.support.simulator import PAGE_SIZE, SIM_CALLS, connect, run_jobs
from tests.support.ui import make_state

TTL = 2.0  # the lock's TTL in these tests (production: sync.LOCK_TTL_S = 60)
LEFT_S = 8.0  # what a killed worker's lock has left in the killed-worker test
MARGIN = 0.5  # a waiting sync runs this long after the lock it waits for lapses (production: 2)


@pytest.fixture
def short_lock(monkeypatch):
    """The sync module, with a TTL of seconds."""
    from voiceconsole.services.intake import sync

    monkeypatch.setattr(sync, "LOCK_TTL_S", TTL)
    monkeypatch.setattr(sync, "RETRY_MARGIN_S", MARGIN)
    return sync


@pytest.fixture
def locks_deleted():
    """Integration ids whose sync lock is deleted after the test (a dead holder's lapses by itself, but a
    later test, or run, may have an integration with the same id)."""
    from voiceconsole.redis_client import get_redis
    from voiceconsole.services.intake.sync import lock_name

    ids: list[int] = []
    yield ids
    for integration_id in ids:
        get_redis().delete(lock_name(integration_id))


@pytest.fixture
def dead_holder(locks_deleted):
    """`take(integration_id)`: the lock as a killed worker leaves it (acquired with the TTL, never renewed,
    never released); returns when it was taken."""
    from voiceconsole.services.intake.sync import sync_lock

    def take(integration_id: int) -> float:
        at = time.time()
        assert sync_lock(integration_id).acquire(blocking=False)
        locks_deleted.append(integration_id)
        return at

    return take


def _move_due_retries() -> None:
    """What RQ's scheduler does every second in a worker: put the scheduled jobs that are due on their queue
    (without its scheduler lock, which a worker process of another test may hold)."""
    from rq.scheduler import RQScheduler

    from voiceconsole.enqueue import get_queue
    from voiceconsole.redis_client import get_redis

    scheduler = RQScheduler([get_queue("sync")], connection=get_redis())
    scheduler.prepare_registries(["sync"])
    scheduler.enqueue_scheduled_jobs()


def _run_until(predicate, timeout: float) -> bool:
    """Run the worker (due retries moved, queues drained) until `predicate()` holds or `timeout` passes."""
    deadline = time.monotonic() + timeout
    while True:
        _move_due_retries()
        run_jobs("sync", "scoring", "default")
        if predicate():
            return True
        if time.monotonic() > deadline:
            return False
        time.sleep(0.1)


def _retries(integration_id: int) -> list[tuple[str, float]]:
    """The scheduled retries of the integration's sync: (job id, when)."""
    from voiceconsole.enqueue import get_queue, scoped

    registry = ScheduledJobRegistry(queue=get_queue("sync"))
    entries = registry.connection.zrange(registry.key, 0, -1, withscores=True)
    return [
        (job_id.decode(), score)
        for job_id, score in entries
        if job_id.decode().startswith(scoped(f"sync-retry-{integration_id}-"))
    ]


def _waiting(integration_id: int):
    from voiceconsole.services.integrations.sync_waiting import waiting_sync

    return waiting_sync(integration_id)


def _forget_earlier_requests(integration_id: int) -> None:
    """ "Sync now" is queued once a minute per integration, by job id; an earlier run of the suite (the same
    ids in a fresh database, the same Redis) may have used this minute's."""
    from voiceconsole.enqueue import SYNC_BUCKET_S, scoped
    from voiceconsole.redis_client import get_redis

    bucket = int(time.time() // SYNC_BUCKET_S)
    for job_id in (scoped(f"sync-{integration_id}-{bucket}"), scoped(f"sync-{integration_id}-{bucket + 1}")):
        with contextlib.suppress(NoSuchJobError):
            Job.fetch(job_id, connection=get_redis()).delete()


def _integration(db, integration):
    from voiceconsole.models import Integration

    db.expire_all()
    return db.get(Integration, integration.id)


def _call_ids(db, org) -> list[str]:
    from voiceconsole.models import Call

    db.expire_all()
    return list(db.exec(select(Call.platform_call_id).where(Call.organization_id == org.id)))


def _when(text: str | None) -> float:
    assert text, "not set"
    return datetime.fromisoformat(text).timestamp()


def _finished_syncs(integration_id: int, since: float, prefix: str = "sync-") -> list[dict]:
    """The results of the integration's sync jobs finished since `since` (the registry keeps earlier runs')."""
    from voiceconsole.enqueue import get_queue, scoped
    from voiceconsole.redis_client import get_redis

    registry = get_queue("sync").finished_job_registry
    jobs = [Job.fetch(i, connection=get_redis()) for i in registry.get_job_ids() if i.startswith(scoped(prefix))]
    jobs = [j for j in jobs if j.args == (integration_id,) and _utc(j.created_at) >= since]
    return [j.return_value() for j in sorted(jobs, key=lambda j: _utc(j.ended_at))]


def _utc(value: datetime | None) -> float:
    assert value is not None
    return (value if value.tzinfo else value.replace(tzinfo=UTC)).timestamp()


def _slow_first_page(monkeypatch, sync, seconds: float) -> threading.Event:
    """The platform takes `seconds` over the first page of calls of the next sync (Retell may take up to
    120 s); set once that sync asks for it."""
    asked = threading.Event()
    real = sync.connector_for

    def connector_for(integration, **kwargs):
        connector = real(integration, **kwargs)
        if asked.is_set():
            return connector
        list_calls = connector.list_calls

        def slow(cursor=None):
            asked.set()
            time.sleep(seconds)
            yield from list_calls(cursor)

        connector.list_calls = slow
        return connector

    monkeypatch.setattr(sync, "connector_for", connector_for)
    return asked


# --------------------------------------------------------------------------------------------------
# A killed worker's lock: the sync waits, shows it, and runs by itself once the lock lapses
# --------------------------------------------------------------------------------------------------


def test_a_killed_workers_lock_makes_a_requested_sync_wait_show_it_and_run_by_itself(
    sim, factory, db, api_client, short_lock, dead_holder
):
    from voiceconsole import enqueue
    from voiceconsole.services.integrations import due_integration_ids
    from voiceconsole.ui.state.integrations import IntegrationsState

    began = time.time() - 1
    org, integration = connect(factory, sim, "vapi")
    headers = bearer(factory.api_key(org))
    url = f"/api/v1/integrations/{integration.public_id}"
    killed = dead_holder(integration.id)

    # "Sync now": queued; the job finds the lock taken and queues itself again for when it lapses.
    _forget_earlier_requests(integration.id)
    r = api_client.post(f"{url}/sync", headers=headers)
    assert r.status_code == 202 and r.json()["data"]["queued"] is True
    run_jobs("sync")
    (outcome,) = _finished_syncs(integration.id, began)
    assert outcome["status"] == "waiting" and outcome["reason"] == "another sync holds the lock"
    assert not sim.requests("vapi") and _call_ids(db, org) == []
    ((_, retry_at),) = _retries(integration.id)
    assert killed + TTL <= retry_at <= killed + TTL + MARGIN + 1.5  # once the lock has lapsed (whole seconds)
    assert _when(outcome["retryAt"]) == pytest.approx(retry_at, abs=0.01)

    # The integration shows it, through the API and the page, instead of a silent "active".
    shown = api_client.get(url, headers=headers).json()["data"]
    assert killed - 1 <= _when(shown["syncWaitingSince"]) <= time.time()
    assert _when(shown["syncRetryAt"]) == pytest.approx(retry_at, abs=0.01)
    assert shown["status"] == "active" and shown["lastSyncAt"] is None  # the health of the last sync, unchanged
    listed = api_client.get("/api/v1/integrations", headers=headers).json()["data"]
    assert [i["syncRetryAt"] for i in listed] == [shown["syncRetryAt"]]
    _, token = factory.user_session(org)
    page = make_state(IntegrationsState, token=token, path="/settings/integrations")
    page.refresh()
    (row,) = page.integrations
    assert "waiting since" in row["sync_waiting"] and row["sync_retry_at"] in row["sync_waiting"]
    assert "stopped worker" in row["sync_waiting"]

    # The periodic sync, due (never synced) and asked for a minute later, finds the lock taken too: it waits
    # for the same retry, and no second one is scheduled.
    assert integration.id in due_integration_ids(db)
    assert enqueue.sync(integration.id, now=time.time() + enqueue.SYNC_BUCKET_S) is True
    run_jobs("sync")
    assert [o["status"] for o in _finished_syncs(integration.id, began)] == ["waiting", "waiting"]
    assert [when for _, when in _retries(integration.id)] == [retry_at]
    assert _when(api_client.get(url, headers=headers).json()["data"]["syncWaitingSince"]) == pytest.approx(
        _when(shown["syncWaitingSince"]), abs=0.01
    )

    # Nobody presses anything again: the retry runs once the dead holder's lock has lapsed.
    assert _run_until(lambda: _integration(db, integration).last_good_sync_at is not None, timeout=TTL + 10)
    started = _integration(db, integration).last_sync_at.timestamp() - killed  # when the sync took the lock
    assert TTL - 0.1 <= started < TTL + MARGIN + 2, started  # not before the lock lapsed, and within the bound
    ids = _call_ids(db, org)
    assert len(ids) == len(set(ids)) == SIM_CALLS
    shown = api_client.get(url, headers=headers).json()["data"]
    assert shown["syncWaitingSince"] is None and shown["syncRetryAt"] is None and shown["status"] == "active"
    assert _retries(integration.id) == [] and _waiting(integration.id) is None
    page.refresh()
    assert page.integrations[0]["sync_waiting"] == ""


# --------------------------------------------------------------------------------------------------
# A live sync keeps its lock (heartbeat); two syncs never overlap
# --------------------------------------------------------------------------------------------------


def test_a_live_sync_keeps_its_lock_through_a_page_slower_than_the_ttl(sim, factory, db, short_lock, monkeypatch):
    from voiceconsole.redis_client import get_redis

    sync = short_lock
    # 3 s: a beat every TTL/3 must not miss the TTL on a loaded CI machine (1 s, then 2 s once did)
    monkeypatch.setattr(sync, "LOCK_TTL_S", 3.0)
    began = time.time() - 1
    org, integration = connect(factory, sim, "retell")
    asked = _slow_first_page(monkeypatch, sync, seconds=9.0)
    results = []
    syncing = threading.Thread(target=lambda: results.append(sync.sync_integration(integration.id)))
    syncing.start()
    assert asked.wait(10)
    time.sleep(6.5)  # the platform still thinking, over 2 TTLs into the page
    assert get_redis().pttl(sync.lock_name(integration.id)) > 0  # renewed by the heartbeat
    competitor = sync.sync_integration(integration.id)
    assert competitor.status == "waiting" and competitor.pages == 0
    syncing.join(30)
    (result,) = results
    assert result.status == "active" and result.new_calls == SIM_CALLS
    assert get_redis().exists(sync.lock_name(integration.id)) == 0  # released when it ended

    # The sync that waited runs afterwards (handed over at once, or at its retry time), finding nothing new.
    assert _run_until(lambda: _waiting(integration.id) is None and not _retries(integration.id), timeout=10)
    (retried,) = _finished_syncs(integration.id, began, prefix="sync-retry-")
    assert retried["status"] == "active" and retried["newCalls"] == 0
    ids = _call_ids(db, org)
    assert len(ids) == len(set(ids)) == SIM_CALLS


def test_a_waiting_sync_runs_as_soon_as_the_running_one_ends(sim, factory, db, short_lock, monkeypatch):
    """With the production TTL its retry would come a minute later: the ending sync hands the lock over."""
    sync = short_lock
    monkeypatch.setattr(sync, "LOCK_TTL_S", 60.0)
    org, integration = connect(factory, sim, "vapi")
    asked = _slow_first_page(monkeypatch, sync, seconds=1.0)
    results = []
    running = threading.Thread(target=lambda: results.append(sync.sync_integration(integration.id)))
    running.start()
    assert asked.wait(10)
    waiting = sync.sync_integration(integration.id)
    assert waiting.status == "waiting" and waiting.retry_at.timestamp() > time.time() + 55
    running.join(30)
    ended = time.time()
    assert results[0].status == "active"
    ((_, when),) = _retries(integration.id)
    assert when <= ended + 1  # due now, not in a minute
    assert _waiting(integration.id).retry_at.timestamp() == pytest.approx(when, abs=1)
    assert _run_until(lambda: _waiting(integration.id) is None and not _retries(integration.id), timeout=10)
    assert time.time() - ended < 5
    ids = _call_ids(db, org)
    assert len(ids) == len(set(ids)) == SIM_CALLS


def test_two_syncs_of_one_integration_never_overlap(sim, factory, db, short_lock, monkeypatch):
    sync = short_lock
    org, integration = connect(factory, sim, "elevenlabs")
    _slow_first_page(monkeypatch, sync, seconds=TTL)  # the first one to run holds the lock a while
    running, peak, guard = [0], [0], threading.Lock()
    real = sync._sync_locked

    def watched(*args, **kwargs):
        with guard:
            running[0] += 1
            peak[0] = max(peak[0], running[0])
        try:
            return real(*args, **kwargs)
        finally:
            with guard:
                running[0] -= 1

    monkeypatch.setattr(sync, "_sync_locked", watched)
    results = []
    threads = [threading.Thread(target=lambda: results.append(sync.sync_integration(integration.id))) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert sorted(r.status for r in results) == ["active", "waiting", "waiting", "waiting"]
    assert len(_retries(integration.id)) == 1  # three waiting syncs, one retry
    assert _run_until(lambda: _waiting(integration.id) is None and not _retries(integration.id), timeout=TTL + 10)
    assert peak[0] == 1
    ids = _call_ids(db, org)
    assert len(ids) == len(set(ids)) == SIM_CALLS


def test_a_sync_whose_lock_lapsed_stops_before_storing_another_page(sim, factory, db, short_lock, monkeypatch):
    """A holder that stalled past its TTL (its lock gone, as if it lapsed) finds out at its next heartbeat
    and leaves the pages to the sync that took the lock since; it then waits for that one."""
    from voiceconsole.redis_client import get_redis

    sync = short_lock
    org, integration = connect(factory, sim, "vapi")
    asked = _slow_first_page(monkeypatch, sync, seconds=2 * TTL)
    stalled = []
    first = threading.Thread(target=lambda: stalled.append(sync.sync_integration(integration.id)))
    first.start()
    assert asked.wait(10)
    get_redis().delete(sync.lock_name(integration.id))  # lapsed while the first sync stalled
    taker = sync.sync_integration(integration.id)  # takes the lock and syncs everything
    first.join(30)
    assert taker.status == "active" and taker.new_calls == SIM_CALLS and taker.pages >= SIM_CALLS // PAGE_SIZE
    (result,) = stalled
    assert result.status == "waiting" and result.reason == "lost the lock to another sync" and result.pages == 0
    assert _run_until(lambda: _waiting(integration.id) is None and not _retries(integration.id), timeout=TTL + 10)
    ids = _call_ids(db, org)
    assert len(ids) == len(set(ids)) == SIM_CALLS
    assert _integration(db, integration).status == "active"


# --------------------------------------------------------------------------------------------------
# Worker processes: one killed mid-sync for real, another takes over within the bound
# --------------------------------------------------------------------------------------------------

# A worker process with the lock's TTL lowered (argv: ttl, margin, seconds the platform takes over the first
# page of calls, "simple" for a SimpleWorker without RQ's scheduler (the sync runs in this very process, so
# killing it kills the sync) or "forking" for the production Worker with its scheduler). Only the queues a
# sync needs (the notifications tests' worker keeps the notify queue and its scheduler lock to itself), and
# not the periodic ticker, whose due syncs of other tests' integrations would queue ahead of this test's.
WORKER = """
import sys, time
from rq import SimpleWorker, Worker
from voiceconsole.enqueue import get_queue
from voiceconsole.redis_client import get_redis
from voiceconsole.services.intake import sync

ttl, margin, slow_s, kind = float(sys.argv[1]), float(sys.argv[2]), float(sys.argv[3]), sys.argv[4]
sync.LOCK_TTL_S, sync.RETRY_MARGIN_S = ttl, margin
real = sync.connector_for


def connector_for(integration, **kwargs):
    connector = real(integration, **kwargs)
    list_calls = connector.list_calls

    def slow(cursor=None):
        time.sleep(slow_s)
        yield from list_calls(cursor)

    connector.list_calls = slow
    return connector


if slow_s:
    sync.connector_for = connector_for
cls = SimpleWorker if kind == "simple" else Worker
queues = [get_queue(name) for name in ("sync", "scoring", "default")]  # what a sync needs; not notify's
cls(queues, connection=get_redis()).work(with_scheduler=kind != "simple", logging_level="INFO")
"""


@pytest.fixture
def workers(tmp_path):
    """`start(kind, slow_s)`: a worker process (see WORKER), registered with RQ before it returns; all are
    stopped after the test."""
    from rq import Worker

    from voiceconsole.enqueue import get_queue

    started: list[subprocess.Popen] = []

    def start(kind: str, slow_s: float = 0.0) -> subprocess.Popen:
        log_path = tmp_path / f"worker-{len(started)}.log"
        with open(log_path, "wb") as log:
            proc = subprocess.Popen(
                [sys.executable, "-c", WORKER, str(TTL), str(MARGIN), str(slow_s), kind],
                env=dict(os.environ),  # the test database, Redis and the simulator settings
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,  # a process group: killed with its work horses and scheduler
            )
        started.append(proc)
        deadline = time.monotonic() + 30
        while not any(w.pid == proc.pid for w in Worker.all(queue=get_queue("sync"))):
            assert proc.poll() is None and time.monotonic() < deadline, log_path.read_text()[-3000:]
            time.sleep(0.1)
        return proc

    yield start
    for proc in started:
        if proc.poll() is None:
            proc.terminate()  # RQ's warm shutdown: its scheduler stops and releases its locks
    for proc in started:
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        with contextlib.suppress(ProcessLookupError):  # a work horse or scheduler left behind
            os.killpg(proc.pid, signal.SIGKILL)


def _wait(predicate, timeout: float):
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(0.1)


def test_a_worker_killed_mid_sync_no_longer_freezes_the_integration(
    sim, factory, db, api_client, workers, locks_deleted
):
    from voiceconsole.enqueue import SYNC, get_queue
    from voiceconsole.models import Agent
    from voiceconsole.redis_client import get_redis
    from voiceconsole.services.intake.sync import lock_name

    org, integration = connect(factory, sim, "retell")
    headers = bearer(factory.api_key(org))
    url = f"/api/v1/integrations/{integration.public_id}"
    locks_deleted.append(integration.id)

    # A worker takes a sync and waits on a slow platform, long past the lock's TTL: its heartbeat keeps it.
    doomed = workers("simple", slow_s=600)
    get_queue("sync").enqueue(SYNC, integration.id, job_id=f"test-doomed-{integration.id}-{time.time_ns()}")
    assert _wait(lambda: db.exec(select(Agent).where(Agent.integration_id == integration.id)).first(), timeout=20)
    time.sleep(2 * TTL)
    assert get_redis().pttl(lock_name(integration.id)) > 0

    # Killed, mid-sync: the lock stays behind, no longer renewed.
    os.killpg(doomed.pid, signal.SIGKILL)
    doomed.wait()
    # What the killed worker left of the lock: a few seconds more than the tests' 2 s TTL, so that starting the
    # next worker and asking for a sync on a loaded machine still find it held (else there is nothing to wait for).
    get_redis().pexpire(lock_name(integration.id), int(LEFT_S * 1000))
    killed = time.time()
    workers("forking")

    _forget_earlier_requests(integration.id)
    r = api_client.post(f"{url}/sync", headers=headers)
    assert r.status_code == 202 and r.json()["data"]["queued"] is True
    shown = _wait(lambda: api_client.get(url, headers=headers).json()["data"]["syncWaitingSince"], timeout=10)
    assert shown, "the integration never showed the sync waiting"
    retry_at = _when(api_client.get(url, headers=headers).json()["data"]["syncRetryAt"])
    assert killed < retry_at <= killed + LEFT_S + MARGIN + 1.5

    synced = _wait(lambda: api_client.get(url, headers=headers).json()["data"]["lastGoodSyncAt"], timeout=LEFT_S + 20)
    assert synced, "the waiting sync never ran"
    assert time.time() - killed < LEFT_S + MARGIN + 6  # the lock lapsed, the scheduler (every second) queued the retry
    ids = _call_ids(db, org)
    assert len(ids) == len(set(ids)) == SIM_CALLS
    shown = api_client.get(url, headers=headers).json()["data"]
    assert shown["syncWaitingSince"] is None and shown["status"] == "active"
    assert get_redis().exists(lock_name(integration.id)) == 0
