"""Calls in progress end: generated ones when the simulated clock reaches their end, added ones too, or at
once on request; the API then serves the finished call under the same id and start."""

from __future__ import annotations

import httpx
import pytest

from tests.support.simulator import NOW
from voiceconsole.platforms import elevenlabs, retell, vapi
from voiceconsole.platforms.simulator.generator import generate_agents, generate_calls
from voiceconsole.platforms.simulator.state import SimulatorState, call_end_ms, call_id_of, call_time_ms

MAPPERS = {"retell": retell, "vapi": vapi, "elevenlabs": elevenlabs}
PLATFORMS = tuple(MAPPERS)
GET_CALL = {
    "retell": "/v2/get-call/{}",
    "vapi": "/call/{}",
    "elevenlabs": "/v1/convai/conversations/{}",
}


def _state() -> SimulatorState:
    return SimulatorState(seed=3, agents_per_platform=4, calls_per_platform=300, days=5, now=NOW)


@pytest.mark.parametrize("platform", PLATFORMS)
def test_each_generated_live_call_has_its_ending_and_the_history_is_unchanged(platform):
    agents = generate_agents(platform, seed=5, count=4, now=NOW)
    endings: dict = {}
    with_endings = list(generate_calls(platform, agents, seed=9, count=300, now=NOW, endings=endings))
    plain = list(generate_calls(platform, agents, seed=9, count=300, now=NOW))
    assert with_endings == plain  # asking for the endings changes no call
    live = [c for c in plain if MAPPERS[platform].map_call(c).status == "in_progress"]
    assert len(live) == 3 and set(endings) == {call_id_of(platform, c) for c in live}
    for call in live:
        ended = endings[call_id_of(platform, call)]
        record = MAPPERS[platform].map_call(ended)
        assert record.status == "ended" and record.turns and record.summary and record.ended_at
        assert call_time_ms(platform, ended) == call_time_ms(platform, call)  # same place in every list
        assert len(record.turns) >= len(MAPPERS[platform].map_call(call).turns)
        assert call_end_ms(platform, ended) > NOW.timestamp() * 1000  # it ends after `now`


@pytest.mark.parametrize("platform", PLATFORMS)
def test_live_calls_end_when_the_clock_reaches_their_end(platform):
    state = _state()
    live = state.live_call_ids(platform)
    assert live
    data = state.data(platform)
    ends = {cid: call_end_ms(platform, data.endings[cid]) for cid in live}
    first = min(live, key=ends.__getitem__)
    state._skew_ms += ends[first] - state.clock_ms()  # time passes up to the first end
    assert first not in state.live_call_ids(platform)
    assert MAPPERS[platform].map_call(state.data(platform).calls.get(first)).status == "ended"
    assert all(MAPPERS[platform].map_call(data.calls.get(cid)).status == "in_progress" for cid in live if cid != first)


@pytest.mark.parametrize("platform", PLATFORMS)
def test_added_live_calls_start_after_every_call_and_end_on_request(platform):
    state = _state()
    newest = state.data(platform).calls.newest_ms()
    (call,) = state.add_live_calls(platform)
    call_id = call_id_of(platform, call)
    assert call_time_ms(platform, call) > newest
    assert call_time_ms(platform, call) <= state.clock_ms()  # already started
    assert MAPPERS[platform].map_call(call).status == "in_progress" and call_id in state.live_call_ids(platform)
    ended = state.end_call(platform, call_id)
    assert MAPPERS[platform].map_call(ended).status == "ended" and call_id not in state.live_call_ids(platform)
    assert state.clock_ms() >= call_end_ms(platform, ended)
    with pytest.raises(KeyError):
        state.end_call(platform, call_id)  # no longer in progress


def test_vapi_finds_an_ended_call_by_updated_at(fresh_sim):
    api = f"{fresh_sim.url}/vapi"
    headers = {"Authorization": f"Bearer {fresh_sim.key('vapi')}"}
    (call,) = fresh_sim.state.add_live_calls("vapi")
    seen = call["updatedAt"]
    fresh_sim.state.end_call("vapi", call["id"])
    changed = httpx.get(f"{api}/call", params={"updatedAtGt": seen}, headers=headers).json()
    assert call["id"] in [c["id"] for c in changed]
    assert next(c for c in changed if c["id"] == call["id"])["status"] == "ended"


@pytest.mark.parametrize("platform", PLATFORMS)
def test_control_api_adds_and_ends_live_calls(fresh_sim, platform):
    control = f"{fresh_sim.url}/_sim"
    added = httpx.post(f"{control}/calls", json={"platform": platform, "live": True, "count": 2}).json()["calls"]
    assert len(added) == 2
    call_id = call_id_of(platform, added[0])
    headers = (
        {"xi-api-key": fresh_sim.key(platform)}
        if platform == "elevenlabs"
        else {"Authorization": f"Bearer {fresh_sim.key(platform)}"}
    )
    url = f"{fresh_sim.url}/{platform}{GET_CALL[platform].format(call_id)}"
    assert MAPPERS[platform].map_call(httpx.get(url, headers=headers).json()).status == "in_progress"
    ended = httpx.post(f"{control}/calls/end", json={"platform": platform, "callId": call_id})
    assert ended.status_code == 200 and MAPPERS[platform].map_call(ended.json()["call"]).status == "ended"
    assert MAPPERS[platform].map_call(httpx.get(url, headers=headers).json()).status == "ended"
    again = httpx.post(f"{control}/calls/end", json={"platform": platform, "callId": call_id})
    assert again.status_code == 404
