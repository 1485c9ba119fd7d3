"""Mapping of native Retell / Vapi / ElevenLabs payloads onto the common records.

The example payloads are the documented ones from /work/shared/platform-apis.md (§1.8, §1.9, §2.8,
§2.9, §3.8, §3.9).
"""

from __future__ import annotations

import copy
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from voiceconsole.platforms import elevenlabs, retell, vapi

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

RETELL_AGENT = {
    "agent_id": "16b980523634a6dc504898cda492e939",
    "agent_name": "Front desk",
    "version": 3,
    "is_published": True,
    "response_engine": {"type": "retell-llm", "llm_id": "llm_234sdertfsdsfsdf", "version": 3},
    "voice_id": "retell-Cimo",
    "language": "en-US",
    "webhook_url": "https://cc.example.com/webhooks/retell",
    "post_call_analysis_data": [
        {"type": "boolean", "name": "appointment_moved", "description": "Was the appointment moved?"}
    ],
    "last_modification_timestamp": 1751382000000,
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

VAPI_ASSISTANT = {
    "id": "5b7e9c1a-2222-4d3e-8f90-123456789abc",
    "orgId": "a1b2c3d4-0000-4000-8000-000000000000",
    "name": "Front desk",
    "firstMessage": "Hi, how can I help?",
    "model": {
        "provider": "openai",
        "model": "gpt-4o",
        "messages": [{"role": "system", "content": "You are the front desk of …"}],
    },
    "voice": {"provider": "vapi", "voiceId": "Clara"},
    "transcriber": {"provider": "deepgram", "model": "nova-3"},
    "server": {"url": "https://cc.example.com/webhooks/vapi", "credentialId": "cred_abc123"},
    "serverMessages": ["status-update", "end-of-call-report"],
    "metadata": {"team": "support"},
    "createdAt": "2026-06-01T10:00:00.000Z",
    "updatedAt": "2026-06-20T08:30:00.000Z",
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

EL_AGENT = {
    "agent_id": "agent_01jxyz",
    "name": "Front desk",
    "tags": ["support"],
    "conversation_config": {
        "agent": {
            "first_message": "Hi, how can I help?",
            "language": "en",
            "prompt": {"prompt": "You are the front desk of …", "llm": "<llm-id>"},
        },
        "tts": {"voice_id": "<voice_id>", "model_id": "<tts-model>"},
    },
    "metadata": {"created_at_unix_secs": 1748772000, "updated_at_unix_secs": 1750408200},
    "version_id": "<version-id>",
}


def _with(payload: dict, **changes) -> dict:
    out = copy.deepcopy(payload)
    out.update(changes)
    return out


# --------------------------------------------------------------------------------------------------
# Retell
# --------------------------------------------------------------------------------------------------


def test_retell_documented_call():
    rec = retell.map_call(RETELL_CALL)
    assert rec.platform == "retell"
    assert rec.platform_call_id == "119c3f8e47135a29e65947eeb34cf12d"
    assert rec.platform_agent_id == "16b980523634a6dc504898cda492e939"
    assert rec.agent_name == "Front desk"
    assert rec.status == "ended" and rec.platform_status == "ended"
    assert rec.started_at == datetime(2025, 7, 1, 15, 4, 5, 123000, tzinfo=UTC)
    assert rec.ended_at == datetime(2025, 7, 1, 15, 4, 47, 456000, tzinfo=UTC)
    assert rec.duration_ms == 42333
    assert rec.cost_usd == Decimal("0.094000")  # 9.4 cents
    assert (rec.direction, rec.from_number, rec.to_number) == ("inbound", "+14155550100", "+14155550199")
    assert [(t.role, t.start, t.end) for t in rec.turns] == [("agent", 0.62, 0.9), ("user", 2.1, 2.2)]
    assert rec.turns[0].words[0].word == "Hi,"
    assert rec.transcript == "Agent: Hi, how can I help?\nUser: I need to move my appointment.\n"
    assert rec.sentiment == "Positive"
    assert rec.successful is True
    assert rec.summary == "Caller rescheduled to Friday."
    assert rec.end_reason == "user_hangup"
    assert rec.recording_url == "https://<retell-storage>/recording.wav"
    assert rec.analysis["custom_analysis_data"] == {"appointment_moved": True}
    assert rec.metadata == {"crm_contact_id": "c_123"}


def test_retell_documented_agent_with_and_without_llm():
    rec = retell.map_agent(RETELL_AGENT)
    assert (rec.platform, rec.platform_agent_id, rec.name) == (
        "retell",
        "16b980523634a6dc504898cda492e939",
        "Front desk",
    )
    assert rec.voice == "retell-Cimo"
    assert rec.platform_version == "3"
    assert rec.updated_at == datetime(2025, 7, 1, 15, 0, tzinfo=UTC)
    assert rec.prompt is None and rec.model is None  # they live on the Retell LLM
    llm = {"llm_id": "llm_234sdertfsdsfsdf", "model": "gpt-4.1", "general_prompt": "You are the front desk."}
    rec = retell.map_agent(RETELL_AGENT, llm)
    assert (rec.model, rec.prompt) == ("gpt-4.1", "You are the front desk.")


def test_retell_list_agents_summary():
    rec = retell.map_agent(
        {
            "agent_id": "a1",
            "agent_name": "Desk",
            "channel": "voice",
            "tags": {},
            "user_modified_timestamp": 1751382000000,
        }
    )
    assert rec.name == "Desk" and rec.updated_at == datetime(2025, 7, 1, 15, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    "status, expected",
    [
        ("registered", "in_progress"),
        ("ongoing", "in_progress"),
        ("not_connected", "ended"),
        ("ended", "ended"),
        ("error", "error"),
    ],
)
def test_retell_statuses(status, expected):
    assert retell.map_call(_with(RETELL_CALL, call_status=status)).status == expected


def test_retell_unknown_sentiment_is_none():
    payload = copy.deepcopy(RETELL_CALL)
    payload["call_analysis"]["user_sentiment"] = "Unknown"
    assert retell.map_call(payload).sentiment is None


def test_retell_never_connected_call():
    rec = retell.map_call(
        {
            "call_id": "c1",
            "agent_id": "a1",
            "call_type": "phone_call",
            "call_status": "not_connected",
            "direction": "outbound",
            "from_number": "+15550000001",
            "to_number": "+15550000002",
            "start_timestamp": 1751382245123,
            "end_timestamp": 1751382245123,
            "duration_ms": 0,
            "transcript": "",
            "transcript_object": [],
            "disconnection_reason": "dial_no_answer",
            "call_cost": {
                "combined_cost": 0,
                "product_costs": [],
                "total_duration_seconds": 0,
                "total_duration_unit_price": 0,
            },
        }
    )
    assert rec.status == "ended" and rec.platform_status == "not_connected"
    assert rec.turns == [] and rec.transcript is None and rec.recording_url is None
    assert rec.cost_usd == Decimal("0") and rec.duration_ms == 0
    assert rec.end_reason == "dial_no_answer"


def test_retell_v3_list_item_without_transcript():
    item = {k: v for k, v in RETELL_CALL.items() if k not in ("transcript", "transcript_object")}
    rec = retell.map_call(item)
    assert rec.turns == [] and rec.transcript is None
    assert rec.cost_usd == Decimal("0.094") and rec.summary == "Caller rescheduled to Friday."


def test_retell_minimal_payload_and_web_call():
    rec = retell.map_call({"call_id": "c1", "call_type": "web_call"})
    assert rec.status == "in_progress"  # no status and no end yet
    assert rec.platform_agent_id is None and rec.started_at is None and rec.direction is None
    assert rec.cost_usd is None and rec.successful is None and rec.analysis == {} and rec.metadata == {}


def test_retell_duration_from_timestamps_when_missing():
    payload = {k: v for k, v in RETELL_CALL.items() if k != "duration_ms"}
    assert retell.map_call(payload).duration_ms == 42333


def test_retell_roles_transfer_target_and_tool_calls():
    rec = retell.map_call(
        {
            "call_id": "c1",
            "transcript_with_tool_calls": [
                {"role": "agent", "content": "Let me transfer you.", "words": []},
                {"role": "tool_call_invocation", "tool_call_id": "t1", "name": "transfer_call", "arguments": "{}"},
                {"role": "tool_call_result", "tool_call_id": "t1", "content": "ok"},
                {
                    "role": "node_transition",
                    "former_node_id": "a",
                    "former_node_name": "A",
                    "new_node_id": "b",
                    "new_node_name": "B",
                },
                {
                    "role": "transfer_target",
                    "content": "Hi, this is Dana.",
                    "words": [{"word": "Hi,", "start": 9.0, "end": 9.3}],
                },
            ],
        }
    )
    assert [t.role for t in rec.turns] == ["agent", "tool", "tool", "system"]
    assert rec.turns[1].text == "transfer_call({})"
    assert rec.transcript == "Agent: Let me transfer you.\n"


def test_retell_missing_call_id_raises():
    with pytest.raises(ValueError, match="call_id"):
        retell.map_call({"agent_id": "a1"})
    with pytest.raises(ValueError, match="agent_id"):
        retell.map_agent({"agent_name": "x"})


# --------------------------------------------------------------------------------------------------
# Vapi
# --------------------------------------------------------------------------------------------------


def test_vapi_documented_call():
    rec = vapi.map_call(VAPI_CALL)
    assert rec.platform == "vapi"
    assert rec.platform_call_id == "3f1c2d4e-1111-4a2b-9c3d-5e6f7a8b9c0d"
    assert rec.platform_agent_id == "5b7e9c1a-2222-4d3e-8f90-123456789abc"
    assert rec.status == "ended" and rec.platform_status == "ended"
    assert rec.started_at == datetime(2026, 7, 1, 15, 4, 3, 120000, tzinfo=UTC)
    assert rec.ended_at == datetime(2026, 7, 1, 15, 4, 45, 460000, tzinfo=UTC)
    assert rec.duration_ms == 42340
    assert rec.cost_usd == Decimal("0.0912")
    assert rec.direction == "inbound"
    assert (rec.from_number, rec.to_number) == ("+14155550100", None)  # own number needs phoneNumber
    assert [t.role for t in rec.turns] == ["system", "agent", "user"]
    assert (rec.turns[1].start, rec.turns[1].end) == (0.62, 1.92)
    assert (rec.turns[2].start, rec.turns[2].end) == (3.1, 5.0)
    assert rec.transcript == "Agent: Hi, how can I help?\nUser: I need to move my appointment.\n"
    assert rec.successful is True
    assert rec.sentiment is None
    assert rec.summary == "Caller moved appointment to Friday."
    assert rec.recording_url == "https://<vapi-storage>/mono.wav"
    assert rec.end_reason == "customer-ended-call"
    assert rec.analysis["structuredData"] == {"appointment_moved": True}


def test_vapi_documented_assistant():
    rec = vapi.map_agent(VAPI_ASSISTANT)
    assert (rec.platform, rec.platform_agent_id, rec.name) == (
        "vapi",
        "5b7e9c1a-2222-4d3e-8f90-123456789abc",
        "Front desk",
    )
    assert (rec.voice, rec.model, rec.prompt) == ("Clara", "gpt-4o", "You are the front desk of …")
    assert rec.updated_at == datetime(2026, 6, 20, 8, 30, tzinfo=UTC)
    assert rec.platform_version is None


def test_vapi_outbound_with_phone_number_object():
    rec = vapi.map_call(_with(VAPI_CALL, type="outboundPhoneCall", phoneNumber={"number": "+14155550199"}))
    assert (rec.direction, rec.from_number, rec.to_number) == ("outbound", "+14155550199", "+14155550100")


def test_vapi_web_call_has_no_direction_or_numbers():
    payload = {k: v for k, v in VAPI_CALL.items() if k not in ("customer", "phoneNumberId")}
    rec = vapi.map_call(_with(payload, type="webCall"))
    assert (rec.direction, rec.from_number, rec.to_number) == (None, None, None)


@pytest.mark.parametrize(
    "value, expected",
    [
        ("true", True),
        ("false", False),
        ("True", True),
        ("pass", True),
        ("Pass", True),
        ("fail", False),
        ("8", True),
        ("7", True),
        ("6", False),
        ("1", False),
        ("7/10", True),
        ("3 / 10", False),
        ("85%", True),
        ("40%", False),
        ("Excellent", True),
        ("Good", True),
        ("Fair", False),
        ("Poor", False),
        ("Agree", True),
        ("Strongly Disagree", False),
        ("Neutral", None),
        ("banana", None),
        ("", None),
        (None, None),
        (True, True),
        (9, True),
    ],
)
def test_vapi_success_evaluation_variants(value, expected):
    assert vapi.parse_success_evaluation(value) is expected
    payload = _with(VAPI_CALL, analysis={"successEvaluation": value})
    assert vapi.map_call(payload).successful is expected


@pytest.mark.parametrize(
    "reason",
    [
        "pipeline-error-openai-llm-failed",
        "call.start.error-get-assistant",
        "call.in-progress.error-vapifault-openai-llm-failed",
        "twilio-failed-to-connect-call",
        "call.ringing.error-sip-inbound-call-failed-to-connect",
    ],
)
def test_vapi_error_ended_reasons(reason):
    rec = vapi.map_call(_with(VAPI_CALL, endedReason=reason))
    assert rec.status == "error" and rec.end_reason == reason and rec.platform_status == "ended"


@pytest.mark.parametrize(
    "status, expected",
    [
        ("scheduled", "in_progress"),
        ("queued", "in_progress"),
        ("ringing", "in_progress"),
        ("in-progress", "in_progress"),
        ("forwarding", "in_progress"),
        ("ended", "ended"),
    ],
)
def test_vapi_statuses(status, expected):
    assert vapi.map_call(_with(VAPI_CALL, status=status)).status == expected


def test_vapi_never_connected_call_uses_created_at():
    rec = vapi.map_call(
        {
            "id": "c1",
            "orgId": "o1",
            "type": "outboundPhoneCall",
            "status": "ended",
            "endedReason": "customer-did-not-answer",
            "customer": {"number": "+15550000002"},
            "createdAt": "2026-07-01T15:04:00.000Z",
            "updatedAt": "2026-07-01T15:04:40.000Z",
            "endedAt": "2026-07-01T15:04:30.000Z",
            "cost": 0,
            "analysis": {},
            "artifact": {"messages": [], "transcript": ""},
        }
    )
    assert rec.status == "ended"
    assert rec.started_at == datetime(2026, 7, 1, 15, 4, tzinfo=UTC)
    assert rec.duration_ms is None and rec.turns == [] and rec.transcript is None and rec.recording_url is None
    assert rec.successful is None and rec.cost_usd == Decimal("0")


def test_vapi_recording_fallbacks_and_legacy_fields():
    nested = _with(VAPI_CALL, artifact={"recording": {"mono": {"combinedUrl": "https://x/mono.wav"}}})
    assert vapi.map_call(nested).recording_url == "https://x/mono.wav"
    legacy = {k: v for k, v in VAPI_CALL.items() if k not in ("artifact", "analysis")}
    legacy.update(recordingUrl="https://x/legacy.wav", transcript="AI: Hi\n", summary="Old summary.")
    rec = vapi.map_call(legacy)
    assert (rec.recording_url, rec.transcript, rec.summary) == ("https://x/legacy.wav", "AI: Hi\n", "Old summary.")


def test_vapi_tool_messages_and_sentiment_from_structured_data():
    rec = vapi.map_call(
        {
            "id": "c1",
            "analysis": {"structuredData": {"sentiment": "negative"}},
            "messages": [
                {"role": "assistant", "message": "Checking.", "time": 1000, "endTime": 1800, "secondsFromStart": 1.0},
                {
                    "role": "tool_calls",
                    "message": "",
                    "time": 2000,
                    "secondsFromStart": 2.0,
                    "toolCalls": [
                        {"id": "t1", "type": "function", "function": {"name": "check_availability", "arguments": "{}"}}
                    ],
                },
                {
                    "role": "tool_call_result",
                    "toolCallId": "t1",
                    "name": "check_availability",
                    "result": "3 slots",
                    "time": 2500,
                    "secondsFromStart": 2.5,
                },
                {"role": "user", "message": "Okay."},
            ],
        }
    )
    assert [(t.role, t.text) for t in rec.turns] == [
        ("agent", "Checking."),
        ("tool", "check_availability"),
        ("tool", "3 slots"),
        ("user", "Okay."),
    ]
    assert (rec.turns[0].start, rec.turns[0].end) == (1.0, 1.8)
    assert rec.turns[3].start is None and rec.turns[3].end is None
    assert rec.sentiment == "Negative"
    assert rec.status == "in_progress"  # no status and no endedAt


def test_vapi_missing_id_raises():
    with pytest.raises(ValueError, match="'id'"):
        vapi.map_call({"orgId": "o1"})
    with pytest.raises(ValueError, match="'id'"):
        vapi.map_agent({"name": "x"})


# --------------------------------------------------------------------------------------------------
# ElevenLabs
# --------------------------------------------------------------------------------------------------


def test_elevenlabs_documented_conversation():
    rec = elevenlabs.map_call(EL_CONVERSATION)
    assert rec.platform == "elevenlabs"
    assert (rec.platform_call_id, rec.platform_agent_id) == ("conv_01jabc", "agent_01jxyz")
    assert rec.status == "ended" and rec.platform_status == "done"
    assert rec.started_at == datetime(2025, 7, 1, 15, 4, 3, tzinfo=UTC)
    assert rec.duration_ms == 42000
    assert rec.ended_at == datetime(2025, 7, 1, 15, 4, 45, tzinfo=UTC)
    assert rec.cost_usd == Decimal("0.084")  # cost_fiat, not the 350 credits
    assert (rec.direction, rec.from_number, rec.to_number) == ("inbound", "+14155550100", "+14155550199")
    assert [(t.role, t.start, t.end) for t in rec.turns] == [("agent", 0, 3), ("user", 3, None)]
    assert rec.transcript == "Agent: Hi, how can I help?\nUser: I need to move my appointment.\n"
    assert rec.successful is True
    assert rec.sentiment is None
    assert rec.summary == "Caller moved appointment."
    assert rec.end_reason == "Client disconnected"
    assert rec.recording_url is None
    assert rec.metadata["cost"] == 350


def test_elevenlabs_outbound_numbers_are_reversed():
    payload = copy.deepcopy(EL_CONVERSATION)
    payload["metadata"]["phone_call"]["direction"] = "outbound"
    rec = elevenlabs.map_call(payload)
    assert (rec.direction, rec.from_number, rec.to_number) == ("outbound", "+14155550199", "+14155550100")


def test_elevenlabs_list_summary_shape():
    rec = elevenlabs.map_call(
        {
            "agent_id": "agent_1",
            "agent_name": "Desk",
            "conversation_id": "conv_1",
            "start_time_unix_secs": 1751382243,
            "call_duration_secs": 61,
            "message_count": 8,
            "status": "done",
            "call_successful": "failure",
            "transcript_summary": "Caller hung up.",
            "direction": "outbound",
            "sentiment_analysis": {"overall_label": "negative", "overall_sentiment_score": -0.6},
        }
    )
    assert rec.started_at == datetime(2025, 7, 1, 15, 4, 3, tzinfo=UTC) and rec.duration_ms == 61000
    assert rec.successful is False and rec.sentiment == "Negative" and rec.summary == "Caller hung up."
    assert rec.direction == "outbound" and rec.from_number is None and rec.to_number is None
    assert rec.turns == [] and rec.transcript is None and rec.cost_usd is None
    assert rec.analysis["call_successful"] == "failure"


@pytest.mark.parametrize(
    "status, expected",
    [
        ("initiated", "in_progress"),
        ("in-progress", "in_progress"),
        ("processing", "in_progress"),
        ("done", "ended"),
        ("failed", "error"),
    ],
)
def test_elevenlabs_statuses(status, expected):
    rec = elevenlabs.map_call(_with(EL_CONVERSATION, status=status))
    assert rec.status == expected
    assert (rec.duration_ms is None) == (expected == "in_progress")


def test_elevenlabs_unknown_success_tool_turns_and_missing_fields():
    rec = elevenlabs.map_call(
        {
            "conversation_id": "conv_1",
            "transcript": [
                {
                    "role": "agent",
                    "message": None,
                    "time_in_call_secs": 4,
                    "tool_calls": [{"tool_name": "check_availability", "params_as_json": "{}"}],
                },
                {"role": "agent", "message": "I have Friday at 9.", "time_in_call_secs": 6},
            ],
            "analysis": {
                "call_successful": "unknown",
                "transcript_summary": "x",
                "data_collection_results": {"sentiment": {"data_collection_id": "sentiment", "value": "positive"}},
            },
        }
    )
    assert [(t.role, t.text, t.start, t.end) for t in rec.turns] == [
        ("tool", "check_availability", 4, 6),
        ("agent", "I have Friday at 9.", 6, None),
    ]
    assert rec.successful is None
    assert rec.sentiment == "Positive"
    assert rec.started_at is None and rec.duration_ms is None and rec.direction is None


def test_elevenlabs_documented_agent():
    rec = elevenlabs.map_agent(EL_AGENT)
    assert (rec.platform, rec.platform_agent_id, rec.name) == ("elevenlabs", "agent_01jxyz", "Front desk")
    assert (rec.voice, rec.model, rec.prompt) == ("<voice_id>", "<llm-id>", "You are the front desk of …")
    assert rec.platform_version == "<version-id>"
    assert rec.updated_at == datetime(2025, 6, 20, 8, 30, tzinfo=UTC)


def test_elevenlabs_missing_ids_raise():
    with pytest.raises(ValueError, match="conversation_id"):
        elevenlabs.map_call({"agent_id": "agent_1"})
    with pytest.raises(ValueError, match="agent_id"):
        elevenlabs.map_agent({"name": "x"})


@pytest.mark.parametrize("cost", ["abc", "NaN", "Infinity", "1e999999", True, [], {}])
def test_a_cost_that_is_not_a_finite_number_is_unknown_not_an_error(cost):
    from voiceconsole.platforms.base import to_usd

    assert to_usd(cost) is None
    assert vapi.map_call(_with(VAPI_CALL, cost=cost)).cost_usd is None
