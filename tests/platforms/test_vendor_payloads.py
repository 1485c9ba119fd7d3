"""Retell and ElevenLabs payloads written from the vendors' documentation and SDK response models
(retell-sdk `PhoneCallResponse` / `WebCallResponse`, elevenlabs `GetConversationResponseModel` /
`ConversationSummaryResponseModel`), each loaded with that SDK model first so a misspelt field fails,
then mapped: every record field is checked, and `remap(raw_source, raw)` must give the record back.
Vapi is in test_vendor_payloads_vapi.py.
"""

from __future__ import annotations

import copy
import time
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from elevenlabs.types import ConversationSummaryResponseModel, GetConversationResponseModel
from retell.types import PhoneCallResponse, WebCallResponse

from tests.platforms.sdk_shapes import assert_remaps, elevenlabs_shape, retell_shape
from tests.platforms.test_webhook_payloads import EL_SECRET, RETELL_KEY, _dump, el_signed, retell_signed
from voiceconsole.platforms import elevenlabs, retell
from voiceconsole.platforms.base import CostItem, LatencyStats
from voiceconsole.platforms.elevenlabs import ElevenLabsConnector
from voiceconsole.platforms.registry import make_connector
from voiceconsole.platforms.retell import RetellConnector


def _stage(p50, p90, p95, p99, low, high, values):
    return {
        "p50": p50,
        "p90": p90,
        "p95": p95,
        "p99": p99,
        "min": low,
        "max": high,
        "num": len(values),
        "values": values,
    }


# --------------------------------------------------------------------------------------------------
# Retell: a finished outbound phone call as get-call returns it (and call_analyzed carries it)
# --------------------------------------------------------------------------------------------------

RETELL_PHONE_CALL = {
    "call_id": "8f3a0c2e5b7d4e1f9a6b3c0d2e4f6a8b",
    "call_type": "phone_call",
    "agent_id": "agent_4c1e8b2d9f0a3e5c7b6d",
    "agent_version": 7,
    "agent_name": "Clinic reminders",
    "call_status": "ended",
    "direction": "outbound",
    "from_number": "+14155550123",
    "to_number": "+12125550187",
    "start_timestamp": 1767268800250,  # 2026-01-01 12:00:00.250 UTC
    "end_timestamp": 1767268895750,
    "duration_ms": 95500,
    "transcript": "Agent: Hello, this is the clinic about Friday.\nUser: Yes, that still works.\n",
    "transcript_object": [
        {
            "role": "agent",
            "content": "Hello, this is the clinic about Friday.",
            "words": [{"word": "Hello,", "start": 0.42, "end": 0.8}, {"word": "Friday.", "start": 2.3, "end": 2.9}],
        },
        {
            "role": "user",
            "content": "Yes, that still works.",
            "words": [{"word": "Yes,", "start": 3.6, "end": 3.9}, {"word": "works.", "start": 4.8, "end": 5.2}],
        },
    ],
    "transcript_with_tool_calls": [
        {"role": "agent", "content": "Hello, this is the clinic about Friday.", "words": []},
        {"role": "tool_call_invocation", "tool_call_id": "tc_1", "name": "confirm_visit", "arguments": "{}"},
        {"role": "tool_call_result", "tool_call_id": "tc_1", "content": "confirmed", "successful": True},
    ],
    "recording_url": "https://recordings.example/8f3a/mono.wav",
    "recording_multi_channel_url": "https://recordings.example/8f3a/multichannel.wav",
    "scrubbed_recording_url": "https://recordings.example/8f3a/scrubbed.wav",
    "scrubbed_recording_multi_channel_url": "https://recordings.example/8f3a/scrubbed-multichannel.wav",
    "public_log_url": "https://logs.example/8f3a.log",
    "disconnection_reason": "agent_hangup",
    "call_cost": {
        "combined_cost": 21.1225,  # cents
        "product_costs": [
            {"product": "retell_platform", "cost": 11.9375, "unit_price": 0.125},  # 95.5 s
            {"product": "elevenlabs_tts", "cost": 6.685, "unit_price": 0.07},  # 95.5 s
            {"product": "twilio", "cost": 2.5, "unit_price": 0.025, "is_transfer_leg_cost": True},  # 100 s
        ],
        "total_duration_seconds": 95.5,
        "total_duration_unit_price": 0.22,
    },
    "call_analysis": {
        "call_summary": "Patient confirmed the Friday appointment.",
        "user_sentiment": "Positive",
        "call_successful": True,
        "in_voicemail": False,
        "custom_analysis_data": {"confirmed": True},
    },
    "latency": {
        "e2e": _stage(812.0, 1140.0, 1210.0, 1290.0, 640.0, 1302.0, [640.0, 790.0, 812.0, 980.0, 1140.0, 1302.0]),
        "llm": _stage(410.0, 620.0, 650.0, 690.0, 300.0, 700.0, [300.0, 410.0, 700.0]),
        "tts": _stage(180.0, 240.0, 250.0, 260.0, 150.0, 262.0, [150.0, 180.0, 262.0]),
        "asr": _stage(95.0, 120.0, 125.0, 130.0, 80.0, 131.0, [80.0, 95.0, 131.0]),
        "knowledge_base": _stage(55.0, 70.0, 72.0, 74.0, 40.0, 75.0, [40.0, 55.0, 75.0]),
        "s2s": _stage(700.0, 900.0, 950.0, 990.0, 600.0, 1000.0, [600.0, 700.0, 1000.0]),
        "llm_websocket_network_rtt": _stage(30.0, 45.0, 48.0, 50.0, 20.0, 51.0, [20.0, 30.0, 51.0]),
    },
    "llm_token_usage": {"average": 812.5, "num_requests": 4, "values": [700.0, 790.0, 850.0, 910.0]},
    "metadata": {"campaign": "reminders-jan"},
    "retell_llm_dynamic_variables": {"patient_name": "Sam"},
    "collected_dynamic_variables": {"confirmed": "yes"},
    "telephony_identifier": {"twilio_call_sid": "CA0f1e2d3c4b5a69788796a5b4c3d2e1f0"},
    "data_storage_setting": "everything",
    "opt_in_signed_url": False,
}


def _retell(**changes):
    call = copy.deepcopy(RETELL_PHONE_CALL)
    call.update(changes)
    return call


def test_retell_payloads_match_the_sdk_models():
    retell_shape(PhoneCallResponse, RETELL_PHONE_CALL)
    with pytest.raises(AssertionError, match="recording_multichannel_url"):  # the check catches a typo
        retell_shape(PhoneCallResponse, {**RETELL_PHONE_CALL, "recording_multichannel_url": "x"})


def test_retell_get_call_maps_every_field():
    record = retell.map_call(RETELL_PHONE_CALL)
    assert (record.platform, record.platform_call_id) == ("retell", "8f3a0c2e5b7d4e1f9a6b3c0d2e4f6a8b")
    assert (record.platform_agent_id, record.agent_name) == ("agent_4c1e8b2d9f0a3e5c7b6d", "Clinic reminders")
    assert (record.status, record.platform_status) == ("ended", "ended")
    assert record.started_at == datetime(2026, 1, 1, 12, 0, 0, 250000, tzinfo=UTC)
    assert record.ended_at == datetime(2026, 1, 1, 12, 1, 35, 750000, tzinfo=UTC)
    assert record.duration_ms == 95500
    assert (record.direction, record.from_number, record.to_number) == ("outbound", "+14155550123", "+12125550187")
    assert record.cost_usd == Decimal("0.211225")  # cents ÷ 100
    assert record.cost_credits is None
    assert record.cost_breakdown == [
        CostItem("retell_platform", usd=Decimal("0.119375"), quantity=95.5, unit="seconds"),
        CostItem("elevenlabs_tts", usd=Decimal("0.066850"), quantity=95.5, unit="seconds"),
        CostItem("twilio (transfer leg)", usd=Decimal("0.025000"), quantity=100.0, unit="seconds"),
    ]
    assert (record.sentiment, record.successful) == ("Positive", True)
    assert record.summary == "Patient confirmed the Friday appointment."
    assert record.end_reason == "agent_hangup"
    assert record.recording_url == "https://recordings.example/8f3a/mono.wav"
    assert record.recordings == {
        "multichannel": "https://recordings.example/8f3a/multichannel.wav",
        "scrubbed": "https://recordings.example/8f3a/scrubbed.wav",
        "scrubbed_multichannel": "https://recordings.example/8f3a/scrubbed-multichannel.wav",
    }
    assert [(t.role, t.text, t.start, t.end) for t in record.turns] == [
        ("agent", "Hello, this is the clinic about Friday.", 0.42, 2.9),
        ("user", "Yes, that still works.", 3.6, 5.2),
    ]
    assert record.transcript == "Agent: Hello, this is the clinic about Friday.\nUser: Yes, that still works.\n"
    assert set(record.latency) == {"e2e", "llm", "tts", "asr", "knowledge_base", "s2s", "llm_websocket_network_rtt"}
    assert record.latency["e2e"] == LatencyStats(
        p50=812.0, p90=1140.0, p95=1210.0, p99=1290.0, min=640.0, max=1302.0, avg=None, num=6
    )
    assert record.latency["llm_websocket_network_rtt"].to_dict() == {
        "p50": 30.0,
        "p90": 45.0,
        "p95": 48.0,
        "p99": 50.0,
        "min": 20.0,
        "max": 51.0,
        "num": 3,
    }
    assert record.analysis["custom_analysis_data"] == {"confirmed": True}
    assert record.metadata == {"campaign": "reminders-jan"}
    assert (record.raw, record.raw_source) == (RETELL_PHONE_CALL, "call")
    assert_remaps(RetellConnector, record)


@pytest.mark.parametrize("stale", ["registered", "ongoing"])
@pytest.mark.parametrize("event", ["call_ended", "call_analyzed"])
def test_retell_a_finished_call_event_wins_over_a_stale_status(stale, event):
    call = _retell(call_status=stale)
    retell_shape(PhoneCallResponse, call)
    connector = make_connector("retell", RETELL_KEY)
    headers, body = retell_signed({"event": event, "call": call})
    connector.verify_webhook(headers, body, RETELL_KEY)
    record = connector.parse_webhook(body)
    assert (record.status, record.platform_status) == ("ended", stale)
    assert (record.raw, record.raw_source) == (call, "call_ended")
    assert_remaps(RetellConnector, record)
    assert retell.map_call(call).status == "in_progress"  # the object alone still says so


def test_retell_call_ended_keeps_errors_and_ordinary_statuses():
    connector = make_connector("retell", RETELL_KEY)
    for status, expected in (("error", "error"), ("ended", "ended"), ("not_connected", "ended")):
        body = _dump({"event": "call_ended", "call": _retell(call_status=status)})
        assert connector.parse_webhook(body).status == expected


def test_retell_web_call_has_no_direction_and_no_numbers():
    call = {
        "call_id": "web_1",
        "call_type": "web_call",
        "access_token": "tok",
        "agent_id": "agent_4c1e8b2d9f0a3e5c7b6d",
        "agent_version": 2,
        "call_status": "ended",
        "start_timestamp": 1767268800000,
        "end_timestamp": 1767268810000,
        "latency": {"e2e": _stage(700.0, 800.0, 810.0, 820.0, 650.0, 821.0, [650.0, 700.0, 821.0])},
    }
    retell_shape(WebCallResponse, call)
    record = retell.map_call(call)
    assert (record.direction, record.from_number, record.to_number) == (None, None, None)
    assert record.duration_ms == 10_000 and record.cost_breakdown == [] and record.recordings == {}
    assert record.latency["e2e"].num == 3
    assert_remaps(RetellConnector, record)


NOT_CONNECTED = {
    "call_id": "nc_1",
    "call_type": "phone_call",
    "agent_id": "agent_4c1e8b2d9f0a3e5c7b6d",
    "agent_version": 7,
    "call_status": "not_connected",
    "direction": "outbound",
    "from_number": "+14155550123",
    "to_number": "+12125550100",
    "disconnection_reason": "dial_no_answer",
}


def _listing(monkeypatch, connector, pages: list[dict], calls: dict[str, dict]) -> list[dict]:
    """Answer list-calls with `pages` in turn and get-call from `calls`; return the list-calls bodies."""
    bodies: list[dict] = []

    def request(method, path, **kw):
        if path == "/v3/list-calls":
            bodies.append(kw["json"])
            return pages[len(bodies) - 1]
        return copy.deepcopy(calls[path.rsplit("/", 1)[1]])

    monkeypatch.setattr(connector, "_request", request)
    return bodies


def test_retell_incremental_pass_also_walks_dials_that_never_connected(monkeypatch):
    """They have no start_timestamp, so the start filter never lists them: a second walk by end time."""
    connector = make_connector("retell", RETELL_KEY, "http://127.0.0.1:9")
    since = 1767268800000
    undated = {**NOT_CONNECTED, "end_timestamp": since + 60_000}
    calls = {RETELL_PHONE_CALL["call_id"]: RETELL_PHONE_CALL, "nc_1": undated}
    started = {
        "items": [{"call_id": RETELL_PHONE_CALL["call_id"], "start_timestamp": 1767268800250}],
        "has_more": False,
    }
    never = {"items": [{"call_id": "nc_1", "end_timestamp": since + 60_000}], "has_more": False}
    bodies = _listing(monkeypatch, connector, [started, never], calls)
    pages = list(connector.list_calls({"since_ms": since}))
    assert [b["filter_criteria"] for b in bodies] == [
        {"start_timestamp": {"op": "ge", "type": "number", "value": since}},
        {
            "call_status": {"op": "in", "type": "enum", "value": ["not_connected"]},
            "end_timestamp": {"op": "ge", "type": "number", "value": since},
        },
    ]
    assert [[r.platform_call_id for r in p.records] for p in pages] == [[RETELL_PHONE_CALL["call_id"]], ["nc_1"]]
    assert pages[0].cursor["pass"] == {"since_ms": since, "key": None, "max_ms": 1767268800250, "undated": True}
    assert pages[1].cursor["since_ms"] == 1767268800250 and pages[1].cursor["pass"] is None
    # resumed from the first page's cursor, only the second walk is left
    bodies = _listing(monkeypatch, connector, [never], calls)
    (resumed,) = list(connector.list_calls(pages[0].cursor))
    assert [r.platform_call_id for r in resumed.records] == ["nc_1"] and len(bodies) == 1
    assert resumed.cursor["since_ms"] == 1767268800250


def test_retell_first_pass_lists_everything_in_one_walk(monkeypatch):
    connector = make_connector("retell", RETELL_KEY, "http://127.0.0.1:9")
    listing = {"items": [{"call_id": "nc_1"}], "has_more": False}
    bodies = _listing(monkeypatch, connector, [listing], {"nc_1": NOT_CONNECTED})
    (page,) = list(connector.list_calls(None))
    assert "filter_criteria" not in bodies[0] and [r.status for r in page.records] == ["ended"]


def test_retell_not_connected_calls_wait_a_bounded_time_for_analysis():
    retell_shape(PhoneCallResponse, NOT_CONNECTED)
    now = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)
    undated = retell.map_call(NOT_CONNECTED)
    assert undated.started_at is None and undated.status == "ended"
    assert not retell._is_open(undated, now)  # nothing to bound the wait by: not kept open
    ended_ms = int((now - timedelta(minutes=5)).timestamp() * 1000)
    recent = retell.map_call({**NOT_CONNECTED, "end_timestamp": ended_ms})
    assert retell._is_open(recent, now)
    assert not retell._is_open(recent, now + retell.NOT_CONNECTED_ANALYSIS_WAIT)
    analysed = retell.map_call({**NOT_CONNECTED, "end_timestamp": ended_ms, "call_analysis": {"in_voicemail": False}})
    assert not retell._is_open(analysed, now)
    # connected calls: open while running and until analysed
    assert retell._is_open(retell.map_call(_retell(call_status="ongoing")), now)
    assert retell._is_open(retell.map_call({k: v for k, v in RETELL_PHONE_CALL.items() if k != "call_analysis"}), now)
    assert not retell._is_open(retell.map_call(RETELL_PHONE_CALL), now)


def test_retell_fields_of_the_wrong_type_are_skipped():
    call = _retell(
        latency={"e2e": {"p50": "fast", "p90": 900.0, "num": "6"}, "llm": [1, 2], "tts": {"values": [1.0]}},
        call_cost={
            "combined_cost": "n/a",
            "product_costs": [
                "retell",
                {"cost": 1.0},
                {"product": "free_minutes", "cost": 0, "unit_price": 0},
                {"product": "telephony", "cost": "?", "unit_price": 0.01},
            ],
        },
        recording_multi_channel_url=42,
        start_timestamp="yesterday",
    )
    record = retell.map_call(call)
    assert record.latency == {"e2e": LatencyStats(p90=900.0)}
    assert record.cost_usd is None
    assert record.cost_breakdown == [
        CostItem("free_minutes", usd=Decimal("0"), quantity=None, unit=None),
        CostItem("telephony", usd=None, quantity=None, unit=None),
    ]
    assert record.recordings == {
        "scrubbed": call["scrubbed_recording_url"],
        "scrubbed_multichannel": call["scrubbed_recording_multi_channel_url"],
    }
    assert record.started_at is None
    assert_remaps(RetellConnector, record)


def test_retell_remap_refuses_unknown_sources():
    with pytest.raises(ValueError, match="Retell"):
        RetellConnector.remap("end-of-call-report", RETELL_PHONE_CALL)


# --------------------------------------------------------------------------------------------------
# ElevenLabs: a finished outbound conversation (GET conversation, post_call_transcription `data`)
# --------------------------------------------------------------------------------------------------

EL_CONVERSATION = {
    "agent_id": "agent_7101k2x9a8b3c4d5e6f7g8h9",
    "agent_name": "Renewals",
    "conversation_id": "conv_6801k2x9zq4r5s6t7u8v9w0x",
    "status": "done",
    "user_id": "crm-5521",
    "version_id": "agtvrsn_3",
    "transcript": [
        {"role": "agent", "message": "Hi, I'm calling about your renewal.", "time_in_call_secs": 0},
        {"role": "user", "message": "Sure, go ahead.", "time_in_call_secs": 4, "interrupted": False},
        {
            "role": "agent",
            "message": None,
            "time_in_call_secs": 7,
            "tool_calls": [
                {
                    "request_id": "req_1",
                    "tool_name": "lookup_policy",
                    "params_as_json": "{}",
                    "tool_has_been_called": True,
                }
            ],
        },
        {"role": "agent", "message": "You're all set.", "time_in_call_secs": 9},
    ],
    "metadata": {
        "start_time_unix_secs": 1767268800,
        "accepted_time_unix_secs": 1767268803,
        "call_duration_secs": 61,
        "cost": 412,  # credits
        "cost_fiat": 0.0731,  # USD
        "termination_reason": "Call ended by remote party",
        "main_language": "en",
        "charging": {
            "dev_discount": False,
            "tier": "pro",
            "llm_price": 0.0123,
            "llm_charge": 62,
            "call_charge": 340,
            "platform_charge": 350,
            "platform_price": 0.0608,
            "voice_surcharge_charge": 10,
            "free_minutes_consumed": 0.0,
        },
        "phone_call": {
            "type": "twilio",
            "direction": "outbound",
            "phone_number_id": "phnum_01",
            "agent_number": "+14155550123",
            "external_number": "+12125550187",
            "stream_sid": "MZ0a1b2c3d4e5f60718293a4b5c6d7e8f9",
            "call_sid": "CA9f8e7d6c5b4a39281706f5e4d3c2b1a0",
        },
    },
    "analysis": {
        "call_successful": "success",
        "transcript_summary": "Customer agreed to renew.",
        "call_summary_title": "Renewal agreed",
        "evaluation_criteria_results": {
            "renewed": {"criteria_id": "renewed", "result": "success", "rationale": "They said yes."}
        },
        "data_collection_results": {
            "sentiment": {"data_collection_id": "sentiment", "value": "positive", "rationale": "Friendly."}
        },
    },
    "has_audio": True,
    "has_user_audio": True,
    "has_response_audio": True,
    "has_auxiliary_audio": False,
}

EL_SUMMARY = {
    "agent_id": EL_CONVERSATION["agent_id"],
    "agent_name": "Renewals",
    "conversation_id": EL_CONVERSATION["conversation_id"],
    "start_time_unix_secs": 1767268800,
    "call_duration_secs": 61,
    "message_count": 4,
    "status": "done",
    "call_successful": "success",
    "transcript_summary": "Customer agreed to renew.",
    "direction": "outbound",
    "sentiment_analysis": {
        "overall_label": "neutral",
        "overall_sentiment_score": 0.1,
        "overall_frustration_score": 0.05,
        "min_user_sentiment_score": -0.1,
        "max_user_frustration_score": 0.2,
        "num_scored_user_turns": 2,
    },
}


def test_elevenlabs_payloads_match_the_sdk_models():
    elevenlabs_shape(GetConversationResponseModel, EL_CONVERSATION)
    elevenlabs_shape(ConversationSummaryResponseModel, EL_SUMMARY)
    typo = copy.deepcopy(EL_CONVERSATION)
    typo["metadata"]["charging"]["llm_charges"] = 1
    with pytest.raises(AssertionError, match="llm_charges"):
        elevenlabs_shape(GetConversationResponseModel, typo)


def test_elevenlabs_conversation_maps_every_field():
    connector = make_connector("elevenlabs", "xi-key")
    headers, body = el_signed(
        {"type": "post_call_transcription", "event_timestamp": int(time.time()), "data": EL_CONVERSATION}
    )
    connector.verify_webhook(headers, body, EL_SECRET)
    record = connector.parse_webhook(body)
    assert (record.platform, record.platform_call_id) == ("elevenlabs", "conv_6801k2x9zq4r5s6t7u8v9w0x")
    assert (record.platform_agent_id, record.agent_name) == ("agent_7101k2x9a8b3c4d5e6f7g8h9", "Renewals")
    assert (record.status, record.platform_status) == ("ended", "done")
    assert record.started_at == datetime(2026, 1, 1, 12, 0, tzinfo=UTC)
    assert record.ended_at == datetime(2026, 1, 1, 12, 1, 1, tzinfo=UTC)
    assert record.duration_ms == 61_000
    assert (record.direction, record.from_number, record.to_number) == ("outbound", "+14155550123", "+12125550187")
    assert record.cost_usd == Decimal("0.0731")  # cost_fiat
    assert record.cost_credits == 412  # metadata.cost
    assert record.cost_breakdown == [
        CostItem("llm", usd=Decimal("0.0123"), credits=62),
        CostItem("platform", usd=Decimal("0.0608"), credits=350),
        CostItem("call", credits=340),
        CostItem("voice_surcharge", credits=10),
    ]
    assert record.sentiment == "Positive"  # the data-collection item: the full conversation has no label
    assert record.successful is True and record.summary == "Customer agreed to renew."
    assert record.end_reason == "Call ended by remote party"
    assert record.recording_url is None and record.recordings == {}  # audio only via the /audio endpoint
    assert record.latency == {}
    assert [(t.role, t.text, t.start, t.end) for t in record.turns] == [
        ("agent", "Hi, I'm calling about your renewal.", 0, 4),
        ("user", "Sure, go ahead.", 4, 7),
        ("tool", "lookup_policy", 7, 9),
        ("agent", "You're all set.", 9, None),
    ]
    assert (
        record.transcript
        == "Agent: Hi, I'm calling about your renewal.\nUser: Sure, go ahead.\nAgent: You're all set.\n"
    )
    assert record.analysis["call_summary_title"] == "Renewal agreed"
    assert record.metadata["phone_call"]["call_sid"].startswith("CA")
    assert (record.raw, record.raw_source) == (EL_CONVERSATION, "call")
    assert_remaps(ElevenLabsConnector, record)


def test_elevenlabs_empty_termination_reason_and_odd_credit_fields():
    conversation = copy.deepcopy(EL_CONVERSATION)
    conversation["metadata"].update(termination_reason="", cost="412")
    conversation["metadata"]["charging"] = {"llm_price": "x", "llm_charge": 1.5, "call_charge": 7}
    record = elevenlabs.map_call(conversation)
    assert record.end_reason is None
    assert record.cost_credits is None  # not a whole number: unknown
    assert record.cost_breakdown == [CostItem("call", credits=7)]
    assert_remaps(ElevenLabsConnector, record)


def test_elevenlabs_sync_raw_is_the_conversation_with_the_summary_merged_in(monkeypatch):
    connector = make_connector("elevenlabs", "xi-key", "http://127.0.0.1:9")
    fetched = {k: v for k, v in EL_CONVERSATION.items() if k != "agent_name"}
    monkeypatch.setattr(connector, "_request", lambda method, path, **kw: copy.deepcopy(fetched))
    record = elevenlabs.map_call(connector._conversation(EL_SUMMARY["conversation_id"], EL_SUMMARY))
    assert record.sentiment == "Neutral"  # the list summary's label, merged in
    assert record.raw["analysis"]["sentiment_analysis"]["overall_label"] == "neutral"
    assert record.raw["agent_name"] == "Renewals" and record.agent_name == "Renewals"
    assert_remaps(ElevenLabsConnector, record)


def test_elevenlabs_list_summary_shape_maps_credits_too():
    record = elevenlabs.map_call({**EL_SUMMARY, "cost": 412, "cost_fiat": 0.0731})
    assert (record.cost_usd, record.cost_credits) == (Decimal("0.0731"), 412)
    assert record.sentiment == "Neutral" and record.direction == "outbound"
    assert_remaps(ElevenLabsConnector, record)


# call_initiation_failure: no SDK model describes it; shape from ElevenLabs' post-call webhook docs.
TWILIO_BUSY = {
    "agent_id": "agent_7101k2x9a8b3c4d5e6f7g8h9",
    "conversation_id": "conv_5501k2xa0b1c2d3e4f5g6h7j",
    "failure_reason": "busy",
    "metadata": {
        "type": "twilio",
        "body": {
            "CallSid": "CA1b2c3d4e5f60718293a4b5c6d7e8f901",
            "CallStatus": "busy",
            "Direction": "outbound-api",
            "From": "+14155550123",
            "To": "+12125550199",
            "Caller": "+14155550123",
            "Called": "+12125550199",
            "Timestamp": "Thu, 01 Jan 2026 12:00:00 +0000",
        },
    },
}
SIP_FAILED = {
    "agent_id": "agent_7101k2x9a8b3c4d5e6f7g8h9",
    "conversation_id": "conv_5501k2xa0b1c2d3e4f5g6h7k",
    "failure_reason": "unknown",
    "metadata": {
        "type": "sip",
        "body": {"sip_status_code": 503, "error_reason": "Service Unavailable", "to_number": "+12125550142"},
    },
}


@pytest.mark.parametrize(
    "data, status, numbers",
    [
        (TWILIO_BUSY, "ended", ("+14155550123", "+12125550199")),
        ({**TWILIO_BUSY, "failure_reason": "no-answer"}, "ended", ("+14155550123", "+12125550199")),
        (SIP_FAILED, "error", (None, "+12125550142")),
    ],
)
def test_elevenlabs_failed_dials_are_recorded_as_attempts(data, status, numbers):
    connector = make_connector("elevenlabs", "xi-key")
    headers, body = el_signed({"type": "call_initiation_failure", "event_timestamp": 1767268830, "data": data})
    connector.verify_webhook(headers, body, EL_SECRET)
    record = connector.parse_webhook(body)
    assert (record.platform_call_id, record.platform_agent_id) == (data["conversation_id"], data["agent_id"])
    assert (record.status, record.end_reason, record.direction) == (status, data["failure_reason"], "outbound")
    assert (record.from_number, record.to_number) == numbers
    assert record.started_at == record.ended_at == datetime(2026, 1, 1, 12, 0, 30, tzinfo=UTC)
    assert record.duration_ms is None and record.cost_usd is None and record.turns == []
    assert record.metadata == data["metadata"]
    assert (record.raw, record.raw_source) == ({**data, "event_timestamp": 1767268830}, "call_initiation_failure")
    assert_remaps(ElevenLabsConnector, record)


def test_elevenlabs_initiation_failures_that_name_no_conversation_are_ignored():
    connector = make_connector("elevenlabs", "xi-key")
    no_id = {k: v for k, v in TWILIO_BUSY.items() if k != "conversation_id"}
    for data in (no_id, {}, None, "busy"):
        assert connector.parse_webhook(_dump({"type": "call_initiation_failure", "data": data})) is None
    # without an event time the start is unknown, not invented
    body = _dump({"type": "call_initiation_failure", "data": {"conversation_id": "c1", "failure_reason": "busy"}})
    record = connector.parse_webhook(body)
    assert record.started_at is None and record.status == "ended" and record.from_number is None
    assert_remaps(ElevenLabsConnector, record)


def test_elevenlabs_remap_refuses_unknown_sources():
    with pytest.raises(ValueError, match="ElevenLabs"):
        ElevenLabsConnector.remap("post_call_audio", EL_CONVERSATION)
