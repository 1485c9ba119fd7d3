"""The official retell-sdk, pointed at the simulator, works unchanged."""

from __future__ import annotations

import time

import httpx
import pytest
import retell
from retell.types import PhoneCallResponse, WebCallResponse

from tests.support.simulator import AGENTS, CALLS
from voiceconsole.platforms import retell as retell_mapper

TRANSCRIPT_FIELDS = {"transcript", "transcript_object", "transcript_with_tool_calls"}


def client(sim, **kwargs) -> retell.Retell:
    return retell.Retell(api_key=sim.key("retell"), base_url=sim.base("retell"), **kwargs)


def all_calls(sdk: retell.Retell, **params) -> list:
    items, key = [], None
    while True:
        page = sdk.call.list(pagination_key=key, **params) if key else sdk.call.list(**params)
        items += page.items
        if not page.has_more:
            assert page.pagination_key is None
            return items
        key = page.pagination_key


def started_then_unstarted(items: list, *, descending: bool) -> None:
    """Calls that never started (no start_timestamp) come after every started one, in either order."""
    starts = [i.start_timestamp for i in items]
    timed = [t for t in starts if t is not None]
    assert starts == sorted(timed, reverse=descending) + [None] * (len(starts) - len(timed))
    unstarted = [i for i in items if i.start_timestamp is None]
    assert unstarted and all(i.call_status == "not_connected" for i in unstarted)


def test_paging_returns_every_call_once_newest_first(sim):
    items = all_calls(client(sim), limit=37)
    ids = [i.call_id for i in items]
    assert len(ids) == len(set(ids)) == CALLS
    started_then_unstarted(items, descending=True)


def test_ascending_order_and_default_limit(sim):
    sdk = client(sim)
    page = sdk.call.list()
    assert len(page.items) == 50 and page.has_more
    ascending = all_calls(sdk, limit=1000, sort_order="ascending")
    started_then_unstarted(ascending, descending=False)
    assert len(ascending) == CALLS
    # Small pages cross from the started calls to the unstarted ones and through them.
    assert [i.call_id for i in all_calls(sdk, limit=7, sort_order="ascending")] == [i.call_id for i in ascending]


def test_list_items_leave_transcripts_out_and_get_call_has_them(sim):
    sdk = client(sim)
    item = next(i for i in sdk.call.list(limit=100).items if i.call_status == "ended")
    assert not TRANSCRIPT_FIELDS & set(item.to_dict())
    full = sdk.call.retrieve(item.call_id)
    assert full.call_id == item.call_id
    assert full.transcript and full.transcript_object
    record = retell_mapper.map_call(full.to_dict())
    assert record.platform_call_id == item.call_id and record.turns and record.transcript


def test_filter_by_start_timestamp_and_agent(sim):
    sdk = client(sim)
    everything = all_calls(sdk, limit=1000)
    starts = sorted(i.start_timestamp for i in everything if i.start_timestamp is not None)
    middle = starts[len(starts) // 2]
    newer = all_calls(
        sdk, limit=1000, filter_criteria={"start_timestamp": {"op": "gt", "type": "number", "value": middle}}
    )
    assert {i.call_id for i in newer} == {i.call_id for i in everything if (i.start_timestamp or 0) > middle}
    # Calls without a start match no start_timestamp comparison, not even ne (NULL semantics).
    other = all_calls(
        sdk, limit=1000, filter_criteria={"start_timestamp": {"op": "ne", "type": "number", "value": middle}}
    )
    assert len(other) == len(starts) - 1
    lo, hi = starts[10], starts[20]
    between = all_calls(
        sdk, limit=1000, filter_criteria={"start_timestamp": {"op": "bt", "type": "range", "value": [lo, hi]}}
    )
    assert len(between) == 11

    agent_id = everything[0].agent_id
    mine = all_calls(sdk, limit=1000, filter_criteria={"agent": [{"agent_id": agent_id}]})
    assert mine and {i.agent_id for i in mine} == {agent_id}
    assert len(mine) == sum(1 for i in everything if i.agent_id == agent_id)


def test_enum_boolean_filters_and_total(sim):
    sdk = client(sim)
    page = sdk.call.list(
        limit=1000,
        include_total=True,
        filter_criteria={
            "call_status": {"op": "in", "type": "enum", "value": ["ended"]},
            "call_successful": {"op": "eq", "type": "boolean", "value": True},
        },
    )
    assert page.items and all(i.call_status == "ended" and i.call_analysis.call_successful for i in page.items)
    assert page.to_dict()["total"] == len(page.items)


def test_agents_list_retrieve_and_llm(sim):
    sdk = client(sim)
    seen, key = [], None
    while True:
        page = sdk.agent.list(limit=3, pagination_key=key) if key else sdk.agent.list(limit=3)
        seen += page.items
        if not page.has_more:
            break
        key = page.pagination_key
    assert len({a.agent_id for a in seen}) == len(seen) == AGENTS
    assert all(a.channel == "voice" for a in seen)

    agent = sdk.agent.retrieve(seen[0].agent_id)
    assert agent.agent_name == seen[0].agent_name
    llm = sdk.llm.retrieve(agent.response_engine.llm_id)
    record = retell_mapper.map_agent(agent.to_dict(), llm.to_dict())
    assert record.prompt and record.model and record.name == agent.agent_name
    assert "_llm" not in agent.to_dict() and "_client" not in agent.to_dict()


def test_legacy_endpoints(sim):
    headers = {"Authorization": f"Bearer {sim.key('retell')}"}
    first = httpx.post(f"{sim.base('retell')}/v2/list-calls", json={"limit": 150}, headers=headers)
    assert first.status_code == 200
    calls = first.json()
    assert isinstance(calls, list) and len(calls) == 150 and "transcript" in calls[0]
    rest = httpx.post(
        f"{sim.base('retell')}/v2/list-calls",
        json={"limit": 1000, "pagination_key": calls[-1]["call_id"]},
        headers=headers,
    ).json()
    assert len({c["call_id"] for c in calls + rest}) == CALLS
    lower = calls[10]["start_timestamp"]
    window = httpx.post(
        f"{sim.base('retell')}/v2/list-calls",
        headers=headers,
        json={"limit": 1000, "filter_criteria": {"start_timestamp": {"lower_threshold": lower}}},
    ).json()
    assert len(window) == 11

    agents = httpx.get(f"{sim.base('retell')}/list-agents", headers=headers).json()
    assert len(agents) == AGENTS and all("response_engine" in a for a in agents)


def test_errors(sim):
    with pytest.raises(retell.AuthenticationError):
        retell.Retell(api_key="wrong", base_url=sim.base("retell")).call.list()
    with pytest.raises(retell.AuthenticationError):
        retell.Retell(api_key="", base_url=sim.base("retell"), default_headers={"Authorization": ""}).call.list()
    with pytest.raises(retell.NotFoundError):
        client(sim).call.retrieve("0" * 32)
    with pytest.raises(retell.NotFoundError):
        client(sim).agent.retrieve("no-such-agent")
    with pytest.raises(retell.BadRequestError):
        client(sim).call.list(limit=1001)
    with pytest.raises(retell.BadRequestError):
        client(sim).call.list(pagination_key="not a cursor")


def test_rate_limit_is_retried_by_the_sdk_after_retry_after(fresh_sim):
    fresh_sim.state.fail_next("retell", 1, 429, retry_after=1, path_prefix="/v3/list-calls")
    started = time.monotonic()
    page = client(fresh_sim).call.list(limit=5)
    assert len(page.items) == 5
    assert time.monotonic() - started >= 0.9
    log = [r.status for r in fresh_sim.state.request_log("retell") if r.path == "/v3/list-calls"]
    assert log == [429, 200]


def test_rate_limit_surfaces_with_retry_after_when_not_retried(fresh_sim):
    fresh_sim.state.fail_next("retell", 1, 429, retry_after=7)
    with pytest.raises(retell.RateLimitError) as caught:
        client(fresh_sim, max_retries=0).call.list()
    assert caught.value.response.headers["retry-after"] == "7"
    assert client(fresh_sim, max_retries=0).call.list(limit=1).items  # only the next request failed


# --- Variants -------------------------------------------------------------------------------------------


def test_every_full_call_is_a_valid_sdk_model(sim):
    """Strict validation against the SDK's own call models: latency stages, product costs, not-connected
    calls without a start, web calls with their access token."""
    headers = {"Authorization": f"Bearer {sim.key('retell')}"}
    calls = httpx.post(f"{sim.base('retell')}/v2/list-calls", json={"limit": 1000}, headers=headers).json()
    assert len(calls) == CALLS
    for call in calls:
        model = PhoneCallResponse if call["call_type"] == "phone_call" else WebCallResponse
        model.model_validate(call)


def test_latency_stages_and_product_costs_through_the_sdk(sim):
    sdk = client(sim)
    items = all_calls(sdk, limit=1000)
    with_kb = next(i for i in items if i.latency and i.latency.knowledge_base)
    call = sdk.call.retrieve(with_kb.call_id)
    stages = call.latency
    for stage in (stages.e2e, stages.asr, stages.llm, stages.tts, stages.knowledge_base):
        assert stage.num == len(stage.values) and stage.min <= stage.p50 <= stage.p90 <= stage.p99 <= stage.max
    products = {p.product: p.cost for p in call.call_cost.product_costs}
    assert "knowledge_base" in products and sum(products.values()) == pytest.approx(call.call_cost.combined_cost)
    assert call.knowledge_base_retrieved_contents_url


def test_calls_that_never_started(sim):
    sdk = client(sim)
    items = all_calls(sdk, limit=1000)
    unstarted = [i for i in items if i.start_timestamp is None]
    full = sdk.call.retrieve(unstarted[0].call_id)
    assert full.start_timestamp is None and full.end_timestamp and full.call_status == "not_connected"
    record = retell_mapper.map_call(full.to_dict())
    assert record.started_at is None and record.end_reason in ("dial_no_answer", "dial_busy")
    # include_total counts them; a start_timestamp bound leaves them out; other filters keep them.
    assert sdk.call.list(limit=1, include_total=True).to_dict()["total"] == CALLS
    ended_filter = {"end_timestamp": {"op": "ge", "type": "number", "value": unstarted[0].end_timestamp}}
    later = all_calls(sdk, limit=1000, filter_criteria=ended_filter)
    assert unstarted[0].call_id in {i.call_id for i in later}
    since_epoch = {"start_timestamp": {"op": "ge", "type": "number", "value": 0}}
    bounded = all_calls(sdk, limit=1000, filter_criteria=since_epoch)
    assert len(bounded) == CALLS - len(unstarted)


def test_an_added_call_without_a_start_comes_last(fresh_sim):
    newest = max(c.get("start_timestamp") or 0 for c in fresh_sim.state.data("retell").calls.by_id.values())
    before = fresh_sim.state.clock_ms()
    answer = httpx.post(
        f"{fresh_sim.url}/_sim/calls", json={"platform": "retell", "variant": "not_connected"}, timeout=30
    )
    (added,) = answer.json()["calls"]
    assert "start_timestamp" not in added and added["call_status"] == "not_connected"
    assert added["end_timestamp"] > newest and fresh_sim.state.clock_ms() > before
    sdk = client(fresh_sim)
    gt = {"start_timestamp": {"op": "gt", "type": "number", "value": newest}}
    assert sdk.call.list(filter_criteria=gt).items == []  # start-time queries never find it
    ascending = all_calls(sdk, limit=1000, sort_order="ascending")
    assert added["call_id"] in {i.call_id for i in ascending if i.start_timestamp is None}
    bad = httpx.post(f"{fresh_sim.url}/_sim/calls", json={"platform": "retell", "variant": "queue_error"}, timeout=30)
    assert bad.status_code == 400
