"""A lead's dial attempts (its detail page): every attempt with its campaign and call, newest first, and the
per-lead counts of the leads list; nothing of another organization's."""

from __future__ import annotations

from datetime import timedelta

import pytest

from voiceconsole.models import CallAttempt
from voiceconsole.models.types import utcnow
from voiceconsole.services.access.actor import SYSTEM
from voiceconsole.services.campaigns import campaigns, leads
from voiceconsole.services.errors import NotFound


def _campaign(factory, org, name: str):
    from voiceconsole.models import Agent

    integration = factory.integration(org, platform="retell")
    agent = Agent(
        organization_id=org.id,
        integration_id=integration.id,
        platform="retell",
        platform_agent_id=f"agent_{org.id}_{name}",
        name=f"Outbound {name}",
    )
    factory.s.add(agent)
    factory.s.flush()
    return campaigns.create_campaign(
        factory.s,
        org=org,
        actor=SYSTEM,
        given={
            "name": name,
            "agent_id": agent.platform_agent_id,
            "caller_number": "+14155550100",
            "audience": {"kind": "tag", "tag": "spring"},
        },
    )


def _attempt(factory, org, campaign_id: str, lead_id: str, n: int, **more) -> CallAttempt:
    from sqlmodel import select

    from voiceconsole.models import Campaign, Lead

    campaign = factory.s.exec(select(Campaign).where(Campaign.public_id == campaign_id)).one()
    lead = factory.s.exec(select(Lead).where(Lead.public_id == lead_id)).one()
    attempt = CallAttempt(
        organization_id=org.id, campaign_id=campaign.id, lead_id=lead.id, n=n, to_number=lead.phone, **more
    )
    factory.s.add(attempt)
    factory.s.flush()
    return attempt


def test_attempts_of_a_lead_with_campaign_and_call(factory):
    org, other = factory.org(), factory.org()
    lead = leads.create_lead(factory.s, org=org, actor=SYSTEM, given={"phone": "+14155552671"})
    quiet = leads.create_lead(factory.s, org=org, actor=SYSTEM, given={"phone": "+14155552672"})
    spring, autumn = _campaign(factory, org, "Spring"), _campaign(factory, org, "Autumn")
    call = factory.call(org, factory.agent(org))
    now = utcnow()
    _attempt(factory, org, spring.id, lead.id, 1, status="ended", outcome="no_answer", created_at=now - timedelta(2))
    _attempt(factory, org, autumn.id, lead.id, 1, status="ended", outcome="answered", call_id=call.id, created_at=now)
    factory.s.commit()

    got = leads.list_lead_attempts(factory.s, org=org, actor=SYSTEM, lead_id=lead.id)
    assert [(a.campaign_name, a.outcome, a.call_id) for a in got] == [
        ("Autumn", "answered", call.public_id),
        ("Spring", "no_answer", None),
    ]
    assert {a.lead_id for a in got} == {lead.id} and got[0].campaign_id == autumn.id
    assert leads.list_lead_attempts(factory.s, org=org, actor=SYSTEM, lead_id=quiet.id) == []

    summaries = leads.attempt_summaries(factory.s, org=org, actor=SYSTEM, lead_ids=[lead.id, quiet.id])
    assert set(summaries) == {lead.id}
    count, last = summaries[lead.id]
    assert count == 2 and last is not None and abs((last - now).total_seconds()) < 1

    # Another organization sees neither the lead nor its counts.
    with pytest.raises(NotFound):
        leads.list_lead_attempts(factory.s, org=other, actor=SYSTEM, lead_id=lead.id)
    assert leads.attempt_summaries(factory.s, org=other, actor=SYSTEM, lead_ids=[lead.id]) == {}
