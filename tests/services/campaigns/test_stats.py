"""A campaign's results: the stats (outcome shares, funnel, calls per hour, score and cost), the list page's
figures of many campaigns at once and the attempts joined to their lead and call; each within its organization."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest


def _running_campaign(factory, org, *, leads: int = 4, tag: str = "spring"):
    """A started campaign over `leads` new leads (an agent on a stored Retell integration, nothing dialed)."""
    from voiceconsole.models import Agent
    from voiceconsole.services.access.actor import SYSTEM
    from voiceconsole.services.campaigns import campaigns
    from voiceconsole.services.campaigns.leads import create_lead

    integration = factory.integration(org, platform="retell")
    agent = Agent(
        organization_id=org.id,
        integration_id=integration.id,
        platform="retell",
        platform_agent_id=f"agent_{org.id}_{tag}",
        name="Outbound",
    )
    factory.s.add(agent)
    factory.s.commit()
    made = [
        create_lead(
            factory.s,
            org=org,
            actor=SYSTEM,
            given={"phone": f"+141555502{i + 10 * (tag != 'spring'):02d}", "first_name": f"Ada{i}", "tags": [tag]},
        )
        for i in range(leads)
    ]
    out = campaigns.create_campaign(
        factory.s,
        org=org,
        actor=SYSTEM,
        given={
            "name": "Renewals",
            "agent_id": agent.platform_agent_id,
            "caller_number": "+14155550100",
            "audience": {"kind": "tag", "tag": tag},
        },
    )
    campaigns.start_campaign(factory.s, org=org, actor=SYSTEM, campaign_id=out.id)
    factory.s.commit()
    return campaigns.find_campaign(factory.s, org, out.id), agent, made


def _attempt(factory, org, campaign, lead_public_id: str, *, n: int = 1, outcome=None, call=None, dialed_at=None):
    from sqlmodel import select

    from voiceconsole.models import CallAttempt, Lead

    lead = factory.s.exec(select(Lead).where(Lead.public_id == lead_public_id)).one()
    attempt = CallAttempt(
        organization_id=org.id,
        campaign_id=campaign.id,
        lead_id=lead.id,
        n=n,
        status="ended" if outcome else "placed",
        to_number=lead.phone,
        outcome=outcome,
        call_id=call.id if call is not None else None,
        dialed_at=dialed_at,
        converted=False,
    )
    factory.s.add(attempt)
    factory.s.commit()
    return attempt


@pytest.fixture
def played(factory):
    """Four leads: one answered and converted (score 80, $0.50), one voicemail (score excluded), one no answer
    and then answered on its 2nd attempt (score 60, $0.25), one placed and still ringing."""
    from sqlalchemy import update

    from voiceconsole.models import CampaignLead

    org = factory.org()
    campaign, agent, leads = _running_campaign(factory, org)
    h1 = datetime(2026, 3, 2, 14, 5, tzinfo=UTC)
    h2 = h1 + timedelta(hours=1)
    won = factory.call(org, agent, score=80, cost_usd=0.5, started_at=h1)
    vm = factory.call(org, agent, score=0, score_excluded=True, cost_usd=0.1, started_at=h1)
    late = factory.call(org, agent, score=60, cost_usd=0.25, started_at=h2, duration_ms=90_000)
    _attempt(factory, org, campaign, leads[0].id, outcome="answered", call=won, dialed_at=h1)
    _attempt(factory, org, campaign, leads[1].id, outcome="voicemail", call=vm, dialed_at=h1 + timedelta(minutes=20))
    _attempt(factory, org, campaign, leads[2].id, outcome="no_answer", dialed_at=h1 + timedelta(minutes=30))
    _attempt(factory, org, campaign, leads[2].id, n=2, outcome="answered", call=late, dialed_at=h2)
    _attempt(factory, org, campaign, leads[3].id, dialed_at=h2 + timedelta(minutes=1))
    factory.s.exec(
        update(CampaignLead)
        .where(CampaignLead.campaign_id == campaign.id, CampaignLead.state == "pending")
        .values(state="done")
    )
    factory.s.exec(
        update(CampaignLead)
        .where(CampaignLead.campaign_id == campaign.id, CampaignLead.lead_id == _pk(factory, leads[0].id))
        .values(converted=True)
    )
    factory.s.commit()
    return org, campaign, leads, (h1, h2)


def _pk(factory, lead_public_id: str) -> int:
    from sqlmodel import select

    from voiceconsole.models import Lead

    return factory.s.exec(select(Lead.id).where(Lead.public_id == lead_public_id)).one()


def test_stats_funnel_and_calls_per_hour(factory, played):
    from voiceconsole.services.access.actor import SYSTEM
    from voiceconsole.services.campaigns.stats import campaign_stats

    org, campaign, _leads, (h1, h2) = played
    out = campaign_stats(factory.s, org=org, actor=SYSTEM, campaign_id=campaign.public_id)
    assert out.funnel == {"leads": 4, "dialed": 5, "connected": 2, "converted": 1}
    assert (out.connected_pct, out.voicemail_pct, out.no_answer_pct) == (50.0, 25.0, 25.0)
    assert out.conversion_pct == 25.0 and out.average_score == 70.0  # the excluded 0 is left out
    assert out.cost_usd == 0.85 and out.cost_per_conversion_usd == 0.85
    assert [(h.hour, h.calls) for h in out.calls_per_hour] == [
        (h1.replace(minute=0), 3),
        (h2.replace(minute=0), 2),
    ]


def test_list_figures_are_per_campaign_and_tenant_scoped(factory, played):
    from voiceconsole.services.access.actor import SYSTEM
    from voiceconsole.services.campaigns.stats import list_figures

    org, campaign, _leads, _hours = played
    quiet, _agent, _made = _running_campaign(factory, org, leads=1, tag="quiet")
    figures = list_figures(factory.s, org=org, actor=SYSTEM, campaign_ids=[campaign.public_id, quiet.public_id])
    assert figures[campaign.public_id].connected_pct == 50.0
    assert figures[quiet.public_id].connected_pct is None  # nothing ended yet
    other = factory.org()
    # Another organization learns nothing of this one's campaigns.
    assert (
        list_figures(factory.s, org=other, actor=SYSTEM, campaign_ids=[campaign.public_id])[
            campaign.public_id
        ].connected_pct
        is None
    )


def test_attempt_details_join_lead_and_call_newest_first(factory, played):
    from voiceconsole.services.access.actor import SYSTEM
    from voiceconsole.services.campaigns.stats import attempt_details
    from voiceconsole.services.errors import NotFound

    org, campaign, leads, (_h1, h2) = played
    rows, total = attempt_details(factory.s, org=org, actor=SYSTEM, campaign_id=campaign.public_id, page=1, per_page=2)
    assert total == 5 and len(rows) == 2
    ringing, late = rows
    assert ringing.lead_id == leads[3].id and ringing.call_id is None and ringing.status == "placed"
    assert ringing.lead_name == "Ada3" and ringing.started_at == h2 + timedelta(minutes=1)
    assert late.n == 2 and late.outcome == "answered" and late.call_id is not None
    assert (late.duration_ms, late.score, late.started_at) == (90_000, 60, h2)
    rest, _ = attempt_details(factory.s, org=org, actor=SYSTEM, campaign_id=campaign.public_id, page=3, per_page=2)
    assert len(rest) == 1 and rest[0].score == 80
    with pytest.raises(NotFound):
        attempt_details(factory.s, org=factory.org(), actor=SYSTEM, campaign_id=campaign.public_id, page=1, per_page=5)
