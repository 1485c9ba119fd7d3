"""The traffic generator: native shapes, determinism, realistic distributions, clean mapping."""

from __future__ import annotations

import random
import re
from collections import Counter
from datetime import UTC, datetime, timedelta
from itertools import pairwise
from statistics import median

import pytest

from voiceconsole.platforms import elevenlabs, retell, vapi
from voiceconsole.platforms.simulator.generator import (
    DEMO_CLIENTS,
    DemoClient,
    call_list_item,
    generate_agents,
    generate_call,
    generate_calls,
)

NOW = datetime(2026, 8, 1, 12, 0, tzinfo=UTC)
PLATFORMS = ("retell", "vapi", "elevenlabs")
MAPPERS = {"retell": retell, "vapi": vapi, "elevenlabs": elevenlabs}
ID_SHAPES = {
    "retell": re.compile(r"[0-9a-f]{32}"),
    "vapi": re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}"),
    "elevenlabs": re.compile(r"agent_[0-9a-z]{28}"),
}
AGENT_ID_KEY = {"retell": "agent_id", "vapi": "id", "elevenlabs": "agent_id"}
E164_US = re.compile(r"\+1555\d{7}")


def _strip(agent: dict) -> dict:
    return {k: v for k, v in agent.items() if not k.startswith("_")}


@pytest.fixture(scope="module", params=PLATFORMS)
def sample(request):
    """(platform, agents, native calls, mapped records) for 3,000 calls over 90 days."""
    platform = request.param
    agents = generate_agents(platform, seed=11, count=8, now=NOW)
    calls = list(generate_calls(platform, agents, seed=5, count=3000, now=NOW))
    return platform, agents, calls, [MAPPERS[platform].map_call(c) for c in calls]


def test_demo_clients():
    assert len(DEMO_CLIENTS) == 4
    assert all(isinstance(c, DemoClient) and c.name and c.industry for c in DEMO_CLIENTS)
    assert len({c.industry for c in DEMO_CLIENTS}) == 4


@pytest.mark.parametrize("platform", PLATFORMS)
def test_agents_native_shape_and_mapping(platform):
    agents = generate_agents(platform, seed=3, count=10, now=NOW)
    assert len(agents) == 10
    clients = {c.name for c in DEMO_CLIENTS}
    for agent in agents:
        assert ID_SHAPES[platform].fullmatch(agent[AGENT_ID_KEY[platform]])
        assert agent["_client"] in clients
        rec = (
            MAPPERS[platform].map_agent(_strip(agent), agent["_llm"])
            if platform == "retell"
            else MAPPERS[platform].map_agent(_strip(agent))
        )
        assert rec.name.startswith(agent["_client"] + " – ")
        assert rec.voice and rec.model and rec.prompt and agent["_client"] in rec.prompt
        assert rec.updated_at is not None and rec.updated_at < NOW
    assert {a["_client"] for a in agents} == clients


def test_retell_agent_carries_prompt_and_llm():
    agent = generate_agents("retell", seed=3, count=1, now=NOW)[0]
    assert agent["_prompt"] == agent["_llm"]["general_prompt"]
    assert agent["response_engine"]["llm_id"] == agent["_llm"]["llm_id"]
    assert isinstance(agent["last_modification_timestamp"], int)


def test_agents_custom_clients_and_determinism():
    clients = [DemoClient("Hartley & Stone Law", "Law firm")]
    first = generate_agents("vapi", seed=9, count=3, clients=clients, now=NOW)
    assert first == generate_agents("vapi", seed=9, count=3, clients=clients, now=NOW)
    assert [a["name"] for a in first] == [
        "Hartley & Stone Law – Front Desk",
        "Hartley & Stone Law – Lead Follow-up",
        "Hartley & Stone Law – After-Hours",
    ]


@pytest.mark.parametrize("platform", PLATFORMS)
def test_calls_are_deterministic_for_a_seed(platform):
    agents = generate_agents(platform, seed=1, count=4, now=NOW)
    first = list(generate_calls(platform, agents, seed=42, count=150, now=NOW))
    assert first == list(generate_calls(platform, agents, seed=42, count=150, now=NOW))
    assert first != list(generate_calls(platform, agents, seed=43, count=150, now=NOW))


def test_every_call_maps_cleanly_and_belongs_to_a_known_agent(sample):
    platform, agents, calls, records = sample
    agent_ids = {a[AGENT_ID_KEY[platform]] for a in agents}
    assert len(records) == len(calls) == 3000
    assert len({r.platform_call_id for r in records}) == 3000
    for rec in records:
        assert rec.platform == platform and rec.platform_agent_id in agent_ids
        if rec.started_at is None:  # Retell sets start_timestamp only once a call starts
            assert platform == "retell" and rec.end_reason in ("dial_no_answer", "dial_busy")
        else:
            assert rec.started_at.tzinfo is not None


def test_timestamps_within_window_and_oldest_first(sample):
    _, _, _, records = sample
    starts = [r.started_at for r in records if r.started_at]
    assert min(starts) >= NOW - timedelta(days=90)
    assert max(starts) <= NOW
    assert starts == sorted(starts)
    assert all(r.ended_at <= NOW for r in records if r.ended_at)


def test_business_hours_and_weekdays_dominate(sample):
    _, _, _, records = sample
    local = [r.started_at - timedelta(hours=5) for r in records if r.status != "in_progress" and r.started_at]
    business = sum(8 <= t.hour < 18 for t in local) / len(local)
    weekday = sum(t.weekday() < 5 for t in local) / len(local)
    assert business > 0.75 and weekday > 0.8


def test_outcome_direction_and_status_mix(sample):
    _, _, _, records = sample
    n = len(records)
    assert 0.52 <= sum(r.successful is True for r in records) / n <= 0.66
    directions = Counter(r.direction for r in records)
    assert 0.64 <= directions["inbound"] / (directions["inbound"] + directions["outbound"]) <= 0.76
    statuses = Counter(r.status for r in records)
    assert 0.01 <= statuses["error"] / n <= 0.05
    assert 1 <= statuses["in_progress"] <= 8
    assert 0 < directions[None] / n < 0.05  # a few website (web) calls


def test_durations_costs_and_recordings(sample):
    platform, _, _, records = sample
    connected = [r for r in records if r.status == "ended" and r.turns]
    durations = [r.duration_ms for r in connected]
    assert min(durations) >= 5000 and max(durations) <= 8 * 60 * 1000
    assert 30_000 <= median(durations) <= 150_000
    priced = [r for r in connected if r.cost_usd is not None]
    assert len(priced) >= 0.8 * len(connected)  # ElevenLabs: a tenth are credits-only
    for r in priced:
        per_minute = float(r.cost_usd) / (r.duration_ms / 60000)
        assert 0.07 <= per_minute <= 0.15, per_minute
    for r in connected:
        assert r.summary or (platform == "vapi" and not r.analysis)  # Vapi skips analysis below 2 messages
        if platform != "elevenlabs":  # ElevenLabs has no recording URL, only an audio endpoint
            assert r.recording_url.startswith("https://storage.example.com/")
    for r in records:
        numbers = [n for n in (r.from_number, r.to_number) if n]
        assert all(E164_US.fullmatch(n) for n in numbers)
        # Phone calls name both ends; Vapi only the customer (its own number needs a phone-number lookup).
        assert len(numbers) == (0 if r.direction is None else 1 if platform == "vapi" else 2)


def test_never_connected_calls_are_empty(sample):
    _, _, _, records = sample
    missed = [
        r
        for r in records
        if r.end_reason
        in ("dial_no_answer", "dial_busy", "customer-did-not-answer", "customer-busy", "Call not answered", "Line busy")
    ]
    assert len(missed) > 30
    for r in missed:
        assert r.status == "ended" and not r.turns and not r.transcript and r.recording_url is None
        assert r.direction == "outbound" and not r.successful


def test_transcripts_are_multi_turn_with_realistic_timing(sample):
    platform, _, _, records = sample
    conversations = [r for r in records if r.status == "ended" and len(r.turns) >= 4]
    assert len(conversations) > len(records) * 0.7
    lengths = [sum(t.role in ("agent", "user") for t in r.turns) for r in conversations]
    assert max(lengths) <= 30 and median(lengths) >= 8
    if platform == "elevenlabs":
        return  # whole seconds only: too coarse for latency checks
    gaps = []
    for r in conversations:
        spoken = [t for t in r.turns if t.role in ("agent", "user")]
        for prev, nxt in pairwise(spoken):
            assert nxt.start >= prev.start and nxt.end > nxt.start
            if prev.role != nxt.role:
                gaps.append(nxt.start - prev.end)
    assert min(gaps) >= -0.6 and max(gaps) <= 2.51
    assert sum(g < 0 for g in gaps) > 0  # some interruptions / overlaps
    assert 0.6 <= median(gaps) <= 1.6


def test_sentiment_matches_outcome(sample):
    _, _, _, records = sample
    labelled = Counter(r.sentiment for r in records)
    assert labelled["Positive"] and labelled["Neutral"] and labelled["Negative"]
    assert not any(r.successful and r.sentiment == "Negative" for r in records)
    assert not any(r.successful is False and r.sentiment == "Positive" for r in records)


def test_retell_native_details():
    agents = generate_agents("retell", seed=2, count=4, now=NOW)
    calls = list(generate_calls("retell", agents, seed=2, count=400, now=NOW))
    ended = [c for c in calls if c["call_status"] == "ended"]
    call = max(ended, key=lambda c: len(c["transcript_object"]))
    assert isinstance(call["start_timestamp"], int)
    assert call["end_timestamp"] - call["start_timestamp"] == call["duration_ms"]
    assert call["call_analysis"]["user_sentiment"] in ("Positive", "Neutral", "Negative", "Unknown")
    words = call["transcript_object"][0]["words"]
    assert set(words[0]) == {"word", "start", "end"} and words[0]["start"] < words[-1]["end"]
    assert call["transcript"].startswith(("Agent: ", "User: ")) and "\nAgent: " in call["transcript"]
    assert any(c["call_status"] == "not_connected" and c["transcript_object"] == [] for c in calls)
    live = [c for c in calls if c["call_status"] == "ongoing"]
    assert live and all("end_timestamp" not in c and "call_analysis" not in c for c in live)
    assert "transcript" not in call_list_item("retell", call)


def test_vapi_native_details():
    agents = generate_agents("vapi", seed=2, count=4, now=NOW)
    calls = list(generate_calls("vapi", agents, seed=2, count=400, now=NOW))
    call = next(c for c in calls if c["status"] == "ended" and c["type"] == "inboundPhoneCall" and c["analysis"])
    assert call["startedAt"].endswith("Z") and call["customer"]["number"].startswith("+1555")
    assert call["artifact"]["transcript"].startswith("AI: ")
    roles = {m["role"] for m in call["artifact"]["messages"]}
    assert roles == {"system", "bot", "user"}
    bot = next(m for m in call["artifact"]["messages"] if m["role"] == "bot")
    assert bot["endTime"] - bot["time"] == bot["duration"]
    assert isinstance(call["analysis"]["successEvaluation"], str)
    assert abs(call["costBreakdown"]["total"] - call["cost"]) < 1e-9


def test_elevenlabs_native_details_and_list_summary():
    agents = generate_agents("elevenlabs", seed=2, count=4, now=NOW)
    calls = list(generate_calls("elevenlabs", agents, seed=2, count=400, now=NOW))
    call = next(c for c in calls if c["status"] == "done" and "phone_call" in c["metadata"] and c["transcript"])
    assert all(isinstance(t["time_in_call_secs"], int) for t in call["transcript"])
    assert isinstance(call["metadata"]["cost"], int) and isinstance(call["metadata"]["cost_fiat"], float)
    assert call["analysis"]["call_successful"] in ("success", "failure", "unknown")
    summary = call_list_item("elevenlabs", call)
    assert summary["start_time_unix_secs"] == call["metadata"]["start_time_unix_secs"]
    assert summary["message_count"] == len(call["transcript"])
    full, short = elevenlabs.map_call(call), elevenlabs.map_call(summary)
    assert (short.started_at, short.duration_ms, short.successful, short.direction, short.cost_usd) == (
        full.started_at,
        full.duration_ms,
        full.successful,
        full.direction,
        full.cost_usd,
    )
    assert short.sentiment == full.sentiment


@pytest.mark.parametrize("platform", PLATFORMS)
def test_generate_call_single(platform):
    agent = _strip(generate_agents(platform, seed=4, count=2, clients=DEMO_CLIENTS[:1], now=NOW)[1])  # no "_" keys
    started = NOW - timedelta(minutes=10)
    first = generate_call(platform, agent, rng=random.Random(7), started_at=started)
    assert first == generate_call(platform, agent, rng=random.Random(7), started_at=started)
    rec = MAPPERS[platform].map_call(first)
    assert rec.started_at == started and rec.status in ("ended", "error")
    assert rec.platform_agent_id == agent[AGENT_ID_KEY[platform]]
    assert rec.direction in ("outbound", None)  # a Lead Follow-up agent only places calls


def test_unknown_platform_and_no_agents_raise():
    with pytest.raises(ValueError):
        generate_agents("bland", seed=1, count=1)
    with pytest.raises(ValueError):
        next(generate_calls("retell", [], seed=1, count=1))
