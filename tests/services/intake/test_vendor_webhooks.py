"""Vendor-shaped deliveries (tests/platforms/test_vendor_payloads*.py, written from the vendors' docs and
SDK models) sent signed through the real webhook route, then every stored Call column checked, and the
raw payload kept for `remap`. What a user sees of a call comes from these columns.
"""

from __future__ import annotations

import copy
import time
from datetime import UTC, datetime
from decimal import Decimal

import httpx
import pytest
from sqlmodel import select

from tests.platforms.test_vendor_payloads import EL_CONVERSATION, NOT_CONNECTED, RETELL_PHONE_CALL, TWILIO_BUSY
from tests.platforms.test_vendor_payloads_vapi import (
    ASSISTANT_ID,
    CALL_ID,
    COSTS_TOTAL,
    EXPECTED_COSTS,
    EXPECTED_LATENCY,
    EXPECTED_RECORDINGS,
    REPORT,
    _vapi_hmac,
)
from tests.platforms.test_webhook_payloads import _dump, el_signed, retell_signed, vapi_signed
from tests.support.simulator import connect, run_jobs
from voiceconsole.models import Agent, Call, CallPayload
from voiceconsole.services.intake.store import read_payload
from voiceconsole.services.integrations import webhook_secret
from voiceconsole.settings import get_settings


@pytest.fixture(scope="module")
def app_url():
    from voiceconsole.api.main import api
    from voiceconsole.platforms.simulator.server import serve_in_thread

    base_url, stop = serve_in_thread(api)
    yield base_url
    stop()


def _deliver(app_url, integration, headers: dict[str, str], body: bytes) -> dict:
    url = f"{app_url}/api/integrations/{integration.platform}/webhook/{integration.public_id}"
    r = httpx.post(url, content=body, headers={**headers, "content-type": "application/json"}, timeout=30)
    assert r.status_code == 200, r.text
    return r.json()["data"]


def _call(db, org) -> Call:
    db.expire_all()
    (row,) = db.exec(select(Call).where(Call.organization_id == org.id)).all()
    return row


def _raw(db, row: Call) -> tuple[str, dict]:
    stored = db.get_one(CallPayload, row.id)
    return stored.source, read_payload(stored)


def _scored(db, row: Call) -> Call:
    run_jobs("scoring", "default")
    db.expire_all()
    scored = db.get_one(Call, row.id)
    assert scored.score is not None and scored.scored_at is not None
    return scored


def _turns(row: Call) -> list[tuple]:
    return [(t["role"], t["text"], t["start"], t["end"]) for t in row.transcript_turns]


def _costs(items) -> list[dict]:
    return [item.to_dict() for item in items]


def _latency(stages) -> dict:
    return {stage: stats.to_dict() for stage, stats in stages.items()}


# --------------------------------------------------------------------------------------------------
# Retell
# --------------------------------------------------------------------------------------------------


def test_retell_call_analyzed_stores_every_column(sim, factory, db, app_url):
    org, integration = connect(factory, sim, "retell")
    headers, body = retell_signed(
        {"event": "call_analyzed", "call": RETELL_PHONE_CALL}, key=webhook_secret(integration)
    )
    data = _deliver(app_url, integration, headers, body)
    assert data["stored"] is True and data["new"] is True
    row = _call(db, org)
    assert (row.public_id, row.platform, row.platform_call_id) == (
        data["callId"],
        "retell",
        RETELL_PHONE_CALL["call_id"],
    )
    assert db.get_one(Agent, row.agent_id).name == "Clinic reminders"
    assert (row.status, row.platform_status) == ("ended", "ended")
    assert (row.started_at, row.started_at_source) == (datetime(2026, 1, 1, 12, 0, 0, 250000, tzinfo=UTC), "platform")
    assert row.ended_at == datetime(2026, 1, 1, 12, 1, 35, 750000, tzinfo=UTC) and row.duration_ms == 95_500
    assert (row.direction, row.from_number, row.to_number) == ("outbound", "+14155550123", "+12125550187")
    assert (row.cost_usd, row.cost_credits, row.cost_from_credits) == (Decimal("0.211225"), None, False)
    assert row.cost_breakdown == [
        {"name": "retell_platform", "usd": 0.119375, "credits": None, "quantity": 95.5, "unit": "seconds"},
        {"name": "elevenlabs_tts", "usd": 0.06685, "credits": None, "quantity": 95.5, "unit": "seconds"},
        {"name": "twilio (transfer leg)", "usd": 0.025, "credits": None, "quantity": 100.0, "unit": "seconds"},
    ]
    assert (row.sentiment, row.successful) == ("Positive", True)
    assert row.summary == "Patient confirmed the Friday appointment."
    assert row.end_reason == "agent_hangup"
    assert row.recording_url == "https://recordings.example/8f3a/mono.wav"
    assert row.recording_urls == {
        "multichannel": "https://recordings.example/8f3a/multichannel.wav",
        "scrubbed": "https://recordings.example/8f3a/scrubbed.wav",
        "scrubbed_multichannel": "https://recordings.example/8f3a/scrubbed-multichannel.wav",
    }
    assert _turns(row) == [
        ("agent", "Hello, this is the clinic about Friday.", 0.42, 2.9),
        ("user", "Yes, that still works.", 3.6, 5.2),
    ]
    assert row.transcript_turns[0]["words"][1] == {"word": "Friday.", "start": 2.3, "end": 2.9}
    assert row.transcript == "Agent: Hello, this is the clinic about Friday.\nUser: Yes, that still works.\n"
    assert set(row.platform_latency) == {
        "e2e",
        "llm",
        "tts",
        "asr",
        "knowledge_base",
        "s2s",
        "llm_websocket_network_rtt",
    }
    assert row.platform_latency["e2e"] == {
        "p50": 812.0,
        "p90": 1140.0,
        "p95": 1210.0,
        "p99": 1290.0,
        "min": 640.0,
        "max": 1302.0,
        "num": 6,
    }  # milliseconds, without the per-turn `values`
    assert row.platform_analysis == RETELL_PHONE_CALL["call_analysis"]
    assert row.call_metadata == {"campaign": "reminders-jan"}
    assert _raw(db, row) == ("call_ended", RETELL_PHONE_CALL)
    scored = _scored(db, row)
    assert scored.score_excluded is False


def test_retell_call_ended_with_a_stale_registered_status_is_stored_ended_and_scored(sim, factory, db, app_url):
    """A call that never got going: call_ended still says `registered`, with no start and no transcript."""
    org, integration = connect(factory, sim, "retell")
    call = {
        "call_id": "web_7d1e0c9b",
        "call_type": "web_call",
        "access_token": "eyJhbGciOi.stale",
        "agent_id": "agent_4c1e8b2d9f0a3e5c7b6d",
        "agent_version": 7,
        "call_status": "registered",
        "disconnection_reason": "user_hangup",
    }
    before = datetime.now(UTC)
    _deliver(
        app_url, integration, *retell_signed({"event": "call_ended", "call": call}, key=webhook_secret(integration))
    )
    row = _call(db, org)
    assert (row.status, row.platform_status, row.end_reason) == ("ended", "registered", "user_hangup")
    assert row.started_at_source == "first_seen" and before <= row.started_at <= datetime.now(UTC)
    assert (row.ended_at, row.duration_ms, row.transcript, row.transcript_turns) == (None, None, None, [])
    assert (row.direction, row.from_number, row.to_number) == (None, None, None)
    assert (row.cost_usd, row.cost_breakdown, row.recording_url, row.recording_urls) == (None, [], None, {})
    assert row.platform_latency == {} and row.platform_analysis == {}
    assert _raw(db, row) == ("call_ended", call)
    assert _scored(db, row).score_excluded is True  # nothing to score: excluded from averages, not left open


def test_retell_call_analyzed_with_a_stale_ongoing_status_is_scored(sim, factory, db, app_url):
    org, integration = connect(factory, sim, "retell")
    call = {**RETELL_PHONE_CALL, "call_status": "ongoing"}
    _deliver(
        app_url, integration, *retell_signed({"event": "call_analyzed", "call": call}, key=webhook_secret(integration))
    )
    row = _call(db, org)
    assert (row.status, row.platform_status) == ("ended", "ongoing")
    assert _scored(db, row).score_excluded is False


def test_retell_not_connected_call_starts_when_first_seen_and_keeps_that_start(sim, factory, db, app_url):
    org, integration = connect(factory, sim, "retell")
    key = webhook_secret(integration)
    before = datetime.now(UTC)
    _deliver(app_url, integration, *retell_signed({"event": "call_ended", "call": NOT_CONNECTED}, key=key))
    row = _call(db, org)
    assert (row.status, row.platform_status, row.end_reason) == ("ended", "not_connected", "dial_no_answer")
    assert row.started_at_source == "first_seen" and before <= row.started_at <= datetime.now(UTC)
    assert (row.direction, row.from_number, row.to_number) == ("outbound", "+14155550123", "+12125550100")
    assert (row.transcript, row.transcript_turns, row.summary, row.sentiment, row.successful) == (
        None,
        [],
        None,
        None,
        None,
    )
    assert (row.duration_ms, row.cost_usd, row.recording_urls, row.platform_latency) == (None, None, {}, {})
    assert _raw(db, row) == ("call_ended", NOT_CONNECTED)
    first_seen = row.started_at
    assert _scored(db, row).score_excluded is True
    # Retell's call_analyzed for it, still without a start: the first-seen start stays.
    analysed = {**NOT_CONNECTED, "call_analysis": {"in_voicemail": False, "call_successful": False}}
    _deliver(
        app_url, integration, *retell_signed({"event": "call_analyzed", "call": analysed}, key=key, at=time.time() + 1)
    )
    row = _call(db, org)
    assert (row.started_at, row.started_at_source) == (first_seen, "first_seen")
    assert row.successful is False and row.platform_analysis == analysed["call_analysis"]


# --------------------------------------------------------------------------------------------------
# Vapi
# --------------------------------------------------------------------------------------------------


def _assert_vapi_report_columns(row: Call) -> None:
    assert (row.platform, row.platform_call_id, row.status, row.platform_status) == ("vapi", CALL_ID, "ended", "ended")
    assert (row.started_at, row.started_at_source) == (datetime(2026, 1, 1, 12, 0, 2, 500000, tzinfo=UTC), "platform")
    assert row.ended_at == datetime(2026, 1, 1, 12, 1, 38, tzinfo=UTC) and row.duration_ms == 95_500
    assert (row.cost_usd, row.cost_credits, row.cost_from_credits) == (Decimal("0.150400"), None, False)
    assert row.cost_breakdown == _costs(EXPECTED_COSTS)
    assert (row.sentiment, row.successful) == ("Positive", True)
    assert row.summary == "Patient confirmed Friday." and row.end_reason == "assistant-ended-call"
    assert row.recording_url == "https://storage.example/7c9e/mono.wav"
    assert row.recording_urls == EXPECTED_RECORDINGS
    assert _turns(row) == [
        ("system", "You remind patients of visits.", 0.0, None),
        ("agent", "Hi Sam, this is the clinic about Friday.", 0.6, 3.1),
        ("user", "Yes, Friday still works.", 4.0, 5.8),
        ("tool", "confirm_visit", 6.4, None),
        ("tool", "confirmed", 6.7, None),
    ]
    assert row.transcript == "Agent: Hi Sam, this is the clinic about Friday.\nUser: Yes, Friday still works.\n"
    assert row.platform_latency == _latency(EXPECTED_LATENCY)
    assert row.platform_latency["turn"] == {
        "p50": 1050.0,
        "p90": 1380.0,
        "p95": 1440.0,
        "p99": 1488.0,
        "min": 900.0,
        "max": 1500.0,
        "avg": 1125.0,
        "num": 4,
    }
    assert row.platform_analysis == REPORT["analysis"]


def test_vapi_end_of_call_report_stores_every_column(sim, factory, db, app_url):
    org, integration = connect(factory, sim, "vapi")
    headers, body = vapi_signed({"message": REPORT}, secret=webhook_secret(integration))
    assert _deliver(app_url, integration, headers, body)["stored"] is True
    row = _call(db, org)
    _assert_vapi_report_columns(row)
    assert db.get_one(Agent, row.agent_id).platform_agent_id == ASSISTANT_ID
    assert (row.direction, row.from_number, row.to_number) == ("outbound", "+14155550123", "+12125550187")
    assert _raw(db, row) == ("end-of-call-report", REPORT)
    assert _scored(db, row).score_excluded is False


def test_vapi_report_whose_call_holds_only_an_id_signed_sha512_base64(sim, factory, db, app_url):
    """The report's own fields make the call; the credential signs sha512, base64, with a prefix."""
    org, integration = connect(factory, sim, "vapi")
    report = {**copy.deepcopy(REPORT), "call": {"id": CALL_ID}}
    body = _dump({"message": report})
    signed = _vapi_hmac(
        body,
        int(time.time() * 1000),
        secret=webhook_secret(integration),
        algorithm="sha512",
        encoding="base64",
        prefix="v1=",
    )
    _deliver(
        app_url, integration, {"x-vapi-signature": signed["x-signature"], "x-timestamp": signed["x-timestamp"]}, body
    )
    row = _call(db, org)
    _assert_vapi_report_columns(row)
    assert row.agent_id is None  # the report names no assistant id
    assert (row.direction, row.from_number, row.to_number) == (None, None, None)  # only `call.type` says which way
    assert _raw(db, row) == ("end-of-call-report", report)


def test_vapi_costs_without_a_total_are_added_up(sim, factory, db, app_url):
    org, integration = connect(factory, sim, "vapi")
    report = copy.deepcopy(REPORT)
    del report["cost"]
    _deliver(app_url, integration, *vapi_signed({"message": report}, secret=webhook_secret(integration)))
    row = _call(db, org)
    assert row.cost_usd == COSTS_TOTAL == Decimal("0.1504")
    assert row.cost_breakdown == _costs(EXPECTED_COSTS) and row.cost_from_credits is False


def test_vapi_report_without_a_call_id_is_acknowledged_and_not_stored(sim, factory, db, app_url):
    org, integration = connect(factory, sim, "vapi")
    report = {**copy.deepcopy(REPORT), "call": {"orgId": "0b6c2f7e"}}
    data = _deliver(app_url, integration, *vapi_signed({"message": report}, secret=webhook_secret(integration)))
    assert data["stored"] is False and data["ignoredReason"]
    db.expire_all()
    assert db.exec(select(Call).where(Call.organization_id == org.id)).all() == []


# --------------------------------------------------------------------------------------------------
# ElevenLabs
# --------------------------------------------------------------------------------------------------


def _el_deliver(app_url, integration, kind: str, data: dict, at: int | None = None) -> dict:
    payload = {"type": kind, "event_timestamp": at or int(time.time()), "data": data}
    return _deliver(app_url, integration, *el_signed(payload, secret=webhook_secret(integration)))


def test_elevenlabs_post_call_transcription_stores_every_column(sim, factory, db, app_url):
    org, integration = connect(factory, sim, "elevenlabs")
    _el_deliver(app_url, integration, "post_call_transcription", EL_CONVERSATION)
    row = _call(db, org)
    assert (row.platform_call_id, row.status, row.platform_status) == (
        EL_CONVERSATION["conversation_id"],
        "ended",
        "done",
    )
    assert db.get_one(Agent, row.agent_id).name == "Renewals"
    assert (row.started_at, row.started_at_source) == (datetime(2026, 1, 1, 12, 0, tzinfo=UTC), "platform")
    assert row.ended_at == datetime(2026, 1, 1, 12, 1, 1, tzinfo=UTC) and row.duration_ms == 61_000
    assert (row.direction, row.from_number, row.to_number) == ("outbound", "+14155550123", "+12125550187")
    assert (row.cost_usd, row.cost_credits, row.cost_from_credits) == (Decimal("0.073100"), 412, False)  # cost_fiat
    assert row.cost_breakdown == [
        {"name": "llm", "usd": 0.0123, "credits": 62, "quantity": None, "unit": None},
        {"name": "platform", "usd": 0.0608, "credits": 350, "quantity": None, "unit": None},
        {"name": "call", "usd": None, "credits": 340, "quantity": None, "unit": None},
        {"name": "voice_surcharge", "usd": None, "credits": 10, "quantity": None, "unit": None},
    ]
    assert (row.sentiment, row.successful, row.summary) == ("Positive", True, "Customer agreed to renew.")
    assert row.end_reason == "Call ended by remote party"
    assert (row.recording_url, row.recording_urls, row.platform_latency) == (None, {}, {})  # has_audio: no URL
    assert _turns(row) == [
        ("agent", "Hi, I'm calling about your renewal.", 0, 4),
        ("user", "Sure, go ahead.", 4, 7),
        ("tool", "lookup_policy", 7, 9),
        ("agent", "You're all set.", 9, None),
    ]
    assert row.platform_analysis == EL_CONVERSATION["analysis"]
    assert row.call_metadata == EL_CONVERSATION["metadata"]
    assert _raw(db, row) == ("call", EL_CONVERSATION)
    assert _scored(db, row).score_excluded is False


def test_elevenlabs_failed_dial_is_recorded(sim, factory, db, app_url):
    org, integration = connect(factory, sim, "elevenlabs")
    data = _el_deliver(app_url, integration, "call_initiation_failure", TWILIO_BUSY, at=1767268830)
    assert data["stored"] is True
    row = _call(db, org)
    assert (row.platform_call_id, row.status, row.platform_status) == (TWILIO_BUSY["conversation_id"], "ended", None)
    assert row.end_reason == "busy"
    assert (row.direction, row.from_number, row.to_number) == ("outbound", "+14155550123", "+12125550199")
    at = datetime(2026, 1, 1, 12, 0, 30, tzinfo=UTC)  # the failure event's time
    assert (row.started_at, row.started_at_source, row.ended_at, row.duration_ms) == (at, "platform", at, None)
    assert (row.cost_usd, row.cost_credits, row.cost_breakdown) == (None, None, [])
    assert (row.transcript, row.transcript_turns, row.recording_urls) == (None, [], {})
    assert row.call_metadata == TWILIO_BUSY["metadata"]
    assert _raw(db, row) == ("call_initiation_failure", {**TWILIO_BUSY, "event_timestamp": 1767268830})
    assert _scored(db, row).score_excluded is True


def _credits_only() -> dict:
    conversation = copy.deepcopy(EL_CONVERSATION)
    del conversation["metadata"]["cost_fiat"]
    conversation["metadata"]["termination_reason"] = ""
    return conversation


def test_elevenlabs_credits_only_cost_without_a_rate_stays_in_credits(sim, factory, db, app_url, monkeypatch):
    monkeypatch.delenv("VOICECONSOLE_ELEVENLABS_USD_PER_CREDIT", raising=False)
    get_settings.cache_clear()
    org, integration = connect(factory, sim, "elevenlabs")
    _el_deliver(app_url, integration, "post_call_transcription", _credits_only())
    row = _call(db, org)
    assert (row.cost_usd, row.cost_credits, row.cost_from_credits) == (None, 412, False)
    assert row.end_reason is None  # termination_reason "" is none given
    assert [item["credits"] for item in row.cost_breakdown] == [62, 350, 340, 10]


def test_elevenlabs_credits_only_cost_is_converted_at_the_operators_rate(sim, factory, db, app_url, monkeypatch):
    monkeypatch.setenv("VOICECONSOLE_ELEVENLABS_USD_PER_CREDIT", "0.00018")
    get_settings.cache_clear()
    try:
        org, integration = connect(factory, sim, "elevenlabs")
        _el_deliver(app_url, integration, "post_call_transcription", _credits_only())
        row = _call(db, org)
        assert (row.cost_usd, row.cost_credits, row.cost_from_credits) == (Decimal("0.074160"), 412, True)
        assert row.end_reason is None
        # a cost the platform gave in USD is never replaced by the converted one
        _el_deliver(app_url, integration, "post_call_transcription", EL_CONVERSATION, at=int(time.time()) + 1)
        row = _call(db, org)
        assert (row.cost_usd, row.cost_from_credits) == (Decimal("0.073100"), False)
        assert row.end_reason == "Call ended by remote party"
    finally:
        monkeypatch.delenv("VOICECONSOLE_ELEVENLABS_USD_PER_CREDIT")
        get_settings.cache_clear()
