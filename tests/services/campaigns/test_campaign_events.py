"""Campaign and lead events: each transition records its event exactly once, with the documented payload
(docs/webhooks.md): started (not again on resume), paused by a person and by the system with the reason,
completed, and a lead marked do-not-call (manually, by import, never twice)."""

from __future__ import annotations

import io

from sqlmodel import select

from voiceconsole.models import Event
from voiceconsole.services.access.actor import SYSTEM, Actor


def _events(db, org, type_: str) -> list[dict]:
    db.expire_all()
    q = select(Event).where(Event.organization_id == org.id, Event.type == type_).order_by(Event.id)  # type: ignore[arg-type]
    return [e.payload for e in db.exec(q)]


def _running(factory, leads: int = 3):
    from voiceconsole.models import Agent
    from voiceconsole.services.campaigns import campaigns
    from voiceconsole.services.campaigns.leads import create_lead

    org = factory.org()
    client = factory.client(org, name="Bright Smile Dental")
    integration = factory.integration(org, platform="retell")
    agent = Agent(
        organization_id=org.id,
        integration_id=integration.id,
        platform="retell",
        platform_agent_id=f"agent_{org.id}",
        name="Outbound",
    )
    factory.s.add(agent)
    factory.s.commit()
    made = [
        create_lead(
            factory.s,
            org=org,
            actor=SYSTEM,
            given={"phone": f"+141555503{i:02d}", "first_name": f"Lead{i}", "last_name": "Doe", "tags": ["spring"]},
        )
        for i in range(leads)
    ]
    given = {
        "name": "Spring reactivation",
        "client_id": client.public_id,
        "agent_id": agent.platform_agent_id,
        "caller_number": "+14155550100",
        "audience": {"kind": "tag", "tag": "spring"},
    }
    out = campaigns.create_campaign(factory.s, org=org, actor=SYSTEM, given=given)
    campaigns.start_campaign(factory.s, org=org, actor=SYSTEM, campaign_id=out.id)
    factory.s.commit()
    return org, client, campaigns.find_campaign(factory.s, org, out.id), made


def test_each_campaign_transition_records_its_event_once_with_the_payload(factory, db):
    from voiceconsole.services.campaigns import campaigns

    org, client, campaign, _leads = _running(factory)
    [started] = _events(db, org, "campaign.started")
    assert started == {
        "campaignId": campaign.public_id,
        "campaignName": "Spring reactivation",
        "clientId": client.public_id,
        "clientName": "Bright Smile Dental",
        "agentId": f"agent_{org.id}",
        "agentName": "Outbound",
        "platform": "retell",
        "status": "running",
        "leads": 3,
        "dialed": 0,
        "converted": 0,
        "startedAt": started["startedAt"],
    }
    assert started["startedAt"].endswith("Z")

    ana = Actor(kind="user", id="1", display="ana@example.com", role="owner")
    campaigns.pause_campaign(factory.s, org=org, actor=ana, campaign_id=campaign.public_id)
    campaigns.resume_campaign(factory.s, org=org, actor=ana, campaign_id=campaign.public_id)
    assert campaigns.pause_for(factory.s, campaign, "Retell refused the caller number")
    assert not campaigns.pause_for(factory.s, campaign, "again")  # already paused: nothing recorded
    campaigns.resume_campaign(factory.s, org=org, actor=ana, campaign_id=campaign.public_id)
    factory.s.commit()
    assert len(_events(db, org, "campaign.started")) == 1  # resuming is not starting
    by_user, by_system = _events(db, org, "campaign.paused")
    assert (by_user["pausedBy"], by_user["reason"], by_user["status"]) == (
        "user",
        "Paused by ana@example.com",
        "paused",
    )
    assert (by_system["pausedBy"], by_system["reason"]) == ("system", "Retell refused the caller number")
    assert by_system["pausedAt"].endswith("Z") and by_system["leads"] == 3

    assert campaigns.complete_if_done(factory.s, campaign, ended=True)
    assert not campaigns.complete_if_done(factory.s, campaign, ended=True)
    factory.s.commit()
    [completed] = _events(db, org, "campaign.completed")
    assert completed["status"] == "completed" and completed["finishedAt"].endswith("Z")
    assert (completed["leads"], completed["dialed"], completed["converted"]) == (3, 0, 0)


def test_a_lead_marked_do_not_call_is_announced_once_whatever_marks_it(factory, db):
    from voiceconsole.services.campaigns import dnc

    org, _client, _campaign, leads = _running(factory)
    dnc.add_number(factory.s, org=org, actor=SYSTEM, phone=leads[0].phone, reason="Asked by email")
    dnc.add_number(factory.s, org=org, actor=SYSTEM, phone=leads[0].phone, reason="Again")  # listed: nothing new
    dnc.import_numbers(
        factory.s, org=org, actor=SYSTEM, file=io.BytesIO(f"phone\n{leads[0].phone}\n{leads[1].phone}\n".encode())
    )
    factory.s.commit()
    manual, imported = _events(db, org, "lead.do_not_call")
    assert manual == {
        "leadId": leads[0].id,
        "leadName": "Lead0 Doe",
        "phone": leads[0].phone,
        "clientId": None,
        "clientName": None,
        "campaignId": None,
        "campaignName": None,
        "attemptId": None,
        "callId": None,
        "source": "manual",
        "reason": "Asked by email",
    }
    assert (imported["leadId"], imported["source"]) == (leads[1].id, "import")
    dnc.remove_number(factory.s, org=org, actor=SYSTEM, phone=leads[0].phone)
    dnc.add_number(factory.s, org=org, actor=SYSTEM, phone=leads[0].phone)  # marked again: announced again
    factory.s.commit()
    assert [e["leadId"] for e in _events(db, org, "lead.do_not_call")] == [leads[0].id, leads[1].id, leads[0].id]
