"""What counts as a conversion: the platform's success flag, a post-call field, a transfer, or the scorer's own
outcome category (the same local scorer that scores every call), read from the platforms' real call shapes."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from voiceconsole.platforms.base import CallRecord, Turn
from voiceconsole.services.campaigns.outcomes import SCORER_SUCCESS_MIN, is_success

BOOKED = [
    ("agent", "Hi Ada, this is Bright Smile calling about your six-month check-up. Would Tuesday at 10 work?"),
    ("user", "Yes, Tuesday at 10 is perfect, thank you."),
    ("agent", "Great, your appointment is booked for Tuesday at 10:00. Is there anything else I can help with?"),
    ("user", "No, that's all. Thanks so much!"),
]
DECLINED = [
    ("agent", "Hi Ada, this is Bright Smile calling about your six-month check-up. Would Tuesday at 10 work?"),
    ("user", "No thanks, I'm not interested."),
    ("agent", "I understand. Have a good day."),
]


def record(turns=(), *, end_reason="user_hangup", successful=None, analysis=None) -> CallRecord:
    return CallRecord(
        platform="retell",
        platform_call_id="call_1",
        platform_agent_id="agent_1",
        status="ended",
        started_at=datetime(2026, 3, 2, 15, tzinfo=UTC),
        duration_ms=95_000,
        turns=[Turn(role=role, text=text) for role, text in turns],
        end_reason=end_reason,
        successful=successful,
        analysis=analysis or {},
    )


def test_the_platform_flag_and_a_post_call_field():
    assert is_success({"kind": "successful"}, record(BOOKED, successful=True))
    assert not is_success({"kind": "successful"}, record(BOOKED, successful=None))  # no flag: not a conversion
    booked = {"kind": "field", "field": "booked"}
    assert is_success(booked, record(analysis={"custom_analysis_data": {"booked": True}}))  # Retell
    assert is_success(booked, record(analysis={"structuredData": {"booked": "true"}}))  # Vapi
    assert not is_success(booked, record(analysis={"custom_analysis_data": {"booked": False}}))


@pytest.mark.parametrize(
    ("end_reason", "converted"),
    [("call_transfer", True), ("transfer_bridged", True), ("assistant-forwarded-call", True), ("user_hangup", False)],
)
def test_a_transfer_is_read_from_the_end_reason(end_reason, converted):
    assert is_success({"kind": "transferred"}, record(DECLINED, end_reason=end_reason)) is converted


def test_the_scorers_outcome_decides_without_any_platform_flag():
    rule = {"kind": "scorer", "min": SCORER_SUCCESS_MIN}
    assert is_success(rule, record(BOOKED))  # the agent confirmed the booking, the caller accepted
    assert not is_success(rule, record(DECLINED))
    assert not is_success(rule, record(BOOKED, end_reason="voicemail_reached"))
    assert not is_success({"kind": "scorer", "min": 100}, record(BOOKED))  # the bar is the campaign's
