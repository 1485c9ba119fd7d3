"""The official retell-sdk, pointed at the simulator, works unchanged."""

from __future__ import annotations

import time

import httpx
import pytest
import retell

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


def test_paging_returns_every_call_once_newest_first(sim):
    items = all_calls(client(sim), limit=37)
    ids = [i.call_id for i in items]
    assert len(ids) == len(set(ids)) == CALLS
    starts = [i.start_timestamp for i in items]
    assert starts == sorted(starts, reverse=True)


def test_ascending_order_and_default_limit(sim):
    sdk = client(sim)
    page = sdk.call.list()
    assert len(page.items) == 50 and page.has_more
    ascending = all_calls(sdk, limit=1000, sort_order="ascending")
    assert [i.start_timestamp for i in ascending] == sorted(i.start_timestamp for i in ascending)
    assert len(ascending) == CALLS


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
    middle = sorted(i.start_timestamp for i in everything)[CALLS // 2]
    newer = all_calls(
        sdk, limit=1000, filter_criteria={"start_timestamp": {"op": "gt", "type": "number", "value": middle}}
    )
    assert {i.call_id for i in newer} == {i.call_id for i in everything if i.start_timestamp > middle}
    lo, hi = sorted(i.start_timestamp for i in everything)[10], sorted(i.start_timestamp for i in everything)[20]
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
