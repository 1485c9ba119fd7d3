"""The official elevenlabs SDK, pointed at the simulator, works unchanged."""

from __future__ import annotations

import elevenlabs
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
