"""SimulatorState without HTTP: determinism, ordering, changes over time, faults."""

from __future__ import annotations

import httpx
import pytest

from tests.support.simulator import NOW
from voiceconsole.platforms.simulator.server import create_app, serve_in_thread
from voiceconsole.platforms.simulator.state import (
    SimulatorState,
    call_id_of,
    call_time_ms,
)


def small(**kwargs) -> SimulatorState:
    return SimulatorState(**{"agents_per_platform": 4, "calls_per_platform": 150, "now": NOW, **kwargs})


def test_deterministic_for_a_seed():
    first, second, other = small(), small(), small(seed=8)

    def ids(s: SimulatorState) -> list[str]:
        return list(s.data("vapi").calls.by_id)

    assert ids(first) == ids(second) != ids(other)


def test_generation_is_lazy_and_per_platform():
    state = small(calls_per_platform={"retell": 50})
    assert state.summary()["retell"]["generated"] is False
    assert len(state.data("retell").calls) == 50
    assert len(state.data("vapi").calls) == 0 and len(state.data("vapi").agents) == 4
    with pytest.raises(ValueError):
        SimulatorState(calls_per_platform={"bland": 5})


@pytest.mark.parametrize("platform", ["retell", "vapi", "elevenlabs"])
def test_store_is_ordered_and_added_calls_come_last(platform):
    state = small()
    store = state.data(platform).calls
    assert store.keys == sorted(store.keys)
    newest = store.newest_ms()
    added = state.add_calls(platform, 3)
    times = [call_time_ms(platform, c) for c in added]
    assert times[0] > newest and times == sorted(set(times))
    assert [k[1] for k in store.keys[-3:]] == [call_id_of(platform, c) for c in added]
    # Time has passed: every added call is over by the simulated now.
    assert state.clock_ms() > max(times)


def test_added_calls_are_copies():
    state = small()
    call = state.add_calls("retell")[0]
    call["call_analysis"]["call_summary"] = "changed by the caller"
    assert state.data("retell").calls.get(call["call_id"])["call_analysis"]["call_summary"] != "changed by the caller"


def test_update_analysis_replaces_the_top_level_dict_only():
    state = small()
    store = state.data("retell").calls
    target = next(c for c in store.by_id.values() if c.get("call_analysis"))
    shared_transcript = target["transcript_object"]
    state.update_analysis("retell", target["call_id"], {"call_summary": "new", "call_successful": True})
    assert target["call_analysis"]["call_summary"] != "new"  # the generator's dict is untouched
    updated = store.get(target["call_id"])
    assert updated["call_analysis"]["call_summary"] == "new" and updated["transcript_object"] is shared_transcript
    with pytest.raises(KeyError):
        state.update_analysis("retell", "missing")


def test_faults_queue_and_match_path_prefixes():
    state = small()
    state.fail_next("retell", 1, 500, path_prefix="v2/get-call")
    state.fail_next("retell", 2, 429)
    assert state.take_fault("retell", "/v3/list-calls").status == 429
    assert state.take_fault("retell", "/v2/get-call/x").status == 500
    assert state.take_fault("retell", "/v2/get-call/x").status == 429
    assert state.take_fault("retell", "/v2/get-call/x") is None
    assert state.take_fault("vapi", "/call") is None
    with pytest.raises(ValueError):
        state.fail_next("retell", 0)


def test_remove_agent_and_reset():
    state = small()
    agent_id = next(iter(state.data("elevenlabs").agents))
    state.remove_agent("elevenlabs", agent_id)
    assert agent_id not in state.data("elevenlabs").agents
    with pytest.raises(KeyError):
        state.remove_agent("elevenlabs", agent_id)
    state.invalidate_key("elevenlabs")
    assert not state.key_accepted("elevenlabs", state.api_keys["elevenlabs"])
    state.reset()
    assert agent_id in state.data("elevenlabs").agents
    assert state.key_accepted("elevenlabs", state.api_keys["elevenlabs"])


def test_calls_without_a_start_are_walked_last_in_either_order():
    state = small()
    store = state.data("retell").calls
    added = state.add_calls("retell", 2, variant="not_connected")
    assert {c["call_id"] for c in added} <= set(store.untimed)
    assert len(store) == len(store.keys) + len(store.untimed) == 152
    everything = len(store.keys)

    def ids(descending: bool, after=None) -> list[str]:
        walk = store.walk(0, everything, descending=descending, after=after, untimed=True)
        return [c["call_id"] for c in walk]

    ascending, descending = ids(False), ids(True)
    assert ascending[-len(store.untimed) :] == store.untimed
    assert descending[-len(store.untimed) :] == store.untimed[::-1]
    assert ascending[:everything] == descending[:everything][::-1]
    # A cursor among the untimed calls continues past it; one among the timed ones reaches them too.
    first = store.untimed[0]
    assert ids(False, after=(None, first)) == store.untimed[1:]
    assert ids(True, after=(None, store.untimed[-1])) == store.untimed[-2::-1]
    last_timed = store.keys[-1]
    assert ids(False, after=last_timed) == store.untimed
    assert [c["call_id"] for c in store.walk(0, everything, descending=False)] == ascending[:everything]


def test_added_variants_are_deterministic():
    def timeless(calls: list[dict]) -> list[dict]:  # added calls start at the (wall-clock driven) simulated now
        return [{k: v for k, v in c.items() if k not in ("createdAt", "updatedAt")} for c in calls]

    first = small().add_calls("vapi", 2, variant="queue_error")
    assert timeless(first) == timeless(small().add_calls("vapi", 2, variant="queue_error"))
    assert all(c["endedReason"].startswith("call.start.error-") for c in first)
    with pytest.raises(ValueError):
        small().add_calls("elevenlabs", variant="stale_status")


def test_webhook_signing_defaults_change_and_reset():
    state = small()
    changed = state.set_webhook_signing(vapi_hmac={"algorithm": "sha1", "signatureEncoding": "base64"})
    assert changed.vapi_auth == "hmac" and changed.vapi_hmac.algorithm == "sha1"
    assert state.set_webhook_signing(vapi_auth="secret").vapi_hmac.algorithm == "sha1"  # settings left out stay
    assert state.summary()["vapi"]["webhook_signing"]["vapi_auth"] == "secret"
    with pytest.raises(ValueError):
        state.set_webhook_signing(vapi_auth="basic")
    state.reset()
    assert state.webhook_signing.vapi_auth == "hmac" and state.webhook_signing.vapi_hmac.algorithm == "sha256"


def test_serve_in_thread_starts_and_stops():
    url, stop = serve_in_thread(create_app(small(calls_per_platform=10)))
    assert httpx.get(f"{url}/_sim/state").status_code == 200
    stop()
    with pytest.raises(httpx.HTTPError):
        httpx.get(f"{url}/_sim/state", timeout=2)


@pytest.mark.parametrize("platform", ["retell", "vapi", "elevenlabs"])
def test_calls_added_without_analysis_are_conversations(platform):
    state = small()
    for call in state.add_calls(platform, 6, analyzed=False):
        pending = state.data(platform).pending_analysis[call_id_of(platform, call)]
        assert pending  # there is an analysis to hold back
