"""Sync jobs against the simulator over real HTTP, run by a real RQ SimpleWorker on the test Redis."""

from __future__ import annotations

import logging
import secrets
import threading
from datetime import timedelta

import pytest
from sqlmodel import select

from tests.support.simulator import PAGE_SIZE, RETRIES, SIM_CALLS, connect, run_jobs

PLATFORMS = ("retell", "vapi", "elevenlabs")


def _calls(db, org):
    from voiceconsole.models import Call

    db.expire_all()
    return db.exec(select(Call).where(Call.organization_id == org.id)).all()


def _events(db, org, type_: str):
    from voiceconsole.models import Event

    return db.exec(select(Event).where(Event.organization_id == org.id, Event.type == type_)).all()


def _integration(db, integration):
    from voiceconsole.models import Integration

    db.expire_all()
    return db.get(Integration, integration.id)


def _sync(integration) -> dict:
    """Queue one sync job for the integration and run the queues to empty (the sync, then the scoring
    and agent-stats jobs it queued) with a real RQ worker; return the job's status and result."""
    from voiceconsole.enqueue import get_queue
    from voiceconsole.jobs.sync import sync_integration_job

    # A fresh job id each time: the product's minute-bucketed id would collapse back-to-back syncs.
    job = get_queue("sync").enqueue(
        sync_integration_job, integration.id, job_id=f"test-sync-{integration.id}-{secrets.token_hex(4)}"
    )
    run_jobs("sync", "scoring", "default")
    return {"status": job.get_status(refresh=True), "result": job.return_value(), "job": job}


@pytest.mark.parametrize("platform", PLATFORMS)
def test_full_sync_stores_every_call_and_agent(platform, sim, factory, db, sync_queue):
    from voiceconsole import enqueue
    from voiceconsole.models import Agent

    org, integration = connect(factory, sim, platform)
    assert enqueue.sync(integration.id) is True
    assert enqueue.sync(integration.id) is False  # the same minute: collapsed into one job
    job = sync_queue.jobs[0]
    run_jobs("sync", "scoring", "default")
    assert job.get_status(refresh=True) == "finished", job.latest_result().exc_string
    result = job.return_value()
    assert result["status"] == "active" and result["newCalls"] == SIM_CALLS == sim.call_count(platform)
    assert result["pages"] >= SIM_CALLS // PAGE_SIZE

    calls = _calls(db, org)
    assert len(calls) == len({c.platform_call_id for c in calls}) == sim.call_count(platform)
    assert {c.platform_call_id for c in calls} == set(sim.state.data(platform).calls.by_id)
    agents = db.exec(select(Agent).where(Agent.organization_id == org.id)).all()
    assert len(agents) == sim.agent_count(platform) and all(a.integration_id == integration.id for a in agents)
    assert all(a.prompt and a.model and a.voice for a in agents)
    ended = [c for c in calls if c.status == "ended"]
    assert ended and all(c.transcript for c in ended if c.duration_ms and c.duration_ms > 20_000)
    # scoring was queued for the ended calls (and ran in the worker); agent stats were recomputed
    assert all(c.score is not None for c in ended)
    db.expire_all()
    assert sum(a.total_calls for a in db.exec(select(Agent).where(Agent.organization_id == org.id))) == len(calls)

    stored = _integration(db, integration)
    assert stored.status == "active" and stored.last_error is None
    assert stored.last_sync_at == stored.last_good_sync_at is not None
    assert stored.sync_cursor and stored.sync_cursor.get("pass") is None
    # The first import announces only the last day's calls: months of history must not flood channels.
    recent = {c.public_id for c in calls if c.started_at >= stored.last_sync_at - timedelta(hours=24)}
    assert {e.payload["callId"] for e in _events(db, org, "call.new")} == recent


def test_retell_pages_with_v3_list_calls_and_fetches_each_transcript(sim, factory, db, sync_queue):
    _org, integration = connect(factory, sim, "retell")
    _sync(integration)
    lists = sim.requests("retell", "/v3/list-calls")
    assert len(lists) == -(-SIM_CALLS // PAGE_SIZE) and all(r.method == "POST" for r in lists)
    assert len(sim.requests("retell", "/v2/get-call/")) == SIM_CALLS
    assert sim.requests("retell", "/v2/list-agents") and sim.requests("retell", "/get-retell-llm/")


def test_vapi_walks_created_at_windows(sim, factory, db, sync_queue):
    org, integration = connect(factory, sim, "vapi")
    _sync(integration)
    lists = sim.requests("vapi", "/call")
    assert len(lists) == -(-SIM_CALLS // PAGE_SIZE) + (1 if SIM_CALLS % PAGE_SIZE == 0 else 0)
    assert "createdAtLe" not in lists[0].query and all("createdAtLe" in r.query for r in lists[1:])
    calls = _calls(db, org)
    inbound = [c for c in calls if c.direction == "inbound"]
    assert inbound and all(c.to_number for c in inbound)  # our own number, resolved from phoneNumberId


def test_elevenlabs_pages_with_cursor_and_keeps_list_only_sentiment(sim, factory, db, sync_queue):
    org, integration = connect(factory, sim, "elevenlabs")
    _sync(integration)
    lists = sim.requests("elevenlabs", "/v1/convai/conversations")
    pages = [r for r in lists if r.path == "/v1/convai/conversations"]
    assert len(pages) == -(-SIM_CALLS // PAGE_SIZE) and all("cursor=" in r.query for r in pages[1:])
    assert any(c.sentiment for c in _calls(db, org))


@pytest.mark.parametrize("platform", PLATFORMS)
def test_incremental_sync_picks_up_only_new_calls(platform, sim, factory, db, sync_queue):
    org, integration = connect(factory, sim, platform)
    _sync(integration)
    events_before = len(_events(db, org, "call.new"))
    sim.state.requests.clear()
    added = sim.state.add_calls(platform, 7)
    outcome = _sync(integration)
    assert outcome["status"] == "finished" and outcome["result"]["newCalls"] == 7
    calls = _calls(db, org)
    assert len(calls) == SIM_CALLS + 7 == sim.call_count(platform)
    new_ids = {c["call_id"] if platform == "retell" else c.get("id") or c.get("conversation_id") for c in added}
    assert new_ids <= {c.platform_call_id for c in calls}
    assert len(_events(db, org, "call.new")) == events_before + 7  # after the first import, every new call
    # Only the new calls (plus a few re-checked at the boundary) crossed the wire the second time.
    if platform == "retell":
        assert len(sim.requests("retell", "/v2/get-call/")) <= 7 + 10
    elif platform == "vapi":
        assert all("updatedAtGt" in r.query for r in sim.requests("vapi", "/call"))
    else:
        assert len(sim.requests("elevenlabs", "/v1/convai/conversations/")) <= 7 + 10


@pytest.mark.parametrize("platform", PLATFORMS)
def test_analysis_arriving_after_the_sync_is_picked_up_and_scored(platform, sim, factory, db, sync_queue):
    from voiceconsole.models import Call

    org, integration = connect(factory, sim, platform)
    _sync(integration)
    (late,) = sim.state.add_calls(platform, 1, analyzed=False)
    call_id = late.get("call_id") or late.get("id") or late.get("conversation_id")
    _sync(integration)
    row = db.exec(select(Call).where(Call.organization_id == org.id, Call.platform_call_id == call_id)).one()
    assert not row.summary
    sim.state.update_analysis(platform, call_id, analysis=LATE_ANALYSIS[platform])
    _sync(integration)
    db.expire_all()
    row = db.get(Call, row.id)
    assert row.summary == "Booked a cleaning for Friday." and row.successful is True
    assert row.status == "ended" and row.score is not None and row.scored_at is not None


LATE_ANALYSIS = {
    "retell": {
        "call_summary": "Booked a cleaning for Friday.",
        "user_sentiment": "Positive",
        "call_successful": True,
        "in_voicemail": False,
        "custom_analysis_data": {},
    },
    "vapi": {
        "summary": "Booked a cleaning for Friday.",
        "successEvaluation": "true",
        "structuredData": {"sentiment": "positive"},
    },
    "elevenlabs": {
        "call_successful": "success",
        "transcript_summary": "Booked a cleaning for Friday.",
        "evaluation_criteria_results": {},
        "data_collection_results": {},
    },
}


@pytest.mark.parametrize("platform, path", [("retell", "/v2/get-call/"), ("elevenlabs", "/v1/convai/conversations/")])
def test_resume_after_a_failure_mid_sync_stores_every_call_exactly_once(platform, path, sim, factory, db, sync_queue):
    """A 500 storm longer than the retry budget on page 3 fails the job; the rerun resumes at page 3."""
    org, integration = connect(factory, sim, platform)
    from voiceconsole.platforms.registry import make_connector

    # Which call sits on page 3, in the order the connector walks.
    with make_connector(platform, sim.key(platform), sim.url(platform), page_size=PAGE_SIZE) as probe:
        pages = probe.list_calls(None)
        for _ in range(3):
            page = next(pages)
        victim = page.records[5].platform_call_id
    sim.state.requests.clear()
    sim.state.fail_next(platform, count=RETRIES + 5, status=500, path_prefix=path + victim)

    first = _sync(integration)
    assert first["status"] == "failed"
    stored = _integration(db, integration)
    assert stored.status == "error" and "HTTP 500" in stored.last_error
    assert stored.sync_cursor.get("pass")  # the position after page 2 was kept
    assert len(_calls(db, org)) == 2 * PAGE_SIZE

    sim.state.clear_faults()
    second = _sync(integration)
    assert second["status"] == "finished" and second["result"]["status"] == "active"
    calls = _calls(db, org)
    assert len(calls) == len({c.platform_call_id for c in calls}) == SIM_CALLS
    assert len(_events(db, org, "call.new")) == len({e.payload["callId"] for e in _events(db, org, "call.new")})
    assert _integration(db, integration).status == "active"


@pytest.mark.parametrize("platform", PLATFORMS)
def test_resuming_from_any_page_cursor_neither_skips_nor_repeats(platform, sim):
    from voiceconsole.platforms.registry import make_connector

    with make_connector(platform, sim.key(platform), sim.url(platform), page_size=PAGE_SIZE) as connector:
        pages = list(connector.list_calls(None))
        for cut in range(1, len(pages)):
            seen = [r.platform_call_id for p in pages[:cut] for r in p.records]
            seen += [r.platform_call_id for p in connector.list_calls(pages[cut - 1].cursor) for r in p.records]
            fresh = [i for i in seen if i not in set(seen[: sum(len(p.records) for p in pages[:cut])])]
            assert set(seen) == set(sim.state.data(platform).calls.by_id), cut
            assert len(fresh) == len(set(fresh)), cut


@pytest.mark.parametrize("platform, status", [("retell", 429), ("vapi", 503), ("elevenlabs", 502), ("vapi", 429)])
def test_rate_limit_and_server_error_storms_are_ridden_out(platform, status, sim, factory, db, sync_queue):
    org, integration = connect(factory, sim, platform)
    sim.state.fail_next(platform, count=RETRIES, status=status, retry_after=1 if status == 429 else None)
    outcome = _sync(integration)
    assert outcome["status"] == "finished" and outcome["result"]["status"] == "active"
    assert len(_calls(db, org)) == SIM_CALLS
    assert sum(1 for r in sim.requests(platform) if r.status == status) == RETRIES


def test_retry_after_is_honoured(sim, monkeypatch):
    from voiceconsole.platforms.registry import make_connector
    from voiceconsole.settings import get_settings

    monkeypatch.setenv("VOICECONSOLE_PLATFORM_MAX_BACKOFF_S", "5")
    get_settings.cache_clear()
    sim.state.fail_next("vapi", count=1, status=429, retry_after=1)
    with make_connector("vapi", sim.key("vapi"), sim.url("vapi")) as connector:
        assert len(connector.list_agents()) == sim.agent_count("vapi")
    limited, ok = sim.requests("vapi", "/assistant")[:2]
    assert limited.status == 429 and ok.status == 200
    assert ok.at - limited.at >= 0.95  # waited the Retry-After second, not the 10 ms backoff


def test_retries_give_up_with_a_clear_error(sim):
    from voiceconsole.platforms.connector import PlatformUnavailable
    from voiceconsole.platforms.registry import make_connector

    sim.state.fail_next("retell", count=RETRIES + 1, status=503)
    with (
        make_connector("retell", sim.key("retell"), sim.url("retell")) as connector,
        pytest.raises(PlatformUnavailable, match=f"HTTP 503 .* after {RETRIES} retries"),
    ):
        connector.list_agents()
    assert len(sim.requests("retell")) == RETRIES + 1


@pytest.mark.parametrize("platform", PLATFORMS)
def test_bad_credentials_set_the_integration_to_error(platform, sim, factory, db, caplog, sync_queue):
    """The platform accepted the key when it was connected (a refused one is never stored: tests/api/
    test_integrations_api.py), then revoked it before the first sync."""
    caplog.set_level(logging.DEBUG)
    org, integration = connect(factory, sim, platform)
    sim.state.invalidate_key(platform)
    outcome = _sync(integration)
    assert outcome["status"] == "finished" and outcome["result"]["status"] == "error"  # handled, not a crash
    stored = _integration(db, integration)
    assert stored.status == "error"
    assert stored.last_error.startswith("The platform rejected the API key (HTTP 401)")
    assert stored.last_good_sync_at is None and len(_calls(db, org)) == 0
    key = sim.key(platform)
    assert key not in caplog.text and key not in stored.last_error


def test_a_revoked_key_after_good_syncs_and_the_connection_test(sim, factory, db, caplog, sync_queue):
    from voiceconsole.enqueue import get_queue
    from voiceconsole.jobs.sync import connection_test_job

    caplog.set_level(logging.DEBUG)
    org, integration = connect(factory, sim, "vapi")
    _sync(integration)
    sim.state.invalidate_key("vapi")
    _sync(integration)
    stored = _integration(db, integration)
    assert stored.status == "error" and "rejected the API key" in stored.last_error
    assert stored.last_good_sync_at is not None  # history of the last good sync stays
    assert len(_calls(db, org)) == SIM_CALLS  # nothing lost

    sim.state.restore_key("vapi")
    job = get_queue("default").enqueue(connection_test_job, integration.id)
    run_jobs("default")
    assert job.return_value() == {"status": "active", "agents": sim.agent_count("vapi"), "error": None}
    assert _integration(db, integration).status == "active"
    assert sim.key("vapi") not in caplog.text


def test_agents_that_disappear_go_offline_with_an_event(sim, factory, db, sync_queue):
    from voiceconsole.models import Agent

    org, integration = connect(factory, sim, "retell")
    _sync(integration)
    gone = next(iter(sim.state.data("retell").agents))
    sim.state.remove_agent("retell", gone)
    outcome = _sync(integration)
    assert outcome["result"]["agentsOffline"] == 1
    db.expire_all()
    agents = {a.platform_agent_id: a for a in db.exec(select(Agent).where(Agent.organization_id == org.id))}
    assert agents[gone].status == "offline"
    assert sum(a.status == "online" for a in agents.values()) == sim.agent_count("retell")
    (event,) = _events(db, org, "agent.status_change")
    assert event.public_id.startswith("evt_")
    assert event.payload == {
        "agentId": gone,
        "agentName": agents[gone].name,
        "platform": "retell",
        "status": "offline",
        "previousStatus": "online",
        "clientId": None,
        "clientName": None,
    }
    assert len(_calls(db, org)) == SIM_CALLS  # its calls stay
    _sync(integration)
    assert len(_events(db, org, "agent.status_change")) == 1  # no repeat while it stays gone


def test_disconnect_keeps_agents_and_calls_and_stops_syncing(sim, factory, db, api_client, sync_queue):
    from tests.support.http import bearer

    org, integration = connect(factory, sim, "elevenlabs")
    _sync(integration)
    headers = bearer(factory.api_key(org))
    assert api_client.delete(f"/api/v1/integrations/{integration.public_id}", headers=headers).status_code == 200
    sim.state.add_calls("elevenlabs", 3)
    outcome = _sync(integration)
    assert outcome["result"]["status"] == "skipped"
    assert len(_calls(db, org)) == SIM_CALLS
    listed = api_client.get("/api/v1/calls?perPage=1", headers=headers).json()
    assert listed["meta"]["total"] == SIM_CALLS
    agents = api_client.get("/api/v1/agents", headers=headers).json()
    assert agents["meta"]["total"] == sim.agent_count("elevenlabs")
    from voiceconsole.services.integrations import due_integration_ids

    assert integration.id not in due_integration_ids(db)


def test_the_lock_lets_one_sync_run_at_a_time(sim, factory, db, sync_queue):
    from voiceconsole.services.intake.sync import sync_integration, sync_lock

    org, integration = connect(factory, sim, "vapi")
    held = sync_lock(integration.id)
    assert held.acquire(blocking=False)
    try:
        outcome = _sync(integration)  # a second sync while one is "running": it waits (test_sync_lock.py)
        assert outcome["result"]["status"] == "waiting" and outcome["result"]["reason"] == "another sync holds the lock"
        assert outcome["result"]["retryAt"]
        assert len(_calls(db, org)) == 0 and not sim.requests("vapi")
    finally:
        held.release()

    # Two at once for real: one of the two threads gets the lock, the other returns at once.
    results = []
    threads = [threading.Thread(target=lambda: results.append(sync_integration(integration.id))) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert sorted(r.status for r in results) in (["active", "waiting"], ["active", "active"])
    calls = _calls(db, org)
    assert len(calls) == len({c.platform_call_id for c in calls}) == SIM_CALLS


def test_the_scheduler_queues_due_integrations(sim, factory, db, sync_queue):
    from voiceconsole.jobs.sync import enqueue_due_syncs_job as enqueue_due_syncs

    org, integration = connect(factory, sim, "retell")
    outcome = enqueue_due_syncs()
    assert integration.id in outcome["due"] and integration.id in outcome["enqueued"]
    run_jobs("sync")
    assert _integration(db, integration).last_good_sync_at is not None
    assert integration.id not in enqueue_due_syncs()["due"]  # synced: not due for 4 hours
    assert len(_calls(db, org)) == SIM_CALLS
