"""The official elevenlabs SDK, pointed at the simulator, works unchanged."""

from __future__ import annotations

import elevenlabs
import httpx
import pytest
from elevenlabs.core.api_error import ApiError

from tests.support.simulator import AGENTS, CALLS
from voiceconsole.platforms import elevenlabs as elevenlabs_mapper


def client(sim, key: str | None = None) -> elevenlabs.ElevenLabs:
    return elevenlabs.ElevenLabs(api_key=key or sim.key("elevenlabs"), base_url=sim.base("elevenlabs"))


def all_conversations(sdk: elevenlabs.ElevenLabs, **params) -> list:
    found, cursor = [], None
    while True:
        page = sdk.conversational_ai.conversations.list(cursor=cursor, **params)
        found += page.conversations
        if not page.has_more:
            assert page.next_cursor is None
            return found
        cursor = page.next_cursor


def test_cursor_paging_returns_every_conversation_once(sim):
    found = all_conversations(client(sim), page_size=100)
    ids = [c.conversation_id for c in found]
    assert len(ids) == len(set(ids)) == CALLS
    starts = [c.start_time_unix_secs for c in found]
    assert starts == sorted(starts, reverse=True)


def test_default_page_size_and_summary_mode(sim):
    sdk = client(sim)
    page = sdk.conversational_ai.conversations.list()
    assert len(page.conversations) == 30 and page.has_more
    done = [c for c in page.conversations if c.status == "done"]
    assert done and all(c.transcript_summary is None for c in done)
    with_summary = sdk.conversational_ai.conversations.list(summary_mode="include")
    assert any(c.transcript_summary for c in with_summary.conversations)


def test_time_and_agent_filters(sim):
    sdk = client(sim)
    everything = all_conversations(sdk, page_size=100)
    pivot = sorted(c.start_time_unix_secs for c in everything)[CALLS - 20]
    after = all_conversations(sdk, page_size=100, call_start_after_unix=pivot)
    assert {c.conversation_id for c in after} == {
        c.conversation_id for c in everything if c.start_time_unix_secs > pivot
    }
    before = all_conversations(sdk, page_size=100, call_start_before_unix=pivot)
    assert len(before) + len(after) + sum(c.start_time_unix_secs == pivot for c in everything) == CALLS
    agent = everything[0].agent_id
    mine = all_conversations(sdk, page_size=100, agent_id=agent)
    assert mine and {c.agent_id for c in mine} == {agent}


def test_get_conversation_and_mapping(sim):
    sdk = client(sim)
    summary = next(
        c for c in sdk.conversational_ai.conversations.list(page_size=50).conversations if c.status == "done"
    )
    full = sdk.conversational_ai.conversations.get(summary.conversation_id)
    assert full.transcript and full.metadata.start_time_unix_secs == summary.start_time_unix_secs
    record = elevenlabs_mapper.map_call(full.dict())
    assert record.platform_call_id == summary.conversation_id and record.turns and record.summary


def test_agents(sim):
    sdk = client(sim)
    found, cursor = [], None
    while True:
        page = sdk.conversational_ai.agents.list(page_size=3, cursor=cursor)
        found += page.agents
        if not page.has_more:
            break
        cursor = page.next_cursor
    assert len({a.agent_id for a in found}) == len(found) == AGENTS
    assert all(a.voice_id and a.created_at_unix_secs for a in found)
    by_name = sdk.conversational_ai.agents.list(page_size=100, sort_by="name", sort_direction="asc").agents
    assert [a.name for a in by_name] == sorted(a.name for a in found)
    agent = sdk.conversational_ai.agents.get(found[0].agent_id)
    record = elevenlabs_mapper.map_agent(agent.dict())
    assert record.name == found[0].name and record.prompt and record.voice


def test_errors(sim):
    with pytest.raises(ApiError) as caught:
        client(sim, key="wrong").conversational_ai.conversations.list()
    assert caught.value.status_code == 401
    assert caught.value.body["detail"]["status"] == "invalid_api_key"
    with pytest.raises(ApiError) as caught:
        client(sim).conversational_ai.conversations.get("conv_missing")
    assert caught.value.status_code == 404
    with pytest.raises(ApiError) as caught:
        client(sim).conversational_ai.conversations.list(page_size=101)
    assert caught.value.status_code == 422


def test_server_errors_are_retried_by_the_sdk(fresh_sim):
    fresh_sim.state.fail_next("elevenlabs", 1, 503, retry_after=1, path_prefix="/v1/convai/conversations")
    page = client(fresh_sim).conversational_ai.conversations.list(page_size=1)
    assert len(page.conversations) == 1
    statuses = [r.status for r in fresh_sim.state.request_log("elevenlabs")]
    assert statuses == [503, 200]


# --- Variants -------------------------------------------------------------------------------------------


def test_credits_only_cost_and_charging_through_the_sdk(fresh_sim):
    answer = httpx.post(
        f"{fresh_sim.url}/_sim/calls", json={"platform": "elevenlabs", "variant": "credits_only"}, timeout=30
    )
    (added,) = answer.json()["calls"]
    sdk = client(fresh_sim)
    full = sdk.conversational_ai.conversations.get(added["conversation_id"])
    meta = full.metadata
    assert meta.cost_fiat is None and isinstance(meta.cost, int)
    assert meta.charging.llm_charge + meta.charging.call_charge == meta.cost
    assert meta.charging.platform_price is None and meta.charging.platform_charge is None
    listed = next(
        c
        for c in sdk.conversational_ai.conversations.list(page_size=5).conversations
        if c.conversation_id == added["conversation_id"]
    )
    assert listed.dict().get("cost_fiat") is None


def test_charging_and_blank_termination_reasons_in_the_history(sim):
    sdk = client(sim)
    stored = sim.state.data("elevenlabs").calls.by_id.values()
    blank = next(c for c in stored if c["metadata"].get("termination_reason") == "")
    priced = next(c for c in stored if c["metadata"].get("cost_fiat") and c["metadata"]["cost"])
    full = sdk.conversational_ai.conversations.get(blank["conversation_id"])
    assert full.metadata.termination_reason == "" and full.status == "done"
    charged = sdk.conversational_ai.conversations.get(priced["conversation_id"]).metadata.charging
    assert charged.llm_price + charged.platform_price == pytest.approx(priced["metadata"]["cost_fiat"], abs=1e-5)
    usage = charged.llm_usage.initiated_generation.model_usage
    assert usage and all(u.input.tokens and u.output_total.tokens for u in usage.values())


def test_sip_trunk_conversations_through_the_sdk(sim):
    stored = sim.state.data("elevenlabs").calls.by_id.values()
    sip = next(c for c in stored if (c["metadata"].get("phone_call") or {}).get("type") == "sip_trunking")
    phone = client(sim).conversational_ai.conversations.get(sip["conversation_id"]).metadata.phone_call
    assert phone.type == "sip_trunking" and phone.call_sid == sip["metadata"]["phone_call"]["call_sid"]
