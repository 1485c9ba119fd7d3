"""`score_file`: the function behind `voiceconsole score FILE --platform …`."""

from __future__ import annotations

import io
import json
import random
from datetime import UTC, datetime

import pytest

from voiceconsole.cli.score import score_file
from voiceconsole.platforms.simulator.generator import generate_agents, generate_call, generate_calls
from voiceconsole.scoring import CATEGORIES, SCORER_VERSION

NOW = datetime(2026, 1, 15, tzinfo=UTC)

RETELL_CALL = {
    "call_id": "119c3f8e47135a29e65947eeb34cf12d",
    "call_type": "phone_call",
    "agent_id": "ag_1",
    "call_status": "ended",
    "direction": "inbound",
    "start_timestamp": 1751382245123,
    "end_timestamp": 1751382287456,
    "duration_ms": 42333,
    "transcript_object": [
        {
            "role": "agent",
            "content": "Hi, how can I help?",
            "words": [{"word": "Hi,", "start": 0.62, "end": 0.9}, {"word": "help?", "start": 1.4, "end": 1.8}],
        },
        {
            "role": "user",
            "content": "I need to move my appointment to Friday.",
            "words": [{"word": "I", "start": 2.6, "end": 2.7}, {"word": "Friday.", "start": 4.1, "end": 4.6}],
        },
        {
            "role": "agent",
            "content": "Done, you're all set for Friday at nine.",
            "words": [{"word": "Done,", "start": 5.4, "end": 5.7}, {"word": "nine.", "start": 7.2, "end": 7.6}],
        },
    ],
    "disconnection_reason": "user_hangup",
    "call_analysis": {
        "call_summary": "Caller rescheduled to Friday.",
        "user_sentiment": "Positive",
        "call_successful": True,
        "in_voicemail": False,
    },
}


def run(tmp_path, content: str, platform: str, name: str = "calls.json"):
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    out, err = io.StringIO(), io.StringIO()
    code = score_file(str(path), platform, out=out, err=err)
    lines = [json.loads(x) for x in out.getvalue().splitlines()]
    return code, lines, err.getvalue()


def test_one_call_prints_one_json_line(tmp_path):
    code, lines, err = run(tmp_path, json.dumps(RETELL_CALL, indent=2), "retell")
    assert code == 0 and err == ""
    (line,) = lines
    assert line["platformCallId"] == RETELL_CALL["call_id"]
    assert 80 <= line["score"] <= 100 and line["range"] == "Excellent" and line["noTranscript"] is False
    assert line["breakdown"]["version"] == SCORER_VERSION
    for c in CATEGORIES:
        assert set(line["breakdown"][c]) == {"score", "weight", "reasons"}
    assert line["breakdown"]["outcome"]["reasons"][0] == "Platform marked the call successful"
    assert line["voiceMetrics"]["latencyP50Ms"] == 800
    assert set(line["voiceMetrics"]) == {
        "latencyP50Ms",
        "latencyP90Ms",
        "interruptions",
        "talkRatio",
        "longestSilenceS",
    }


@pytest.mark.parametrize("platform", ["retell", "vapi", "elevenlabs"])
def test_json_lines_of_simulated_calls(tmp_path, platform):
    agents = generate_agents(platform, seed=3, count=3, now=NOW)
    calls = list(generate_calls(platform, agents, seed=4, count=12, now=NOW))
    code, lines, err = run(tmp_path, "".join(json.dumps(c) + "\n" for c in calls), platform, "calls.jsonl")
    assert code == 0, err
    assert len(lines) == 12
    assert all(0 <= x["score"] <= 100 and set(x["breakdown"]) >= set(CATEGORIES) for x in lines)


@pytest.mark.parametrize("platform", ["retell", "vapi", "elevenlabs"])
def test_json_array_of_calls(tmp_path, platform):
    agents = generate_agents(platform, seed=5, count=2, now=NOW)
    calls = [generate_call(platform, agents[0], rng=random.Random(i), started_at=NOW) for i in range(3)]
    code, lines, _ = run(tmp_path, json.dumps(calls), platform)
    assert code == 0 and len(lines) == 3


def test_webhook_bodies_are_accepted(tmp_path):
    code, lines, _ = run(tmp_path, json.dumps({"event": "call_analyzed", "call": RETELL_CALL}), "retell")
    assert code == 0 and lines[0]["platformCallId"] == RETELL_CALL["call_id"]

    agents = generate_agents("vapi", seed=6, count=1, now=NOW)
    call = generate_call("vapi", agents[0], rng=random.Random(1), started_at=NOW)
    bare = {k: v for k, v in call.items() if k not in ("artifact", "analysis")}
    report = {
        "message": {
            "type": "end-of-call-report",
            "call": bare,
            "artifact": call.get("artifact"),
            "analysis": call.get("analysis"),
            "endedReason": call.get("endedReason"),
        }
    }
    code, lines, _ = run(tmp_path, json.dumps(report), "vapi")
    code2, direct, _ = run(tmp_path, json.dumps(call), "vapi", "direct.json")
    assert code == code2 == 0 and lines[0]["score"] == direct[0]["score"]

    agents = generate_agents("elevenlabs", seed=6, count=1, now=NOW)
    conv = generate_call("elevenlabs", agents[0], rng=random.Random(2), started_at=NOW)
    code, lines, _ = run(tmp_path, json.dumps({"type": "post_call_transcription", "data": conv}), "elevenlabs")
    assert code == 0 and lines[0]["platformCallId"] == conv["conversation_id"]


def test_call_that_never_connected_scores_zero(tmp_path):
    never = {
        "call_id": "c_none",
        "call_status": "not_connected",
        "disconnection_reason": "dial_no_answer",
        "start_timestamp": 1751382245123,
        "end_timestamp": 1751382245123,
    }
    code, lines, _ = run(tmp_path, json.dumps(never), "retell")
    assert code == 0 and lines[0]["score"] == 0 and lines[0]["noTranscript"] is True
    assert lines[0]["breakdown"]["outcome"]["reasons"] == ["no_transcript"]


def test_invalid_json_is_a_clear_error(tmp_path):
    code, lines, err = run(tmp_path, '{"call_id": "x",\n  "transcript": }', "retell")
    assert code == 2 and lines == []
    assert err.startswith("error: ") and "is not valid JSON" in err and "line 2" in err


def test_a_bad_json_line_is_reported_and_the_rest_scored(tmp_path):
    content = json.dumps(RETELL_CALL) + "\n{not json\n" + json.dumps(RETELL_CALL) + "\n"
    code, lines, err = run(tmp_path, content, "retell", "calls.jsonl")
    assert code == 1 and len(lines) == 2
    assert "line 2 is not valid JSON" in err


def test_payload_that_does_not_map_is_a_clear_error(tmp_path):
    code, lines, err = run(tmp_path, json.dumps({"hello": "world"}), "retell")
    assert code == 1 and lines == []
    assert "not a valid retell call" in err and "call_id" in err
    code, _, err = run(tmp_path, "[1, 2]", "vapi")
    assert code == 1 and err.count("not a valid vapi call") == 2


def test_unknown_platform_missing_and_empty_files(tmp_path):
    out, err = io.StringIO(), io.StringIO()
    assert score_file(str(tmp_path / "x.json"), "twilio", out=out, err=err) == 2
    assert "unknown platform 'twilio'" in err.getvalue()
    err = io.StringIO()
    assert score_file(str(tmp_path / "missing.json"), "retell", out=out, err=err) == 2
    assert "cannot read" in err.getvalue()
    code, _, err = run(tmp_path, "\n  \n", "retell")
    assert code == 2 and "holds no calls" in err
    (tmp_path / "bin.json").write_bytes(b"\xff\xfe\x00garbage")
    err = io.StringIO()
    assert score_file(str(tmp_path / "bin.json"), "retell", out=out, err=err) == 2
    assert "not UTF-8" in err.getvalue()
