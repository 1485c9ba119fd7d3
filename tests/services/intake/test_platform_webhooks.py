"""Inbound platform webhooks over real HTTP: our API served by uvicorn in a thread, deliveries built
and signed by the simulator exactly as each platform sends them.
"""

from __future__ import annotations

import time

import httpx
import pytest
from sqlmodel import select

from tests.support.simulator import connect, run_jobs
from voiceconsole.platforms.simulator.webhooks import build_webhook, send_webhook


@pytest.fixture(scope="module")
def app_url():
    from voiceconsole.api.main import api
    from voiceconsole.platforms.simulator.server import serve_in_thread

    base_url, stop = serve_in_thread(api)
    yield base_url
    stop()


def _hook_url(app_url: str, integration) -> str:
    return f"{app_url}/api/integrations/{integration.platform}/webhook/{integration.public_id}"


def _secret(integration) -> str:
    from voiceconsole.services.integrations import webhook_secret

    return webhook_secret(integration)


def _new_call(sim, platform: str) -> dict:
    """A new call on the platform with a real conversation (some generated calls never connect)."""
    import importlib

    mapper = importlib.import_module(f"voiceconsole.platforms.{platform}")
    for _ in range(50):
        (call,) = sim.state.add_calls(platform, 1)
        record = mapper.map_call(call)
        if len(record.turns) >= 4 and record.summary:
            return call
    raise AssertionError("the simulator produced no conversation in 50 calls")


def _call_id(platform: str, call: dict) -> str:
    return call[{"retell": "call_id", "vapi": "id", "elevenlabs": "conversation_id"}[platform]]


def _stored(db, org):
    from voiceconsole.models import Call

    db.expire_all()
    return db.exec(select(Call).where(Call.organization_id == org.id)).all()


EVENTS = {"retell": "call_analyzed", "vapi": "end-of-call-report", "elevenlabs": "post_call_transcription"}


@pytest.mark.parametrize("platform", ["retell", "vapi", "elevenlabs"])
def test_a_valid_webhook_stores_the_call_and_queues_scoring(platform, sim, factory, db, app_url, sync_queue):
    from voiceconsole.models import Event

    org, integration = connect(factory, sim, platform)
    call = _new_call(sim, platform)
    started = time.perf_counter()
    r = send_webhook(_hook_url(app_url, integration), platform, EVENTS[platform], call, secret=_secret(integration))
    assert r.status_code == 200, r.text
    assert time.perf_counter() - started < 2  # answered fast: scoring happens in a job
    data = r.json()["data"]
    assert data["stored"] is True and data["new"] is True and data["callId"].startswith("cl_")
    (row,) = _stored(db, org)
    assert row.platform_call_id == _call_id(platform, call) and row.public_id == data["callId"]
    assert row.integration_id == integration.id and row.transcript and row.summary
    (event,) = db.exec(select(Event).where(Event.organization_id == org.id, Event.type == "call.new")).all()
    assert event.payload["callId"] == row.public_id
    assert row.score is None
    run_jobs("scoring", "default")
    db.expire_all()
    assert db.get(type(row), row.id).score is not None  # scored by the queued job


@pytest.mark.parametrize("platform", ["retell", "vapi", "elevenlabs"])
def test_a_bad_signature_is_401_and_stores_nothing(platform, sim, factory, db, app_url):
    org, integration = connect(factory, sim, platform)
    call = _new_call(sim, platform)
    url = _hook_url(app_url, integration)
    r = send_webhook(url, platform, EVENTS[platform], call, secret="not-the-secret")
    assert r.status_code == 401 and r.json()["error"] == "Webhook signature verification failed"
    headers, body = build_webhook(platform, EVENTS[platform], call, secret=_secret(integration))
    assert httpx.post(url, content=body + b" ", headers=headers).status_code == 401  # tampered body
    assert httpx.post(url, content=body, headers={"content-type": "application/json"}).status_code == 401  # unsigned
    old = time.time() - (31 * 60 if platform == "elevenlabs" else 6 * 60)
    assert (
        send_webhook(url, platform, EVENTS[platform], call, secret=_secret(integration), timestamp=old).status_code
        == 401
    )  # outside the window
    assert _stored(db, org) == []


@pytest.mark.parametrize("platform", ["retell", "vapi", "elevenlabs"])
def test_a_replayed_delivery_is_rejected_and_a_redelivery_stores_one_call(platform, sim, factory, db, app_url):
    org, integration = connect(factory, sim, platform)
    call = _new_call(sim, platform)
    url = _hook_url(app_url, integration)
    headers, body = build_webhook(platform, EVENTS[platform], call, secret=_secret(integration))
    assert httpx.post(url, content=body, headers=headers).status_code == 200
    replay = httpx.post(url, content=body, headers=headers)  # the very same signed request again
    assert replay.status_code == 409 and "replayed" in replay.json()["error"]
    # The platform delivering the same event again signs it afresh: accepted, and still one call.
    again = send_webhook(url, platform, EVENTS[platform], call, secret=_secret(integration), timestamp=time.time() + 1)
    assert again.status_code == 200 and again.json()["data"]["new"] is False
    assert len(_stored(db, org)) == 1


def test_retell_call_ended_then_analyzed_and_a_late_call_ended_keeps_the_analysis(sim, factory, db, app_url):
    org, integration = connect(factory, sim, "retell")
    call = _new_call(sim, "retell")
    url, key = _hook_url(app_url, integration), _secret(integration)
    ended = send_webhook(url, "retell", "call_ended", call, secret=key)
    assert ended.status_code == 200 and ended.json()["data"]["stored"] is True
    (row,) = _stored(db, org)
    assert row.transcript and not row.summary
    assert send_webhook(url, "retell", "call_analyzed", call, secret=key).status_code == 200
    (row,) = _stored(db, org)
    assert row.summary and row.platform_analysis
    late = send_webhook(url, "retell", "call_ended", call, secret=key, timestamp=time.time() + 2)
    assert late.status_code == 200 and late.json()["data"]["stored"] is False
    (row,) = _stored(db, org)
    assert row.summary and row.platform_analysis  # not erased by the older event


@pytest.mark.parametrize(
    "platform, event",
    [("retell", "call_started"), ("vapi", "status-update")],  # ElevenLabs sends only events we store
)
def test_events_we_do_not_store_are_acknowledged(platform, event, sim, factory, db, app_url):
    org, integration = connect(factory, sim, platform)
    r = send_webhook(
        _hook_url(app_url, integration), platform, event, _new_call(sim, platform), secret=_secret(integration)
    )
    assert r.status_code == 200 and r.json()["data"]["stored"] is False
    assert _stored(db, org) == []


@pytest.mark.parametrize("auth", ["secret", "bearer"])
def test_vapi_static_secret_credentials(auth, sim, factory, db, app_url):
    org, integration = connect(factory, sim, "vapi")
    url = _hook_url(app_url, integration)
    call = _new_call(sim, "vapi")
    assert (
        send_webhook(url, "vapi", "end-of-call-report", call, secret=_secret(integration), vapi_auth=auth).status_code
        == 200
    )
    assert send_webhook(url, "vapi", "end-of-call-report", call, secret="guess", vapi_auth=auth).status_code == 401
    assert len(_stored(db, org)) == 1


def test_unknown_wrong_platform_and_disconnected_endpoints_are_404(sim, factory, db, app_url, api_client):
    from tests.support.http import bearer

    org, integration = connect(factory, sim, "vapi")
    call = _new_call(sim, "vapi")
    secret = _secret(integration)
    for url in (
        f"{app_url}/api/integrations/vapi/webhook/int_unknown",
        f"{app_url}/api/integrations/retell/webhook/{integration.public_id}",
        f"{app_url}/api/integrations/bland/webhook/{integration.public_id}",
    ):
        assert send_webhook(url, "vapi", "end-of-call-report", call, secret=secret).status_code == 404, url
    api_client.delete(f"/api/v1/integrations/{integration.public_id}", headers=bearer(factory.api_key(org)))
    r = send_webhook(_hook_url(app_url, integration), "vapi", "end-of-call-report", call, secret=secret)
    assert r.status_code == 404
    assert _stored(db, org) == []


def test_a_signed_but_unreadable_body_is_400_and_can_be_resent(sim, factory, db, app_url):
    import hashlib
    import hmac

    org, integration = connect(factory, sim, "elevenlabs")
    url, secret = _hook_url(app_url, integration), _secret(integration)
    body = b'{"type": "post_call_transcription", "data": {"no": "conversation id"}}'
    t = str(int(time.time()))
    sig = hmac.new(secret.encode(), t.encode() + b"." + body, hashlib.sha256).hexdigest()
    headers = {"ElevenLabs-Signature": f"t={t},v0={sig}", "content-type": "application/json"}
    assert httpx.post(url, content=body, headers=headers).status_code == 400
    assert httpx.post(url, content=body, headers=headers).status_code == 400  # not claimed as seen
    assert _stored(db, org) == []


def test_the_simulator_can_deliver_to_us(sim, factory, db, app_url):
    """The simulator's own control endpoint posts a signed webhook for a new call."""
    org, integration = connect(factory, sim, "retell")
    r = httpx.post(
        f"{sim.base_url}/_sim/webhook",
        json={"platform": "retell", "url": _hook_url(app_url, integration), "new": True},
        timeout=30,
    )
    assert r.status_code == 200, r.text
    assert len(_stored(db, org)) == 1
