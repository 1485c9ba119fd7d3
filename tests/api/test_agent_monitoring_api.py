"""`GET/PUT /api/v1/agents/{agentId}/monitoring` and the agents list's `monitored`/`monitoringReason`: the plan's
limit as a 403 with the plan that lifts it, role checks, other organizations' agents answered 404, bad bodies
422 naming the field. The imports themselves: tests/services/billing/test_monitoring.py."""

from __future__ import annotations

import pytest
from sqlmodel import select

from tests.support.http import bearer
from tests.support.team import person

FREE_HINT = "Free includes 1 monitored agent. Upgrade to Pro for 15."

pytestmark = pytest.mark.usefixtures("no_jobs_left_behind")


@pytest.fixture
def free(factory):
    from voiceconsole.services.billing.monitoring import apply_plan_limits

    org = factory.org(plan="free")
    busy = factory.agent(org, name="Busy")
    factory.call(org, busy)
    quiet = factory.agent(org, name="Quiet")
    apply_plan_limits(factory.s, org)
    factory.s.commit()
    return {"org": org, "busy": busy, "quiet": quiet, "owner": person(factory, org, role="owner")}


def _url(agent) -> str:
    return f"/api/v1/agents/{agent.platform_agent_id}/monitoring"


def test_the_list_and_the_endpoint_say_which_agents_are_monitored_and_why(api_client, free):
    listed = api_client.get("/api/v1/agents", headers=free["owner"].cookie).json()["data"]
    by_id = {a["id"]: (a["monitored"], a["monitoringReason"]) for a in listed}
    assert by_id == {
        free["busy"].platform_agent_id: (True, None),
        free["quiet"].platform_agent_id: (False, f"Not monitored: {FREE_HINT}"),
    }
    r = api_client.get(_url(free["quiet"]), headers=free["owner"].cookie)
    assert r.status_code == 200
    assert r.json()["data"] == {"monitored": False, "monitoring": "auto", "reason": f"Not monitored: {FREE_HINT}"}
    detail = api_client.get(f"/api/v1/agents/{free['busy'].platform_agent_id}", headers=free["owner"].cookie)
    assert detail.json()["data"]["monitored"] is True


def test_the_plan_limit_is_a_403_naming_the_plan_that_lifts_it(api_client, db, free):
    from voiceconsole.models import Agent, AuditLog

    cookie = free["owner"].cookie
    r = api_client.put(_url(free["busy"]), json={"monitored": True}, headers=cookie)  # turned on: holds the slot
    assert r.status_code == 200 and r.json()["data"] == {"monitored": True, "monitoring": "on", "reason": None}

    r = api_client.put(_url(free["quiet"]), json={"monitored": True}, headers=cookie)
    assert r.status_code == 403
    assert r.json() == {"error": "Plan limit reached", "details": [{"field": "monitored", "message": FREE_HINT}]}

    # The swap: stop one, monitor the other.
    r = api_client.put(_url(free["busy"]), json={"monitored": False}, headers=cookie)
    assert r.json()["data"] == {
        "monitored": False,
        "monitoring": "off",
        "reason": "Not monitored: turned off by the agency",
    }
    r = api_client.put(_url(free["quiet"]), json={"monitored": True}, headers=cookie)
    assert r.status_code == 200 and r.json()["data"]["monitored"] is True
    db.expire_all()
    monitored = db.exec(select(Agent.name).where(Agent.organization_id == free["org"].id, Agent.monitored)).all()
    assert monitored == ["Quiet"]
    changes = db.exec(
        select(AuditLog).where(
            AuditLog.organization_id == free["org"].id, AuditLog.action == "agent.monitoring_changed"
        )
    ).all()
    assert len(changes) == 3 and changes[-1].target_id == free["quiet"].platform_agent_id


def test_an_upgrade_lifts_the_limit(api_client, db, free):
    org = free["org"]
    org.plan = "pro"
    db.add(org)
    db.commit()
    r = api_client.put(_url(free["quiet"]), json={"monitored": True}, headers=free["owner"].cookie)
    assert r.status_code == 200 and r.json()["data"]["monitored"] is True


@pytest.mark.parametrize("role", ["member", "client_viewer"])
def test_only_owners_and_admins_change_monitoring(api_client, factory, free, role):
    client = factory.client(free["org"]) if role == "client_viewer" else None
    who = person(factory, free["org"], role=role, client=client)
    r = api_client.put(_url(free["quiet"]), json={"monitored": True}, headers=who.cookie)
    assert r.status_code == 403 and r.json()["error"] != "Plan limit reached"
    admin = person(factory, free["org"], role="admin")
    r = api_client.put(_url(free["busy"]), json={"monitored": False}, headers=admin.cookie)
    assert r.status_code == 200


def test_a_client_viewer_sees_only_their_clients_agents(api_client, factory, db, free):
    client = factory.client(free["org"])
    free["busy"].client_id = client.id
    db.add(free["busy"])
    db.commit()
    viewer = person(factory, free["org"], role="client_viewer", client=client)
    assert api_client.get(_url(free["busy"]), headers=viewer.cookie).status_code == 200
    assert api_client.get(_url(free["quiet"]), headers=viewer.cookie).status_code == 404


def test_another_organizations_agent_is_not_found(api_client, factory, free):
    other = factory.org()
    key = factory.api_key(other)
    for method in ("get", "put"):
        kwargs = {"json": {"monitored": True}} if method == "put" else {}
        r = getattr(api_client, method)(_url(free["quiet"]), headers=bearer(key), **kwargs)
        assert r.status_code == 404, (method, r.text)
        assert r.json()["error"] == "Agent not found"


@pytest.mark.parametrize(
    "body, field",
    [({}, "monitored"), ({"monitored": "yes"}, "monitored"), ({"monitored": True, "extra": 1}, "extra")],
)
def test_bad_bodies_are_422_naming_the_field(api_client, free, body, field):
    r = api_client.put(_url(free["quiet"]), json=body, headers=free["owner"].cookie)
    assert r.status_code == 422
    assert field in [d["field"] for d in r.json()["details"]]
