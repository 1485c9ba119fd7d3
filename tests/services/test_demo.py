"""`voiceconsole demo --simulator-url`: the demo organization gets its data through the real connectors."""

from __future__ import annotations

import pytest
from sqlmodel import select

from tests.support.simulator import run_jobs

# Settings as against the simulator and clean queues (fixtures in tests/conftest.py; autouse in tests/services/intake).
pytestmark = pytest.mark.usefixtures("integration_settings", "no_jobs_left_behind")


def test_connecting_the_demo_to_the_simulator_syncs_retell_and_vapi(sim, factory, db, sync_queue):
    from voiceconsole.models import Agent, Call, Client, Integration
    from voiceconsole.services.demo import connect_demo_to_simulator

    org = factory.org()
    connected = connect_demo_to_simulator(db, org=org, simulator_url=sim.base_url)
    assert [c.platform for c in connected] == ["retell", "vapi"]
    assert sync_queue.count == 2
    agents = db.exec(select(Agent).where(Agent.organization_id == org.id)).all()
    assert len(agents) == sim.agent_count("retell") + sim.agent_count("vapi")
    clients = {c.id: c.name for c in db.exec(select(Client).where(Client.organization_id == org.id))}
    assert all(a.client_id in clients and a.name.startswith(clients[a.client_id]) for a in agents)

    run_jobs("sync", "scoring", "default")
    db.expire_all()
    calls = db.exec(select(Call).where(Call.organization_id == org.id)).all()
    assert len(calls) == sim.call_count("retell") + sim.call_count("vapi")
    assert all(c.client_id is not None for c in calls if c.agent_id)  # calls inherit their agent's client

    again = connect_demo_to_simulator(db, org=org, simulator_url=sim.base_url, queue_syncs=False)
    assert [c.integration_id for c in again] == [c.integration_id for c in connected]  # idempotent
    assert len(db.exec(select(Integration).where(Integration.organization_id == org.id)).all()) == 2


def test_no_simulator_is_a_clear_error(factory, db):
    import pytest

    from voiceconsole.services.demo import connect_demo_to_simulator

    with pytest.raises(RuntimeError, match="No platform simulator answers"):
        connect_demo_to_simulator(db, org=factory.org(), simulator_url="http://127.0.0.1:9")


def test_the_demo_gets_notification_channels_posting_to_the_simulator_inbox(sim, factory, db):
    import httpx

    from voiceconsole.models import NotificationChannel
    from voiceconsole.services.demo import ensure_demo_channels

    org = factory.org()
    inbox = ensure_demo_channels(db, org=org, simulator_url=sim.base_url, email="owner@agency.example")
    ensure_demo_channels(db, org=org, simulator_url=sim.base_url, email="owner@agency.example")  # idempotent
    channels = db.exec(select(NotificationChannel).where(NotificationChannel.organization_id == org.id)).all()
    assert sorted(c.kind for c in channels) == ["discord", "email", "slack", "webhook"]
    assert all("call.low_score" in c.events for c in channels)
    assert inbox == f"{sim.base_url}/_sim/inbox/view"

    # The inbox records what is posted to it, per box, as a receiver would see it.
    httpx.delete(f"{sim.base_url}/_sim/inbox")
    httpx.post(
        f"{sim.base_url}/_sim/inbox/slack",
        content=b'{"text":"Low score"}',
        headers={"X-VoiceConsole-Event": "call.low_score"},
    ).raise_for_status()
    got = httpx.get(f"{sim.base_url}/_sim/inbox", params={"box": "slack"}).json()["messages"]
    assert [m["json"] for m in got] == [{"text": "Low score"}]
    assert got[0]["headers"]["x-voiceconsole-event"] == "call.low_score"
    assert httpx.get(f"{sim.base_url}/_sim/inbox", params={"box": "discord"}).json()["messages"] == []
    assert "Low score" in httpx.get(inbox).text


def test_the_demo_has_an_agent_built_here_with_three_versions_that_differ(sim, factory, db):
    """`make run`'s demo: one agent built with the Agent Builder on the simulated Retell, three versions with
    better and better prompts, each with calls of its own; the comparison shows what each edit did."""
    from voiceconsole.models import Call
    from voiceconsole.services.access.actor import SYSTEM
    from voiceconsole.services.builder import compare_versions, list_versions
    from voiceconsole.services.builder.demo import CALLS_PER_VERSION, ensure_demo_builder_agent
    from voiceconsole.services.demo import connect_demo_to_simulator

    org = factory.org()
    connect_demo_to_simulator(db, org=org, simulator_url=sim.base_url, queue_syncs=False)
    agent_id = ensure_demo_builder_agent(db, org=org, simulator_url=sim.base_url)
    assert agent_id and ensure_demo_builder_agent(db, org=org, simulator_url=sim.base_url) == agent_id  # once
    from voiceconsole.models import Integration
    from voiceconsole.services.intake.sync import sync_integration

    for integration in db.exec(select(Integration).where(Integration.organization_id == org.id)):
        sync_integration(integration.id)
    run_jobs("scoring", "default")
    versions = list_versions(db, org=org, agent_id=agent_id, actor=SYSTEM)
    assert [(v.version, v.live) for v in versions] == [(3, True), (2, False), (1, False)]
    figures = {q.version: q for q in compare_versions(db, org=org, agent_id=agent_id, actor=SYSTEM)}
    db.expire_all()
    # Calls that never connected have no start (they are dated when first seen): they may land on another version.
    assert sum(figures[n].calls for n in (1, 2, 3)) == 3 * CALLS_PER_VERSION, figures
    assert all(figures[n].calls >= CALLS_PER_VERSION * 3 // 4 for n in (1, 2, 3)), figures
    assert all(figures[n].scored_calls > 0 for n in (1, 2, 3))
    assert figures[3].success_rate > figures[1].success_rate  # the better prompt: calls succeed more often
    assert figures[3].avg_score > figures[1].avg_score  # and the scores show it
    assert db.exec(select(Call).where(Call.organization_id == org.id, Call.agent_version == 3)).first() is not None


def test_the_demo_runs_a_campaign_that_dials_leads_in_their_own_hours(sim, factory, db):
    """`make run`'s demo: leads in eight time zones and a running campaign on the simulated Retell; whatever the
    hour, someone is inside the 08:00–21:00 window, and the dispatcher dials them (never more than the cap)."""
    from datetime import UTC, datetime

    from voiceconsole.models import CallAttempt, Campaign, Lead
    from voiceconsole.services.campaigns import campaigns
    from voiceconsole.services.campaigns.demo import DEMO_ZONES, LEADS_PER_ZONE, ensure_demo_campaign
    from voiceconsole.services.campaigns.dispatcher import dispatch_campaign
    from voiceconsole.services.campaigns.windows import is_open
    from voiceconsole.services.demo import connect_demo_to_simulator

    org = factory.org()
    connect_demo_to_simulator(db, org=org, simulator_url=sim.base_url, queue_syncs=False)
    campaign_id = ensure_demo_campaign(db, org=org)
    db.commit()
    assert campaign_id and ensure_demo_campaign(db, org=org) == campaign_id  # once
    leads = db.exec(select(Lead).where(Lead.organization_id == org.id)).all()
    assert len(leads) == LEADS_PER_ZONE * len(DEMO_ZONES)  # every number valid for its country
    assert {lead.timezone for lead in leads} == {zone for zone, _, _ in DEMO_ZONES}
    campaign = campaigns.find_campaign(db, org, campaign_id)
    assert campaign.status == "running"
    window = campaigns.window_of(campaign)
    for hour in range(24):  # open somewhere at every hour of a winter and a summer day
        for day in (datetime(2026, 1, 14, hour, tzinfo=UTC), datetime(2026, 7, 15, hour, tzinfo=UTC)):
            assert any(is_open(window, day, zone) for zone, _, _ in DEMO_ZONES), day

    result = dispatch_campaign(campaign.id)
    assert result.placed == campaign.max_concurrent, result
    db.expire_all()
    attempts = db.exec(select(CallAttempt).where(CallAttempt.campaign_id == campaign.id)).all()
    now = datetime.now(UTC)
    by_lead = {lead.id: lead for lead in leads}
    assert attempts and all(is_open(window, now, by_lead[a.lead_id].timezone) for a in attempts)
    assert db.get(Campaign, campaign.id).status == "running"
