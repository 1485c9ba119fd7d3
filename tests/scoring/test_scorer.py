"""The weighted score, weights, ranges, the no_transcript rule and the breakdown contract."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from tests.support.calls import ANGRY, BOOKING, make_call
from voiceconsole.platforms.base import CallRecord, Turn, Word
from voiceconsole.scoring import (
    CATEGORIES,
    DEFAULT_WEIGHTS,
    SCORER_VERSION,
    ScoringInput,
    effective_weights,
    range_label,
    score_call,
    validate_weights,
    voice_metrics,
)


def test_defaults_match_the_design():
    assert DEFAULT_WEIGHTS == {"duration": 20, "sentiment": 25, "outcome": 35, "engagement": 20}
    assert SCORER_VERSION == "local-2"


def test_score_is_the_weighted_sum_of_the_categories():
    r = score_call(make_call(ANGRY))
    total = sum(r.breakdown[c]["score"] * r.breakdown[c]["weight"] for c in CATEGORIES) / 100
    assert r.score == int(total + 0.5)
    assert 0 <= r.score <= 100


def test_breakdown_shape_is_json_ready():
    r = score_call(make_call(BOOKING))
    assert set(r.breakdown) == {*CATEGORIES, "version"}
    assert r.breakdown["version"] == SCORER_VERSION == r.version
    for c in CATEGORIES:
        entry = r.breakdown[c]
        assert set(entry) == {"score", "weight", "reasons"}
        assert isinstance(entry["score"], int) and 0 <= entry["score"] <= 100
        assert entry["weight"] == DEFAULT_WEIGHTS[c]
        assert entry["reasons"] and all(isinstance(x, str) and x for x in entry["reasons"])
    assert json.loads(json.dumps(r.breakdown)) == r.breakdown
    assert r.no_transcript is False


@pytest.mark.parametrize(
    "score, label",
    [
        (100, "Excellent"),
        (80, "Excellent"),
        (79, "Good"),
        (60, "Good"),
        (59, "Needs attention"),
        (40, "Needs attention"),
        (39, "Poor"),
        (0, "Poor"),
    ],
)
def test_ranges(score, label):
    assert range_label(score) == label


def test_custom_weights_are_applied():
    call = make_call(ANGRY)
    default = score_call(call)
    only_outcome = score_call(call, {"duration": 0, "sentiment": 0, "outcome": 100, "engagement": 0})
    assert only_outcome.score == default.breakdown["outcome"]["score"]
    assert only_outcome.breakdown["outcome"]["weight"] == 100
    assert only_outcome.breakdown["duration"]["weight"] == 0


@pytest.mark.parametrize(
    "weights, field",
    [
        ({"duration": 20, "sentiment": 25, "outcome": 35}, "weights.engagement"),
        ({"duration": 20, "sentiment": 25, "outcome": 35, "engagement": 20, "tone": 0}, "weights.tone"),
        ({"duration": -10, "sentiment": 45, "outcome": 45, "engagement": 20}, "weights.duration"),
        ({"duration": 20.5, "sentiment": 24.5, "outcome": 35, "engagement": 20}, "weights.duration"),
        ({"duration": "20", "sentiment": 25, "outcome": 35, "engagement": 20}, "weights.duration"),
        ({"duration": True, "sentiment": 44, "outcome": 35, "engagement": 20}, "weights.duration"),
        ({"duration": 20, "sentiment": 25, "outcome": 35, "engagement": 10}, "add up to 100"),
        (["duration"], "weights"),
    ],
)
def test_invalid_weights_name_the_field(weights, field):
    with pytest.raises(ValueError, match=field.replace(".", r"\.")):
        validate_weights(weights)
    with pytest.raises(ValueError):
        score_call(make_call(BOOKING), weights)


def test_valid_weights_are_normalised():
    assert validate_weights({"engagement": 25.0, "outcome": 25, "sentiment": 25, "duration": 25}) == {
        "duration": 25,
        "sentiment": 25,
        "outcome": 25,
        "engagement": 25,
    }


def test_effective_weights_client_over_organization_over_default():
    org = {"duration": 10, "sentiment": 30, "outcome": 40, "engagement": 20}
    client = {"duration": 0, "sentiment": 20, "outcome": 60, "engagement": 20}
    assert effective_weights() == DEFAULT_WEIGHTS
    assert effective_weights(org) == org
    assert effective_weights(org, client) == client
    assert effective_weights(None, client) == client
    with pytest.raises(ValueError):
        effective_weights({"duration": 100})


def test_no_transcript_scores_zero_with_the_reason():
    for call in (
        ScoringInput(status="ended", duration_ms=4000, turns=[]),
        ScoringInput(status="ended", duration_ms=0, turns=[{"role": "agent", "text": "  "}], transcript=""),
        ScoringInput(status="ended", turns=[{"role": "tool", "text": "lookup()"}]),
    ):
        r = score_call(call)
        assert r.score == 0 and r.no_transcript and r.range_label == "Poor"
        for c in CATEGORIES:
            assert r.breakdown[c]["score"] == 0 and r.breakdown[c]["reasons"] == ["no_transcript"]
            assert r.breakdown[c]["weight"] == DEFAULT_WEIGHTS[c]
        assert r.breakdown["version"] == SCORER_VERSION and r.breakdown["no_transcript"] is True


def test_transcript_text_without_turns_is_scored():
    text = "".join(f"{'Agent' if role == 'agent' else 'User'}: {line}\n" for role, line in BOOKING)
    r = score_call(ScoringInput(status="ended", duration_ms=60_000, transcript=text))
    assert not r.no_transcript and r.breakdown["outcome"]["score"] >= 85
    assert r.features.turn_count == len(BOOKING) and r.features.timing == "none"
    vapi_style = score_call(ScoringInput(duration_ms=60_000, transcript="AI: Hello!\nUser: Hi, I need help.\n"))
    assert vapi_style.features.agent_turns == 1 and vapi_style.features.user_turns == 1


def test_from_record_uses_turns_words_flags_and_end_reason():
    rec = CallRecord(
        platform="retell",
        platform_call_id="c1",
        platform_agent_id="a1",
        status="ended",
        started_at=datetime(2026, 1, 5, 15, 0, tzinfo=UTC),
        duration_ms=30_000,
        turns=[
            Turn("agent", "Hi, how can I help?", words=[Word("Hi,", 0.5, 0.8), Word("help?", 1.2, 1.6)]),
            Turn("user", "Move my appointment to Friday.", words=[Word("Move", 2.4, 2.6), Word("Friday.", 3.3, 3.8)]),
            Turn(
                "agent", "Done, you're all set for Friday.", words=[Word("Done,", 4.6, 4.9), Word("Friday.", 5.9, 6.4)]
            ),
        ],
        sentiment="Positive",
        successful=True,
        end_reason="user_hangup",
        summary="Caller rescheduled to Friday.",
    )
    inp = ScoringInput.from_record(rec)
    assert inp.turns[0]["words"][0] == {"word": "Hi,", "start": 0.5, "end": 0.8}
    r = score_call(inp)
    assert r.breakdown["sentiment"]["score"] == 85
    assert r.breakdown["outcome"]["reasons"][0] == "Platform marked the call successful"
    assert r.features.timing == "words" and r.features.latency_p50_ms == 800


def test_from_call_reads_the_stored_columns():
    from voiceconsole.models import Call

    row = Call(
        organization_id=1,
        platform="vapi",
        platform_call_id="x",
        status="ended",
        duration_ms=20_000,
        transcript_turns=[
            {"role": "agent", "text": "Hello!", "start": 0.5, "end": 1.0},
            {"role": "user", "text": "Hi there.", "start": 1.8, "end": 2.4},
        ],
        sentiment="Neutral",
        successful=None,
        end_reason="customer-ended-call",
    )
    inp = ScoringInput.from_call(row)
    assert inp.sentiment == "Neutral" and inp.end_reason == "customer-ended-call" and len(inp.turns) == 2
    assert score_call(inp).breakdown["sentiment"]["score"] == 60


def test_voice_metrics_are_the_call_columns():
    r = score_call(make_call(BOOKING))
    vm = voice_metrics(r.features)
    assert set(vm) == {"latency_p50_ms", "latency_p90_ms", "interruptions", "talk_ratio", "longest_silence_s"}
    assert vm["latency_p50_ms"] == 700 and vm["interruptions"] == 0 and 0.5 < vm["talk_ratio"] < 0.8
    untimed = voice_metrics(score_call(ScoringInput(transcript="Agent: Hi\nUser: Hello\n")).features)
    assert untimed == dict.fromkeys(vm)


def test_scoring_is_deterministic_and_does_not_touch_its_input():
    call = make_call(ANGRY)
    before = json.dumps(call.turns)
    assert score_call(call) == score_call(call)
    assert json.dumps(call.turns) == before
