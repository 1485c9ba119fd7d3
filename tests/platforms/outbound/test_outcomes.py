"""The end-reason tables: every end reason the official SDKs document maps to one of our outcomes."""

from __future__ import annotations

import typing

import pytest
from retell.types.phone_call_response import PhoneCallResponse
from vapi.types.call_ended_reason import CallEndedReason

from voiceconsole.platforms.connector import RetryPolicy
from voiceconsole.platforms.outbound import OUTCOME_KINDS
from voiceconsole.platforms.outbound.retell import REASONS as RETELL_REASONS
from voiceconsole.platforms.outbound.retell import RetellDialer
from voiceconsole.platforms.outbound.vapi import REASONS as VAPI_REASONS
from voiceconsole.platforms.outbound.vapi import VapiDialer, kind_of
from voiceconsole.platforms.registry import make_connector

QUICK = RetryPolicy(retries=0)


def _literals(annotation: typing.Any) -> set[str]:
    found: set[str] = set()
    for arg in typing.get_args(annotation) or ():
        found |= _literals(arg) if typing.get_args(arg) else ({arg} if isinstance(arg, str) else set())
    return found


RETELL_SDK = _literals(PhoneCallResponse.model_fields["disconnection_reason"].annotation)
VAPI_SDK = _literals(CallEndedReason)


def retell() -> RetellDialer:
    return RetellDialer(make_connector("retell", "k", "http://unused", retry=QUICK))


def vapi() -> VapiDialer:
    return VapiDialer(make_connector("vapi", "k", "http://unused", retry=QUICK))


def test_every_retell_reason_of_the_sdk_is_in_the_table():
    assert len(RETELL_SDK) > 30
    assert sorted(RETELL_SDK - set(RETELL_REASONS)) == []
    assert set(RETELL_REASONS.values()) == set(OUTCOME_KINDS)


@pytest.mark.parametrize(
    ("reason", "kind"),
    [
        ("user_hangup", "answered"),
        ("agent_hangup", "answered"),
        ("call_transfer", "answered"),
        ("max_duration_reached", "answered"),
        ("user_requested_dnc", "answered"),
        ("voicemail_reached", "voicemail"),
        ("ivr_reached", "no_answer"),
        ("dial_no_answer", "no_answer"),
        ("dial_busy", "busy"),
        ("user_declined", "busy"),
        ("dial_failed", "failed"),
        ("invalid_destination", "failed"),
        ("telephony_provider_unavailable", "failed"),
        ("concurrency_limit_reached", "failed"),
        ("error_llm_websocket_open", "failed"),
        ("registered_call_timeout", "failed"),
    ],
)
def test_retell_table(reason, kind):
    call = {"call_id": "c", "call_status": "ended", "disconnection_reason": reason, "start_timestamp": 1}
    assert retell().outcome(call).kind == kind
    assert retell().outcome(call).reason == reason


def test_retell_special_cases():
    dialer = retell()
    # Voicemail flagged by the analysis wins over how the call was hung up.
    flagged = {"call_status": "ended", "disconnection_reason": "agent_hangup", "call_analysis": {"in_voicemail": True}}
    assert dialer.outcome(flagged).kind == "voicemail"
    assert dialer.outcome({"call_status": "registered"}).kind is None
    assert dialer.outcome({"call_status": "ongoing"}).kind is None
    assert dialer.outcome(
        {"call_status": "ended", "disconnection_reason": "new_reason", "start_timestamp": 5}
    ).kind == ("answered")
    assert dialer.outcome({"call_status": "not_connected", "disconnection_reason": "new_reason"}).kind == "failed"


def test_every_vapi_reason_of_the_sdk_maps():
    assert len(VAPI_SDK) > 500
    assert sorted(set(VAPI_REASONS) - VAPI_SDK) == []  # the table names only real values
    for reason in VAPI_SDK:
        assert kind_of(reason, started=False) in OUTCOME_KINDS
    not_failed = {r for r in VAPI_SDK if kind_of(r, started=False) != "failed"}
    assert not_failed == {r for r, k in VAPI_REASONS.items() if k != "failed"}  # errors never pass for answers


@pytest.mark.parametrize(
    ("reason", "kind"),
    [
        ("customer-ended-call", "answered"),
        ("assistant-ended-call", "answered"),
        ("assistant-said-end-call-phrase", "answered"),
        ("assistant-forwarded-call", "answered"),
        ("exceeded-max-duration", "answered"),
        ("silence-timed-out", "answered"),
        ("voicemail", "voicemail"),
        ("customer-did-not-answer", "no_answer"),
        ("customer-busy", "busy"),
        ("twilio-failed-to-connect-call", "failed"),
        ("twilio-reported-customer-misdialed", "failed"),
        ("vonage-rejected", "failed"),
        ("manually-canceled", "failed"),
        ("call.start.error-subscription-concurrency-limit-reached", "failed"),
        ("pipeline-error-openai-llm-failed", "failed"),
        ("call.in-progress.error-vapifault-openai-llm-failed", "failed"),
    ],
)
def test_vapi_table(reason, kind):
    call = {"id": "c", "status": "ended", "endedReason": reason, "startedAt": "2026-08-01T12:00:00Z"}
    assert vapi().outcome(call).kind == kind
    assert vapi().outcome(call).reason == reason


def test_vapi_special_cases():
    dialer = vapi()
    assert dialer.outcome({"status": "queued"}).kind is None
    assert dialer.outcome({"status": "in-progress"}).kind is None
    assert dialer.outcome({"status": "ended", "endedReason": "brand-new", "startedAt": "x"}).kind == "answered"
    assert dialer.outcome({"status": "ended", "endedReason": "brand-new"}).kind == "failed"
