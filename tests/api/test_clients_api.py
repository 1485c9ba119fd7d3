"""Clients CRUD and assigning agents: /api/v1/clients, /api/v1/agents/{agentId}/client."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlmodel import select

from tests.support.http import bearer
from tests.support.rollups import expected_rollups, stored_rollups
from voiceconsole.models import AuditLog, Call, Membership
from voiceconsole.services.analytics import rollups


def test_create_list_rename_delete(api_client, factory):
    org = factory.org()
    h = bearer(factory.api_key(org))
    r = api_client.post("/api/v1/clients", json={"name": "  Bright   Smile Dental "}, headers=h)
    assert r.status_code == 201
    created = r.json()["data"]
    assert created["id"].startswith("cli_") and created["name"] == "Bright Smile Dental"
    assert set(created) == {"id", "name", "agentCount", "showCosts", "showAgentConfig", "createdAt"}
    assert created["agentCount"] == 0 and created["showCosts"] is False and created["showAgentConfig"] is False
    api_client.post("/api/v1/clients", json={"name": "Acme"}, headers=h)
    listed = api_client.get("/api/v1/clients", headers=h).json()
    assert [c["name"] for c in listed["data"]] == ["Acme", "Bright Smile Dental"] and listed["meta"]["total"] == 2
    assert api_client.get("/api/clients", headers=h).json()["data"] == listed["data"]  # alias prefix

    dup = api_client.post("/api/v1/clients", json={"name": "acme"}, headers=h)
    assert dup.status_code == 409 and dup.json()["details"][0]["field"] == "name"
    renamed = api_client.patch(f"/api/v1/clients/{created['id']}", json={"name": "Bright Smile"}, headers=h)
    assert renamed.status_code == 200 and renamed.json()["data"]["name"] == "Bright Smile"
    assert api_client.patch(f"/api/v1/clients/{created['id']}", json={"name": "Acme"}, headers=h).status_code == 409
    assert api_client.get(f"/api/v1/clients/{created['id']}", headers=h).json()["data"]["name"] == "Bright Smile"

    gone = api_client.delete(f"/api/v1/clients/{created['id']}", headers=h)
    assert gone.status_code == 200 and gone.json()["data"]["deleted"] is True
    assert [c["name"] for c in api_client.get("/api/v1/clients", headers=h).json()["data"]] == ["Acme"]
    assert api_client.delete(f"/api/v1/clients/{created['id']}", headers=h).status_code == 404


def test_bad_input(api_client, factory):
    org = factory.org()
    h = bearer(factory.api_key(org))
    for body in ({}, {"name": ""}, {"name": "x" * 201}, {"name": "ok", "extra": 1}):
        r = api_client.post("/api/v1/clients", json=body, headers=h)
        assert r.status_code == 422, body
        assert r.json()["details"]
    assert api_client.post("/api/v1/clients", json={"name": "   "}, headers=h).status_code == 422
    assert api_client.patch("/api/v1/clients/cli_nope", json={"name": "x"}, headers=h).status_code == 404
    assert api_client.put("/api/v1/agents/ag_nope/client", json={"clientId": None}, headers=h).status_code == 404
    assert api_client.put("/api/v1/agents/ag_nope/client", json={}, headers=h).status_code == 422


def test_tenancy_and_roles(api_client, factory):
    org, other = factory.org(), factory.org()
    theirs = factory.client(other, "Theirs")
    their_agent = factory.agent(other)
    h = bearer(factory.api_key(org))
    assert api_client.get(f"/api/v1/clients/{theirs.public_id}", headers=h).status_code == 404
    assert api_client.patch(f"/api/v1/clients/{theirs.public_id}", json={"name": "x"}, headers=h).status_code == 404
    assert api_client.delete(f"/api/v1/clients/{theirs.public_id}", headers=h).status_code == 404
    mine = factory.client(org, "Mine")
    mine_agent = factory.agent(org)
    assert (
        api_client.put(
            f"/api/v1/agents/{their_agent.platform_agent_id}/client", json={"clientId": mine.public_id}, headers=h
        ).status_code
        == 404
    )
    assert (
        api_client.put(
            f"/api/v1/agents/{mine_agent.platform_agent_id}/client", json={"clientId": theirs.public_id}, headers=h
        ).status_code
        == 404
    )
    assert api_client.get("/api/v1/clients", headers=h).json()["data"][0]["name"] == "Mine"
    member = bearer(factory.api_key(org, role="member"))
    assert api_client.get("/api/v1/clients", headers=member).status_code == 200
    assert api_client.post("/api/v1/clients", json={"name": "New"}, headers=member).status_code == 403
    assert api_client.delete(f"/api/v1/clients/{mine.public_id}", headers=member).status_code == 403
    # A client viewer sees only its own client.
    other_client = factory.client(org, "Other")
    _, token = factory.user_session(org, role="client_viewer", client=mine)
    api_client.cookies.set("cp_session", token)
    try:
        assert [c["name"] for c in api_client.get("/api/v1/clients").json()["data"]] == ["Mine"]
        assert api_client.get(f"/api/v1/clients/{other_client.public_id}").status_code == 404
    finally:
        api_client.cookies.clear()


def test_assigning_an_agent_moves_its_calls_and_rollups(api_client, db, factory):
    org = factory.org()
    acme, globex = factory.client(org, "Acme"), factory.client(org, "Globex")
    agent = factory.agent(org, client=acme)
    h = bearer(factory.api_key(org))
    now = datetime.now(UTC)
    ids = [factory.call(org, agent, started_at=now - timedelta(days=d, hours=1)).id for d in range(5)]
    rollups.refresh_rollups_for_calls(db, ids)
    db.commit()

    r = api_client.put(
        f"/api/v1/agents/{agent.platform_agent_id}/client", json={"clientId": globex.public_id}, headers=h
    )
    assert r.status_code == 200 and r.json()["data"]["clientId"] == globex.public_id
    db.expire_all()
    assert {c.client_id for c in db.exec(select(Call).where(Call.agent_id == agent.id))} == {globex.id}
    assert stored_rollups(db, org.id) == expected_rollups(db, org.id)
    by_client = {c["name"]: c["agentCount"] for c in api_client.get("/api/v1/clients", headers=h).json()["data"]}
    assert by_client == {"Acme": 0, "Globex": 1}
    analytics = api_client.get("/api/analytics", params={"range": "7d", "clientId": globex.public_id}, headers=h)
    assert analytics.json()["data"]["totalCalls"] == 5
    assert api_client.get("/api/calls", params={"clientId": acme.public_id}, headers=h).json()["meta"]["total"] == 0

    # Deleting the client unassigns the agent and its calls, removes its viewers, and keeps rollups exact.
    _, _token = factory.user_session(org, role="client_viewer", client=globex)
    r = api_client.delete(f"/api/v1/clients/{globex.public_id}", headers=h)
    assert r.status_code == 200 and r.json()["data"]["unassignedAgents"] == 1
    db.expire_all()
    assert {c.client_id for c in db.exec(select(Call).where(Call.agent_id == agent.id))} == {None}
    assert stored_rollups(db, org.id) == expected_rollups(db, org.id)
    assert (
        db.exec(
            select(Membership).where(Membership.organization_id == org.id, Membership.role == "client_viewer")
        ).first()
        is None
    )
    assert api_client.get("/api/v1/agents", headers=h).json()["data"][0]["clientId"] is None
    actions = {a.action for a in db.exec(select(AuditLog).where(AuditLog.organization_id == org.id))}
    assert {"agent.client_assigned", "client.deleted"} <= actions

    # Unassign explicitly with null.
    api_client.put(f"/api/v1/agents/{agent.platform_agent_id}/client", json={"clientId": acme.public_id}, headers=h)
    r = api_client.put(f"/api/v1/agents/{agent.platform_agent_id}/client", json={"clientId": None}, headers=h)
    assert r.status_code == 200 and r.json()["data"]["clientId"] is None
