"""Our writers against the simulator: create → read back → update → read back → delete on each platform,
half-made creates that leave nothing, refusals that name our field, a platform down for writes, and agents
that sync and make calls whose quality follows their prompt."""

from __future__ import annotations

import httpx
import pytest

from tests.platforms.builder.support import GOOD_PROMPT, PLAIN_PROMPT, connector, edited_spec, full_spec, writer
from voiceconsole.platforms.builder import PlatformRejected
from voiceconsole.platforms.connector import PlatformUnavailable
from voiceconsole.schemas.agent_spec import LlmSettings

PLATFORMS = ["retell", "vapi", "elevenlabs"]


def write_fault(sim, platform: str, **fault) -> None:
    response = httpx.post(f"{sim.url}/_sim/write-faults", json={"platform": platform, **fault})
    assert response.status_code == 200, response.text


@pytest.mark.parametrize("platform", PLATFORMS)
def test_create_read_update_read_delete(sim, platform):
    agents = writer(sim, platform)
    spec = full_spec(platform)
    deployed = agents.create(spec)
    read, refs = agents.read(deployed.platform_agent_id)
    assert read == agents.normalize(spec)
    assert refs == deployed.refs

    edited = edited_spec(platform)
    again = agents.update(deployed.platform_agent_id, deployed.refs, edited)
    assert again.platform_agent_id == deployed.platform_agent_id
    assert agents.read(deployed.platform_agent_id)[0] == agents.normalize(edited)

    agents.delete(deployed.platform_agent_id, deployed.refs)
    with pytest.raises(PlatformRejected) as caught:
        agents.read(deployed.platform_agent_id)
    assert caught.value.status_code == 404
    agents.delete(deployed.platform_agent_id, deployed.refs)  # already gone: nothing to do


def test_retell_versions_and_llm(sim):
    agents = writer(sim, "retell")
    deployed = agents.create(full_spec("retell"))
    assert deployed.platform_version == "0" and set(deployed.refs) == {"llm_id"}
    assert agents.update(deployed.platform_agent_id, deployed.refs, edited_spec("retell")).platform_version == "1"
    assert agents.update(deployed.platform_agent_id, deployed.refs, full_spec("retell")).platform_version == "2"
    versions = sim.state.builder.retell_agents[deployed.platform_agent_id]
    assert all(v["is_published"] for v in versions.values())
    agents.delete(deployed.platform_agent_id, deployed.refs)
    assert deployed.refs["llm_id"] not in sim.state.builder.retell_llms


def test_retell_update_reuses_a_draft_left_by_a_failed_update(sim):
    agents = writer(sim, "retell")
    deployed = agents.create(full_spec("retell"))
    write_fault(sim, "retell", status=400, message="agent_name is too long", pathPrefix="/update-agent")
    with pytest.raises(PlatformRejected) as caught:
        agents.update(deployed.platform_agent_id, deployed.refs, edited_spec("retell"))
    assert caught.value.field == "name" and "too long" in caught.value.message
    assert agents.update(deployed.platform_agent_id, deployed.refs, edited_spec("retell")).platform_version == "1"
    assert agents.read(deployed.platform_agent_id)[0] == agents.normalize(edited_spec("retell"))


@pytest.mark.parametrize("status", [422, 500])
def test_retell_half_made_create_leaves_nothing(sim, status):
    agents_before = set(sim.state.data("retell").agents)
    write_fault(
        sim, "retell", status=status, message="voice_id retell-Nobody not found", pathPrefix="/create-agent", count=3
    )
    agents = writer(sim, "retell")
    expected = PlatformRejected if status < 500 else PlatformUnavailable
    with pytest.raises(expected) as caught:
        agents.create(full_spec("retell"))
    if status < 500:
        assert caught.value.field == "voice_id"  # type: ignore[attr-defined]
        assert "retell-Nobody" in caught.value.message
    assert sim.state.builder.retell_llms == {}
    assert sim.state.builder.retell_agents == {}
    assert set(sim.state.data("retell").agents) == agents_before


def test_retell_failed_publish_leaves_nothing(sim):
    write_fault(sim, "retell", status=409, message="Version is being published", pathPrefix="/publish-agent-version")
    agents_before = set(sim.state.data("retell").agents)
    with pytest.raises(PlatformRejected):
        writer(sim, "retell").create(full_spec("retell"))
    assert sim.state.builder.retell_llms == {} and set(sim.state.data("retell").agents) == agents_before


@pytest.mark.parametrize(
    ("platform", "spec_change", "field"),
    [
        ("retell", {"llm": LlmSettings(model="gpt-4.1", temperature=1.5)}, "llm.temperature"),
        ("retell", {"max_call_duration_s": 45}, "max_call_duration_s"),
        ("vapi", {"name": "A name that is far too long for a Vapi assistant"}, "name"),
        ("elevenlabs", {"llm": LlmSettings(model="gemini-2.0-flash", temperature=2.0)}, None),
    ],
)
def test_platform_refusals_name_our_field(sim, platform, spec_change, field):
    spec = full_spec(platform).model_copy(update=spec_change)
    agents = writer(sim, platform)
    if field is None:  # within the platform's limits: accepted
        agents.delete(agents.create(spec).platform_agent_id, {})
        return
    with pytest.raises(PlatformRejected) as caught:
        agents.create(spec)
    assert caught.value.field == field
    assert caught.value.status_code == 400
    assert sim.state.builder.retell_llms == {}  # Retell: the LLM made first is gone again


@pytest.mark.parametrize("platform", PLATFORMS)
def test_platform_down_for_writes(sim, platform):
    write_fault(sim, platform, status=503, down=True)
    agents = writer(sim, platform)
    with pytest.raises(PlatformUnavailable):
        agents.create(full_spec(platform))
    httpx.delete(f"{sim.url}/_sim/write-faults")
    deployed = agents.create(full_spec(platform))
    assert agents.read(deployed.platform_agent_id)[0] == agents.normalize(full_spec(platform))


@pytest.mark.parametrize("platform", PLATFORMS)
def test_created_agents_sync(sim, platform):
    deployed = writer(sim, platform).create(full_spec(platform))
    listed = {a.platform_agent_id: a for a in connector(sim, platform).list_agents()}
    assert listed[deployed.platform_agent_id].name == "Bright Smiles – Front desk"
    assert listed[deployed.platform_agent_id].prompt == GOOD_PROMPT


@pytest.mark.parametrize("platform", PLATFORMS)
def test_a_better_prompt_makes_better_calls(sim, platform):
    """Version 1 with a bare prompt, version 2 with the four qualities of the prompt rule: version 2's calls
    succeed more often (agents_store.prompt_quality)."""
    agents = writer(sim, platform)
    plain = full_spec(platform).model_copy(update={"system_prompt": PLAIN_PROMPT})
    deployed = agents.create(plain)
    agent_id = deployed.platform_agent_id
    first = sim.state.add_calls(platform, 150, agent_id=agent_id)
    agents.update(agent_id, deployed.refs, full_spec(platform))
    second = sim.state.add_calls(platform, 150, agent_id=agent_id)
    assert success_rate(platform, second) > success_rate(platform, first) + 0.15
    if platform == "retell":
        assert {c["agent_version"] for c in first} == {0} and {c["agent_version"] for c in second} == {1}


def success_rate(platform: str, calls: list[dict]) -> float:
    def succeeded(call: dict) -> bool:
        if platform == "retell":
            return bool((call.get("call_analysis") or {}).get("call_successful"))
        if platform == "vapi":
            return str((call.get("analysis") or {}).get("successEvaluation")).lower() == "true"
        return (call.get("analysis") or {}).get("call_successful") == "success"

    return sum(map(succeeded, calls)) / len(calls)
