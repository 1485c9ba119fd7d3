"""The LLM judge against a real OpenAI-compatible server: the request, the validation, the failures."""

from __future__ import annotations

import time

import pytest

from tests.support.calls import BOOKING, HANGUP, make_call
from tests.support.llm_server import client_for
from voiceconsole.scoring import CATEGORIES, score_call
from voiceconsole.scoring.llm_judge import (
    AI_VERSION,
    LlmClient,
    LlmError,
    LlmJudge,
    combine,
    format_transcript,
    input_fingerprint,
    stored_judgement,
    transcript_lines,
    worth_judging,
)
from voiceconsole.scoring.scorer import ScoringInput
from voiceconsole.settings import load_settings


def booked():
    return make_call(BOOKING, successful=True, summary="Booked a cleaning.")


def judge_call(llm, timeout_s: float = 1.0, inp=None):
    with client_for(llm, timeout_s=timeout_s) as client:
        return LlmJudge(client).judge(inp or booked())


def test_request_is_a_strict_json_schema_chat_completion(llm):
    j = judge_call(llm)
    assert (j.outcome_score, j.sentiment_score, j.achieved, j.label) == (95, 90, "yes", "Positive")
    req = llm.requests[-1]
    body = req["body"]
    assert req["authorization"] == "Bearer sk-test-123"
    assert body["model"] == "judge-test" and body["temperature"] == 0
    rf = body["response_format"]
    assert rf["type"] == "json_schema" and rf["json_schema"]["strict"] is True
    schema = rf["json_schema"]["schema"]
    assert schema["additionalProperties"] is False and schema["required"] == ["outcome", "sentiment"]
    assert schema["properties"]["outcome"]["additionalProperties"] is False
    assert set(schema["properties"]["outcome"]["required"]) == {"achieved", "score", "reasons"}
    user = body["messages"][1]["content"]
    # The transcript with its timestamps, and the platform's facts.
    assert "[0.5s] Agent: Thanks for calling Bright Smile Dental" in user
    assert "Platform success flag: successful" in user and "Booked a cleaning." in user


@pytest.mark.parametrize("mode, kind", [("malformed", "invalid_json"), ("error", "http_500"), ("refusal", "refused")])
def test_failed_answers_raise(llm, mode, kind):
    llm.mode = mode
    with pytest.raises(LlmError) as exc:
        judge_call(llm)
    assert exc.value.kind == kind


def test_a_slow_answer_times_out(llm):
    llm.mode = "slow"
    t0 = time.monotonic()
    with pytest.raises(LlmError) as exc:
        judge_call(llm, timeout_s=0.5)
    assert exc.value.kind == "timeout" and time.monotonic() - t0 < 2.5


def answer(outcome=None, sentiment=None, **extra):
    out = {
        "outcome": {"achieved": "yes", "score": 95, "reasons": ["x"], **(outcome or {})},
        "sentiment": {"label": "Positive", "score": 90, "reasons": ["y"], **(sentiment or {})},
    }
    return {**out, **extra}


@pytest.mark.parametrize(
    "bad",
    [
        answer(outcome={"score": 150}),
        answer(outcome={"score": -1}),
        answer(outcome={"score": "95"}),
        answer(outcome={"score": 95.5}),
        answer(sentiment={"score": None}),
        answer(outcome={"achieved": "maybe"}),
        answer(outcome={"reasons": []}),
        answer(outcome={"reasons": "booked"}),
        answer(sentiment={"label": "Happy"}),
        {"outcome": answer()["outcome"]},
        answer(extra=1),
        ["not", "an", "object"],
    ],
)
def test_out_of_range_or_off_schema_answers_raise(llm, bad):
    llm.judgement = bad
    with pytest.raises(LlmError) as exc:
        judge_call(llm)
    assert exc.value.kind == "invalid_answer"


def test_non_json_content_raises(llm):
    llm.judgement = "Sure! The outcome was great."
    with pytest.raises(LlmError) as exc:
        judge_call(llm)
    assert exc.value.kind == "invalid_json"


def test_unreachable_endpoint_raises_network_error():
    from voiceconsole.scoring.llm_judge import LlmConfig

    with (
        LlmClient(LlmConfig(base_url="http://127.0.0.1:9/v1", model="m", timeout_s=1)) as client,
        pytest.raises(LlmError) as exc,
    ):
        LlmJudge(client).judge(make_call(BOOKING))
    assert exc.value.kind in ("network", "timeout")


def test_reasons_are_cleaned_and_capped(llm):
    llm.judgement["outcome"]["reasons"] = ["  booked \n  ", "x" * 500, "a", "b", "c", "d"]
    j = judge_call(llm)
    assert j.outcome_reasons[0] == "booked" and len(j.outcome_reasons[1]) == 300 and len(j.outcome_reasons) == 4


def test_combine_takes_outcome_and_sentiment_from_the_judge(llm):
    inp = booked()
    local = score_call(inp, {"duration": 10, "sentiment": 20, "outcome": 50, "engagement": 20})
    j = judge_call(llm, inp=inp)
    c = combine(local, j)
    b = c.breakdown
    assert c.mode == "ai" and c.version == AI_VERSION == "ai-1+local-2" == b["version"] and b["mode"] == "ai"
    assert b["outcome"]["score"] == 95 and b["outcome"]["source"] == "ai"
    assert b["outcome"]["localScore"] == local.breakdown["outcome"]["score"]
    assert b["duration"] == local.breakdown["duration"] and b["engagement"] == local.breakdown["engagement"]
    expected = (b["duration"]["score"] * 10 + 90 * 20 + 95 * 50 + b["engagement"]["score"] * 20) / 100
    assert c.score == int(expected + 0.5)
    assert b["ai"]["model"] == "judge-test" and b["ai"]["input"] == input_fingerprint(inp)
    # The UI draws a bar for each top-level part with a numeric score: the AI block is not one.
    assert "score" not in b["ai"]
    # A stored AI breakdown gives the judgement back for the same input only.
    assert stored_judgement(b, input_fingerprint(inp)) == j
    assert stored_judgement(b, "another-transcript") is None
    assert stored_judgement(local.breakdown, input_fingerprint(inp)) is None


def test_combine_without_judgement_is_local_with_the_reason():
    local = score_call(make_call(BOOKING))
    c = combine(local, None, fallback="timeout")
    assert c.mode == "local" and c.version == "local-2" and c.score == local.score
    assert c.breakdown["mode"] == "local" and c.breakdown["fallback"] == "timeout"
    assert {k: v for k, v in c.breakdown.items() if k in CATEGORIES} == {k: local.breakdown[k] for k in CATEGORIES}


def test_voicemail_and_silent_calls_are_not_worth_a_credit():
    assert worth_judging(make_call(BOOKING))
    assert not worth_judging(make_call([("agent", "Hi, this is Sam from Summit Realty.")]))
    assert not worth_judging(make_call(BOOKING, end_reason="voicemail_reached"))
    assert not worth_judging(ScoringInput(turns=[], transcript=None))
    assert worth_judging(make_call(HANGUP))  # a short call is still a conversation


def test_plain_text_transcripts_are_read_without_times():
    inp = ScoringInput(transcript="Agent: Hello, how can I help?\nUser: I want to book.\n")
    lines = transcript_lines(inp)
    assert [(ln.role, ln.start) for ln in lines] == [("agent", None), ("user", None)]
    assert format_transcript(lines) == "Agent: Hello, how can I help?\nCaller: I want to book."


def test_long_transcripts_keep_their_start_and_end():
    script = [("agent" if i % 2 else "user", f"line number {i} " + "words " * 30) for i in range(400)]
    text = format_transcript(transcript_lines(make_call(script)), max_chars=6000)
    assert len(text) <= 6100 and "line number 0 " in text and "line number 399 " in text
    assert "turns omitted" in text


def test_settings_switch_ai_mode_on():
    assert LlmClient.from_settings(load_settings({})) is None
    s = load_settings(
        {
            "VOICECONSOLE_LLM_BASE_URL": "http://127.0.0.1:1/v1/",
            "VOICECONSOLE_LLM_MODEL": "m",
            "VOICECONSOLE_LLM_TIMEOUT_S": "7",
        }
    )
    assert s.llm_configured and s.llm_base_url == "http://127.0.0.1:1/v1" and s.llm_timeout_s == 7
    client = LlmClient.from_settings(s)
    assert client.model == "m" and client.config.api_key is None
    client.close()
