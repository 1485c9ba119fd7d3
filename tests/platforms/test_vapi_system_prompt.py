"""Vapi messages open with the system prompt the assistant ran with: it is kept as a `system` turn (the UI
folds it away), never as agent speech: not in the plain transcript, not in the score."""

from __future__ import annotations

import copy

from voiceconsole.platforms import vapi
from voiceconsole.scoring.features import compute_features
from voiceconsole.scoring.scorer import ScoringInput, score_call

# Words the outcome and engagement categories would count, were the prompt taken for the agent speaking.
PROMPT = (
    "You are Ava, the scheduling assistant. Your appointment is booked, confirmed and all set: say so "
    "warmly, thank the caller and tell them we look forward to seeing them. " * 8
)
CALL = {
    "id": "c7f1e0a2-0000-4000-8000-000000000001",
    "orgId": "org-1",
    "type": "inboundPhoneCall",
    "status": "ended",
    "endedReason": "customer-ended-call",
    "startedAt": "2026-07-01T15:04:03.000Z",
    "endedAt": "2026-07-01T15:04:33.000Z",
    "artifact": {
        "messages": [
            {"role": "system", "message": PROMPT, "time": 1751382243000, "secondsFromStart": 0},
            {
                "role": "bot",
                "message": "Hi, this is Ava. How can I help?",
                "time": 1751382243600,
                "endTime": 1751382245400,
                "secondsFromStart": 0.6,
            },
            {
                "role": "user",
                "message": "I wanted to ask about your prices, but I have to go now.",
                "time": 1751382246500,
                "endTime": 1751382249800,
                "secondsFromStart": 3.5,
            },
            {
                "role": "bot",
                "message": "No problem, call us back any time.",
                "time": 1751382250600,
                "endTime": 1751382252400,
                "secondsFromStart": 7.6,
            },
        ],
        "transcript": "AI: Hi, this is Ava. How can I help?\nUser: I wanted to ask about your prices, but I have "
        "to go now.\nAI: No problem, call us back any time.\n",
    },
}


def _without_prompt() -> dict:
    call = copy.deepcopy(CALL)
    call["artifact"]["messages"] = call["artifact"]["messages"][1:]
    return call


def test_the_system_prompt_is_kept_as_a_system_turn_not_as_the_agent():
    record = vapi.map_call(CALL)
    first, *spoken = record.turns
    assert (first.role, first.text, first.start) == ("system", PROMPT, 0.0)
    assert [t.role for t in spoken] == ["agent", "user", "agent"]
    assert record.transcript is not None and PROMPT[:40] not in record.transcript
    assert record.transcript.startswith("Agent: Hi, this is Ava.")


def test_the_end_of_call_report_keeps_it_too():
    report = {"type": "end-of-call-report", "call": {"id": CALL["id"], "orgId": "org-1"}, "artifact": CALL["artifact"]}
    record = vapi.map_end_of_call_report(report)
    assert record.turns[0].role == "system" and [t.role for t in record.turns[1:]] == ["agent", "user", "agent"]


def test_the_scorer_does_not_count_the_system_prompt_as_agent_speech():
    with_prompt, without = vapi.map_call(CALL), vapi.map_call(_without_prompt())
    duration = with_prompt.duration_ms
    assert compute_features([t.to_dict() for t in with_prompt.turns], duration) == compute_features(
        [t.to_dict() for t in without.turns], duration
    )
    scored, plain = score_call(ScoringInput.from_record(with_prompt)), score_call(ScoringInput.from_record(without))
    assert scored.score == plain.score and scored.breakdown == plain.breakdown


def test_the_simulators_vapi_calls_open_with_their_assistants_prompt():
    from datetime import UTC, datetime

    from voiceconsole.platforms.simulator.generator import generate_agents, generate_calls

    now = datetime(2026, 8, 1, 12, 0, tzinfo=UTC)
    agents = generate_agents("vapi", seed=4, count=3, now=now)
    prompts = {a["id"]: a["model"]["messages"][0]["content"] for a in agents}
    endings: dict = {}
    calls = list(generate_calls("vapi", agents, seed=4, count=200, now=now, endings=endings))
    talked = [c for c in [*calls, *endings.values()] if c.get("artifact", {}).get("messages")]
    assert talked and any(c["status"] == "in-progress" for c in talked)
    for call in talked:
        first = call["artifact"]["messages"][0]
        assert (first["role"], first["message"]) == ("system", prompts[call["assistantId"]])
        assert vapi.map_call(call).turns[0].role == "system"
