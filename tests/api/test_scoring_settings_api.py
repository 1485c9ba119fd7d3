"""The scoring settings API: GET/PUT /api/v1/settings/scoring, PUT /api/v1/clients/{id}/scoring,
PUT /api/v1/agents/{id}/scoring. Bad input → 422 naming the field and nothing stored; other
organizations' clients and agents → 404; a weights change is rescored by a real RQ worker."""

from __future__ import annotations

import pytest

from tests.support.calls import ANGRY, timed_turns
from tests.support.http import bearer
from tests.support.llm_server import drain
from voiceconsole.enqueue import get_queue, scoped
from voiceconsole.models import Call, Organization
from voiceconsole.scoring import DEFAULT_WEIGHTS
from voiceconsole.services.scoring import score_stored_calls

OUTCOME_HEAVY = {"duration": 5, "sentiment": 5, "outcome": 85, "engagement": 5}


def assert_422(r, field: str) -> None:
    assert r.status_code == 422, (r.status_code, r.text)
    body = r.json()
    assert body["error"] == "Validation failed"
    assert field in [d["field"] for d in body["details"]], body


@pytest.fixture
def ctx(factory):
    org = factory.org(plan="pro")
    return org, factory.api_key(org)


def test_get_defaults(api_client, ctx):
    _org, key = ctx
    r = api_client.get("/api/v1/settings/scoring", headers=bearer(key))
    assert r.status_code == 200
    d = r.json()["data"]
    assert d["weights"] == DEFAULT_WEIGHTS == d["defaultWeights"] and d["customWeights"] is False
    assert d["alertThreshold"] == 60 == d["defaultAlertThreshold"]
    assert d["clients"] == [] and d["agents"] == []
    assert d["aiMode"] == {"configured": False, "model": None}
    assert d["credits"]["plan"] == "pro" and d["credits"]["allowance"] == 1000 and d["credits"]["remaining"] == 1000
    assert api_client.get("/api/settings/scoring", headers=bearer(key)).json()["data"] == d  # alias prefix


@pytest.mark.parametrize(
    "body, field",
    [
        ({"weights": {"duration": 30, "sentiment": 25, "outcome": 35, "engagement": 20}}, "weights"),
        ({"weights": {"duration": -1, "sentiment": 46, "outcome": 35, "engagement": 20}}, "weights.duration"),
        ({"weights": {"duration": "20", "sentiment": 25, "outcome": 35, "engagement": 20}}, "weights.duration"),
        ({"weights": {"sentiment": 45, "outcome": 35, "engagement": 20}}, "weights.duration"),
        ({"weights": {"duration": 20, "sentiment": 25, "outcome": 35, "engagement": 20, "tone": 0}}, "weights.tone"),
        ({"weights": [20, 25, 35, 20]}, "weights"),
        ({"weights": "default"}, "weights"),
        ({"alertThreshold": 101}, "alertThreshold"),
        ({"alertThreshold": -1}, "alertThreshold"),
        ({"alertThreshold": "60"}, "alertThreshold"),
        ({"alertThreshold": 60.5}, "alertThreshold"),
        ({"alertThreshold": None}, "alertThreshold"),
        ({"threshold": 50}, "threshold"),
        ({}, "body"),
    ],
)
def test_bad_org_settings_are_refused_and_nothing_is_stored(api_client, db, ctx, body, field):
    org, key = ctx
    r = api_client.put("/api/v1/settings/scoring", json=body, headers=bearer(key))
    assert_422(r, field)
    db.expire_all()
    stored = db.get(Organization, org.id)
    assert stored.alert_threshold == 60 and "score_weights" not in stored.settings


def test_put_org_settings_rescores_in_the_background(api_client, db, factory, ctx):
    org, key = ctx
    agent = factory.agent(org)
    call = factory.call(org, agent, score=None, transcript_turns=timed_turns(ANGRY), transcript=None)
    score_stored_calls(db, call_ids=[call.id])
    db.commit()
    r = api_client.put(
        "/api/v1/settings/scoring", json={"weights": OUTCOME_HEAVY, "alertThreshold": 70}, headers=bearer(key)
    )
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["meta"] == {"rescoring": True}
    assert body["data"]["weights"] == OUTCOME_HEAVY and body["data"]["customWeights"] is True
    assert body["data"]["alertThreshold"] == 70
    assert scoped(f"rescore-{org.id}-all") in get_queue("default").job_ids
    drain("default")
    db.expire_all()
    assert db.get(Call, call.id).score_breakdown["outcome"]["weight"] == 85
    # Only the threshold: nothing to rescore. Null weights: back to the defaults (rescored).
    r = api_client.put("/api/settings/scoring", json={"alertThreshold": 50}, headers=bearer(key))
    assert r.json()["meta"] == {"rescoring": False} and r.json()["data"]["alertThreshold"] == 50
    r = api_client.put("/api/settings/scoring", json={"weights": None}, headers=bearer(key))
    assert r.json()["meta"] == {"rescoring": True} and r.json()["data"]["weights"] == DEFAULT_WEIGHTS
    drain("default")
    db.expire_all()
    assert db.get(Call, call.id).score_breakdown["outcome"]["weight"] == 35


def test_members_may_read_but_not_change(api_client, factory, ctx):
    org, _ = ctx
    member_key = factory.api_key(org, role="member")
    assert api_client.get("/api/v1/settings/scoring", headers=bearer(member_key)).status_code == 200
    r = api_client.put("/api/v1/settings/scoring", json={"alertThreshold": 10}, headers=bearer(member_key))
    assert r.status_code == 403


def test_client_scoring_override_and_clear(api_client, db, factory, ctx):
    org, key = ctx
    client = factory.client(org, name="Acme Dental")
    agent = factory.agent(org, client=client)
    call = factory.call(org, agent, score=None, transcript_turns=timed_turns(ANGRY), transcript=None)
    url = f"/api/v1/clients/{client.public_id}/scoring"
    r = api_client.put(url, json={"weights": OUTCOME_HEAVY, "alertThreshold": 80}, headers=bearer(key))
    assert r.status_code == 200, r.text
    d = r.json()["data"]
    assert d == {
        "clientId": client.public_id,
        "clientName": "Acme Dental",
        "weights": OUTCOME_HEAVY,
        "effectiveWeights": OUTCOME_HEAVY,
        "alertThreshold": 80,
        "effectiveAlertThreshold": 80,
    }
    assert r.json()["meta"] == {"rescoring": True}
    assert scoped(f"rescore-{org.id}-client-{client.id}") in get_queue("default").job_ids
    drain("default")
    db.expire_all()
    assert db.get(Call, call.id).score_breakdown["outcome"]["weight"] == 85
    listed = api_client.get("/api/v1/settings/scoring", headers=bearer(key)).json()["data"]["clients"]
    assert [c["clientId"] for c in listed] == [client.public_id]
    assert api_client.get(f"/api/clients/{client.public_id}/scoring", headers=bearer(key)).json()["data"] == d
    r = api_client.put(url, json={"weights": None, "alertThreshold": None}, headers=bearer(key))
    d = r.json()["data"]
    assert d["weights"] is None and d["effectiveWeights"] == DEFAULT_WEIGHTS and d["effectiveAlertThreshold"] == 60
    assert api_client.get("/api/v1/settings/scoring", headers=bearer(key)).json()["data"]["clients"] == []


@pytest.mark.parametrize(
    "body, field",
    [
        ({"weights": {"duration": 50, "sentiment": 25, "outcome": 35, "engagement": 20}}, "weights"),
        ({"weights": {"duration": 20, "sentiment": 25, "outcome": 35, "engagement": "x"}}, "weights.engagement"),
        ({"alertThreshold": 250}, "alertThreshold"),
        ({}, "body"),
    ],
)
def test_bad_client_settings_are_refused(api_client, factory, ctx, body, field):
    org, key = ctx
    client = factory.client(org)
    assert_422(api_client.put(f"/api/v1/clients/{client.public_id}/scoring", json=body, headers=bearer(key)), field)


def test_agent_threshold(api_client, factory, ctx):
    org, key = ctx
    agent = factory.agent(org, name="Night line")
    url = f"/api/v1/agents/{agent.platform_agent_id}/scoring"
    r = api_client.put(url, json={"alertThreshold": 45}, headers=bearer(key))
    assert r.status_code == 200
    assert r.json()["data"] == {
        "agentId": agent.platform_agent_id,
        "agentName": "Night line",
        "alertThreshold": 45,
        "effectiveAlertThreshold": 45,
    }
    agents = api_client.get("/api/v1/settings/scoring", headers=bearer(key)).json()["data"]["agents"]
    assert agents == [{"agentId": agent.platform_agent_id, "agentName": "Night line", "alertThreshold": 45}]
    assert_422(api_client.put(url, json={"alertThreshold": 101}, headers=bearer(key)), "alertThreshold")
    assert_422(api_client.put(url, json={}, headers=bearer(key)), "alertThreshold")
    r = api_client.put(url, json={"alertThreshold": None}, headers=bearer(key))
    assert r.json()["data"]["effectiveAlertThreshold"] == 60


def test_other_organizations_clients_and_agents_are_404(api_client, factory, ctx):
    _org, key = ctx
    other = factory.org()
    client, agent = factory.client(other), factory.agent(other)
    for method, path, body in [
        ("put", f"/api/v1/clients/{client.public_id}/scoring", {"alertThreshold": 10}),
        ("get", f"/api/v1/clients/{client.public_id}/scoring", None),
        ("put", f"/api/v1/agents/{agent.platform_agent_id}/scoring", {"alertThreshold": 10}),
        ("get", f"/api/agents/{agent.platform_agent_id}/scoring", None),
        ("put", "/api/v1/clients/cli_nope/scoring", {"alertThreshold": 10}),
    ]:
        r = getattr(api_client, method)(path, headers=bearer(key), **({"json": body} if body else {}))
        assert r.status_code == 404, (path, r.text)
