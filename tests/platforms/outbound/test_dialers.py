"""Our dialers against the simulator: a dial arrives (get-call, list-calls, webhook) with our metadata and maps to
an outcome; a 5xx dial is sent once and reconciled by metadata; refused numbers, keys and a platform that is down."""

from __future__ import annotations

import pytest

from tests.platforms.outbound.support import (
    connector,
    control,
    deliveries,
    dialer,
    dials,
    request,
    requests_to,
    script,
    settle,
)
from voiceconsole.platforms.connector import PlatformAuthError, PlatformUnavailable
from voiceconsole.platforms.outbound import OutboundUnsupported, PlatformRejected, VoicemailBehaviour, dialer_for
from voiceconsole.platforms.simulator.signing import VapiHmac

PLATFORMS = ["retell", "vapi"]
DIAL_PATH = {"retell": "/v2/create-phone-call", "vapi": "/call"}
FIRST_STATUS = {"retell": "registered", "vapi": "queued"}


@pytest.mark.parametrize("platform", PLATFORMS)
@pytest.mark.parametrize("outcome", ["answered", "voicemail", "no_answer", "busy", "failed"])
def test_dial_arrives_with_metadata_and_maps_to_outcome(sim, platform, outcome):
    number = "+14155550140"
    script(sim, number, outcome)
    calls = dialer(sim, platform)
    result = calls.dial(request(sim, platform, number, attempt="att-9"))
    assert result.status == FIRST_STATUS[platform]
    assert calls.outcome(result.raw).kind is None  # not over yet

    settle(sim)
    record = connector(sim, platform).get_call(result.platform_call_id)
    assert calls.attempt_id(record) == "att-9"
    assert calls.outcome(record).kind == outcome
    assert calls.outcome(record.raw or {}).kind == outcome
    assert calls.find_call_by_metadata("att-9", platform_agent_id=record.platform_agent_id, to_number=number) == (
        result.platform_call_id
    )
    assert calls.find_call_by_metadata("att-other", platform_agent_id=record.platform_agent_id) is None


@pytest.mark.parametrize("platform", PLATFORMS)
def test_calls_move_through_their_statuses(sim, platform):
    script(sim, "+14155550141", "answered")
    calls = dialer(sim, platform)
    result = calls.dial(request(sim, platform, "+14155550141"))
    state = sim.state
    seen = []
    for _ in range(400):  # up to 400 simulated seconds, 1 s at a time
        state.advance_clock(1000)
        raw = state.data(platform).calls.get(result.platform_call_id)
        status = raw.get("call_status") or raw.get("status")
        if not seen or seen[-1] != status:
            seen.append(status)
        if status == "ended":
            break
    expected = {"retell": ["registered", "ongoing", "ended"], "vapi": ["queued", "ringing", "in-progress", "ended"]}
    assert seen == expected[platform][len(expected[platform]) - len(seen) :]
    assert seen[-1] == "ended" and len(seen) >= 3


@pytest.mark.parametrize("platform", PLATFORMS)
def test_a_5xx_dial_is_sent_once_and_reconciled_by_metadata(sim, platform):
    # The platform places the call, then answers 500: the transport must not send the dial again.
    control(sim, "POST", "/dial-faults", platform=platform, status=500, placed=True)
    calls = dialer(sim, platform)
    dial = request(sim, platform, "+14155550150", attempt="att-lost")
    with pytest.raises(PlatformUnavailable):
        calls.dial(dial)
    assert len(requests_to(sim, platform, "POST", DIAL_PATH[platform])) == 1
    placed = dials(sim, platform)
    assert len(placed) == 1 and placed[0]["status"] == 500 and placed[0]["call_id"]

    found = calls.find_call_by_metadata("att-lost", platform_agent_id=dial.platform_agent_id, to_number=dial.to_number)
    assert found == placed[0]["call_id"]


@pytest.mark.parametrize("platform", PLATFORMS)
def test_platform_down_for_dials(sim, platform):
    control(sim, "POST", "/dial-faults", platform=platform, status=503, down=True)
    calls = dialer(sim, platform)
    for attempt in ("a", "b"):
        with pytest.raises(PlatformUnavailable):
            calls.dial(request(sim, platform, "+14155550151", attempt=attempt))
    assert len(requests_to(sim, platform, "POST", DIAL_PATH[platform])) == 2  # one each, never retried
    assert [d["call_id"] for d in dials(sim, platform)] == [None, None]
    assert calls.find_call_by_metadata("a", to_number="+14155550151") is None

    control(sim, "DELETE", "/dial-faults")
    assert calls.dial(request(sim, platform, "+14155550151", attempt="c")).platform_call_id


def test_reads_are_still_retried(sim):
    # The opt-out is per request: the connector's other requests keep the transport's retries.
    sim.state.fail_next("vapi", 1, 503, path_prefix="/call")
    assert dialer(sim, "vapi").find_call_by_metadata("nothing") is None
    assert [r.status for r in requests_to(sim, "vapi", "GET", "/call")] == [503, 200]


@pytest.mark.parametrize(
    ("platform", "which", "field"),
    [
        ("retell", "to", "to_number"),
        ("retell", "from", "from_number"),
        ("vapi", "to", "to_number"),
        ("vapi", "from", "from_number"),
    ],
)
def test_number_rejected_names_the_field(sim, platform, which, field):
    dial = request(sim, platform, "+14155550160")
    number = dial.to_number if which == "to" else dial.from_number
    control(sim, "POST", "/rejected-numbers", platform=platform, number=number)
    with pytest.raises(PlatformRejected) as caught:
        dialer(sim, platform).dial(dial)
    assert caught.value.field == field and caught.value.status_code == 400
    assert number in caught.value.message
    assert dials(sim, platform)[0]["call_id"] is None


@pytest.mark.parametrize("platform", PLATFORMS)
def test_invalid_number_and_unknown_agent_are_rejected(sim, platform):
    calls = dialer(sim, platform)
    with pytest.raises(PlatformRejected) as caught:
        calls.dial(request(sim, platform, "4155550160"))
    assert caught.value.field == "to_number"
    dial = request(sim, platform, "+14155550161")
    bogus = type(dial)(**{**{f: getattr(dial, f) for f in dial.__dataclass_fields__}, "platform_agent_id": "nope"})
    with pytest.raises(PlatformRejected) as caught:
        calls.dial(bogus)
    assert caught.value.field in ("platform_agent_id", "from_number")


@pytest.mark.parametrize("platform", PLATFORMS)
def test_refused_key(sim, platform):
    sim.state.invalidate_key(platform)
    with pytest.raises(PlatformAuthError):
        dialer(sim, platform).dial(request(sim, platform, "+14155550170"))


def test_dial_bodies_carry_the_voicemail_behaviour(sim):
    retell_body = dialer(sim, "retell").body(  # type: ignore[attr-defined]
        request(sim, "retell", "+14155550171", voicemail=VoicemailBehaviour("leave_message", "Call us back"))
    )
    assert retell_body["agent_override"] == {
        "agent": {"voicemail_option": {"action": {"type": "static_text", "text": "Call us back"}}}
    }
    assert retell_body["idempotency_key"] == "att-1"
    vapi_body = dialer(sim, "vapi").body(  # type: ignore[attr-defined]
        request(sim, "vapi", "+14155550171", voicemail=VoicemailBehaviour("leave_message", "Call us back"))
    )
    assert vapi_body["assistantOverrides"]["voicemailMessage"] == "Call us back"
    assert vapi_body["assistantOverrides"]["metadata"] == {"lead_id": "lead-1", "attempt_id": "att-1"}


def test_retell_hang_up_on_voicemail(sim):
    script(sim, "+14155550172", "voicemail")
    calls = dialer(sim, "retell")
    result = calls.dial(request(sim, "retell", "+14155550172", voicemail=VoicemailBehaviour("hang_up")))
    settle(sim)
    raw = sim.state.data("retell").calls.get(result.platform_call_id)
    assert raw["disconnection_reason"] == "voicemail_reached" and raw["duration_ms"] <= 6000


def test_webhooks_reach_the_agent_with_our_metadata(sim, receiver):
    url, received = receiver
    agent = next(iter(sim.state.data("retell").agents.values()))
    agent["webhook_url"] = url  # the agent's own webhook URL
    script(sim, "+14155550180", "answered")
    calls, retell = dialer(sim, "retell"), connector(sim, "retell")
    result = calls.dial(request(sim, "retell", "+14155550180", attempt="att-hook"))
    settle(sim)
    sent = deliveries(sim, 3)
    assert [d["event"] for d in sent] == ["call_started", "call_ended", "call_analyzed"]
    assert all(d["status"] == 204 for d in sent)
    headers, body = received[-1]
    retell.verify_webhook(headers, body, sim.key("retell"))
    record = retell.parse_webhook(body)
    assert record is not None and record.platform_call_id == result.platform_call_id
    assert calls.attempt_id(record) == "att-hook" and calls.outcome(record).kind == "answered"


def test_vapi_webhook_signed_with_the_assistant_secret(sim, receiver):
    url, received = receiver
    assistant = next(iter(sim.state.data("vapi").agents.values()))
    assistant["server"] = {"url": url, "secret": "hook-secret"}
    assistant["serverMessages"] = ["end-of-call-report"]  # no status-update messages
    script(sim, "+14155550181", "no_answer")
    calls, vapi = dialer(sim, "vapi"), connector(sim, "vapi")
    calls.dial(request(sim, "vapi", "+14155550181", attempt="att-v"))
    settle(sim)
    sent = deliveries(sim, 1)
    assert [d["event"] for d in sent] == ["end-of-call-report"]
    headers, body = received[-1]
    assert VapiHmac().headers("hook-secret", body, int(headers["x-timestamp"])) == {
        k: v for k, v in headers.items() if k in ("x-vapi-signature", "x-timestamp")
    }
    vapi.verify_webhook(headers, body, "hook-secret")
    record = vapi.parse_webhook(body)
    assert record is not None and calls.attempt_id(record) == "att-v"
    assert calls.outcome(record).kind == "no_answer"


def test_outcomes_follow_the_agent_and_the_seed(sim):
    # Without a script, outcomes are drawn from the seed: about 60 % answered, 20 % voicemail.
    calls = dialer(sim, "retell")
    for i in range(200):
        calls.dial(request(sim, "retell", f"+1415555{i:04d}", attempt=f"a{i}"))
    kinds = [d["outcome"] for d in dials(sim)]
    assert 0.5 < kinds.count("answered") / 200 < 0.7
    assert 0.12 < kinds.count("voicemail") / 200 < 0.28
    sim.state.reset()
    for i in range(200):
        calls.dial(request(sim, "retell", f"+1415555{i:04d}", attempt=f"a{i}"))
    assert [d["outcome"] for d in dials(sim)] == kinds  # the same seed, the same outcomes


def test_elevenlabs_is_unsupported(sim):
    calls = dialer_for(connector(sim, "elevenlabs"))
    with pytest.raises(OutboundUnsupported, match="Retell or Vapi"):
        calls.dial(request(sim, "retell", "+14155550190"))
