"""The official vapi-server-sdk, pointed at the simulator, works unchanged."""

from __future__ import annotations

import json
import time
from datetime import datetime

import httpx
import pytest
import vapi
from vapi.core.api_error import ApiError

from tests.support.simulator import AGENTS, CALLS
from voiceconsole.platforms import vapi as vapi_mapper


def client(sim, token: str | None = None) -> vapi.Vapi:
    return vapi.Vapi(token=token or sim.key("vapi"), base_url=sim.base("vapi"))


def raw_calls(sim, **params) -> list[dict]:
    """Plain HTTP: the SDK parses ~10 ms per call, too slow for whole-store listings in every test."""
    response = httpx.get(
        f"{sim.base('vapi')}/call",
        params={"limit": 1000, **params},
        headers={"Authorization": f"Bearer {sim.key('vapi')}"},
    )
    assert response.status_code == 200
    return response.json()


def native(model) -> dict:
    """An SDK model back as the platform's JSON (camelCase, ISO strings)."""
    return json.loads(model.json())


def test_list_is_newest_first_with_default_limit(sim):
    calls = client(sim).calls.list()
    assert len(calls) == 100
    created = [c.created_at for c in calls]
    assert created == sorted(created, reverse=True)


def test_walking_created_at_lt_returns_every_call_once(sim):
    sdk, seen, before = client(sim), [], None
    while True:
        page = sdk.calls.list(limit=60, created_at_lt=before) if before else sdk.calls.list(limit=60)
        seen += [c.id for c in page]
        if len(page) < 60:
            break
        before = min(c.created_at for c in page)
    assert len(seen) == len(set(seen)) == CALLS


def test_get_call_and_mapping(sim):
    sdk = client(sim)
    listed = next(c for c in sdk.calls.list(limit=50) if c.status == "ended" and c.artifact.messages)
    full = sdk.calls.get(listed.id)
    assert full.id == listed.id
    record = vapi_mapper.map_call(native(full))
    assert record.platform_call_id == listed.id and record.turns and record.started_at


def test_created_and_updated_filters(sim):
    sdk = client(sim)
    calls = raw_calls(sim)
    assert len(calls) == CALLS
    pivot = sorted(c["createdAt"] for c in calls)[CALLS - 10]
    pivot_time = datetime.fromisoformat(pivot.replace("Z", "+00:00"))
    newer = sdk.calls.list(limit=1000, created_at_gt=pivot_time)
    assert {c.id for c in newer} == {c["id"] for c in calls if c["createdAt"] > pivot}
    assert len(newer) == 9
    assert len(sdk.calls.list(limit=1000, created_at_ge=pivot_time)) == 10
    updated_pivot = sorted(c["updatedAt"] for c in calls)[CALLS - 5]
    assert len(raw_calls(sim, updatedAtGt=updated_pivot)) == 4
    agent = calls[0]["assistantId"]
    mine = raw_calls(sim, assistantId=agent)
    assert mine and {c["assistantId"] for c in mine} == {agent}


def test_assistants_and_phone_numbers(sim):
    sdk = client(sim)
    assistants = sdk.assistants.list()
    assert len(assistants) == AGENTS
    one = sdk.assistants.get(assistants[0].id)
    record = vapi_mapper.map_agent(native(one))
    assert record.prompt and record.model and record.voice
    numbers = sdk.phone_numbers.list()
    assert {n.assistant_id for n in numbers} == {a.id for a in assistants}
    # The numbers are the ones the calls point at.
    call_numbers = {c["phoneNumberId"] for c in raw_calls(sim) if c.get("phoneNumberId")}
    assert call_numbers <= {n.id for n in numbers}


def test_errors(sim):
    with pytest.raises(ApiError) as caught:
        client(sim, token="wrong").calls.list()
    assert caught.value.status_code == 401 and caught.value.body["statusCode"] == 401
    with pytest.raises(ApiError) as caught:
        client(sim).calls.get("00000000-0000-4000-8000-000000000000")
    assert caught.value.status_code == 404
    with pytest.raises(ApiError) as caught:
        client(sim).calls.list(limit=1001)
    assert caught.value.status_code == 400 and isinstance(caught.value.body["message"], list)
    bad_date = httpx.get(
        f"{sim.base('vapi')}/call",
        params={"createdAtGt": "yesterday"},
        headers={"Authorization": f"Bearer {sim.key('vapi')}"},
    )
    assert bad_date.status_code == 400


def test_rate_limit(fresh_sim):
    fresh_sim.state.fail_next("vapi", 1, 429, retry_after=2)
    with pytest.raises(ApiError) as caught:
        client(fresh_sim).calls.list(limit=1)  # Vapi's SDK does not retry by default
    assert caught.value.status_code == 429 and caught.value.headers["retry-after"] == "2"

    sdk = client(fresh_sim)
    sdk.calls.list(limit=1)  # the SDK's first call is slow (model set-up); keep it out of the timing
    fresh_sim.state.fail_next("vapi", 1, 429, retry_after=1)
    started = time.monotonic()
    # vapi-server-sdk 1.9.0 counts retries from 2, so max_retries=3 allows exactly one retry.
    assert sdk.calls.list(limit=1, request_options={"max_retries": 3})
    assert time.monotonic() - started >= 0.9
    assert [r.status for r in fresh_sim.state.request_log("vapi")][-2:] == [429, 200]


# --- Variants -------------------------------------------------------------------------------------------


def test_performance_metrics_and_costs_through_the_sdk(sim):
    sdk = client(sim)
    listed = next(c for c in raw_calls(sim) if (c.get("artifact") or {}).get("performanceMetrics") and c["cost"])
    call = sdk.calls.get(listed["id"])
    metrics = call.artifact.performance_metrics
    turn = metrics.turn_latencies[0]
    assert turn.turn_latency > turn.model_latency > 0 and turn.voice_latency and turn.transcriber_latency
    assert turn.endpointing_latency and metrics.turn_latency_average and metrics.model_latency_average
    assert metrics.voice_latency_average and metrics.transcriber_latency_average
    assert metrics.endpointing_latency_average and metrics.num_assistant_interrupted is not None
    costs = native(call)["costs"]
    assert sum(item["cost"] for item in costs) == pytest.approx(call.cost, abs=1e-6)
    assert call.cost_breakdown.total == pytest.approx(call.cost)


def test_a_call_that_never_left_the_queue_through_the_sdk(fresh_sim):
    answer = httpx.post(f"{fresh_sim.url}/_sim/calls", json={"platform": "vapi", "variant": "queue_error"}, timeout=30)
    (added,) = answer.json()["calls"]
    call = client(fresh_sim).calls.get(added["id"])
    assert call.started_at is None and call.ended_at is None and call.created_at and call.updated_at
    assert call.ended_reason.startswith("call.start.error-") and call.cost == 0
    record = vapi_mapper.map_call(native(call))
    assert record.platform_call_id == added["id"] and not record.turns
