"""The Agent Builder through the REST API, against the platform simulator over real HTTP, on each platform:
create → edit → diff → deploy → an edit in the vendor's console (drift) → import → roll back; a half-made
create leaves nothing on the platform; a platform that is down is a 502 with Retry-After; the version
comparison equals a direct computation over the calls."""

from __future__ import annotations

import statistics
from datetime import timedelta

import httpx
import pytest
from sqlmodel import select

from tests.platforms.builder.support import GOOD_PROMPT, PLAIN_PROMPT, QUICK, full_spec
from tests.support.simulator import connect
from voiceconsole.models import Agent, AgentDeployment, AuditLog, Call
from voiceconsole.platforms.builder import AgentWriter, writer_for
from voiceconsole.platforms.registry import make_connector

PLATFORMS = ("retell", "vapi", "elevenlabs")
pytestmark = pytest.mark.usefixtures("integration_settings", "no_jobs_left_behind")


def writer(sim, platform: str) -> AgentWriter:
    """A writer of our own on the platform, as the vendor's console would edit it."""
    return writer_for(make_connector(platform, sim.key(platform), sim.url(platform), retry=QUICK))


def _names_on(sim, platform: str) -> list[str]:
    return [a.name for a in make_connector(platform, sim.key(platform), sim.url(platform), retry=QUICK).list_agents()]


def _headers(factory, org, role: str = "owner") -> dict[str, str]:
    return {"Authorization": f"Bearer {factory.api_key(org, role=role)}"}


def _create(api_client, headers, integration, platform: str, prompt: str = PLAIN_PROMPT) -> str:
    spec = full_spec(platform).model_copy(update={"system_prompt": prompt}).wire()
    r = api_client.post(
        "/api/v1/agents",
        json={"platform": platform, "integrationId": integration.public_id, "spec": spec, "note": "First cut"},
        headers=headers,
    )
    assert r.status_code == 201, r.text
    created = r.json()["data"]
    assert created["version"] == 1 and created["platform"] == platform
    return created["agentId"]


def _agent(db, org, agent_id: str) -> Agent:
    db.expire_all()
    return db.exec(select(Agent).where(Agent.organization_id == org.id, Agent.platform_agent_id == agent_id)).one()


@pytest.mark.parametrize("platform", PLATFORMS)
def test_create_edit_deploy_drift_import_and_roll_back(platform, sim, factory, db, api_client):
    from voiceconsole.services.builder import check_integration
    from voiceconsole.services.integrations import webhook_url

    org, integration = connect(factory, sim, platform)
    headers = _headers(factory, org)
    agent_id = _create(api_client, headers, integration, platform)
    live, _ = writer(sim, platform).read(agent_id)
    assert live.system_prompt == PLAIN_PROMPT
    if platform != "elevenlabs":  # ElevenLabs reports calls to a workspace webhook, not per agent
        assert live.webhook_url == webhook_url(integration)
    (tool,) = [t for t in live.tools if t.kind == "webhook"]
    assert tool.headers == {"Authorization": "Bearer s3cret"}  # the secret reached the platform
    agent = _agent(db, org, agent_id)
    assert agent.monitored and agent.deployed_version == 1

    url = f"/api/v1/agents/{agent_id}"
    config = api_client.get(f"{url}/config", headers=headers).json()["data"]
    assert (config["version"], config["deployedVersion"], config["drift"]) == (1, 1, None)
    (shown,) = [t for t in config["spec"]["tools"] if t["kind"] == "webhook"]
    assert shown["headers"] == {"Authorization": "********"}  # never echoed

    config["spec"]["systemPrompt"] = GOOD_PROMPT  # what GET returned, edited, sent back
    saved = api_client.put(f"{url}/config", json=config, headers=headers)
    assert saved.status_code == 200, saved.text
    assert (saved.json()["data"]["version"], saved.json()["data"]["deployedVersion"]) == (2, 1)
    assert writer(sim, platform).read(agent_id)[0].system_prompt == PLAIN_PROMPT  # a draft is not live

    listed = api_client.get(f"{url}/versions", headers=headers).json()
    assert [(v["version"], v["live"]) for v in listed["data"]] == [(2, False), (1, True)]
    assert listed["meta"]["total"] == 2
    diff = api_client.get(f"{url}/versions/1/diff/2", headers=headers).json()["data"]
    assert f"-{PLAIN_PROMPT}" in diff["prompt"] and diff["changes"] == []
    assert any(line.startswith("+") and "Confirm the caller" in line for line in diff["prompt"])

    deployed = api_client.post(f"{url}/versions/2/deploy", headers=headers)
    assert deployed.status_code == 200, deployed.text
    assert deployed.json()["data"]["deployedVersion"] == 2
    live, _ = writer(sim, platform).read(agent_id)
    assert live.system_prompt == GOOD_PROMPT
    assert [t.headers for t in live.tools if t.kind == "webhook"] == [{"Authorization": "Bearer s3cret"}]  # kept

    # Someone edits the agent in the vendor's console; the next check finds it and nothing overwrites it.
    edited = live.model_copy(update={"system_prompt": "Edited in the vendor console."})
    writer(sim, platform).update(agent_id, dict(_agent(db, org, agent_id).builder_refs), edited)
    assert check_integration(db, integration.id) == 1
    db.commit()
    config = api_client.get(f"{url}/config", headers=headers).json()["data"]
    assert [c["field"] for c in config["drift"]["changes"]] == ["systemPrompt"]
    refused = api_client.post(f"{url}/versions/1/deploy", headers=headers)
    assert refused.status_code == 409 and refused.json()["details"][0]["field"] == "drift"

    imported = api_client.post(f"{url}/config/import-drift", headers=headers)
    assert imported.status_code == 200, imported.text
    data = imported.json()["data"]
    assert (data["version"], data["deployedVersion"], data["drift"]) == (3, 3, None)
    assert data["spec"]["systemPrompt"] == "Edited in the vendor console."

    rolled = api_client.post(f"{url}/versions/1/deploy", headers=headers)  # roll back to the first cut
    assert rolled.status_code == 200 and rolled.json()["data"]["deployedVersion"] == 1
    assert writer(sim, platform).read(agent_id)[0].system_prompt == PLAIN_PROMPT
    db.expire_all()
    assert check_integration(db, integration.id) == 0  # what runs is what was deployed
    db.expire_all()
    trail = db.exec(
        select(AuditLog)
        .where(AuditLog.organization_id == org.id, AuditLog.action == "agent.deployed")
        .order_by(AuditLog.id)
    ).all()
    assert [(e.details["version"], e.details["rollback"]) for e in trail] == [(2, False), (1, True)]


def test_a_half_made_create_leaves_nothing_on_the_platform(sim, factory, db, api_client):
    org, integration = connect(factory, sim, "retell")
    fault = httpx.post(
        f"{sim.base_url}/_sim/write-faults",
        json={"platform": "retell", "status": 400, "message": "voice_id is not valid", "pathPrefix": "/create-agent"},
    )
    assert fault.status_code == 200, fault.text
    headers = _headers(factory, org)
    r = api_client.post(
        "/api/v1/agents",
        json={"platform": "retell", "integrationId": integration.public_id, "spec": full_spec("retell").wire()},
        headers=headers,
    )
    assert r.status_code == 422, r.text
    assert r.json()["details"][0]["field"].startswith("spec")
    assert "voice_id is not valid" in r.json()["details"][0]["message"]
    assert full_spec("retell").name not in _names_on(sim, "retell")
    assert sim.state.builder.retell_llms == {}  # the LLM made first was deleted with the refused agent
    assert db.exec(select(Agent).where(Agent.organization_id == org.id, Agent.deployed_version != None)).all() == []  # noqa: E711


def test_a_platform_that_is_down_is_a_502_with_retry_after(sim, factory, api_client):
    org, integration = connect(factory, sim, "vapi")
    httpx.post(f"{sim.base_url}/_sim/write-faults", json={"platform": "vapi", "status": 503, "down": True})
    r = api_client.post(
        "/api/v1/agents",
        json={"platform": "vapi", "integrationId": integration.public_id, "spec": full_spec("vapi").wire()},
        headers=_headers(factory, org),
    )
    assert r.status_code == 502 and r.headers["Retry-After"]
    assert r.json()["error"] == "Vapi is unavailable"


def test_bad_specs_and_checks_are_422_naming_the_field(sim, factory, api_client):
    org, integration = connect(factory, sim, "vapi")
    headers = _headers(factory, org)
    spec = full_spec("vapi").wire()
    cases = [
        ({**spec, "voiceId": ""}, "spec.voiceId"),
        ({**spec, "llm": {"model": "gpt-4.1", "temperature": 5}}, "spec.llm.temperature"),
        ({**spec, "tools": [{"kind": "transfer", "number": "555-0100"}]}, "spec.tools.0.number"),  # the check
        ({**spec, "systemPrompt": ""}, "spec.systemPrompt"),  # the check: an empty prompt blocks a deploy
        ({**spec, "systemPrompt": "a\u0000b"}, "spec"),
    ]
    for body, field in cases:
        r = api_client.post(
            "/api/v1/agents",
            json={"platform": "vapi", "integrationId": integration.public_id, "spec": body},
            headers=headers,
        )
        assert r.status_code == 422, (field, r.text)
        assert any(d["field"].startswith(field) for d in r.json()["details"]), (field, r.json())
    assert spec["name"] not in _names_on(sim, "vapi")  # nothing was created


def test_roles_and_other_organizations(sim, factory, api_client):
    org, integration = connect(factory, sim, "vapi")
    agent_id = _create(api_client, _headers(factory, org), integration, "vapi")
    url = f"/api/v1/agents/{agent_id}"
    member = _headers(factory, org, role="member")
    assert api_client.get(f"{url}/config", headers=member).status_code == 200
    assert api_client.get(f"{url}/versions", headers=member).status_code == 200
    assert api_client.post(f"{url}/versions/1/deploy", headers=member).status_code == 403
    other = _headers(factory, factory.org())
    assert api_client.get(f"{url}/config", headers=other).status_code == 404
    assert api_client.post(f"{url}/versions/1/deploy", headers=other).status_code == 404
    templates = api_client.get("/api/v1/agent-templates", headers=member).json()
    assert templates["meta"]["total"] >= 4 and {"id", "name", "description", "spec"} <= set(templates["data"][0])


def test_the_version_comparison_equals_a_direct_computation(sim, factory, db, api_client):
    """Calls are attributed to the version deployed when they started; each version's figures are what a direct
    computation over its calls gives, and the better prompt (the simulator's rule) scores better."""
    from voiceconsole.services.intake.sync import sync_integration

    org, integration = connect(factory, sim, "retell")
    headers = _headers(factory, org)
    agent_id = _create(api_client, headers, integration, "retell", prompt=PLAIN_PROMPT)
    agent = _agent(db, org, agent_id)
    # The simulator's clock runs ahead of ours: date the first deploy back so its calls fall after it.
    first = db.exec(select(AgentDeployment).where(AgentDeployment.agent_id == agent.id)).one()
    first.deployed_at -= timedelta(days=30)
    db.add(first)
    db.commit()
    sim.state.add_calls("retell", 60, agent_id=agent_id)
    sync_integration(integration.id)

    config = api_client.get(f"/api/v1/agents/{agent_id}/config", headers=headers).json()["data"]
    config["spec"]["systemPrompt"] = GOOD_PROMPT
    api_client.put(f"/api/v1/agents/{agent_id}/config", json=config, headers=headers)
    assert api_client.post(f"/api/v1/agents/{agent_id}/versions/2/deploy", headers=headers).status_code == 200
    db.expire_all()
    last_v1 = max(c.started_at for c in db.exec(select(Call).where(Call.agent_id == agent.id)))
    second = db.exec(
        select(AgentDeployment).where(AgentDeployment.agent_id == agent.id, AgentDeployment.version == 2)
    ).one()
    second.deployed_at = last_v1 + timedelta(seconds=1)  # deployed right after the last call of version 1
    db.add(second)
    db.commit()
    sim.state.add_calls("retell", 60, agent_id=agent_id)
    sync_integration(integration.id)

    shown = {
        v["version"]: v
        for v in api_client.get(f"/api/v1/agents/{agent_id}/versions/quality", headers=headers).json()["data"]
    }
    db.expire_all()
    calls = db.exec(select(Call).where(Call.agent_id == agent.id)).all()
    assert {c.agent_version for c in calls} == {1, 2} and len(calls) == 120
    for version in (1, 2):
        mine = [c for c in calls if c.agent_version == version]
        ended = [c for c in mine if c.status == "ended"]
        scored = [c.score for c in mine if c.score is not None and not c.score_excluded]
        costed = [float(c.cost_usd) for c in mine if c.cost_usd is not None]
        durations = [c.duration_ms / 1000 for c in ended if c.duration_ms is not None]
        figures = shown[version]
        assert figures["calls"] == len(mine)
        assert figures["scoredCalls"] == len(scored)
        assert figures["avgScore"] == (round(statistics.fmean(scored), 1) if scored else None)
        assert figures["outcomeCalls"] == len(ended)
        assert figures["successRate"] == round(sum(1 for c in ended if c.successful) / len(ended), 4)
        assert figures["avgDurationS"] == pytest.approx(round(statistics.fmean(durations), 1), abs=0.051)
        assert figures["costedCalls"] == len(costed)
        assert figures["costPerCall"] == pytest.approx(round(sum(costed) / len(costed), 4), abs=1e-4)
        assert sum(figures["sentiment"].values()) == sum(1 for c in mine if c.sentiment)
    assert shown[2]["successRate"] > shown[1]["successRate"]  # the edit helped


@pytest.mark.parametrize("platform", PLATFORMS)
def test_a_template_makes_a_complete_agent(platform, sim, factory, db, api_client):
    org, integration = connect(factory, sim, platform)
    r = api_client.post(
        "/api/v1/agents",
        json={"platform": platform, "integrationId": integration.public_id, "templateId": "home-services-booking"},
        headers=_headers(factory, org),
    )
    assert r.status_code == 201, r.text
    live, _ = writer(sim, platform).read(r.json()["data"]["agentId"])
    assert live.name == "Home-services booking" and "{{company_name}}" in live.system_prompt
    unknown = api_client.post(
        "/api/v1/agents",
        json={"platform": platform, "integrationId": integration.public_id, "templateId": "nope"},
        headers=_headers(factory, org),
    )
    assert unknown.status_code == 422 and unknown.json()["details"][0]["field"] == "templateId"


def test_a_coaching_suggestion_becomes_a_draft(sim, factory, db, api_client):
    from voiceconsole.services.intake.sync import sync_integration

    org, integration = connect(factory, sim, "vapi")
    headers = _headers(factory, org)
    agent_id = _create(api_client, headers, integration, "vapi")
    sim.state.add_calls("vapi", 1, agent_id=agent_id)
    sync_integration(integration.id)
    db.expire_all()
    call = db.exec(select(Call).where(Call.agent_id == _agent(db, org, agent_id).id)).first()
    url = f"/api/v1/calls/{call.public_id}/coaching/to-prompt"
    r = api_client.post(url, json={"suggestion": "Offer two concrete times"}, headers=headers)
    assert r.status_code == 200, r.text
    data = r.json()["data"]
    assert (data["version"], data["deployedVersion"]) == (2, 1)  # a draft: nothing went live
    assert data["spec"]["systemPrompt"].endswith(
        "## Coaching notes (added from call reviews)\n- Offer two concrete times\n"
    )
    again = api_client.post(url, json={"suggestion": "Offer  two concrete times"}, headers=headers).json()["data"]
    assert again["spec"]["systemPrompt"].count("Offer two concrete times") == 1  # not added twice
    versions = api_client.get(f"/api/v1/agents/{agent_id}/versions", headers=headers).json()["data"]
    assert versions[0]["source"] == "coaching" and call.public_id in versions[0]["note"], versions
    assert api_client.post(url, json={"suggestion": ""}, headers=headers).status_code == 422
    member = _headers(factory, org, role="member")
    assert api_client.post(url, json={"suggestion": "x"}, headers=member).status_code == 403
