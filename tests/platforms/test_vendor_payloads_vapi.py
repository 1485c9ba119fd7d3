"""Vapi payloads written from Vapi's API reference and vapi-server-sdk's response models
(`ServerMessageEndOfCallReport`, `Call`, `Artifact`, `PerformanceMetrics`, `TurnLatency`, the `costs[]`
union), loaded with those models first so a misspelt field fails, then mapped field by field; and
the HMAC credential's signature variants. Retell and ElevenLabs are in test_vendor_payloads.py.
"""

from __future__ import annotations

import base64
import copy
import hashlib
import hmac
import time
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from vapi.types import Call, ServerMessageEndOfCallReport

from tests.platforms.sdk_shapes import assert_remaps, vapi_shape
from tests.platforms.test_webhook_payloads import VAPI_SECRET, _dump, vapi_signed
from voiceconsole.platforms import vapi
from voiceconsole.platforms.base import CostItem, LatencyStats
from voiceconsole.platforms.connector import WebhookVerificationError, delivery_identity
from voiceconsole.platforms.registry import make_connector
from voiceconsole.platforms.vapi import VapiConnector

CALL_ID = "7c9e6679-7425-40de-944b-e07fc1f90ae7"
ORG_ID = "0b6c2f7e-1d4a-4c39-9e8f-2a1b3c4d5e6f"
ASSISTANT_ID = "e3b0c442-98fc-4c14-9afb-f4c8996fb924"
NUMBER_ID = "4f9d2c1b-8a7e-4d6c-b5a4-3e2f1d0c9b8a"

COSTS = [
    {"type": "transport", "provider": "twilio", "minutes": 1.5917, "cost": 0.0138},
    {
        "type": "transcriber",
        "transcriber": {"provider": "deepgram", "model": "nova-3"},
        "minutes": 1.5917,
        "cost": 0.0171,
    },
    {
        "type": "model",
        "model": {"provider": "openai", "model": "gpt-4o"},
        "promptTokens": 2310,
        "completionTokens": 96,
        "cost": 0.0067,
    },
    {"type": "voice", "voice": {"provider": "11labs", "voiceId": "voice_abc"}, "characters": 540, "cost": 0.0324},
    {"type": "vapi", "subType": "normal", "minutes": 1.5917, "cost": 0.0796},
    {
        "type": "analysis",
        "analysisType": "summary",
        "model": {"provider": "openai", "model": "gpt-4o-mini"},
        "promptTokens": 800,
        "completionTokens": 40,
        "cost": 0.0003,
    },
    {
        "type": "voicemail-detection",
        "model": {"provider": "openai", "model": "gpt-4o-mini-realtime"},
        "provider": "openai",
        "promptTextTokens": 10,
        "promptAudioTokens": 200,
        "completionTextTokens": 2,
        "completionAudioTokens": 0,
        "cost": 0.0005,
    },
]
COSTS_TOTAL = sum((Decimal(str(c["cost"])) for c in COSTS), Decimal(0))  # 0.1504

PERFORMANCE = {
    "turnLatencies": [
        {
            "modelLatency": 300,
            "voiceLatency": 200,
            "transcriberLatency": 100,
            "endpointingLatency": 300,
            "turnLatency": 900,
        },
        {
            "modelLatency": 350,
            "voiceLatency": 210,
            "transcriberLatency": 120,
            "endpointingLatency": 420,
            "turnLatency": 1100,
        },
        {
            "modelLatency": 320,
            "voiceLatency": 190,
            "transcriberLatency": 110,
            "endpointingLatency": 380,
            "turnLatency": 1000,
        },
        {
            "modelLatency": 500,
            "voiceLatency": 260,
            "transcriberLatency": 150,
            "endpointingLatency": 590,
            "turnLatency": 1500,
        },
    ],
    "modelLatencyAverage": 367.5,
    "voiceLatencyAverage": 215,
    "transcriberLatencyAverage": 120,
    "endpointingLatencyAverage": 422.5,
    "turnLatencyAverage": 1125,
    "fromTransportLatencyAverage": 12.5,
    "toTransportLatencyAverage": 18.25,
    "numUserInterrupted": 1,
    "numAssistantInterrupted": 2,
}

MESSAGES = [
    {"role": "system", "message": "You remind patients of visits.", "time": 1767268802500, "secondsFromStart": 0},
    {
        "role": "bot",
        "message": "Hi Sam, this is the clinic about Friday.",
        "time": 1767268803100,
        "endTime": 1767268805600,
        "secondsFromStart": 0.6,
        "duration": 2500,
        "source": "",
    },
    {
        "role": "user",
        "message": "Yes, Friday still works.",
        "time": 1767268806500,
        "endTime": 1767268808300,
        "secondsFromStart": 4.0,
        "duration": 1800,
        "isFiltered": False,
    },
    {
        "role": "tool_calls",
        "message": "",
        "toolCalls": [{"id": "call_1", "type": "function", "function": {"name": "confirm_visit", "arguments": "{}"}}],
        "time": 1767268808900,
        "secondsFromStart": 6.4,
    },
    {
        "role": "tool_call_result",
        "toolCallId": "call_1",
        "name": "confirm_visit",
        "result": "confirmed",
        "time": 1767268809200,
        "secondsFromStart": 6.7,
    },
]

ARTIFACT = {
    "messages": MESSAGES,
    "transcript": "AI: Hi Sam, this is the clinic about Friday.\nUser: Yes, Friday still works.\n",
    "recordingUrl": "https://storage.example/7c9e/mono.wav",
    "stereoRecordingUrl": "https://storage.example/7c9e/stereo.wav",
    "videoRecordingUrl": "https://storage.example/7c9e/video.mp4",
    "recording": {
        "stereoUrl": "https://storage.example/7c9e/stereo.wav",
        "videoUrl": "https://storage.example/7c9e/video.mp4",
        "mono": {
            "combinedUrl": "https://storage.example/7c9e/mono.wav",
            "assistantUrl": "https://storage.example/7c9e/assistant.wav",
            "customerUrl": "https://storage.example/7c9e/customer.wav",
        },
    },
    "logUrl": "https://storage.example/7c9e/log.json",
    "performanceMetrics": PERFORMANCE,
}

ANALYSIS = {
    "summary": "Patient confirmed Friday.",
    "successEvaluation": "8",  # NumericScale rubric
    "structuredData": {"sentiment": "positive", "confirmed": True},
}

# GET /call/{id}: the call as the API keeps it once finished.
GET_CALL = {
    "id": CALL_ID,
    "orgId": ORG_ID,
    "type": "outboundPhoneCall",
    "status": "ended",
    "endedReason": "assistant-ended-call",
    "assistantId": ASSISTANT_ID,
    "phoneNumberId": NUMBER_ID,
    "customer": {"number": "+12125550187", "name": "Sam"},
    "createdAt": "2026-01-01T12:00:00.000Z",
    "updatedAt": "2026-01-01T12:02:10.000Z",
    "startedAt": "2026-01-01T12:00:02.500Z",
    "endedAt": "2026-01-01T12:01:38.000Z",
    "cost": 0.1504,
    "costs": COSTS,
    "costBreakdown": {
        "transport": 0.0138,
        "stt": 0.0171,
        "llm": 0.0067,
        "tts": 0.0324,
        "vapi": 0.0796,
        "chat": 0,
        "total": 0.1504,
        "llmPromptTokens": 2310,
        "llmCompletionTokens": 96,
        "ttsCharacters": 540,
    },
    "analysis": ANALYSIS,
    "artifact": ARTIFACT,
    "phoneCallProvider": "twilio",
    "phoneCallProviderId": "CA5e4d3c2b1a09f8e7d6c5b4a392817060",
}

# The end-of-call-report webhook: its `call` captured while the call was still running; the report's
# own fields are final. `transcript`, `recordingUrl`, `stereoRecordingUrl`, `summary` and `messages` are
# sent on the message too, though the SDK model no longer lists them.
MESSAGE_LEVEL_EXTRAS = (
    "$.transcript",
    "$.recordingUrl",
    "$.stereoRecordingUrl",
    "$.summary",
    "$.messages",
)
REPORT = {
    "type": "end-of-call-report",
    "timestamp": 1767268930000,
    "endedReason": "assistant-ended-call",
    "cost": 0.1504,
    "costs": COSTS,
    "startedAt": "2026-01-01T12:00:02.500Z",
    "endedAt": "2026-01-01T12:01:38.000Z",
    "analysis": ANALYSIS,
    "artifact": ARTIFACT,
    "assistant": {"name": "Clinic reminders"},
    "customer": {"number": "+12125550187", "name": "Sam"},
    "phoneNumber": {
        "provider": "twilio",
        "number": "+14155550123",
        "twilioAccountSid": "AC00112233445566778899aabbccddeeff",
    },
    "call": {
        "id": CALL_ID,
        "orgId": ORG_ID,
        "type": "outboundPhoneCall",
        "status": "in-progress",
        "assistantId": ASSISTANT_ID,
        "phoneNumberId": NUMBER_ID,
        "customer": {"number": "+12125550187"},
        "createdAt": "2026-01-01T12:00:00.000Z",
        "updatedAt": "2026-01-01T12:00:03.000Z",
        "startedAt": "2026-01-01T12:00:02.500Z",
    },
    "transcript": ARTIFACT["transcript"],
    "recordingUrl": ARTIFACT["recordingUrl"],
    "stereoRecordingUrl": ARTIFACT["stereoRecordingUrl"],
    "summary": ANALYSIS["summary"],
    "messages": MESSAGES,
}


def _report(**changes):
    report = copy.deepcopy(REPORT)
    report.update(changes)
    return report


def test_vapi_payloads_match_the_sdk_models():
    vapi_shape(ServerMessageEndOfCallReport, REPORT, allowed=MESSAGE_LEVEL_EXTRAS)
    vapi_shape(Call, GET_CALL)
    typo = copy.deepcopy(GET_CALL)
    typo["artifact"]["performanceMetrics"]["turnLatencies"][0]["modelLatancy"] = 1
    with pytest.raises(AssertionError, match="modelLatancy"):
        vapi_shape(Call, typo)


EXPECTED_COSTS = [
    CostItem("transport", usd=Decimal("0.0138"), quantity=1.5917, unit="minutes"),
    CostItem("transcriber", usd=Decimal("0.0171"), quantity=1.5917, unit="minutes"),
    CostItem("model (gpt-4o)", usd=Decimal("0.0067"), quantity=2406.0, unit="tokens"),
    CostItem("voice", usd=Decimal("0.0324"), quantity=540.0, unit="characters"),
    CostItem("vapi (normal)", usd=Decimal("0.0796"), quantity=1.5917, unit="minutes"),
    CostItem("analysis (summary, gpt-4o-mini)", usd=Decimal("0.0003"), quantity=840.0, unit="tokens"),
    CostItem("voicemail-detection (gpt-4o-mini-realtime)", usd=Decimal("0.0005"), quantity=212.0, unit="tokens"),
]
EXPECTED_LATENCY = {
    "turn": LatencyStats(p50=1050.0, p90=1380.0, p95=1440.0, p99=1488.0, min=900.0, max=1500.0, avg=1125.0, num=4),
    "model": LatencyStats(p50=335.0, p90=455.0, p95=477.5, p99=495.5, min=300.0, max=500.0, avg=367.5, num=4),
    "voice": LatencyStats(p50=205.0, p90=245.0, p95=252.5, p99=258.5, min=190.0, max=260.0, avg=215.0, num=4),
    "transcriber": LatencyStats(p50=115.0, p90=141.0, p95=145.5, p99=149.1, min=100.0, max=150.0, avg=120.0, num=4),
    "endpointing": LatencyStats(p50=400.0, p90=539.0, p95=564.5, p99=584.9, min=300.0, max=590.0, avg=422.5, num=4),
    "from_transport": LatencyStats(avg=12.5),
    "to_transport": LatencyStats(avg=18.25),
}
EXPECTED_RECORDINGS = {
    "stereo": "https://storage.example/7c9e/stereo.wav",
    "video": "https://storage.example/7c9e/video.mp4",
    "assistant": "https://storage.example/7c9e/assistant.wav",
    "customer": "https://storage.example/7c9e/customer.wav",
}


def _assert_the_call(record):
    assert (record.platform, record.platform_call_id, record.platform_agent_id) == ("vapi", CALL_ID, ASSISTANT_ID)
    assert (record.status, record.platform_status) == ("ended", "ended")
    assert record.started_at == datetime(2026, 1, 1, 12, 0, 2, 500000, tzinfo=UTC)
    assert record.ended_at == datetime(2026, 1, 1, 12, 1, 38, tzinfo=UTC)
    assert record.duration_ms == 95_500
    assert record.direction == "outbound" and record.to_number == "+12125550187"
    assert record.cost_usd == Decimal("0.1504") and record.cost_credits is None
    assert record.cost_breakdown == EXPECTED_COSTS
    assert (record.sentiment, record.successful) == ("Positive", True)  # structuredData / NumericScale 8
    assert record.summary == "Patient confirmed Friday."
    assert record.end_reason == "assistant-ended-call"
    assert record.recording_url == "https://storage.example/7c9e/mono.wav"
    assert record.recordings == EXPECTED_RECORDINGS
    assert [(t.role, t.text, t.start, t.end) for t in record.turns] == [
        ("system", "You remind patients of visits.", 0.0, None),
        ("agent", "Hi Sam, this is the clinic about Friday.", 0.6, 3.1),
        ("user", "Yes, Friday still works.", 4.0, 5.8),
        ("tool", "confirm_visit", 6.4, None),
        ("tool", "confirmed", 6.7, None),
    ]
    assert record.transcript == "Agent: Hi Sam, this is the clinic about Friday.\nUser: Yes, Friday still works.\n"
    assert record.latency == EXPECTED_LATENCY
    assert record.analysis == ANALYSIS


def test_vapi_end_of_call_report_maps_every_field():
    connector = make_connector("vapi", "vapi-private-key")
    headers, body = vapi_signed({"message": REPORT})
    connector.verify_webhook(headers, body, VAPI_SECRET)
    record = connector.parse_webhook(body)
    _assert_the_call(record)
    assert record.agent_name == "Clinic reminders"
    assert record.from_number == "+14155550123"  # the report's phoneNumber
    assert (record.raw, record.raw_source) == (REPORT, "end-of-call-report")
    assert_remaps(VapiConnector, record)


def test_vapi_report_whose_call_holds_only_an_id_is_complete():
    record = vapi.map_end_of_call_report(_report(call={"id": CALL_ID}))
    assert record.platform_call_id == CALL_ID and record.status == "ended"
    assert record.transcript and len(record.turns) == 5
    assert record.recording_url and record.recordings == EXPECTED_RECORDINGS
    assert record.cost_usd == Decimal("0.1504") and record.cost_breakdown == EXPECTED_COSTS
    assert record.started_at and record.duration_ms == 95_500 and record.end_reason == "assistant-ended-call"
    assert record.summary and record.successful is True and record.latency == EXPECTED_LATENCY
    assert record.agent_name == "Clinic reminders"
    assert record.direction is None  # only the call's `type` says which way it went
    assert_remaps(VapiConnector, record)


def test_vapi_legacy_message_level_fields_fill_an_empty_artifact():
    report = _report(artifact={}, analysis={})
    vapi_shape(ServerMessageEndOfCallReport, report, allowed=MESSAGE_LEVEL_EXTRAS)
    record = vapi.map_end_of_call_report(report)
    assert record.recording_url == ARTIFACT["recordingUrl"]
    assert record.recordings == {"stereo": ARTIFACT["stereoRecordingUrl"]}
    assert [t.role for t in record.turns] == ["system", "agent", "user", "tool", "tool"]  # `messages`
    assert record.summary == "Patient confirmed Friday."  # `summary`
    assert_remaps(VapiConnector, record)


def test_vapi_report_without_a_call_is_ignored():
    chat_report = {k: v for k, v in REPORT.items() if k != "call"}
    chat_report["chat"] = {"id": "chat_1", "orgId": ORG_ID}
    connector = make_connector("vapi", "k")
    assert connector.parse_webhook(_dump({"message": chat_report})) is None
    assert connector.parse_webhook(_dump({"message": {**chat_report, "call": None}})) is None
    with pytest.raises(ValueError):
        VapiConnector.remap("end-of-call-report", chat_report)


def test_vapi_report_fields_win_over_a_call_captured_earlier():
    stale_call = {
        **REPORT["call"],
        "endedReason": "silence-timed-out",
        "cost": 0.01,
        "customer": {"number": "+19995550000"},
        "phoneNumber": {"number": "+19995550001"},
        "assistant": {"id": ASSISTANT_ID, "name": "Old name"},
    }
    record = vapi.map_end_of_call_report(_report(call=stale_call))
    assert record.end_reason == "assistant-ended-call" and record.cost_usd == Decimal("0.1504")
    assert (record.from_number, record.to_number) == ("+14155550123", "+12125550187")
    assert record.agent_name == "Clinic reminders" and record.platform_agent_id == ASSISTANT_ID
    assert_remaps(VapiConnector, record)


def test_vapi_report_duration_from_its_own_duration_fields():
    base = _report(call={"id": CALL_ID})
    del base["startedAt"], base["endedAt"]
    assert vapi.map_end_of_call_report({**base, "durationMs": 95512, "durationSeconds": 95.5}).duration_ms == 95512
    record = vapi.map_end_of_call_report({**base, "durationSeconds": 95.5})
    assert record.duration_ms == 95_500 and record.started_at is None
    assert vapi.map_end_of_call_report({**base, "durationSeconds": -3}).duration_ms is None
    assert_remaps(VapiConnector, record)


@pytest.mark.parametrize("call", [{}, {"orgId": ORG_ID}, {"id": ""}, {"id": 42}])
def test_vapi_report_that_names_no_call_id_is_ignored(call):
    connector = make_connector("vapi", "k")
    assert connector.parse_webhook(_dump({"message": _report(call=call)})) is None


def test_vapi_costs_without_a_total_add_up():
    report = _report(call={"id": CALL_ID})
    del report["cost"]
    record = vapi.map_end_of_call_report(report)
    assert record.cost_usd == COSTS_TOTAL and record.cost_breakdown == EXPECTED_COSTS
    garbled = _report(call={"id": CALL_ID}, costs=[*COSTS, "oops", {"cost": 1}, {"type": "voice", "cost": "x"}])
    del garbled["cost"]
    record = vapi.map_end_of_call_report(garbled)
    assert record.cost_usd == COSTS_TOTAL
    assert record.cost_breakdown == [*EXPECTED_COSTS, CostItem("voice")]
    assert_remaps(VapiConnector, record)


def test_vapi_get_call_maps_every_field_with_its_resolved_number(monkeypatch):
    connector = make_connector("vapi", "k", "http://127.0.0.1:9")
    monkeypatch.setattr(connector, "_phone_numbers", lambda: {NUMBER_ID: "+14155550123"})
    fetched = connector._with_number(copy.deepcopy(GET_CALL))
    record = vapi.map_call(fetched)
    _assert_the_call(record)
    assert record.from_number == "+14155550123"
    assert record.raw["phoneNumber"] == {"id": NUMBER_ID, "number": "+14155550123"}  # what sync merged in
    assert record.raw_source == "call"
    assert_remaps(VapiConnector, record)


def test_vapi_cost_breakdown_without_costs_items():
    call = {k: v for k, v in GET_CALL.items() if k not in ("costs", "cost")}
    vapi_shape(Call, call)
    record = vapi.map_call(call)
    assert record.cost_usd == Decimal("0.1504")  # costBreakdown.total
    assert record.cost_breakdown == [
        CostItem("transport", usd=Decimal("0.0138")),
        CostItem("stt", usd=Decimal("0.0171")),
        CostItem("llm", usd=Decimal("0.0067"), quantity=2406.0, unit="tokens"),
        CostItem("tts", usd=Decimal("0.0324"), quantity=540.0, unit="characters"),
        CostItem("vapi", usd=Decimal("0.0796")),
        CostItem("chat", usd=Decimal("0")),
    ]
    assert_remaps(VapiConnector, record)


def test_vapi_latency_averages_alone_and_wrong_types():
    metrics = {k: v for k, v in PERFORMANCE.items() if k != "turnLatencies"}
    record = vapi.map_call({**GET_CALL, "artifact": {**ARTIFACT, "performanceMetrics": metrics}})
    assert record.latency["turn"] == LatencyStats(avg=1125.0)
    assert record.latency["model"] == LatencyStats(avg=367.5)
    odd = {"turnLatencies": [{"turnLatency": "slow"}, "x", {"turnLatency": 800}], "modelLatencyAverage": "n/a"}
    record = vapi.map_call({**GET_CALL, "artifact": {"performanceMetrics": odd}})
    assert record.latency == {
        "turn": LatencyStats(p50=800.0, p90=800.0, p95=800.0, p99=800.0, min=800.0, max=800.0, avg=800.0, num=1)
    }
    assert vapi.map_call({**GET_CALL, "artifact": {"performanceMetrics": []}}).latency == {}


def test_vapi_recordings_from_the_recording_object():
    artifact = {"recording": {"stereoUrl": "https://s/stereo.wav", "mono": {"combinedUrl": "https://s/mono.wav"}}}
    record = vapi.map_call({**GET_CALL, "artifact": artifact})
    assert record.recording_url == "https://s/mono.wav"
    assert record.recordings == {"stereo": "https://s/stereo.wav"}


def test_vapi_remap_refuses_unknown_sources():
    with pytest.raises(ValueError, match="Vapi"):
        VapiConnector.remap("status-update", GET_CALL)


# --------------------------------------------------------------------------------------------------
# Signatures: every setting of Vapi's HMAC credential
# --------------------------------------------------------------------------------------------------

B64_SECRET = base64.b64encode(b"\x00\x13binary-webhook-key\xfe\xff").decode()


def _vapi_hmac(body, stamp, *, secret, algorithm="sha256", encoding="hex", prefix="", secret_is_base64=False):
    """A delivery signed the way Vapi's HMAC credential signs it: {timestamp}.{body}."""
    key = base64.b64decode(secret) if secret_is_base64 else secret.encode()
    digest = hmac.new(key, f"{stamp}.".encode() + body, getattr(hashlib, algorithm)).digest()
    encoded = digest.hex() if encoding == "hex" else base64.b64encode(digest).decode()
    return {"x-signature": prefix + encoded, "x-timestamp": str(stamp)}


VARIANTS = [
    {"algorithm": algorithm, "encoding": encoding, "prefix": prefix, "secret_is_base64": b64}
    for algorithm in ("sha256", "sha512", "sha1")
    for encoding in ("hex", "base64")
    for prefix in ("", f"{algorithm}=", "v1,")
    for b64 in (False, True)
]


def _id(variant):
    return "-".join(str(v) for v in variant.values())


@pytest.mark.parametrize("variant", VARIANTS, ids=_id)
def test_vapi_every_hmac_credential_setting_verifies(variant):
    connector = make_connector("vapi", "k")
    body = _dump({"message": REPORT})
    stamp = int(time.time() * 1000)
    secret = B64_SECRET if variant["secret_is_base64"] else VAPI_SECRET
    headers = _vapi_hmac(body, stamp, secret=secret, **variant)
    assert connector.verify_webhook(headers, body, secret) == delivery_identity(body, stamp)


@pytest.mark.parametrize("variant", VARIANTS, ids=_id)
def test_vapi_a_wrong_signature_is_refused_in_every_encoding(variant):
    connector = make_connector("vapi", "k")
    body = _dump({"message": REPORT})
    stamp = int(time.time() * 1000)
    secret = B64_SECRET if variant["secret_is_base64"] else VAPI_SECRET
    wrong = base64.b64encode(b"another-key-entirely").decode() if variant["secret_is_base64"] else "another"
    for headers, signed_body in (
        (_vapi_hmac(body, stamp, secret=wrong, **variant), body),  # another secret
        (_vapi_hmac(body, stamp, secret=secret, **variant), body.replace(b"Friday", b"Monday")),  # another body
        (_vapi_hmac(body, stamp - 1, secret=secret, **variant) | {"x-timestamp": str(stamp)}, body),  # another time
    ):
        with pytest.raises(WebhookVerificationError):
            connector.verify_webhook(headers, signed_body, secret)


def test_vapi_a_raw_secret_that_happens_to_be_base64_still_verifies():
    connector = make_connector("vapi", "k")
    body, stamp = _dump({"message": REPORT}), int(time.time())
    headers = _vapi_hmac(body, stamp, secret=B64_SECRET, encoding="base64")  # secretIsBase64 off
    assert connector.verify_webhook(headers, body, B64_SECRET) == delivery_identity(body, stamp)


def test_vapi_replay_identity_is_the_same_whatever_the_encoding():
    connector = make_connector("vapi", "k")
    body, stamp = _dump({"message": REPORT}), int(time.time() * 1000)
    identities = {
        connector.verify_webhook(_vapi_hmac(body, stamp, secret=VAPI_SECRET, **variant), body, VAPI_SECRET)
        for variant in VARIANTS
        if not variant["secret_is_base64"]
    }
    upper = _vapi_hmac(body, stamp, secret=VAPI_SECRET)
    upper["x-signature"] = upper["x-signature"].upper()  # hex in capitals
    identities.add(connector.verify_webhook(upper, body, VAPI_SECRET))
    unpadded = _vapi_hmac(body, stamp, secret=VAPI_SECRET, encoding="base64")
    unpadded["x-signature"] = unpadded["x-signature"].rstrip("=")
    identities.add(connector.verify_webhook(unpadded, body, VAPI_SECRET))
    assert identities == {delivery_identity(body, stamp)}


def test_vapi_signature_headers_that_carry_no_signature_are_refused():
    connector = make_connector("vapi", "k")
    body, stamp = _dump({"message": REPORT}), str(int(time.time()))
    for signature in ("sha256=", "   ", "sha256=" + "0" * 64, base64.b64encode(b"\0" * 32).decode()):
        with pytest.raises(WebhookVerificationError):
            connector.verify_webhook({"x-signature": signature, "x-timestamp": stamp}, body, VAPI_SECRET)


@pytest.mark.parametrize(
    "signature_header, timestamp_header",
    [("x-vapi-signature", "x-timestamp"), ("X-Hub-Signature-256", "X-Request-Timestamp"), ("signature", "timestamp")],
)
def test_vapi_hmac_credential_with_its_own_header_names(signature_header, timestamp_header):
    connector = make_connector("vapi", "k")
    body, stamp = _dump({"message": REPORT}), int(time.time())
    signed = _vapi_hmac(body, stamp, secret=VAPI_SECRET, prefix="sha256=")
    headers = {signature_header: signed["x-signature"], timestamp_header: signed["x-timestamp"]}
    assert connector.verify_webhook(headers, body, VAPI_SECRET) == delivery_identity(body, stamp)


def test_vapi_payload_without_a_timestamp_verifies_and_is_identified_by_its_body():
    """includeTimestamp off: the body alone is signed; nothing dates it, so (as with a static secret)
    the body identifies the delivery."""
    connector = make_connector("vapi", "k")
    body = _dump({"message": REPORT})
    signature = hmac.new(VAPI_SECRET.encode(), body, hashlib.sha512).hexdigest()
    assert connector.verify_webhook({"x-signature": signature}, body, VAPI_SECRET) == delivery_identity(body)
    with pytest.raises(WebhookVerificationError):
        connector.verify_webhook({"x-signature": signature}, body + b" ", VAPI_SECRET)


def test_vapi_svix_style_payload_format():
    """payloadFormat `{svix-id}.{timestamp}.{body}`, with Svix's own header names."""
    connector = make_connector("vapi", "k")
    body, stamp = _dump({"message": REPORT}), int(time.time())
    key = base64.b64decode(B64_SECRET)
    digest = hmac.new(key, f"msg_2Lx9.{stamp}.".encode() + body, hashlib.sha256).digest()
    headers = {
        "svix-id": "msg_2Lx9",
        "svix-timestamp": str(stamp),
        "svix-signature": "v1," + base64.b64encode(digest).decode(),
    }
    assert connector.verify_webhook(headers, body, B64_SECRET) == delivery_identity(body, stamp)
    with pytest.raises(WebhookVerificationError):
        connector.verify_webhook({**headers, "svix-id": "msg_other"}, body, B64_SECRET)


def test_vapi_signed_timestamp_outside_the_window_is_refused_whatever_the_header():
    connector = make_connector("vapi", "k")
    body = _dump({"message": REPORT})
    for stamp in (int(time.time()) - 301, int((time.time() + 301) * 1000)):
        signed = _vapi_hmac(body, stamp, secret=VAPI_SECRET)
        for headers in (signed, {"x-vapi-signature": signed["x-signature"], "x-my-timestamp": str(stamp)}):
            with pytest.raises(WebhookVerificationError, match="window"):
                connector.verify_webhook(headers, body, VAPI_SECRET)


def test_vapi_odd_timestamp_headers_are_refused_not_crashed():
    connector = make_connector("vapi", "k")
    body = _dump({"message": REPORT})
    for stamp in ("9" * 5000, "１２３", "-5", "12.5", ""):
        signature = hmac.new(VAPI_SECRET.encode(), f"{stamp}.".encode() + body, hashlib.sha256).hexdigest()
        with pytest.raises(WebhookVerificationError):
            connector.verify_webhook({"x-signature": signature, "x-timestamp": stamp}, body, VAPI_SECRET)


def test_vapi_static_secret_verifies_beside_an_unrelated_signature_header():
    connector = make_connector("vapi", "k")
    body = _dump({"message": REPORT})
    headers = {"X-Vapi-Secret": VAPI_SECRET, "cf-edge-signature": "abc123"}  # added by a proxy
    assert connector.verify_webhook(headers, body, VAPI_SECRET) == delivery_identity(body)
    with pytest.raises(WebhookVerificationError):
        connector.verify_webhook({**headers, "X-Vapi-Secret": "guess"}, body, VAPI_SECRET)


def test_vapi_a_request_stuffed_with_candidate_headers_costs_a_bounded_number_of_hmacs(monkeypatch):
    """Bodies run to 5 MiB: an unsigned request must not make us hash one hundreds of times."""
    connector = make_connector("vapi", "k")
    body, stamp = _dump({"message": REPORT}), str(int(time.time()))
    headers = {f"x-{i}-timestamp": stamp for i in range(50)}
    headers |= {f"x-{i}-message-id": f"msg_{i}" for i in range(50)}
    headers |= {f"x-{i}-signature": "ab" * 64 for i in range(50)}
    computed = []
    real_new = hmac.new
    monkeypatch.setattr(vapi.hmac, "new", lambda *a, **kw: computed.append(a[2]) or real_new(*a, **kw))
    with pytest.raises(WebhookVerificationError):
        connector.verify_webhook(headers, body, VAPI_SECRET)
    # (body, 2 timestamps × (1 + 2 message ids)) × 3 algorithms × 1 key
    assert len(computed) == 7 * 3
    computed.clear()
    with pytest.raises(WebhookVerificationError):  # a sha256-sized hex signature is not tried as sha512
        connector.verify_webhook({"x-signature": "ab" * 32, "x-timestamp": stamp}, body, VAPI_SECRET)
    assert sorted(set(computed)) == ["sha1", "sha256"] and len(computed) == 2 * 2
