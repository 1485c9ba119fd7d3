"""Campaigns: validation (422 naming fields), drafts, the lifecycle (409 on invalid transitions), freezing the
leads at start, isolation between organizations (404), and the REST endpoints with stats and attempts."""

from __future__ import annotations

import pytest
from sqlmodel import select

from tests.support.team import person


def _agent(factory, org, platform="retell"):
    from voiceconsole.models import Agent

    integration = factory.integration(org, platform=platform)
    agent = Agent(
        organization_id=org.id,
        integration_id=integration.id,
        platform=platform,
        platform_agent_id=f"agent_{org.id}_{platform}",
        name="Outbound",
    )
    factory.s.add(agent)
    factory.s.commit()
    return agent


def _given(agent, **more):
    return {
        "name": "Renewals",
        "agent_id": agent.platform_agent_id,
        "caller_number": "+14155550100" if agent.platform == "retell" else "pn_123",
        "audience": {"kind": "tag", "tag": "spring"},
        **more,
    }


def _leads(factory, org, count=3, tag="spring", first=0):
    from voiceconsole.services.access.actor import SYSTEM
    from voiceconsole.services.campaigns.leads import create_lead

    return [
        create_lead(factory.s, org=org, actor=SYSTEM, given={"phone": f"+141555502{i:02d}", "tags": [tag]})
        for i in range(first, first + count)
    ]


def _fields(exc) -> dict[str, str]:
    return {d["field"]: d["message"] for d in exc.value.details}


def test_create_checks_every_field(factory):
    from voiceconsole.services.access.actor import SYSTEM
    from voiceconsole.services.campaigns import campaigns
    from voiceconsole.services.errors import ValidationFailed

    org = factory.org()
    retell = _agent(factory, org)
    with pytest.raises(ValidationFailed) as caught:
        campaigns.create_campaign(factory.s, org=org, actor=SYSTEM, given={})
    assert set(_fields(caught)) == {"name", "agentId", "callerNumber", "audience"}

    bad = _given(
        retell,
        caller_number="555-0100",
        window={"days": [1], "start": "20:00", "end": "09:00"},
        max_concurrent=0,
        retry_outcomes=["answered"],
        variables={"first name": "first_name"},
        success_rule={"kind": "scorer", "min": 0},
        audience={"kind": "leads", "leadIds": ["lead_missing"]},
    )
    with pytest.raises(ValidationFailed) as caught:
        campaigns.create_campaign(factory.s, org=org, actor=SYSTEM, given=bad)
    fields = _fields(caught)
    assert set(fields) == {
        "callerNumber",
        "window",
        "maxConcurrent",
        "retryOutcomes",
        "variables",
        "successRule",
        "audience",
    }
    assert "E.164" in fields["callerNumber"] and "end after" in fields["window"]

    # an ElevenLabs agent cannot place campaign calls; a Vapi one needs a phone number id
    eleven = _agent(factory, org, "elevenlabs")
    with pytest.raises(ValidationFailed) as caught:
        campaigns.create_campaign(factory.s, org=org, actor=SYSTEM, given=_given(eleven))
    assert "Retell or Vapi" in _fields(caught)["agentId"]
    vapi = _agent(factory, org, "vapi")
    with pytest.raises(ValidationFailed) as caught:
        campaigns.create_campaign(factory.s, org=org, actor=SYSTEM, given=_given(vapi, caller_number="+1 415"))
    assert "phoneNumberId" in _fields(caught)["callerNumber"]

    out = campaigns.create_campaign(factory.s, org=org, actor=SYSTEM, given=_given(retell))
    assert out.id.startswith("cmp_") and out.status == "draft" and out.progress is None
    assert out.window.days == [1, 2, 3, 4, 5] and (out.window.start, out.window.end) == ("09:00", "20:00")
    assert "Monday" in out.window.description and out.retry_outcomes == ["no_answer", "busy"]


def test_lifecycle_and_invalid_transitions(factory):
    from voiceconsole.models import Event, Lead
    from voiceconsole.services.access.actor import SYSTEM
    from voiceconsole.services.campaigns import campaigns
    from voiceconsole.services.errors import Conflict

    org = factory.org()
    agent = _agent(factory, org)
    leads = _leads(factory, org, 3)
    _leads(factory, org, 1, tag="other", first=10)
    out = campaigns.create_campaign(factory.s, org=org, actor=SYSTEM, given=_given(agent))
    cid = out.id
    for action in (campaigns.pause_campaign, campaigns.resume_campaign):
        with pytest.raises(Conflict):
            action(factory.s, org=org, actor=SYSTEM, campaign_id=cid)

    started = campaigns.start_campaign(factory.s, org=org, actor=SYSTEM, campaign_id=cid)
    factory.s.commit()
    assert started.status == "running" and started.progress.leads == 3 and started.progress.pending == 3
    assert {
        lead.status
        for lead in factory.s.exec(select(Lead).where(Lead.public_id.in_([lead.id for lead in leads])))  # type: ignore[attr-defined]
    } == {"queued"}

    # leads tagged later are not called: the selection was frozen at start
    _leads(factory, org, 1, tag="spring", first=20)
    assert campaigns.get_campaign(factory.s, org=org, actor=SYSTEM, campaign_id=cid).progress.leads == 3

    for action in (campaigns.start_campaign, campaigns.resume_campaign, campaigns.update_campaign):
        with pytest.raises(Conflict) as caught:
            if action is campaigns.update_campaign:
                action(factory.s, org=org, actor=SYSTEM, campaign_id=cid, given={"name": "x"})
            else:
                action(factory.s, org=org, actor=SYSTEM, campaign_id=cid)
        assert caught.value.details[0]["field"] == "status"
    with pytest.raises(Conflict):
        campaigns.delete_campaign(factory.s, org=org, actor=SYSTEM, campaign_id=cid)

    paused = campaigns.pause_campaign(factory.s, org=org, actor=SYSTEM, campaign_id=cid)
    assert paused.status == "paused" and paused.paused_reason == "Paused by VoiceConsole"
    with pytest.raises(Conflict):
        campaigns.pause_campaign(factory.s, org=org, actor=SYSTEM, campaign_id=cid)
    assert campaigns.resume_campaign(factory.s, org=org, actor=SYSTEM, campaign_id=cid).status == "running"
    assert campaigns.cancel_campaign(factory.s, org=org, actor=SYSTEM, campaign_id=cid).status == "cancelled"
    for action in (campaigns.start_campaign, campaigns.pause_campaign, campaigns.resume_campaign):
        with pytest.raises(Conflict):
            action(factory.s, org=org, actor=SYSTEM, campaign_id=cid)
    with pytest.raises(Conflict):
        campaigns.cancel_campaign(factory.s, org=org, actor=SYSTEM, campaign_id=cid)
    factory.s.commit()
    types = [e.type for e in factory.s.exec(select(Event).where(Event.organization_id == org.id))]
    assert types.count("campaign.started") == 1 and types.count("campaign.paused") == 1


def test_dnc_numbers_are_frozen_as_skipped_and_a_future_start_is_scheduled(factory):
    from datetime import timedelta

    from voiceconsole.models.types import utcnow
    from voiceconsole.services.access.actor import SYSTEM
    from voiceconsole.services.campaigns import campaigns, dnc
    from voiceconsole.services.errors import ValidationFailed

    org = factory.org()
    agent = _agent(factory, org)
    leads = _leads(factory, org, 3)
    dnc.add_number(factory.s, org=org, actor=SYSTEM, phone=leads[0].phone)
    later = utcnow() + timedelta(days=1)
    out = campaigns.create_campaign(factory.s, org=org, actor=SYSTEM, given=_given(agent, starts_at=later))
    started = campaigns.start_campaign(factory.s, org=org, actor=SYSTEM, campaign_id=out.id)
    assert started.status == "scheduled"
    assert (started.progress.pending, started.progress.skipped_dnc) == (2, 1)

    empty = campaigns.create_campaign(
        factory.s, org=org, actor=SYSTEM, given=_given(agent, audience={"kind": "tag", "tag": "nobody"})
    )
    with pytest.raises(ValidationFailed) as caught:
        campaigns.start_campaign(factory.s, org=org, actor=SYSTEM, campaign_id=empty.id)
    assert _fields(caught) == {"audience": "The campaign selects no lead that can be called"}


def test_rest_endpoints_isolation_and_stats(api_client, factory):
    org = factory.org()
    agent = _agent(factory, org)
    leads = _leads(factory, org, 2)
    owner = person(factory, org, role="owner")
    member = person(factory, org, role="member")
    stranger = person(factory, factory.org(), role="owner")

    body = {
        "name": "Renewals",
        "agentId": agent.platform_agent_id,
        "callerNumber": "+14155550100",
        "audience": {"kind": "leads", "leadIds": [lead.id for lead in leads]},
        "window": {"days": [1, 2, 3, 4, 5, 6, 7], "start": "08:00", "end": "21:00"},
        "maxConcurrent": 2,
        "retryOutcomes": ["no_answer", "voicemail"],
        "variables": {"name": "first_name"},
        "successRule": {"kind": "field", "field": "booked"},
    }
    r = api_client.post("/api/v1/campaigns", json=body, headers=member.cookie)
    assert r.status_code == 403  # members follow campaigns; owners and admins run them
    r = api_client.post("/api/v1/campaigns", json={**body, "callerNumber": "nope"}, headers=owner.cookie)
    assert r.status_code == 422 and r.json()["details"][0]["field"] == "callerNumber"
    r = api_client.post("/api/v1/campaigns", json=body, headers=owner.cookie)
    assert r.status_code == 201, r.text
    campaign = r.json()["data"]
    cid = campaign["id"]
    assert campaign["successRule"] == {"kind": "field", "field": "booked"} and campaign["maxConcurrent"] == 2

    r = api_client.patch(f"/api/v1/campaigns/{cid}", json={"name": "Renewals 2"}, headers=owner.cookie)
    assert r.status_code == 200 and r.json()["data"]["name"] == "Renewals 2"
    listed = api_client.get("/api/v1/campaigns", headers=member.cookie).json()
    assert [c["id"] for c in listed["data"]] == [cid] and listed["meta"]["total"] == 1

    for method, path in [
        ("GET", ""),
        ("PATCH", ""),
        ("DELETE", ""),
        ("POST", "/start"),
        ("GET", "/stats"),
        ("GET", "/attempts"),
    ]:
        kwargs = {"json": {"name": "x"}} if method == "PATCH" else {}
        r = api_client.request(method, f"/api/v1/campaigns/{cid}{path}", headers=stranger.cookie, **kwargs)
        assert r.status_code == 404, (method, path, r.status_code)

    assert api_client.post(f"/api/v1/campaigns/{cid}/pause", headers=owner.cookie).status_code == 409
    r = api_client.post(f"/api/v1/campaigns/{cid}/start", headers=owner.cookie)
    assert r.status_code == 200 and r.json()["data"]["status"] == "running"
    assert r.json()["data"]["progress"]["leads"] == 2
    assert api_client.post(f"/api/v1/campaigns/{cid}/start", headers=owner.cookie).status_code == 409
    assert api_client.patch(f"/api/v1/campaigns/{cid}", json={"name": "y"}, headers=owner.cookie).status_code == 409

    stats = api_client.get(f"/api/v1/campaigns/{cid}/stats", headers=member.cookie)
    assert stats.status_code == 200
    data = stats.json()["data"]
    assert data["leads"] == 2 and data["dialed"] == 0 and data["conversions"] == 0
    assert data["connectedPct"] is None and data["costPerConversionUsd"] is None
    assert data["funnel"] == {"leads": 2, "dialed": 0, "connected": 0, "converted": 0}
    attempts = api_client.get(f"/api/v1/campaigns/{cid}/attempts?perPage=5", headers=member.cookie).json()
    assert attempts["data"] == [] and attempts["meta"] == {"page": 1, "perPage": 5, "total": 0}

    assert api_client.post(f"/api/v1/campaigns/{cid}/cancel", headers=owner.cookie).json()["data"]["status"] == (
        "cancelled"
    )
    draft = api_client.post("/api/v1/campaigns", json=body, headers=owner.cookie).json()["data"]["id"]
    assert api_client.delete(f"/api/v1/campaigns/{draft}", headers=owner.cookie).json()["data"] == {
        "id": draft,
        "deleted": True,
    }
    assert api_client.get(f"/api/v1/campaigns/{draft}", headers=owner.cookie).status_code == 404
