"""`voiceconsole calls remap`: calls re-derived from their stored raw payloads with today's mapper, in
batches, idempotently, with rescoring where the inputs changed, and no request to the platform."""

from __future__ import annotations

import os
import subprocess
import sys
import zlib
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from sqlmodel import col, select

from voiceconsole.enqueue import get_queue
from voiceconsole.models import Call, CallPayload
from voiceconsole.platforms.registry import connector_class
from voiceconsole.services.intake.remap import remap_calls
from voiceconsole.services.intake.store import read_payload, upsert_calls

VOICECONSOLE = Path(sys.executable).with_name("voiceconsole")
# Far ahead of every other test's calls, so `since` picks this module's calls only.
EPOCH = datetime(2031, 3, 1, 9, 0, tzinfo=UTC)


def _retell_call(call_id: str, agent_id: str, *, start: datetime) -> dict:
    """A call object as Retell's get-call answers it (field names from retell-sdk's CallResponse)."""
    start_ms = int(start.timestamp() * 1000)
    return {
        "call_id": call_id,
        "call_type": "phone_call",
        "agent_id": agent_id,
        "call_status": "ended",
        "direction": "inbound",
        "from_number": "+14155550111",
        "to_number": "+14155550122",
        "start_timestamp": start_ms,
        "end_timestamp": start_ms + 62_000,
        "duration_ms": 62_000,
        "disconnection_reason": "user_hangup",
        "recording_url": f"https://recordings.example/{call_id}.wav",
        "transcript": "Agent: Thanks for calling, how can I help?\nUser: I need to move my booking to Friday.\n",
        "transcript_object": [
            {
                "role": "agent",
                "content": "Thanks for calling, how can I help?",
                "words": [{"word": "Thanks", "start": 0.4, "end": 0.8}, {"word": "help?", "start": 2.0, "end": 2.4}],
            },
            {
                "role": "user",
                "content": "I need to move my booking to Friday.",
                "words": [{"word": "I", "start": 3.1, "end": 3.2}, {"word": "Friday.", "start": 5.0, "end": 5.6}],
            },
        ],
        "call_analysis": {
            "call_summary": "Booking moved to Friday.",
            "user_sentiment": "Positive",
            "call_successful": True,
        },
        "call_cost": {
            "product_costs": [{"product": "elevenlabs_tts", "unit_price": 0.07, "cost": 7.2}],
            "total_duration_seconds": 62,
            "total_duration_unit_price": 0.116,
            "combined_cost": 7.2,
        },
        "latency": {"e2e": {"p50": 1100, "p90": 1600, "p95": 1700, "p99": 1800, "min": 900, "max": 1900, "num": 2}},
    }


def _store(factory, org, payloads: list[dict]) -> list[Call]:
    records = [connector_class("retell").remap("call", raw) for raw in payloads]
    upsert_calls(factory.s, org=org, records=records)
    factory.s.commit()
    ids = [raw["call_id"] for raw in payloads]
    calls = factory.s.exec(select(Call).where(Call.organization_id == org.id, col(Call.platform_call_id).in_(ids)))
    return sorted(calls, key=lambda c: ids.index(c.platform_call_id))  # in the order given


def _as_an_older_mapper_left_it(factory, call: Call) -> None:
    """What a mapper that did not yet read cost, summary and latency stored."""
    call.cost_usd, call.summary, call.platform_latency, call.cost_breakdown = None, None, {}, []
    factory.s.add(call)
    factory.s.commit()


def _scoring_jobs() -> list[list[int]]:
    return [job.args[0] for job in get_queue("scoring").get_jobs()]


def test_the_raw_payload_is_kept_compressed_and_reads_back(factory):
    org = factory.org()
    agent = factory.agent(org)
    raw = _retell_call("call_remap_keep", agent.platform_agent_id, start=EPOCH)
    (call,) = _store(factory, org, [raw])
    stored = factory.s.get(CallPayload, call.id)
    assert stored is not None and stored.source == "call"
    assert read_payload(stored) == raw
    assert stored.size > len(stored.payload)  # compressed
    assert zlib.decompress(stored.payload)  # plain zlib, readable without VoiceConsole


def test_remap_restores_what_an_older_mapper_dropped_rescoring_only_the_changed(factory):
    org = factory.org()
    agent = factory.agent(org)
    start = EPOCH + timedelta(days=1)
    dropped, untouched = _store(
        factory,
        org,
        [
            _retell_call("call_remap_dropped", agent.platform_agent_id, start=start),
            _retell_call("call_remap_untouched", agent.platform_agent_id, start=start + timedelta(minutes=5)),
        ],
    )
    _as_an_older_mapper_left_it(factory, dropped)
    get_queue("scoring").empty()

    outcome = remap_calls(platform="retell", since=start, batch=1)  # one call per batch: batches join up

    assert (outcome.seen, outcome.changed, outcome.failed, outcome.rescoring) == (2, 1, 0, 1)
    factory.s.expire_all()
    restored = factory.s.get_one(Call, dropped.id)
    assert restored.cost_usd == Decimal("0.072")
    assert restored.summary == "Booking moved to Friday."
    assert restored.platform_latency["e2e"]["p50"] == 1100
    assert [item["name"] for item in restored.cost_breakdown] == ["elevenlabs_tts"]
    assert _scoring_jobs() == [[dropped.id]]  # the untouched call is not rescored
    assert factory.s.get_one(Call, untouched.id).summary == "Booking moved to Friday."

    get_queue("scoring").empty()
    again = remap_calls(platform="retell", since=start)
    assert (again.seen, again.changed, again.rescoring) == (2, 0, 0)  # idempotent
    assert _scoring_jobs() == []


def test_filters_by_platform_and_start(factory):
    org = factory.org()
    agent = factory.agent(org)
    start = EPOCH + timedelta(days=3)
    early, late = _store(
        factory,
        org,
        [
            _retell_call("call_remap_early", agent.platform_agent_id, start=start),
            _retell_call("call_remap_late", agent.platform_agent_id, start=start + timedelta(days=1)),
        ],
    )
    for call in (early, late):
        _as_an_older_mapper_left_it(factory, call)
    assert remap_calls(platform="vapi", since=start).seen == 0
    outcome = remap_calls(platform="retell", since=start + timedelta(hours=12))
    assert (outcome.seen, outcome.changed) == (1, 1)
    factory.s.expire_all()
    assert factory.s.get_one(Call, early.id).summary is None  # before `since`: left alone
    assert factory.s.get_one(Call, late.id).summary == "Booking moved to Friday."


def test_a_payload_the_mapper_refuses_is_counted_and_the_call_kept(factory):
    org = factory.org()
    agent = factory.agent(org)
    start = EPOCH + timedelta(days=6)
    _, bad = _store(
        factory,
        org,
        [
            _retell_call("call_remap_good", agent.platform_agent_id, start=start),
            _retell_call("call_remap_bad", agent.platform_agent_id, start=start + timedelta(minutes=1)),
        ],
    )
    payload = factory.s.get_one(CallPayload, bad.id)
    payload.source = "something_retell_never_sent"
    factory.s.add(payload)
    factory.s.commit()
    outcome = remap_calls(platform="retell", since=start)
    assert (outcome.seen, outcome.failed, outcome.failures) == (2, 1, [bad.public_id])
    factory.s.expire_all()
    assert factory.s.get_one(Call, bad.id).summary == "Booking moved to Friday."


def test_unknown_platform_is_refused():
    with pytest.raises(ValueError, match="unknown platform"):
        remap_calls(platform="bland")


def _cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(VOICECONSOLE), "calls", "remap", *args], env=dict(os.environ), capture_output=True, text=True, timeout=120
    )


def test_the_command_reports_and_exits_by_outcome(factory):
    org = factory.org()
    agent = factory.agent(org)
    start = EPOCH + timedelta(days=9)
    (call,) = _store(factory, org, [_retell_call("call_remap_cli", agent.platform_agent_id, start=start)])
    _as_an_older_mapper_left_it(factory, call)

    done = _cli("--platform", "retell", "--since", start.strftime("%Y-%m-%dT%H:%MZ"))
    assert done.returncode == 0, done.stderr
    assert "Remapped 1 calls: 1 changed, 1 queued for scoring, 0 failed" in done.stdout
    factory.s.expire_all()
    assert factory.s.get_one(Call, call.id).summary == "Booking moved to Friday."
    assert "0 changed" in _cli("--platform", "retell", "--since", start.date().isoformat()).stdout

    for bad, message in ((("--platform", "bland"), "Unknown platform"), (("--since", "last tuesday"), "--since")):
        refused = _cli(*bad)
        assert refused.returncode == 2 and message in refused.stderr
