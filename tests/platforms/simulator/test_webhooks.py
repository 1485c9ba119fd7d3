"""Webhooks carry each platform's real body and signature, checked with the SDKs' own verifiers."""

from __future__ import annotations

import hashlib
import hmac
import json
import random
import time
from datetime import UTC, datetime

import elevenlabs
import httpx
import pytest
import retell
from elevenlabs.errors import BadRequestError

from voiceconsole.platforms import elevenlabs as elevenlabs_mapper
from voiceconsole.platforms import retell as retell_mapper
from voiceconsole.platforms import vapi as vapi_mapper
from voiceconsole.platforms.simulator.generator import generate_agents, generate_call
from voiceconsole.platforms.simulator.webhooks import build_webhook, send_webhook

SECRET = "whsec_test_secret"


def a_call(platform: str) -> dict:
    agent = generate_agents(platform, seed=3, count=1)[0]
    return generate_call(platform, agent, rng=random.Random(5), started_at=datetime.now(UTC))


# --- Retell -----------------------------------------------------------------------------------------


def test_retell_signature_verifies_with_the_sdk():
    api_key = "key_retell_webhook"
    headers, body = build_webhook("retell", "call_analyzed", a_call("retell"), secret=api_key)
    signature = headers["x-retell-signature"]
    sdk = retell.Retell(api_key=api_key)
    assert sdk.verify(body.decode(), api_key, signature)
    assert not sdk.verify(body.decode().replace("call", "cal1", 1), api_key, signature)
    assert not sdk.verify(body.decode(), "another_key", signature)


def test_retell_signature_is_timestamped_in_ms():
    at = time.time() - 3600  # an hour old: outside Retell's 5-minute window
    headers, body = build_webhook("retell", "call_ended", a_call("retell"), secret="k", timestamp=at)
    assert headers["x-retell-signature"].startswith(f"v={int(at * 1000)},d=")
    assert not retell.Retell(api_key="k").verify(body.decode(), "k", headers["x-retell-signature"])


def test_retell_events_carry_what_retell_sends():
    call = a_call("retell")
    ended = json.loads(build_webhook("retell", "call_ended", call, secret="k")[1])
    analyzed = json.loads(build_webhook("retell", "call_analyzed", call, secret="k")[1])
    started = json.loads(build_webhook("retell", "call_started", call, secret="k")[1])
    assert ended["event"] == "call_ended" and "call_analysis" not in ended["call"] and ended["call"]["transcript"]
    assert analyzed["call"]["call_analysis"] == call["call_analysis"]
    assert started["call"]["call_status"] == "ongoing" and "end_timestamp" not in started["call"]
    assert retell_mapper.map_call(analyzed["call"]).summary == call["call_analysis"]["call_summary"]
    with pytest.raises(ValueError):
        build_webhook("retell", "end-of-call-report", call, secret="k")


# --- Vapi -------------------------------------------------------------------------------------------


def vapi_hmac_ok(headers: dict, body: bytes, secret: str) -> bool:
    """The check a receiver configured with Vapi's HMAC credential (sha256, hex, "{timestamp}.{body}") does."""
    expected = hmac.new(secret.encode(), f"{headers['x-timestamp']}.".encode() + body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, headers["x-vapi-signature"])


def test_vapi_end_of_call_report_hmac():
    call = a_call("vapi")
    headers, body = build_webhook("vapi", "end-of-call-report", call, secret=SECRET)
    assert vapi_hmac_ok(headers, body, SECRET)
    assert not vapi_hmac_ok(headers, body + b" ", SECRET)
    message = json.loads(body)["message"]
    assert message["type"] == "end-of-call-report"
    assert abs(message["timestamp"] - int(headers["x-timestamp"])) == 0
    assert message["artifact"] == call["artifact"] and message["endedReason"] == call["endedReason"]
    assert "artifact" not in message["call"] and message["call"]["id"] == call["id"]
    # A receiver merges the message's artifact/analysis into the call before mapping.
    merged = {**message["call"], "artifact": message["artifact"], "analysis": message["analysis"]}
    record = vapi_mapper.map_call(merged)
    assert record.turns and record.platform_call_id == call["id"]


def test_vapi_legacy_secret_and_bearer_headers():
    headers, _ = build_webhook("vapi", "end-of-call-report", a_call("vapi"), secret=SECRET, vapi_auth="secret")
    assert headers["X-Vapi-Secret"] == SECRET and "x-vapi-signature" not in headers
    headers, _ = build_webhook("vapi", "status-update", a_call("vapi"), secret=SECRET, vapi_auth="bearer")
    assert headers["Authorization"] == f"Bearer {SECRET}"


# --- ElevenLabs -------------------------------------------------------------------------------------


def test_elevenlabs_signature_verifies_with_the_sdk():
    call = a_call("elevenlabs")
    headers, body = build_webhook("elevenlabs", "post_call_transcription", call, secret=SECRET)
    assert headers["ElevenLabs-Signature"].startswith("t=")
    sdk = elevenlabs.ElevenLabs(api_key="unused")
    event = sdk.webhooks.construct_event(body.decode(), headers["ElevenLabs-Signature"], SECRET)
    assert event["type"] == "post_call_transcription" and event["data"] == call
    assert elevenlabs_mapper.map_call(event["data"]).platform_call_id == call["conversation_id"]
    with pytest.raises(BadRequestError):
        sdk.webhooks.construct_event(body.decode(), headers["ElevenLabs-Signature"], "wrong secret")


# --- Delivery through the control API ---------------------------------------------------------------


def test_send_webhook_posts_raw_body(receiver):
    url, received = receiver
    response = send_webhook(url, "elevenlabs", "post_call_transcription", a_call("elevenlabs"), secret=SECRET)
    assert response.status_code == 204
    headers, body = received[0]
    elevenlabs.ElevenLabs(api_key="x").webhooks.construct_event(body.decode(), headers["elevenlabs-signature"], SECRET)


def test_control_webhook_for_a_new_retell_call(fresh_sim, receiver):
    url, received = receiver
    answer = httpx.post(
        f"{fresh_sim.url}/_sim/webhook",
        timeout=30,
        json={"platform": "retell", "url": url, "new": True, "events": ["call_ended", "call_analyzed"]},
    )
    assert answer.status_code == 200, answer.text
    result = answer.json()
    assert [d["status"] for d in result["deliveries"]] == [204, 204]
    api_key = fresh_sim.key("retell")  # Retell signs with the API key
    sdk = retell.Retell(api_key=api_key)
    events = []
    for headers, body in received:
        assert sdk.verify(body.decode(), api_key, headers["x-retell-signature"])
        events.append(json.loads(body))
    assert [e["event"] for e in events] == ["call_ended", "call_analyzed"]
    assert {e["call"]["call_id"] for e in events} == {result["callId"]}
    # The new call is also visible through the API.
    fetched = httpx.get(
        f"{fresh_sim.base('retell')}/v2/get-call/{result['callId']}", headers={"Authorization": f"Bearer {api_key}"}
    )
    assert fetched.status_code == 200


def test_control_webhook_for_a_stored_vapi_call(sim, receiver):
    url, received = receiver
    call_id = next(iter(sim.state.data("vapi").calls.by_id))
    answer = httpx.post(
        f"{sim.url}/_sim/webhook",
        timeout=30,
        json={"platform": "vapi", "url": url, "secret": SECRET, "callId": call_id},
    )
    assert answer.json()["deliveries"] == [{"event": "end-of-call-report", "status": 204}]
    headers, body = received[0]
    assert vapi_hmac_ok(headers, body, SECRET)
    message = json.loads(body)["message"]
    assert message["call"]["id"] == call_id and message["assistant"]["id"] == message["call"]["assistantId"]
    assert message["phoneNumber"]["id"] == message["call"]["phoneNumberId"]


def test_control_webhook_errors(sim, receiver):
    url, _ = receiver

    def post(body: dict) -> httpx.Response:
        return httpx.post(f"{sim.url}/_sim/webhook", json=body, timeout=30)

    assert post({"platform": "vapi", "url": url, "callId": "x", "secret": SECRET}).status_code == 404
    assert post({"platform": "vapi", "url": url, "new": True}).status_code == 400  # no secret
    assert (
        post({"platform": "vapi", "url": url, "new": True, "secret": SECRET, "event": "call_ended"}).status_code == 400
    )
    assert post({"platform": "other", "url": url, "new": True}).status_code == 400
