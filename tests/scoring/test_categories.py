"""Each category on hand-built calls whose right answer is known, plus the platform fallbacks."""

from __future__ import annotations

import pytest

from tests.support.calls import ANGRY, BOOKING, HANGUP, MONOLOGUE, make_call
from voiceconsole.scoring import categories as cat
from voiceconsole.scoring import outcome as oc
from voiceconsole.scoring import score_call
from voiceconsole.scoring.features import compute_features
from voiceconsole.scoring.sentiment import read_caller_sentiment


def breakdown(call):
    return score_call(call).breakdown


# --- the known answers -------------------------------------------------------------------


def test_booked_appointment_scores_high_on_outcome_without_a_platform_flag():
    b = breakdown(make_call(BOOKING, end_reason="agent_hangup"))
    assert b["outcome"]["score"] >= 85
    assert any("task was done" in r and "all set" in r for r in b["outcome"]["reasons"])


def test_five_second_hangup_scores_low_on_duration():
    b = breakdown(make_call(HANGUP, duration_s=5, end_reason="user_hangup"))
    assert b["duration"]["score"] <= 10
    assert b["duration"]["reasons"][0] == "Caller hung up after 5 s"
    assert b["outcome"]["score"] < 40


def test_shouting_caller_scores_low_on_sentiment():
    b = breakdown(make_call(ANGRY))
    assert b["sentiment"]["score"] < 25
    reasons = " ".join(b["sentiment"]["reasons"])
    assert "shouting" in reasons and "manager" in reasons and "refund" in reasons


def test_monologue_scores_low_on_engagement():
    b = breakdown(make_call(MONOLOGUE))
    assert b["engagement"]["score"] < 30
    assert any(r.startswith("Agent spoke for 2 min 30 s without a break") for r in b["engagement"]["reasons"])


def test_good_call_beats_bad_calls_overall():
    good = score_call(make_call(BOOKING, end_reason="agent_hangup"))
    assert good.score >= 80 and good.range_label == "Excellent"
    for script, kw in ((HANGUP, {"duration_s": 5, "end_reason": "user_hangup"}), (ANGRY, {}), (MONOLOGUE, {})):
        assert score_call(make_call(script, **kw)).score < good.score - 25


# --- duration ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "seconds, low, high", [(3, 0, 5), (10, 15, 25), (20, 55, 65), (45, 90, 95), (300, 100, 100), (2400, 75, 85)]
)
def test_duration_curve(seconds, low, high):
    f = compute_features(make_call(BOOKING).turns, seconds * 1000)
    assert low <= cat.duration(f).score <= high


def test_duration_never_connected_is_low():
    f = compute_features(make_call(BOOKING).turns, 60_000)
    assert cat.duration(f, oc.NOT_CONNECTED).score <= 10


def test_duration_estimated_from_words_when_unknown():
    f = compute_features([{"role": "agent", "text": "word " * 50}, {"role": "user", "text": "word " * 25}] * 2, None)
    res = cat.duration(f)
    assert res.score == 100 and "estimated from the transcript length" in res.reasons[0]


# --- sentiment -----------------------------------------------------------------------------------


@pytest.mark.parametrize("label, expected", [("Positive", 85), ("Neutral", 60), ("Negative", 20)])
def test_platform_sentiment_is_used_when_present(label, expected):
    b = breakdown(make_call(BOOKING, sentiment=label))
    assert b["sentiment"]["score"] == expected
    assert b["sentiment"]["reasons"][0] == f"Platform rated the caller's sentiment {label}"


def test_platform_sentiment_is_nudged_by_escalation():
    b = breakdown(make_call(ANGRY, sentiment="Neutral"))
    assert b["sentiment"]["score"] < 60
    assert any("manager" in r for r in b["sentiment"]["reasons"])


def test_vader_fallback_when_platform_gives_no_sentiment():
    happy = breakdown(make_call(BOOKING))["sentiment"]
    assert happy["score"] > 65 and happy["reasons"][0].startswith("Caller sounded")
    assert "Call ended on a positive note" in happy["reasons"]


def test_end_of_call_weighs_more_than_the_start():
    happy, sour = "This is great, thank you!", "Actually this is terrible and I am upset."
    sour_end = read_caller_sentiment([happy, "Okay.", sour])
    sweet_end = read_caller_sentiment([sour, "Okay.", happy])
    assert sweet_end.mean > sour_end.mean and sweet_end.tone > sour_end.tone


def test_bare_no_answer_is_not_negative():
    assert read_caller_sentiment(["No, that's all, thanks."]).mean > 0.3
    assert read_caller_sentiment(["No."]).mean == 0.0


def test_capitals_of_delight_are_not_shouting():
    r = read_caller_sentiment(["THANK YOU SO MUCH!! You are AMAZING."])
    assert "Caller was shouting (all capitals)" not in r.signals and r.penalty == 0


def test_silent_caller_gets_neutral_sentiment():
    assert breakdown(make_call([("agent", "Hello? Is anyone there?")]))["sentiment"]["score"] == 50


# --- outcome -------------------------------------------------------------------------------------


def test_platform_success_flag_is_used_when_present():
    ok = breakdown(make_call(ANGRY, successful=True))["outcome"]
    assert ok["score"] >= 70 and ok["reasons"][0] == "Platform marked the call successful"
    failed = breakdown(make_call(BOOKING, successful=False))["outcome"]
    assert failed["score"] <= 40 and failed["reasons"][0] == "Platform marked the call unsuccessful"


def test_unresolved_call_scores_low_on_outcome():
    script = [
        ("agent", "Thanks for calling, how can I help?"),
        ("user", "Can I book an oil change for Saturday morning?"),
        ("agent", "I'm sorry, we don't have any openings on Saturday."),
        ("user", "What about Sunday?"),
        ("agent", "Unfortunately we are closed on Sundays."),
        ("user", "Never mind, I'll call someone else."),
    ]
    b = breakdown(make_call(script, end_reason="user_hangup"))
    assert b["outcome"]["score"] < 30
    reasons = " ".join(b["outcome"]["reasons"])
    assert "could not do what was asked" in reasons and "not satisfied" in reasons


def test_declined_offer_and_unanswered_question_lower_the_outcome():
    script = [
        ("agent", "We have a 3 bedroom at 22 Oak Street. Would you like me to book a viewing?"),
        ("user", "No, not now."),
        ("agent", "Okay."),
        ("user", "Is it furnished?"),
    ]
    s = oc.detect_outcome([(r, t) for r, t in script], None, None)
    assert s.offers_declined == 1 and s.unanswered_question


def test_no_evidence_gives_a_neutral_outcome():
    b = breakdown(
        make_call(
            [
                ("agent", "Hello, this is Sam."),
                ("user", "Hi Sam, I am calling about the order."),
                ("agent", "Let me check."),
                ("user", "Okay."),
            ]
        )
    )
    assert b["outcome"]["score"] == 50 and b["outcome"]["reasons"] == ["No clear outcome in the transcript"]


@pytest.mark.parametrize(
    "reason, expected",
    [
        ("voicemail_reached", oc.NOT_CONNECTED),
        ("dial_no_answer", oc.NOT_CONNECTED),
        ("customer-busy", oc.NOT_CONNECTED),
        ("voicemail", oc.NOT_CONNECTED),
        ("customer-did-not-answer", oc.NOT_CONNECTED),
        ("error_llm_websocket_lost_connection", oc.ERROR),
        ("pipeline-error-openai-llm-failed", oc.ERROR),
        ("call.in-progress.error-vapifault-transport-never-connected", oc.ERROR),
        ("call.in-progress.error-transfer-failed", oc.TRANSFER_FAILED),
        ("call_transfer", oc.TRANSFER),
        ("assistant-forwarded-call", oc.TRANSFER),
        ("silence-timed-out", oc.SILENCE),
        ("inactivity", oc.SILENCE),
        ("max_duration_reached", oc.MAX_DURATION),
        ("exceeded-max-duration", oc.MAX_DURATION),
        ("user_hangup", oc.CALLER_HANGUP),
        ("customer-ended-call", oc.CALLER_HANGUP),
        ("Client disconnected", oc.CALLER_HANGUP),
        ("Call ended by remote party", oc.CALLER_HANGUP),
        ("agent_hangup", oc.AGENT_HANGUP),
        ("assistant-said-end-call-phrase", oc.AGENT_HANGUP),
        ("end_call tool was called.", oc.AGENT_HANGUP),
        ("something new", oc.OTHER),
        (None, None),
        ("", None),
    ],
)
def test_end_reason_vocabularies(reason, expected):
    assert oc.classify_end_reason(reason) == expected


def test_voicemail_end_reason_gives_a_poor_call():
    r = score_call(
        make_call(
            [("agent", "Hi, this is Ava from Bright Smile Dental calling to confirm your visit.")],
            end_reason="voicemail_reached",
        )
    )
    assert r.breakdown["outcome"] == {"score": 5, "weight": 35, "reasons": ["Call reached voicemail"]}
    assert r.breakdown["engagement"]["score"] == 10 and r.breakdown["sentiment"]["score"] == 50
    assert r.range_label == "Poor"


def test_answering_machine_heard_in_the_transcript_is_voicemail():
    r = score_call(
        make_call(
            [
                ("user", "Hi, you've reached Dan. Please leave a message after the tone."),
                ("agent", "Hi Dan, this is Ava from Summit Realty, please call us back."),
            ]
        )
    )
    assert r.breakdown["outcome"]["score"] == 5


def test_platform_error_lowers_the_outcome():
    b = breakdown(make_call(BOOKING[:3], end_reason="error_llm_websocket_lost_connection", status="error"))
    assert b["outcome"]["score"] <= 25 and b["outcome"]["reasons"][0] == "Call ended on a platform error"


# --- engagement ----------------------------------------------------------------------------------


def test_balanced_prompt_conversation_scores_high_on_engagement():
    e = breakdown(make_call(BOOKING))["engagement"]
    assert e["score"] >= 85 and any("answered in 0.7 s" in r for r in e["reasons"])


def test_slow_agent_and_dead_air_lower_engagement():
    slow = make_call(BOOKING, gap=3.5)
    e = breakdown(slow)["engagement"]
    assert e["score"] <= 70
    reasons = " ".join(e["reasons"])
    assert "slow to answer: 3.5 s" in reasons


def test_long_pause_is_dead_air():
    script = list(BOOKING)
    script[4] = (*script[4][:2], None, 12.0)  # the agent starts 12 s after the caller stopped
    e = breakdown(make_call(script))["engagement"]
    assert any(r.startswith("Dead air of 12 s") for r in e["reasons"])


def test_agent_talking_over_the_caller_lowers_engagement():
    call = make_call(BOOKING)
    call.turns[2]["start"] = call.turns[1]["end"] - 1.0  # the agent starts 1 s before the caller stops
    e = breakdown(call)["engagement"]
    assert "Agent talked over the caller once" in e["reasons"]
    assert e["score"] < breakdown(make_call(BOOKING))["engagement"]["score"]
