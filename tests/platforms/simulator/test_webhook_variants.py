"""Webhook variants and Vapi's HMAC options: the bodies real senders produce now and then, each signed so
that an independent HMAC computation (or the platform SDK's verifier) accepts it."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import random
from datetime import timedelta

import elevenlabs
import httpx
import pytest
import retell
from retell.types import PhoneCallResponse
from vapi.core.unchecked_base_model import construct_type
from vapi.types import ServerMessageEndOfCallReport

from tests.support.simulator import NOW
from voiceconsole.platforms.simulator.generator import generate_agents, generate_call
from voiceconsole.platforms.simulator.signing import VapiHmac
from voiceconsole.platforms.simulator.webhooks import build_webhook, sign_webhook

SECRET = "whsec_variant_secret"


def a_call(platform: str, variant: str | None = None, agent_index: int = 0, *, conversation: bool = False) -> dict:
    agent = generate_agents(platform, seed=3, count=agent_index + 1, now=NOW)[agent_index]
    started = NOW - timedelta(minutes=20)
    rng = random.Random(5)
    return generate_call(platform, agent, rng=rng, started_at=started, variant=variant, conversation=conversation)


def connected_call(platform: str) -> dict:
    """A call with a conversation (transcript, latencies, costs, analysis)."""
    call = a_call(platform, conversation=True)
    if platform == "vapi":
        assert call["analysis"] and call["artifact"]["performanceMetrics"] and call["cost"]
    else:
        assert call["latency"] and call["call_status"] == "ended"
    return call


# --- Retell ---------------------------------------------------------------------------------------------


def test_retell_stale_status_on_ended_events():
    call = connected_call("retell")
    api_key = "key_retell_variant"
    sdk = retell.Retell(api_key=api_key)
    for event in ("call_ended", "call_analyzed"):
        headers, body = build_webhook("retell", event, call, secret=api_key, variants=["stale_status"])
        assert sdk.verify(body.decode(), api_key, headers["x-retell-signature"])
        sent = json.loads(body)["call"]
        assert sent["call_status"] == "registered" and sent["end_timestamp"] and sent["transcript"]
        assert PhoneCallResponse.model_validate(sent).call_status == "registered"  # a status the SDK knows
    started = json.loads(build_webhook("retell", "call_started", call, secret=api_key, variants=["stale_status"])[1])
    assert started["call"]["call_status"] == "ongoing"
    plain = json.loads(build_webhook("retell", "call_ended", call, secret=api_key)[1])
    assert plain["call"]["call_status"] == "ended"


def test_retell_not_connected_call_webhook_has_no_start():
    call = a_call("retell", "not_connected")
    body = json.loads(build_webhook("retell", "call_analyzed", call, secret="k")[1])["call"]
    assert "start_timestamp" not in body and body["call_status"] == "not_connected"
    assert PhoneCallResponse.model_validate(body).start_timestamp is None


# --- Vapi: the end-of-call report -----------------------------------------------------------------------


def vapi_hex_ok(headers: dict, body: bytes, secret: str) -> bool:
    """The default HMAC credential: hex HMAC-SHA256(secret, "{x-timestamp}.{body}")."""
    signed = f"{headers['x-timestamp']}.".encode() + body
    return hmac.compare_digest(
        hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest(), headers["x-vapi-signature"]
    )


def report(call: dict, variants: tuple[str, ...] = ()) -> dict:
    """The end-of-call report's message, checked to be signed with the default HMAC credential."""
    headers, body = build_webhook("vapi", "end-of-call-report", call, secret=SECRET, variants=variants)
    assert vapi_hex_ok(headers, body, SECRET)
    return json.loads(body)["message"]


def test_vapi_report_carries_the_call_outcome_on_the_message():
    call = connected_call("vapi")
    message = report(call)
    artifact, analysis = call["artifact"], call["analysis"]
    assert message["artifact"] == artifact and message["analysis"] == analysis
    assert message["transcript"] == artifact["transcript"] and message["messages"] == artifact["messages"]
    assert message["recordingUrl"] == artifact["recordingUrl"]
    assert message["stereoRecordingUrl"] == artifact["stereoRecordingUrl"]
    assert message["summary"] == analysis["summary"]
    for key in ("cost", "costs", "costBreakdown", "startedAt", "endedAt", "endedReason"):
        assert message[key] == call[key], key
    assert message["durationMs"] == round(message["durationSeconds"] * 1000)
    assert message["artifact"]["performanceMetrics"]["turnLatencies"]
    assert message["call"]["id"] == call["id"] and "artifact" not in message["call"]
    parsed = construct_type(type_=ServerMessageEndOfCallReport, object_=message)
    assert parsed.cost == call["cost"] and parsed.started_at and parsed.ended_at and parsed.costs
    assert parsed.artifact.performance_metrics.turn_latency_average > 0


def test_vapi_report_variants():
    call = connected_call("vapi")
    id_only = report(call, ("call_id_only",))
    assert id_only["call"] == {"id": call["id"]} and id_only["cost"] == call["cost"]
    assert construct_type(type_=ServerMessageEndOfCallReport, object_=id_only).call.id == call["id"]

    no_total = report(call, ("no_cost_total",))
    assert "cost" not in no_total and "costBreakdown" not in no_total
    assert "cost" not in no_total["call"] and "costBreakdown" not in no_total["call"]
    assert sum(i["cost"] for i in no_total["costs"]) == pytest.approx(call["cost"], abs=1e-6)
    assert construct_type(type_=ServerMessageEndOfCallReport, object_=no_total).cost is None

    both = report(call, ("call_id_only", "no_cost_total"))
    assert both["call"] == {"id": call["id"]} and "cost" not in both and both["costs"]
    with pytest.raises(ValueError, match="stale_status"):
        build_webhook("vapi", "end-of-call-report", call, secret=SECRET, variants=["stale_status"])


def test_vapi_report_for_a_call_that_never_left_the_queue():
    call = a_call("vapi", "queue_error")
    message = report(call)
    assert message["endedReason"].startswith("call.start.error-")
    assert not {"startedAt", "endedAt", "durationMs"} & set(message)
    parsed = construct_type(type_=ServerMessageEndOfCallReport, object_=message)
    assert parsed.started_at is None and parsed.ended_at is None


# --- Vapi: HMAC options ---------------------------------------------------------------------------------


def independent_signature(secret: str, message: bytes, algorithm: str, encoding: str, key_is_base64: bool) -> str:
    key = base64.b64decode(secret) if key_is_base64 else secret.encode()
    digest = hmac.new(key, message, getattr(hashlib, algorithm)).digest()
    return digest.hex() if encoding == "hex" else base64.b64encode(digest).decode()


@pytest.mark.parametrize("algorithm", ["sha256", "sha512", "sha1"])
@pytest.mark.parametrize("encoding", ["hex", "base64"])
@pytest.mark.parametrize("prefix", ["", "sha256="])
@pytest.mark.parametrize("key_is_base64", [False, True])
def test_vapi_hmac_options(algorithm, encoding, prefix, key_is_base64):
    secret = base64.b64encode(b"\x00raw key bytes\xff").decode() if key_is_base64 else SECRET
    plan = {
        "type": "hmac",
        "algorithm": algorithm,
        "signatureEncoding": encoding,
        "signaturePrefix": prefix,
        "secretIsBase64": key_is_base64,
    }
    headers, body = build_webhook("vapi", "end-of-call-report", a_call("vapi"), secret=secret, vapi_hmac=plan)
    ms = headers["x-timestamp"]
    expected = independent_signature(secret, f"{ms}.".encode() + body, algorithm, encoding, key_is_base64)
    assert headers["x-vapi-signature"] == prefix + expected
    assert headers == sign_webhook("vapi", body, secret=secret, timestamp=int(ms) / 1000, vapi_hmac=plan)


def test_vapi_hmac_headers_and_payload_format():
    plan = VapiHmac(
        signature_header="x-signature",
        timestamp_header="x-vapi-timestamp",
        payload_format="{method}:{timestamp}:{body}",
    )
    body = b'{"message":{"type":"status-update"}}'
    headers = sign_webhook("vapi", body, secret=SECRET, timestamp=1_800_000_000.5, vapi_hmac=plan)
    assert headers["x-vapi-timestamp"] == "1800000000500" and "x-vapi-signature" not in headers
    expected = independent_signature(SECRET, b"POST:1800000000500:" + body, "sha256", "hex", False)
    assert headers["x-signature"] == expected

    bare = sign_webhook("vapi", body, secret=SECRET, vapi_hmac={"includeTimestamp": False})
    assert "x-timestamp" not in bare
    assert bare["x-vapi-signature"] == independent_signature(SECRET, body, "sha256", "hex", False)


@pytest.mark.parametrize(
    "plan",
    [
        {"algorithm": "md5"},
        {"signatureEncoding": "base32"},
        {"payloadFormat": "{url}.{body}"},
        {"signatureHeader": ""},
        {"notASetting": True},
    ],
)
def test_vapi_hmac_settings_are_checked(plan):
    with pytest.raises(ValueError):
        VapiHmac.from_plan(plan)


def test_vapi_hmac_plan_round_trips():
    plan = VapiHmac(algorithm="sha512", signature_encoding="base64", signature_prefix="v1=", secret_is_base64=True)
    described = plan.as_plan()
    assert described["secretIsBase64"] is True and described["signaturePrefix"] == "v1="
    assert VapiHmac.from_plan(described) == plan
    with pytest.raises(ValueError, match="base64"):
        sign_webhook("vapi", b"{}", secret="not base64!", vapi_hmac=plan)


# --- ElevenLabs: call_initiation_failure ----------------------------------------------------------------


def unanswered_dial(telephony: str) -> dict:
    """A not-connected ElevenLabs call of an agent whose numbers use `telephony` (twilio | sip_trunking)."""
    for index in range(12):
        call = a_call("elevenlabs", "not_connected", index)
        if call["metadata"]["phone_call"]["type"] == telephony:
            return call
    raise AssertionError(f"no {telephony} agent")


def initiation_failure(call: dict) -> dict:
    headers, body = build_webhook("elevenlabs", "call_initiation_failure", call, secret=SECRET)
    event = elevenlabs.ElevenLabs(api_key="x").webhooks.construct_event(
        body.decode(), headers["ElevenLabs-Signature"], SECRET
    )
    assert event["type"] == "call_initiation_failure" and isinstance(event["event_timestamp"], int)
    return event["data"]


def test_elevenlabs_initiation_failure_over_twilio():
    call = unanswered_dial("twilio")
    phone = call["metadata"]["phone_call"]
    data = initiation_failure(call)
    reason = {"Line busy": "busy", "Call not answered": "no-answer"}[call["metadata"]["termination_reason"]]
    assert data["agent_id"] == call["agent_id"] and data["conversation_id"] == call["conversation_id"]
    assert data["failure_reason"] == reason and data["metadata"]["type"] == "twilio"
    body = data["metadata"]["body"]
    assert body["CallStatus"] == reason and body["CallSid"] == phone["call_sid"]
    assert (body["From"], body["To"]) == (phone["agent_number"], phone["external_number"])
    assert body["Direction"] == "outbound-api" and body["AccountSid"].startswith("AC") and len(body["AccountSid"]) == 34


def test_elevenlabs_initiation_failure_over_a_sip_trunk():
    call = unanswered_dial("sip_trunking")
    phone = call["metadata"]["phone_call"]
    data = initiation_failure(call)
    assert data["metadata"]["type"] == "sip"
    body = data["metadata"]["body"]
    assert body["sip_status_code"] in (486, 480) and body["sip_status"]
    assert (body["from_number"], body["to_number"], body["call_sid"]) == (
        phone["agent_number"],
        phone["external_number"],
        phone["call_sid"],
    )


def test_elevenlabs_initiation_failure_without_a_known_reason_is_unknown():
    call = a_call("elevenlabs", "blank_termination_reason")
    assert initiation_failure(call)["failure_reason"] == "unknown"


# --- Through the control API ----------------------------------------------------------------------------


def test_control_webhook_signing_settings_and_variants(fresh_sim, receiver):
    url, received = receiver
    control = f"{fresh_sim.url}/_sim"
    plan = {"algorithm": "sha512", "signatureEncoding": "base64", "signaturePrefix": "sha512="}
    answer = httpx.post(f"{control}/webhook-signing", json={"vapiHmac": plan}, timeout=30)
    assert answer.status_code == 200 and answer.json()["vapi_hmac"]["algorithm"] == "sha512"
    shown = httpx.get(f"{control}/state", timeout=30).json()["platforms"]["vapi"]["webhook_signing"]
    assert shown["vapi_auth"] == "hmac" and shown["vapi_hmac"]["signaturePrefix"] == "sha512="

    call_id = next(iter(fresh_sim.state.data("vapi").calls.by_id))
    sent = httpx.post(
        f"{control}/webhook",
        json={"platform": "vapi", "url": url, "secret": SECRET, "callId": call_id, "variants": ["call_id_only"]},
        timeout=30,
    )
    assert sent.status_code == 200, sent.text
    headers, body = received[-1]
    expected = independent_signature(SECRET, f"{headers['x-timestamp']}.".encode() + body, "sha512", "base64", False)
    assert headers["x-vapi-signature"] == "sha512=" + expected
    assert json.loads(body)["message"]["call"] == {"id": call_id}

    # A request's own plan wins, and its secretKey is the secret.
    own = {"algorithm": "sha1", "secretKey": "plan_secret"}
    httpx.post(
        f"{control}/webhook", json={"platform": "vapi", "url": url, "callId": call_id, "vapiHmac": own}, timeout=30
    )
    headers, body = received[-1]
    signed = f"{headers['x-timestamp']}.".encode() + body
    assert headers["x-vapi-signature"] == independent_signature("plan_secret", signed, "sha1", "hex", False)

    fresh_sim.state.reset()  # back to the default credential
    assert fresh_sim.state.webhook_signing.vapi_hmac == VapiHmac()
    bad = [
        {"vapiHmac": {"algorithm": "md5"}},
        {"vapiAuth": "basic"},
        {"vapiHmac": ["sha256"]},
    ]
    for settings in bad:
        assert httpx.post(f"{control}/webhook-signing", json=settings, timeout=30).status_code == 400


def test_control_new_call_of_a_variant_with_a_stale_status(fresh_sim, receiver):
    url, received = receiver
    answer = httpx.post(
        f"{fresh_sim.url}/_sim/webhook",
        json={
            "platform": "retell",
            "url": url,
            "new": True,
            "variant": "not_connected",
            "events": ["call_ended"],
            "variants": ["stale_status"],
        },
        timeout=30,
    )
    assert answer.status_code == 200, answer.text
    headers, body = received[-1]
    api_key = fresh_sim.key("retell")
    assert retell.Retell(api_key=api_key).verify(body.decode(), api_key, headers["x-retell-signature"])
    sent = json.loads(body)["call"]
    assert sent["call_id"] == answer.json()["callId"] and sent["call_status"] == "registered"
    assert "start_timestamp" not in sent
    stored = fresh_sim.state.data("retell").calls.get(sent["call_id"])
    assert stored["call_status"] == "not_connected"

    # A variant the platform does not send is refused before any call is added.
    before = len(fresh_sim.state.data("elevenlabs").calls)
    refused = httpx.post(
        f"{fresh_sim.url}/_sim/webhook",
        json={"platform": "elevenlabs", "url": url, "new": True, "secret": SECRET, "variants": ["stale_status"]},
        timeout=30,
    )
    assert refused.status_code == 400 and len(fresh_sim.state.data("elevenlabs").calls) == before
