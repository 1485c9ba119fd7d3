"""The open-call poll against the simulator over real HTTP, run by real RQ workers: calls seen in progress
are brought to their final state (and scored) once they end on the platform, stale ones are given up on,
and nothing is asked of a disconnected integration or beside a running sync."""

from __future__ import annotations

import contextlib
import secrets
from datetime import timedelta

import pytest
from sqlmodel import select

from tests.support.simulator import connect, run_jobs
from voiceconsole.platforms.simulator.webhooks import send_webhook

PLATFORMS = ("retell", "vapi", "elevenlabs")
GET_CALL = {"retell": "/v2/get-call/", "vapi": "/call/", "elevenlabs": "/v1/convai/conversations/"}
ID_KEY = {"retell": "call_id", "vapi": "id", "elevenlabs": "conversation_id"}


def _call(db, org, platform_call_id: str):
    from voiceconsole.models import Call

    db.expire_all()
    return db.exec(select(Call).where(Call.organization_id == org.id, Call.platform_call_id == platform_call_id)).one()


def _store_live(db, sim, org, integration, platform: str, count: int = 1) -> list[str]:
    """Calls in progress on the platform, stored as a sync stores them (fetched with get-call)."""
    from voiceconsole.services.intake.store import store_calls
    from voiceconsole.services.integrations import connector_for

    ids = [c[ID_KEY[platform]] for c in sim.state.add_live_calls(platform, count)]
    with connector_for(integration) as connector:
        records = [connector.get_call(call_id) for call_id in ids]
    assert {r.status for r in records} == {"in_progress"}
    store_calls(db, org=org, records=records, integration_id=integration.id)
    db.commit()
    with sim.state.lock:
        sim.state.requests.clear()
    return ids


def _poll(integration) -> dict:
    """Queue the integration's poll as the dispatcher does and run the queues with a real worker."""
    from rq.job import Job

    from voiceconsole import enqueue
    from voiceconsole.redis_client import get_redis

    assert enqueue.open_call_poll(integration.id) is True
    job = Job.fetch(enqueue.scoped(f"open-calls-{integration.id}"), connection=get_redis())
    run_jobs("default", "scoring")
    assert job.get_status(refresh=True) == "finished", job.latest_result().exc_string
    return job.return_value()


@pytest.mark.parametrize("platform", PLATFORMS)
def test_a_call_seen_live_by_the_sync_is_ended_and_scored_by_the_poll(platform, sim, factory, db, sync_queue):
    from voiceconsole.services.intake.sync import sync_integration

    org, integration = connect(factory, sim, platform)
    (live,) = sim.state.add_live_calls(platform)
    call_id = live[ID_KEY[platform]]
    assert sync_integration(integration.id).status == "active"
    run_jobs("default", "scoring")
    row = _call(db, org, call_id)
    assert row.status == "in_progress" and row.ended_at is None and row.score is None and row.transcript

    first = _poll(integration)  # still going on: asked about, left open
    assert first["status"] == "done" and first["stillOpen"] >= 1
    assert _call(db, org, call_id).status == "in_progress"

    sim.state.end_call(platform, call_id)
    second = _poll(integration)
    assert second["status"] == "done" and second["ended"] >= 1
    row = _call(db, org, call_id)
    assert row.status == "ended" and row.ended_at and row.duration_ms and row.summary
    assert row.score is not None and row.scored_at is not None  # scoring followed in the same worker run
    assert sim.requests(platform, GET_CALL[platform] + call_id)


@pytest.fixture(scope="module")
def app_url():
    from voiceconsole.api.main import api
    from voiceconsole.platforms.simulator.server import serve_in_thread

    base_url, stop = serve_in_thread(api)
    yield base_url
    stop()


@pytest.mark.parametrize("platform", PLATFORMS)
def test_a_webhook_ends_a_live_call_and_the_poll_leaves_it_so(platform, sim, factory, db, app_url, sync_queue):
    from voiceconsole.services.integrations import webhook_secret

    org, integration = connect(factory, sim, platform)
    (call_id,) = _store_live(db, sim, org, integration, platform)
    ended = sim.state.end_call(platform, call_id)
    url = f"{app_url}/api/integrations/{platform}/webhook/{integration.public_id}"
    event = {"retell": "call_analyzed", "vapi": "end-of-call-report", "elevenlabs": "post_call_transcription"}
    response = send_webhook(url, platform, event[platform], ended, secret=webhook_secret(integration))
    assert response.status_code == 200, response.text
    run_jobs("default", "scoring")
    row = _call(db, org, call_id)
    assert row.status == "ended" and row.score is not None
    _poll(integration)  # nothing open any more: nothing asked
    assert not sim.requests(platform, GET_CALL[platform])
    assert _call(db, org, call_id).status == "ended"


def test_a_poll_never_makes_a_call_that_ended_meanwhile_live_again(sim, factory, db, sync_queue):
    """Retell calls ended without their score are still polled (their analysis may be on its way): a
    stale answer (the platform's status lags) must not undo the webhook that ended the call."""
    from voiceconsole.platforms.retell import map_call
    from voiceconsole.services.intake.store import store_calls

    org, integration = connect(factory, sim, "retell")
    (call_id,) = _store_live(db, sim, org, integration, "retell")
    ended = sim.state.data("retell").endings[call_id]  # what call_analyzed carries; the API still says ongoing
    store_calls(db, org=org, records=[map_call(ended, ended=True)], integration_id=integration.id)
    db.commit()
    result = _poll(integration)
    assert result["polled"] == 1 and result["stillOpen"] == 0  # asked, and the live answer was not stored
    row = _call(db, org, call_id)
    assert row.status == "ended" and row.summary


def test_calls_open_too_long_are_given_up_on_without_asking(sim, factory, db, sync_queue):
    from voiceconsole.models.types import utcnow
    from voiceconsole.services.intake.open_calls import GIVE_UP_AFTER, NO_END_REPORTED

    org, integration = connect(factory, sim, "vapi")
    (fresh_id,) = _store_live(db, sim, org, integration, "vapi")
    agent = factory.agent(org, platform="vapi")
    stale = factory.call(
        org,
        agent,
        status="in_progress",
        platform_status="in-progress",
        integration_id=integration.id,
        started_at=utcnow() - GIVE_UP_AFTER - timedelta(minutes=5),
        ended_at=None,
        duration_ms=None,
        score=None,
    )
    result = _poll(integration)
    assert result["gaveUp"] == 1 and result["polled"] == 1
    row = _call(db, org, stale.platform_call_id)
    assert (row.status, row.end_reason, row.platform_status) == ("error", NO_END_REPORTED, "in-progress")
    assert not sim.requests("vapi", GET_CALL["vapi"] + stale.platform_call_id)  # given up without a request
    assert _call(db, org, fresh_id).status == "in_progress"  # the recent one is still asked about


def test_a_call_the_platform_no_longer_knows_is_given_up_and_the_others_still_polled(sim, factory, db, sync_queue):
    from voiceconsole.services.intake.open_calls import NOT_FOUND_ON_PLATFORM

    org, integration = connect(factory, sim, "elevenlabs")
    ids = _store_live(db, sim, org, integration, "elevenlabs", count=2)
    agent = factory.agent(org, platform="elevenlabs")
    lost = factory.call(
        org, agent, status="in_progress", integration_id=integration.id, ended_at=None, duration_ms=None, score=None
    )
    lost.started_at = lost.created_at  # seen just now
    db.add(lost)
    db.commit()
    for call_id in ids:
        sim.state.end_call("elevenlabs", call_id)
    result = _poll(integration)
    assert result["gaveUp"] == 1 and result["ended"] == 2
    assert (_call(db, org, lost.platform_call_id).status, _call(db, org, lost.platform_call_id).end_reason) == (
        "error",
        NOT_FOUND_ON_PLATFORM,
    )
    assert all(_call(db, org, call_id).status == "ended" for call_id in ids)


def test_a_disconnected_integration_is_neither_listed_nor_asked(sim, factory, db, sync_queue):
    from voiceconsole.models import Integration
    from voiceconsole.models.types import utcnow
    from voiceconsole.services.intake.open_calls import integrations_with_open_calls, poll_open_calls

    org, integration = connect(factory, sim, "retell")
    (call_id,) = _store_live(db, sim, org, integration, "retell")
    other_org, other = connect(factory, sim, "retell")
    _store_live(db, sim, other_org, other, "retell")
    assert {integration.id, other.id} <= set(integrations_with_open_calls(db))

    stored = db.get(Integration, integration.id)
    stored.disconnected_at = utcnow()
    db.add(stored)
    db.commit()
    listed = integrations_with_open_calls(db)
    assert integration.id not in listed and other.id in listed
    result = poll_open_calls(integration.id)
    assert result.status == "skipped" and result.polled == 0
    assert not sim.requests("retell")
    assert _call(db, org, call_id).status == "in_progress"


def test_the_dispatcher_queues_one_poll_per_integration_with_open_calls(sim, factory, db, sync_queue):
    from rq.job import Job

    from voiceconsole import enqueue
    from voiceconsole.jobs.open_calls import enqueue_open_call_polls_job
    from voiceconsole.redis_client import get_redis

    org, integration = connect(factory, sim, "vapi")
    _store_live(db, sim, org, integration, "vapi")
    _idle_org, idle = connect(factory, sim, "vapi")  # nothing open
    outcome = enqueue_open_call_polls_job()
    assert integration.id in outcome["due"] and idle.id not in outcome["due"]
    assert integration.id in outcome["enqueued"]
    job = Job.fetch(enqueue.scoped(f"open-calls-{integration.id}"), connection=get_redis())
    assert job.func_name == enqueue.OPEN_CALL_POLL and job.args == (integration.id,)
    assert enqueue.open_call_poll(integration.id) is False  # one waiting poll per integration is enough


def _end(sim, platform: str, call_id: str) -> None:
    """End a live call now; on a loaded machine it may have reached its end by itself already (the same)."""
    with contextlib.suppress(KeyError):
        sim.state.end_call(platform, call_id)


def test_one_failing_integration_does_not_stop_the_others(sim, factory, db, sync_queue):
    retell_org, failing = connect(factory, sim, "retell")
    (stuck,) = _store_live(db, sim, retell_org, failing, "retell")
    vapi_org, working = connect(factory, sim, "vapi")
    (call_id,) = _store_live(db, sim, vapi_org, working, "vapi")
    _end(sim, "retell", stuck)
    _end(sim, "vapi", call_id)
    sim.state.invalidate_key("retell")

    from rq.job import Job

    from voiceconsole import enqueue
    from voiceconsole.redis_client import get_redis

    assert enqueue.open_call_poll(failing.id) and enqueue.open_call_poll(working.id)
    run_jobs("default", "scoring")
    failed = Job.fetch(enqueue.scoped(f"open-calls-{failing.id}"), connection=get_redis()).return_value()
    assert failed["status"] == "error" and "rejected the API key" in failed["error"]
    assert _call(db, retell_org, stuck).status == "in_progress"  # asked again next minute
    row = _call(db, vapi_org, call_id)
    assert row.status == "ended" and row.score is not None


def test_the_poll_waits_for_a_running_sync(sim, factory, db, sync_queue):
    from voiceconsole.services.intake.open_calls import poll_open_calls
    from voiceconsole.services.intake.sync import sync_lock

    org, integration = connect(factory, sim, "vapi")
    (call_id,) = _store_live(db, sim, org, integration, "vapi")
    _end(sim, "vapi", call_id)
    lock = sync_lock(integration.id)
    assert lock.acquire(blocking=False)
    try:
        result = poll_open_calls(integration.id)
        assert result.status == "skipped" and not sim.requests("vapi")
    finally:
        lock.release()
    assert poll_open_calls(integration.id).ended == 1
    assert _call(db, org, call_id).status == "ended"


def test_runs_are_bounded_and_take_turns(sim, factory, db, sync_queue):
    from voiceconsole.services.intake.open_calls import poll_open_calls

    org, integration = connect(factory, sim, "retell")
    ids = _store_live(db, sim, org, integration, "retell", count=3)
    first = poll_open_calls(integration.id, limit=2)
    assert first.polled == 2 and len(sim.requests("retell", GET_CALL["retell"])) == 2
    asked = {r.path.rsplit("/", 1)[-1] for r in sim.requests("retell", GET_CALL["retell"])}
    with sim.state.lock:
        sim.state.requests.clear()
    second = poll_open_calls(integration.id, limit=2)
    assert second.polled == 2
    # The one left out first, and the least recently refreshed of the others, come next.
    again = [r.path.rsplit("/", 1)[-1] for r in sim.requests("retell", GET_CALL["retell"])]
    assert set(ids) - asked <= set(again)


def test_polls_touch_only_their_own_organizations_calls(sim, factory, db, sync_queue):
    org, integration = connect(factory, sim, "vapi")
    (call_id,) = _store_live(db, sim, org, integration, "vapi")
    other_org = factory.org()
    other_agent = factory.agent(other_org, platform="vapi")
    twin = factory.call(  # the same platform id in another organization (another Vapi account)
        other_org,
        other_agent,
        platform_call_id=call_id,
        status="in_progress",
        integration_id=integration.id,  # even pointing at this integration, it is not this organization's
        ended_at=None,
        duration_ms=None,
        score=None,
    )
    _end(sim, "vapi", call_id)
    result = _poll(integration)
    assert result["ended"] == 1
    assert _call(db, org, call_id).status == "ended"
    assert _call(db, other_org, twin.platform_call_id).status == "in_progress"


def test_the_scheduler_asks_for_the_poll_once_a_minute():
    from voiceconsole import enqueue
    from voiceconsole.jobs.scheduler import TICKS

    assert enqueue.open_call_polls in TICKS
    bucket = 7 * 10**8 + secrets.randbelow(10**8)  # far from now: no other ticker used it
    at = bucket * enqueue.OPEN_CALLS_TICK_SECONDS
    assert enqueue.open_call_polls(now=at) is True
    assert enqueue.open_call_polls(now=at + enqueue.OPEN_CALLS_TICK_SECONDS - 1) is False
    assert enqueue.open_call_polls(now=at + enqueue.OPEN_CALLS_TICK_SECONDS) is True
    queued = [job for job in enqueue.get_queue("default").jobs if job.func_name == enqueue.OPEN_CALL_POLLS]
    assert len(queued) == 2
