"""The payload variants real platforms produce now and then: each is generated for a share of the calls,
can be asked for by name, and stays deterministic."""

from __future__ import annotations

import functools
import random
from datetime import timedelta
from itertools import pairwise
from statistics import mean

import pytest

from tests.support.simulator import NOW
from voiceconsole.platforms.simulator.generator import (
    CALL_VARIANTS,
    generate_agents,
    generate_call,
    generate_calls,
)

STAT_KEYS = {"p50", "p90", "p95", "p99", "min", "max", "num", "values"}
PLATFORMS = ("retell", "vapi", "elevenlabs")


@functools.cache
def history(platform: str) -> tuple[list[dict], list[dict]]:
    """(agents, calls): 2,000 calls over 90 days, made once per platform (read-only)."""
    agents = generate_agents(platform, seed=11, count=8, now=NOW)
    return agents, list(generate_calls(platform, agents, seed=5, count=2000, now=NOW))


def agent_turns(call: dict) -> int:
    """Agent responses: agent turns that follow a caller turn (what the platforms time)."""
    roles = [t["role"] for t in call["transcript_object"]]
    return sum(1 for a, b in pairwise(roles) if a == "user" and b == "agent")


# --- Retell ---------------------------------------------------------------------------------------------


def test_retell_latency_has_every_stage_the_agent_uses():
    agents, calls = history("retell")
    kb_agents = {a["agent_id"] for a in agents if a["_llm"].get("knowledge_base_ids")}
    assert 0 < len(kb_agents) < len(agents)
    timed = [c for c in calls if c.get("latency")]
    assert len(timed) > len(calls) * 0.7
    for call in timed:
        latency = call["latency"]
        kb = call["agent_id"] in kb_agents
        assert set(latency) == {"e2e", "asr", "llm", "tts"} | ({"knowledge_base"} if kb else set())
        assert ("knowledge_base_retrieved_contents_url" in call) is kb
        for stats in latency.values():
            assert set(stats) == STAT_KEYS
            values = stats["values"]
            assert values == sorted(values) and stats["num"] == len(values) == latency["e2e"]["num"]
            assert stats["min"] == values[0] <= stats["p50"] <= stats["p90"] <= stats["p95"] <= stats["p99"]
            assert stats["p99"] <= stats["max"] == values[-1]
        # The stages add up to what the caller waited, less a little transport time.
        parts = sum(sum(latency[s]["values"]) for s in latency if s != "e2e")
        assert 0.93 <= parts / sum(latency["e2e"]["values"]) <= 0.99
    assert all(call["latency"]["e2e"]["num"] == agent_turns(call) for call in timed)


@pytest.mark.parametrize(
    ("engine", "stages"),
    [
        ("custom-llm", {"e2e", "asr", "llm", "tts", "llm_websocket_network_rtt"}),
        ("s2s", {"e2e", "asr", "s2s"}),
    ],
)
def test_retell_latency_for_custom_llm_and_speech_to_speech_agents(engine, stages):
    agent = generate_agents("retell", seed=2, count=1, now=NOW)[0]
    if engine == "custom-llm":
        agent["response_engine"] = {"type": "custom-llm", "llm_websocket_url": "wss://llm.example.com"}
    else:
        agent["_llm"] = {**agent["_llm"], "s2s_model": "gpt-4o-realtime", "knowledge_base_ids": None}
    for seed in range(20):
        call = generate_call("retell", agent, rng=random.Random(seed), started_at=NOW - timedelta(hours=1))
        if call.get("latency"):
            assert set(call["latency"]) - {"knowledge_base"} == stages
            return
    pytest.fail("no call with latency")


def test_retell_product_costs_add_up():
    agents, calls = history("retell")
    models = {a["agent_id"]: a["_llm"]["model"].replace("-", "_").replace(".", "_") for a in agents}
    kb_agents = {a["agent_id"] for a in agents if a["_llm"].get("knowledge_base_ids")}
    priced = [c for c in calls if c.get("call_cost") and c["call_cost"]["combined_cost"]]
    assert priced
    for call in priced:
        cost = call["call_cost"]
        products = {p["product"]: p for p in cost["product_costs"]}
        assert "retell_platform" in products and models[call["agent_id"]] in products
        assert abs(sum(p["cost"] for p in products.values()) - cost["combined_cost"]) < 1e-6
        assert abs(sum(p["unit_price"] for p in products.values()) - cost["total_duration_unit_price"]) < 1e-4
        assert ("knowledge_base" in products) == (call["agent_id"] in kb_agents)


def test_retell_calls_that_never_connected_have_no_start():
    _, calls = history("retell")
    missed = [c for c in calls if c.get("call_status") == "not_connected"]
    assert len(missed) > 40
    for call in missed:
        assert "start_timestamp" not in call and isinstance(call["end_timestamp"], int)
        assert call["duration_ms"] == 0 and "latency" not in call and call["call_cost"]["product_costs"] == []
    assert all("start_timestamp" in c for c in calls if c.get("call_status") != "not_connected")
    web = [c for c in calls if c["call_type"] == "web_call"]
    assert web and all(c["access_token"].count(".") == 2 for c in web)


# --- Vapi -----------------------------------------------------------------------------------------------


def test_vapi_performance_metrics():
    _, calls = history("vapi")
    measured = [c for c in calls if c.get("artifact", {}).get("performanceMetrics")]
    assert len(measured) > len(calls) * 0.7
    for call in measured:
        metrics = call["artifact"]["performanceMetrics"]
        turns = metrics["turnLatencies"]
        assert turns and set(turns[0]) == {
            "modelLatency",
            "voiceLatency",
            "transcriberLatency",
            "endpointingLatency",
            "turnLatency",
        }
        for name in ("model", "voice", "transcriber", "endpointing", "turn"):
            assert metrics[f"{name}LatencyAverage"] == pytest.approx(mean(t[f"{name}Latency"] for t in turns), abs=0.06)
        for turn in turns:
            stages = turn["modelLatency"] + turn["voiceLatency"] + turn["transcriberLatency"]
            assert 0.93 * turn["turnLatency"] <= stages + turn["endpointingLatency"] < turn["turnLatency"]
        assert metrics["fromTransportLatencyAverage"] > 0 and metrics["toTransportLatencyAverage"] > 0
        assert metrics["numAssistantInterrupted"] >= 0 and metrics["numUserInterrupted"] == 0


def test_vapi_costs_add_up_to_the_total():
    _, calls = history("vapi")
    for call in calls:
        if call.get("status") != "ended":
            continue
        items, breakdown = call["costs"], call["costBreakdown"]
        if not call["cost"]:
            assert items == []
            continue
        assert sum(i["cost"] for i in items) == pytest.approx(call["cost"], abs=1e-6)
        kinds = [i["type"] for i in items]
        assert kinds[:5] == ["transport", "transcriber", "model", "voice", "vapi"]
        llm = sum(i["cost"] for i in items if i["type"] in ("model", "analysis"))
        assert llm == pytest.approx(breakdown["llm"], abs=1e-6)
        if call.get("analysis"):
            assert {i["analysisType"] for i in items if i["type"] == "analysis"} == {
                "summary",
                "structuredData",
                "successEvaluation",
            }


def test_vapi_calls_that_never_left_the_queue():
    _, calls = history("vapi")
    missed = [c for c in calls if c.get("status") == "ended" and "startedAt" not in c]
    queued = [c for c in missed if "endedAt" not in c]
    assert 0 < len(queued) < len(missed)
    for call in queued:
        assert call["endedReason"].startswith("call.start.error-") and "phoneCallProviderId" not in call
        assert call["createdAt"] and call["updatedAt"] and call["cost"] == 0
    rang_out = [c for c in missed if "endedAt" in c]
    assert {c["endedReason"] for c in rang_out} <= {"customer-did-not-answer", "customer-busy"}


# --- ElevenLabs -----------------------------------------------------------------------------------------


def test_elevenlabs_costs_in_credits_and_their_charging_breakdown():
    _, calls = history("elevenlabs")
    finished = [c for c in calls if c["status"] in ("done", "failed")]
    credits_only = [c for c in finished if c["metadata"]["cost_fiat"] is None]
    assert 0.05 <= len(credits_only) / len(finished) <= 0.16
    for call in finished:
        meta = call["metadata"]
        charging = meta["charging"]
        assert isinstance(meta["cost"], int)
        assert meta["cost"] == charging["llm_charge"] + charging["call_charge"]
        if meta["cost_fiat"] is None:  # older conversations: credits, and no platform split
            assert "platform_price" not in charging and "platform_charge" not in charging
        else:
            assert charging["platform_charge"] == charging["call_charge"]
            assert charging["llm_price"] + charging["platform_price"] == pytest.approx(meta["cost_fiat"], abs=1e-5)


def test_elevenlabs_blank_termination_reasons_and_sip_trunks():
    _, calls = history("elevenlabs")
    ended = [c for c in calls if c["status"] == "done" and c["transcript"]]
    blank = [c for c in ended if c["metadata"]["termination_reason"] == ""]
    assert 0.02 <= len(blank) / len(ended) <= 0.12
    phones = [c["metadata"]["phone_call"] for c in calls if "phone_call" in c["metadata"]]
    sip = [p for p in phones if p["type"] == "sip_trunking"]
    assert sip and all("stream_sid" not in p and p["call_sid"] for p in sip)
    assert all(p["stream_sid"].startswith("MZ") for p in phones if p["type"] == "twilio")


# --- Asking for a variant -------------------------------------------------------------------------------


def _check_variant(platform: str, variant: str, call: dict) -> None:
    if variant == "not_connected":
        status = {"retell": call.get("call_status"), "vapi": call.get("endedReason"), "elevenlabs": None}[platform]
        if platform == "retell":
            assert status == "not_connected" and "start_timestamp" not in call
        elif platform == "vapi":
            assert "startedAt" not in call
        else:
            assert call["metadata"]["termination_reason"] in ("Call not answered", "Line busy")
    elif variant == "queue_error":
        assert call["endedReason"].startswith("call.start.error-") and "endedAt" not in call
    elif variant == "credits_only":
        assert call["metadata"]["cost_fiat"] is None and isinstance(call["metadata"]["cost"], int)
    elif variant == "blank_termination_reason":
        assert call["metadata"]["termination_reason"] == ""


@pytest.mark.parametrize(("platform", "variant"), [(p, v) for p in PLATFORMS for v in CALL_VARIANTS[p]])
def test_a_variant_can_be_asked_for_and_is_deterministic(platform, variant):
    agent = generate_agents(platform, seed=4, count=3, now=NOW)[0]  # a Front Desk agent: inbound calls
    started = NOW - timedelta(minutes=30)
    for seed in range(5):
        call = generate_call(platform, agent, rng=random.Random(seed), started_at=started, variant=variant)
        _check_variant(platform, variant, call)
        assert call == generate_call(platform, agent, rng=random.Random(seed), started_at=started, variant=variant)


def test_unknown_variants_are_refused():
    agent = generate_agents("retell", seed=4, count=1, now=NOW)[0]
    with pytest.raises(ValueError, match="queue_error"):
        generate_call("retell", agent, rng=random.Random(1), started_at=NOW, variant="queue_error")
