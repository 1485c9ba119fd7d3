"""What the platforms measured, on the call detail and list: the platform's latency beside the transcript
estimate (and which one the headline shows), cost breakdowns and credits, other recordings, and calls
dated by when they were first seen."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from tests.support.http import bearer

RETELL_LATENCY = {
    "e2e": {"p50": 1180.0, "p90": 1725.5, "p95": 1900.0, "p99": 2400.0, "min": 820.0, "max": 2600.0, "num": 9},
    "llm": {"p50": 610.0, "p90": 900.0, "num": 9},
    "tts": {"p50": 240.0, "p90": 310.0, "num": 9},
}


def _detail(api_client, key, call):
    r = api_client.get(f"/api/v1/calls/{call.public_id}", headers=bearer(key))
    assert r.status_code == 200, r.text
    return r.json()["data"]


def test_platform_latency_is_the_headline_and_the_estimate_stays_beside_it(api_client, factory):
    org = factory.org()
    key = factory.api_key(org)
    call = factory.call(
        org, factory.agent(org), latency_p50_ms=950, latency_p90_ms=1400, platform_latency=RETELL_LATENCY
    )
    metrics = _detail(api_client, key, call)["voiceMetrics"]
    assert metrics["latencySource"] == "platform" and metrics["latencyStage"] == "e2e"
    assert (metrics["latencyP50Ms"], metrics["latencyP90Ms"]) == (1180, 1726)  # rounded to whole ms
    assert (metrics["estimatedLatencyP50Ms"], metrics["estimatedLatencyP90Ms"]) == (950, 1400)
    assert set(metrics["platformLatency"]) == {"e2e", "llm", "tts"}
    assert metrics["platformLatency"]["e2e"] == {**RETELL_LATENCY["e2e"], "avg": None}
    assert metrics["platformLatency"]["llm"]["p95"] is None


def test_vapi_averages_stand_in_for_the_median(api_client, factory):
    org = factory.org()
    key = factory.api_key(org)
    latency = {"turn": {"avg": 1432.4, "num": 6}, "model": {"avg": 700.0}, "voice": {"avg": 310.0}}
    call = factory.call(org, factory.agent(org, platform="vapi"), latency_p50_ms=1200, platform_latency=latency)
    metrics = _detail(api_client, key, call)["voiceMetrics"]
    assert (metrics["latencySource"], metrics["latencyStage"]) == ("platform", "turn")
    assert (metrics["latencyP50Ms"], metrics["latencyP90Ms"]) == (1432, None)
    assert metrics["estimatedLatencyP50Ms"] == 1200


def test_without_a_platform_measurement_the_estimate_is_shown_and_says_so(api_client, factory):
    org = factory.org()
    key = factory.api_key(org)
    estimated = factory.call(org, factory.agent(org), latency_p50_ms=900, latency_p90_ms=1300)
    metrics = _detail(api_client, key, estimated)["voiceMetrics"]
    assert (metrics["latencySource"], metrics["latencyStage"], metrics["platformLatency"]) == ("transcript", None, {})
    assert (metrics["latencyP50Ms"], metrics["latencyP90Ms"]) == (900, 1300)
    # Stages the platform measured that are not the caller's whole wait do not become the headline.
    partial = factory.call(
        org, factory.agent(org), latency_p50_ms=900, platform_latency={"llm": {"p50": 500.0, "p90": 800.0}}
    )
    metrics = _detail(api_client, key, partial)["voiceMetrics"]
    assert (metrics["latencySource"], metrics["latencyP50Ms"]) == ("transcript", 900)
    assert metrics["platformLatency"]["llm"]["p50"] == 500.0
    silent = factory.call(org, factory.agent(org), transcript=None, transcript_turns=[])
    assert _detail(api_client, key, silent)["voiceMetrics"]["latencySource"] is None


def test_cost_breakdown_credits_and_recordings_on_the_detail(api_client, factory):
    org = factory.org()
    key = factory.api_key(org)
    breakdown = [
        {"name": "elevenlabs_tts", "usd": 0.07, "credits": None, "quantity": 95.0, "unit": "seconds"},
        {"name": "gpt_4o", "usd": 0.0425, "credits": None, "quantity": None, "unit": None},
    ]
    call = factory.call(
        org,
        factory.agent(org),
        cost_usd=Decimal("0.1125"),
        cost_breakdown=breakdown,
        recording_url="https://recordings.example/r.wav",
        recording_urls={"multichannel": "https://recordings.example/r-multi.wav"},
    )
    data = _detail(api_client, key, call)
    assert data["cost"] == 0.1125 and data["costCredits"] is None and data["costFromCredits"] is False
    assert data["costBreakdown"] == breakdown
    assert data["recordingUrl"] == "https://recordings.example/r.wav"
    assert data["recordings"] == {"multichannel": "https://recordings.example/r-multi.wav"}

    credits_only = factory.call(
        org, factory.agent(org, platform="elevenlabs"), cost_usd=None, cost_credits=1250, cost_breakdown=[]
    )
    data = _detail(api_client, key, credits_only)
    assert (data["cost"], data["costCredits"], data["costFromCredits"]) == (None, 1250, False)


def test_a_call_dated_by_first_sight_says_so_and_sorts_and_filters_with_the_rest(api_client, factory):
    org = factory.org()
    key = factory.api_key(org)
    agent = factory.agent(org)
    now = datetime.now(UTC).replace(microsecond=0)
    older = factory.call(org, agent, started_at=now - timedelta(hours=3))
    unanswered = factory.call(
        org, agent, started_at=now - timedelta(hours=1), started_at_source="first_seen", duration_ms=None
    )
    r = api_client.get(
        "/api/v1/calls",
        params={"dateFrom": (now - timedelta(hours=2)).isoformat(), "sortBy": "startedAt"},
        headers=bearer(key),
    )
    assert r.status_code == 200, r.text
    rows = r.json()["data"]
    assert [c["id"] for c in rows] == [unanswered.public_id]  # inside the date filter, by its first sight
    assert rows[0]["startedAtSource"] == "first_seen"
    every = api_client.get("/api/v1/calls", headers=bearer(key)).json()["data"]
    assert [c["id"] for c in every] == [unanswered.public_id, older.public_id]
    assert every[1]["startedAtSource"] == "platform"
    assert _detail(api_client, key, unanswered)["startedAtSource"] == "first_seen"
