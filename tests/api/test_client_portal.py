"""Client portals through the API: a client viewer sees its own client only, and neither costs nor agent
configuration unless the agency shows them to that client (`showCosts`, `showAgentConfig`)."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest
from sqlmodel import select

from tests.support.http import bearer
from voiceconsole.models import AuditLog

ORIGIN = {"Origin": "http://testserver"}
PROMPT = "You are Ava, the front desk of Bright Smile Dental. Never quote prices."
SYSTEM_TURN = {"role": "system", "text": PROMPT, "start": 0.0, "end": 0.0}


@pytest.fixture
def portal(db, factory):
    org = factory.org()
    mine, theirs = factory.client(org, "Bright Smile"), factory.client(org, "Hidden Co")
    my_agent = factory.agent(org, client=mine, name="Ava front desk")
    their_agent = factory.agent(org, client=theirs, name="Secret Sales Bot")
    loose_agent = factory.agent(org, name="Unassigned Helper")
    for agent in (my_agent, their_agent):
        agent.prompt, agent.voice, agent.model = PROMPT, "11labs-ava", "gpt-4o"
        db.add(agent)
    db.commit()
    turns = [SYSTEM_TURN, {"role": "agent", "text": "Hello!", "start": 0.5, "end": 1.5}]
    breakdown = [{"name": "llm", "usd": 0.05}, {"name": "tts", "usd": 0.07}]
    my_calls = [
        factory.call(org, my_agent, transcript_turns=turns, cost_breakdown=breakdown, cost_credits=120)
        for _ in range(2)
    ]
    their_call = factory.call(org, their_agent, cost_usd=Decimal("9.99"))
    loose_call = factory.call(org, loose_agent)
    from voiceconsole.services.agents import recompute_agent_stats
    from voiceconsole.services.analytics import rollups

    for agent in (my_agent, their_agent, loose_agent):
        recompute_agent_stats(db, agent_id=agent.id)
        rollups.refresh_rollups_for_agent(db, organization_id=org.id, agent_id=agent.id)
    db.commit()
    _, token = factory.user_session(org, role="client_viewer", client=mine)
    return {
        "org": org,
        "mine": mine,
        "theirs": theirs,
        "my_agent": my_agent,
        "their_agent": their_agent,
        "my_calls": my_calls,
        "others": [their_call, loose_call],
        "viewer": {"Cookie": f"cp_session={token}"},
        "owner": bearer(factory.api_key(org)),
    }


def _get(api_client, path, headers, **params):
    r = api_client.get(path, headers=headers, params=params)
    assert r.status_code == 200, (path, r.text)
    return r


def _csv(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def test_a_viewer_sees_its_own_client_only_and_no_other_names(api_client, portal):
    v = portal["viewer"]
    calls = _get(api_client, "/api/calls", v, perPage=100).json()["data"]
    assert {c["id"] for c in calls} == {c.public_id for c in portal["my_calls"]}
    for other in portal["others"]:
        assert api_client.get(f"/api/calls/{other.public_id}", headers=v).status_code == 404
    their_agent = portal["their_agent"].platform_agent_id
    assert api_client.get(f"/api/v1/agents/{their_agent}", headers=v).status_code == 404
    assert api_client.get("/api/calls", headers=v, params={"agentId": their_agent}).json()["data"] == []
    assert api_client.get(f"/api/v1/clients/{portal['theirs'].public_id}", headers=v).status_code == 404
    assert (
        api_client.get("/api/v1/analytics", headers=v, params={"clientId": portal["theirs"].public_id}).status_code
        == 404
    )
    # Every read a portal makes: nothing names another client or another client's agent.
    bodies = [
        _get(api_client, path, v).text
        for path in (
            "/api/calls",
            "/api/v1/agents",
            "/api/agents/stats",
            "/api/v1/analytics",
            "/api/v1/analytics/portfolio",
            "/api/v1/clients",
            "/api/v1/calls/export",
            f"/api/calls/{portal['my_calls'][0].public_id}",
            f"/api/v1/agents/{portal['my_agent'].platform_agent_id}",
        )
    ]
    for body in bodies:
        for name in ("Hidden Co", "Secret Sales Bot", "Unassigned Helper", their_agent):
            assert name not in body
    assert len(_csv(bodies[6])) == 2
    # Settings of the agency are not theirs.
    for path in ("/api/v1/api-keys", "/api/v1/integrations", "/api/v1/notification-channels"):
        assert api_client.get(path, headers=v).status_code in (403, 404), path


def test_costs_are_hidden_from_viewers_unless_shown(api_client, portal):
    v, mine = portal["viewer"], portal["mine"]
    call_id, agent_id = portal["my_calls"][0].public_id, portal["my_agent"].platform_agent_id

    listed = _get(api_client, "/api/calls", v).json()["data"]
    assert all(c["cost"] is None and c["costCredits"] is None for c in listed)
    detail = _get(api_client, f"/api/calls/{call_id}", v).json()["data"]
    assert detail["cost"] is None and detail["costBreakdown"] == [] and detail["costCredits"] is None
    agents = _get(api_client, "/api/v1/agents", v).json()["data"]
    assert [a["totalCost"] for a in agents] == [None]
    stats = _get(api_client, "/api/agents/stats", v).json()["data"]
    assert stats["totalCost"] is None and stats["period"]["cost"] is None
    assert stats["period"]["costPerMinute"] is None and stats["agents"][0]["period"]["cost"] is None
    agent = _get(api_client, f"/api/v1/agents/{agent_id}", v).json()["data"]
    assert agent["totalCost"] is None and agent["costPerMinute"] is None and agent["period"]["cost"] is None
    assert all(p["cost"] is None for p in agent["scoreTrend"])
    figures = _get(api_client, "/api/v1/analytics", v, range="7d").json()["data"]
    assert figures["totalCost"] is None and figures["trends"]["cost"] is None
    assert all(p["cost"] is None for p in figures["series"])
    assert figures["totalCalls"] == 2
    board = _get(api_client, "/api/v1/analytics/portfolio", v).json()["data"]
    assert all(r["cost"] is None for r in board["clients"] + board["agents"])
    export = _get(api_client, "/api/v1/calls/export", v).text
    assert "cost" not in export.splitlines()[0].split(",") and len(_csv(export)) == 2
    # Sorting by cost would tell the order of the costs.
    assert api_client.get("/api/calls", headers=v, params={"sortBy": "cost"}).status_code == 422
    assert api_client.get("/api/v1/agents", headers=v, params={"sortBy": "totalCost"}).status_code == 422

    # Staff see everything meanwhile.
    assert _get(api_client, f"/api/calls/{call_id}", portal["owner"]).json()["data"]["cost"] == 0.12

    r = api_client.patch(f"/api/v1/clients/{mine.public_id}", json={"showCosts": True}, headers=portal["owner"])
    assert r.status_code == 200 and r.json()["data"]["showCosts"] is True
    detail = _get(api_client, f"/api/calls/{call_id}", v).json()["data"]
    assert detail["cost"] == 0.12 and len(detail["costBreakdown"]) == 2 and detail["costCredits"] == 120
    assert _get(api_client, "/api/v1/agents", v).json()["data"][0]["totalCost"] == 0.24
    assert _get(api_client, "/api/v1/analytics", v, range="7d").json()["data"]["totalCost"] == 0.24
    assert "cost" in _get(api_client, "/api/v1/calls/export", v).text.splitlines()[0].split(",")
    assert api_client.get("/api/calls", headers=v, params={"sortBy": "cost"}).status_code == 200


def test_agent_configuration_is_hidden_from_viewers_unless_shown(api_client, portal):
    v, mine = portal["viewer"], portal["mine"]
    call_id, agent_id = portal["my_calls"][0].public_id, portal["my_agent"].platform_agent_id

    agent = _get(api_client, f"/api/v1/agents/{agent_id}", v).json()["data"]
    assert agent["prompt"] is None and agent["voice"] is None and agent["model"] is None
    assert _get(api_client, "/api/v1/agents", v).json()["data"][0]["voice"] is None
    detail = _get(api_client, f"/api/calls/{call_id}", v).json()["data"]
    assert [t["role"] for t in detail["transcriptTurns"]] == ["agent"]  # the system prompt turn is gone
    assert PROMPT not in _get(api_client, f"/api/calls/{call_id}", v).text
    assert PROMPT not in _get(api_client, f"/api/v1/agents/{agent_id}", v).text

    owner_view = _get(api_client, f"/api/v1/agents/{agent_id}", portal["owner"]).json()["data"]
    assert owner_view["prompt"] == PROMPT and owner_view["voice"] == "11labs-ava"

    api_client.patch(f"/api/v1/clients/{mine.public_id}", json={"showAgentConfig": True}, headers=portal["owner"])
    agent = _get(api_client, f"/api/v1/agents/{agent_id}", v).json()["data"]
    assert agent["prompt"] == PROMPT and agent["model"] == "gpt-4o"
    detail = _get(api_client, f"/api/calls/{call_id}", v).json()["data"]
    assert [t["role"] for t in detail["transcriptTurns"]] == ["system", "agent"]
    assert detail["cost"] is None  # costs are a separate switch


def test_the_switches_are_validated_and_for_managers_only(api_client, db, factory, portal):
    owner, mine = portal["owner"], portal["mine"]
    path = f"/api/v1/clients/{mine.public_id}"
    for body in ({}, {"showCosts": "yes"}, {"showCosts": 1}, {"showAgentConfig": None, "showCosts": None}, {"x": 1}):
        r = api_client.patch(path, json=body, headers=owner)
        assert r.status_code == 422, body
        assert r.json()["details"], body
    both = api_client.patch(
        path, json={"showCosts": True, "showAgentConfig": True, "name": "Bright Smile 2"}, headers=owner
    )
    assert both.status_code == 200
    assert both.json()["data"] | {"createdAt": None} == {
        "id": mine.public_id,
        "name": "Bright Smile 2",
        "agentCount": 1,
        "showCosts": True,
        "showAgentConfig": True,
        "createdAt": None,
    }
    member = bearer(factory.api_key(portal["org"], role="member"))
    assert api_client.patch(path, json={"showCosts": False}, headers=member).status_code == 403
    viewer = api_client.patch(path, json={"showCosts": False}, headers=portal["viewer"] | ORIGIN)
    assert viewer.status_code in (403, 404)
    actions = db.exec(select(AuditLog.action).where(AuditLog.organization_id == portal["org"].id)).all()
    assert "client.portal_visibility_changed" in actions
    other = factory.org()
    assert api_client.patch(path, json={"showCosts": True}, headers=bearer(factory.api_key(other))).status_code == 404
