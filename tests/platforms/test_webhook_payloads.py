"""Webhook verification and parsing per platform, on payloads shaped exactly like the documented
examples (platform-apis.md §1.8 Retell call, §2.8 Vapi call, §3.8 ElevenLabs conversation), signed
the way each platform signs them. No HTTP here: the endpoint has its own tests.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from decimal import Decimal

import pytest

from voiceconsole.platforms.connector import WebhookVerificationError
from voiceconsole.platforms.registry import make_connector

RETELL_KEY = "key_9f8e7d6c5b4a"
VAPI_SECRET = "whsec_vapi-test-secret"
EL_SECRET = "wsec_elevenlabs-test-secret"

RETELL_CALL = {
    "call_id": "119c3f8e47135a29e65947eeb34cf12d",
    "call_type": "phone_call",
    "agent_id": "16b980523634a6dc504898cda492e939",
    "agent_version": 3,
    "agent_name": "Front desk",
    "call_status": "ended",
    "direction": "inbound",
    "from_number": "+14155550100",
    "to_number": "+14155550199",
    "start_timestamp": 1751382245123,
    "end_timestamp": 1751382287456,
    "duration_ms": 42333,
    "transcript": "Agent: Hi, how can I help?\nUser: I need to move my appointment.\n",
    "transcript_object": [
        {"role": "agent", "content": "Hi, how can I help?", "words": [{"word": "Hi,", "start": 0.62, "end": 0.9}]},
        {
            "role": "user",
            "content": "I need to move my appointment.",
            "words": [{"word": "I", "start": 2.1, "end": 2.2}],
        },
    ],
    "recording_url": "https://<retell-storage>/recording.wav",
    "disconnection_reason": "user_hangup",
    "call_cost": {
        "combined_cost": 9.4,
        "total_duration_seconds": 43,
        "total_duration_unit_price": 0.2186,
        "product_costs": [{"product": "<product>", "unit_price": 0.1167, "cost": 5.02}],
    },
    "call_analysis": {
        "call_summary": "Caller rescheduled to Friday.",
        "user_sentiment": "Positive",
        "call_successful": True,
        "in_voicemail": False,
        "custom_analysis_data": {"appointment_moved": True},
    },
    "metadata": {"crm_contact_id": "c_123"},
}

VAPI_CALL = {
    "id": "3f1c2d4e-1111-4a2b-9c3d-5e6f7a8b9c0d",
    "orgId": "a1b2c3d4-0000-4000-8000-000000000000",
    "type": "inboundPhoneCall",
    "status": "ended",
    "endedReason": "customer-ended-call",
    "assistantId": "5b7e9c1a-2222-4d3e-8f90-123456789abc",
    "phoneNumberId": "9d8c7b6a-3333-4e5f-a1b2-c3d4e5f60718",
    "customer": {"number": "+14155550100"},
    "createdAt": "2026-07-01T15:04:00.000Z",
    "updatedAt": "2026-07-01T15:05:02.000Z",
    "startedAt": "2026-07-01T15:04:03.120Z",
    "endedAt": "2026-07-01T15:04:45.460Z",
    "cost": 0.0912,
    "costBreakdown": {
        "transport": 0.006,
        "stt": 0.007,
        "llm": 0.011,
        "tts": 0.032,
        "vapi": 0.035,
        "total": 0.0912,
        "llmPromptTokens": 2310,
        "llmCompletionTokens": 96,
        "ttsCharacters": 540,
    },
    "analysis": {
        "summary": "Caller moved appointment to Friday.",
        "successEvaluation": "true",
        "structuredData": {"appointment_moved": True},
    },
    "artifact": {
        "transcript": "AI: Hi, how can I help?\nUser: I need to move my appointment.\n",
        "recordingUrl": "https://<vapi-storage>/mono.wav",
        "stereoRecordingUrl": "https://<vapi-storage>/stereo.wav",
        "messages": [
            {"role": "system", "message": "You are…", "time": 1751382243100, "secondsFromStart": 0},
            {
                "role": "bot",
                "message": "Hi, how can I help?",
                "time": 1751382243720,
                "endTime": 1751382245020,
                "secondsFromStart": 0.62,
                "duration": 1300,
            },
            {
                "role": "user",
                "message": "I need to move my appointment.",
                "time": 1751382246200,
                "endTime": 1751382248100,
                "secondsFromStart": 3.1,
                "duration": 1900,
            },
        ],
    },
}

EL_CONVERSATION = {
    "agent_id": "agent_01jxyz",
    "conversation_id": "conv_01jabc",
    "status": "done",
    "transcript": [
        {"role": "agent", "message": "Hi, how can I help?", "time_in_call_secs": 0},
        {"role": "user", "message": "I need to move my appointment.", "time_in_call_secs": 3},
    ],
    "metadata": {
        "start_time_unix_secs": 1751382243,
        "call_duration_secs": 42,
        "cost": 350,
        "cost_fiat": 0.084,
        "termination_reason": "Client disconnected",
        "phone_call": {
            "type": "twilio",
            "direction": "inbound",
            "agent_number": "+14155550199",
            "external_number": "+14155550100",
            "phone_number_id": "pn_1",
            "stream_sid": "MZ…",
            "call_sid": "CA…",
        },
    },
    "analysis": {
        "call_successful": "success",
        "transcript_summary": "Caller moved appointment.",
        "evaluation_criteria_results": {},
        "data_collection_results": {},
    },
    "has_audio": True,
    "has_user_audio": True,
    "has_response_audio": True,
    "has_auxiliary_audio": False,
}


def _dump(payload) -> bytes:
    return json.dumps(payload, separators=(",", ":")).encode()


def _hex(secret: str, message: bytes) -> str:
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def retell_signed(payload, *, key=RETELL_KEY, at: float | None = None):
    body = _dump(payload)
    ms = int((time.time() if at is None else at) * 1000)
    return {"x-retell-signature": f"v={ms},d={_hex(key, body + str(ms).encode())}"}, body


def vapi_signed(payload, *, secret=VAPI_SECRET, at: float | None = None):
    body = _dump(payload)
    ms = str(int((time.time() if at is None else at) * 1000))
    return {"x-vapi-signature": _hex(secret, ms.encode() + b"." + body), "x-timestamp": ms}, body


def el_signed(payload, *, secret=EL_SECRET, at: float | None = None):
    body = _dump(payload)
    t = str(int(time.time() if at is None else at))
    return {"ElevenLabs-Signature": f"t={t},v0={_hex(secret, t.encode() + b'.' + body)}"}, body


def test_retell_documented_call_analyzed_verifies_and_parses():
    connector = make_connector("retell", RETELL_KEY)
    headers, body = retell_signed({"event": "call_analyzed", "call": RETELL_CALL})
    connector.verify_webhook(headers, body, RETELL_KEY)
    record = connector.parse_webhook(body)
    assert record.platform_call_id == RETELL_CALL["call_id"]
    assert record.platform_agent_id == RETELL_CALL["agent_id"]
    assert record.status == "ended" and record.direction == "inbound"
    assert record.duration_ms == 42333
    assert record.cost_usd == Decimal("0.094")  # 9.4 cents
    assert record.sentiment == "Positive" and record.successful is True
    assert record.summary == "Caller rescheduled to Friday."
    assert [t.role for t in record.turns] == ["agent", "user"]


def test_retell_call_ended_parses_and_other_events_are_ignored():
    connector = make_connector("retell", RETELL_KEY)
    ended = {k: v for k, v in RETELL_CALL.items() if k != "call_analysis"}
    assert connector.parse_webhook(_dump({"event": "call_ended", "call": ended})).analysis == {}
    assert connector.parse_webhook(_dump({"event": "call_started", "call": ended})) is None
    assert connector.parse_webhook(_dump({"event": "transcript_updated", "call": ended})) is None
    # the deprecated `data` property still works
    assert connector.parse_webhook(_dump({"event": "call_analyzed", "data": RETELL_CALL})).platform_call_id


@pytest.mark.parametrize("tamper", ["body", "key", "old", "future", "absent", "malformed"])
def test_retell_bad_signatures_are_refused(tamper):
    connector = make_connector("retell", RETELL_KEY)
    at = {"old": time.time() - 301, "future": time.time() + 301}.get(tamper)
    headers, body = retell_signed(
        {"event": "call_analyzed", "call": RETELL_CALL}, at=at, key="other-key" if tamper == "key" else RETELL_KEY
    )
    if tamper == "body":
        body = body.replace(b"Friday", b"Monday")
    if tamper == "absent":
        headers = {}
    if tamper == "malformed":
        headers = {"x-retell-signature": "v=123,d=zz"}
    with pytest.raises(WebhookVerificationError):
        connector.verify_webhook(headers, body, RETELL_KEY)


def test_retell_signature_inside_the_window_passes():
    connector = make_connector("retell", RETELL_KEY)
    headers, body = retell_signed({"event": "call_analyzed", "call": RETELL_CALL}, at=time.time() - 290)
    connector.verify_webhook({k.upper(): v for k, v in headers.items()}, body, RETELL_KEY)  # any header case


def test_vapi_documented_end_of_call_report_verifies_and_parses():
    connector = make_connector("vapi", "vapi-private-key")
    call = {k: v for k, v in VAPI_CALL.items() if k not in ("artifact", "analysis")}
    message = {
        "type": "end-of-call-report",
        "timestamp": int(time.time() * 1000),
        "call": call,
        "endedReason": VAPI_CALL["endedReason"],
        "artifact": VAPI_CALL["artifact"],
        "analysis": VAPI_CALL["analysis"],
        "startedAt": VAPI_CALL["startedAt"],
        "endedAt": VAPI_CALL["endedAt"],
        "cost": VAPI_CALL["cost"],
        "customer": VAPI_CALL["customer"],
        "phoneNumber": {"id": VAPI_CALL["phoneNumberId"], "number": "+14155550199"},
        "assistant": {"id": VAPI_CALL["assistantId"], "name": "Front desk"},
    }
    headers, body = vapi_signed({"message": message})
    connector.verify_webhook(headers, body, VAPI_SECRET)
    record = connector.parse_webhook(body)
    assert record.platform_call_id == VAPI_CALL["id"] and record.platform_agent_id == VAPI_CALL["assistantId"]
    assert record.agent_name == "Front desk"
    assert (record.from_number, record.to_number) == ("+14155550100", "+14155550199")
    assert record.duration_ms == 42340
    assert record.cost_usd == Decimal("0.0912")
    assert record.successful is True and record.summary == "Caller moved appointment to Friday."
    assert [t.role for t in record.turns] == ["system", "agent", "user"]


def test_vapi_other_messages_are_ignored():
    connector = make_connector("vapi", "k")
    assert (
        connector.parse_webhook(_dump({"message": {"type": "status-update", "status": "ended", "call": VAPI_CALL}}))
        is None
    )
    assert connector.parse_webhook(_dump({"message": {"type": "conversation-update"}})) is None


@pytest.mark.parametrize("tamper", ["body", "secret", "old", "absent", "no-timestamp"])
def test_vapi_bad_signatures_are_refused(tamper):
    connector = make_connector("vapi", "k")
    headers, body = vapi_signed(
        {"message": {"type": "end-of-call-report", "call": VAPI_CALL}},
        secret="wrong" if tamper == "secret" else VAPI_SECRET,
        at=time.time() - 301 if tamper == "old" else None,
    )
    if tamper == "body":
        body = body + b" "
    if tamper == "absent":
        headers = {}
    if tamper == "no-timestamp":
        headers.pop("x-timestamp")
    with pytest.raises(WebhookVerificationError):
        connector.verify_webhook(headers, body, VAPI_SECRET)


def test_vapi_legacy_secret_header_and_bearer_credential():
    connector = make_connector("vapi", "k")
    body = _dump({"message": {"type": "end-of-call-report", "call": VAPI_CALL}})
    connector.verify_webhook({"X-Vapi-Secret": VAPI_SECRET}, body, VAPI_SECRET)
    connector.verify_webhook({"Authorization": f"Bearer {VAPI_SECRET}"}, body, VAPI_SECRET)
    for wrong in ({"X-Vapi-Secret": VAPI_SECRET + "x"}, {"Authorization": "Bearer nope"}, {"X-Vapi-Secret": ""}):
        with pytest.raises(WebhookVerificationError):
            connector.verify_webhook(wrong, body, VAPI_SECRET)


def test_elevenlabs_documented_post_call_transcription_verifies_and_parses():
    connector = make_connector("elevenlabs", "xi-key")
    headers, body = el_signed(
        {"type": "post_call_transcription", "event_timestamp": int(time.time()), "data": EL_CONVERSATION}
    )
    connector.verify_webhook(headers, body, EL_SECRET)
    record = connector.parse_webhook(body)
    assert record.platform_call_id == "conv_01jabc" and record.platform_agent_id == "agent_01jxyz"
    assert record.status == "ended" and record.duration_ms == 42_000
    assert record.cost_usd == Decimal("0.084")  # cost_fiat, never the credits
    assert (record.from_number, record.to_number) == ("+14155550100", "+14155550199")
    assert record.successful is True and record.summary == "Caller moved appointment."


def test_elevenlabs_window_is_thirty_minutes_and_other_types_are_ignored():
    connector = make_connector("elevenlabs", "xi-key")
    payload = {"type": "post_call_transcription", "event_timestamp": 0, "data": EL_CONVERSATION}
    connector.verify_webhook(*el_signed(payload, at=time.time() - 29 * 60), EL_SECRET)
    for headers, body in (
        el_signed(payload, at=time.time() - 31 * 60),
        el_signed(payload, secret="other"),
        ({"ElevenLabs-Signature": "t=abc,v0=00"}, b"{}"),
        ({}, b"{}"),
    ):
        with pytest.raises(WebhookVerificationError):
            connector.verify_webhook(headers, body, EL_SECRET)
    assert connector.parse_webhook(_dump({"type": "post_call_audio", "data": {"full_audio": "…"}})) is None
    assert connector.parse_webhook(_dump({"type": "call_initiation_failure", "data": {}})) is None


def test_connectors_never_show_the_key():
    for platform in ("retell", "vapi", "elevenlabs"):
        connector = make_connector(platform, "sk_live_SUPERSECRET_1234", "http://127.0.0.1:9")
        assert "SUPERSECRET" not in repr(connector) and "SUPERSECRET" not in str(connector)
        assert "SUPERSECRET" not in repr(connector.http)
