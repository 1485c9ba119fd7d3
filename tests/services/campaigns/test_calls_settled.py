"""What a campaign call's end decides, against the platform simulator: a person who asks not to be called again
is put on the do-not-call list (lead `do_not_call`, one `lead.do_not_call`, never dialed again), and a call that
never ends is failed with reason `timeout` after the configured limit, freeing its slot (a frozen clock)."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

import pytest
from sqlmodel import select

# The dispatcher tests' helpers: a campaign on the simulator, its outcomes scripted, rows read back.
from tests.services.campaigns.test_dispatcher import make_campaign, rows, run_until_done, script, sim_dials

pytestmark = pytest.mark.usefixtures("integration_settings", "no_jobs_left_behind")


@pytest.fixture
def says(monkeypatch):
    """`says[number] = "…"`: the person at that number says this at the end of the call (read back by get-call)."""
    from voiceconsole.platforms.base import Turn, transcript_text
    from voiceconsole.platforms.retell import RetellConnector

    words: dict[str, str] = {}
    original = RetellConnector.get_call

    def get_call(self, call_id):
        record = original(self, call_id)
        if record.to_number in words and record.turns:
            record.turns = [*record.turns, Turn(role="user", text=words[record.to_number])]
            record.transcript = transcript_text(record.turns)
        return record

    monkeypatch.setattr(RetellConnector, "get_call", get_call)
    return words


def test_a_person_who_asks_not_to_be_called_is_never_called_again(sim, factory, db, says):
    from voiceconsole.models import Call, CallAttempt, DoNotCall, Event, Lead
    from voiceconsole.models.types import utcnow
    from voiceconsole.services.access.actor import SYSTEM
    from voiceconsole.services.campaigns import campaigns
    from voiceconsole.services.campaigns.dispatcher import dispatch_campaign

    org, campaign, leads = make_campaign(factory, sim, leads=3)
    script(sim, {lead.phone: ["answered", "answered"] for lead in leads})
    says[leads[0].phone] = "Look, I'm not interested. Please take me off your list and don't call me again."
    says[leads[1].phone] = "You can call me back tomorrow, I'm driving."
    result, now = run_until_done(sim, campaign, now=utcnow())
    assert result.status == "completed"

    db.expire_all()
    marked = db.exec(select(Lead).where(Lead.id == leads_pk(db, leads[0].id))).one()
    assert marked.status == "do_not_call"
    [entry] = rows(db, DoNotCall, organization_id=org.id)
    assert (entry.phone, entry.source) == (leads[0].phone, "call") and "take me off your list" in entry.reason
    [attempt] = [a for a in rows(db, CallAttempt, campaign_id=campaign.id) if a.to_number == leads[0].phone]
    [event] = rows(db, Event, organization_id=org.id, type="lead.do_not_call")
    call_public_id = db.get(Call, attempt.call_id).public_id
    assert event.payload | {"reason": None} == {
        "leadId": leads[0].id,
        "leadName": None,  # make_campaign's leads have no name
        "phone": leads[0].phone,
        "clientId": None,
        "clientName": None,
        "campaignId": campaign.public_id,
        "campaignName": campaign.name,
        "attemptId": attempt.public_id,
        "callId": call_public_id,
        "source": "call",
        "reason": None,
    }
    assert all(db.get(Lead, leads_pk(db, lead.id)).status != "do_not_call" for lead in leads[1:])

    # A second campaign over the same leads: the number that asked is skipped, never dialed.
    given = {"name": "Summer", "agent_id": campaign_agent(db, campaign), "caller_number": campaign.caller_number}
    given |= {
        "audience": {"kind": "tag", "tag": "spring"},
        "window": {"days": [1, 2, 3, 4, 5, 6, 7], "start": "00:00", "end": "24:00"},
    }
    second = campaigns.create_campaign(factory.s, org=org, actor=SYSTEM, given=given)
    campaigns.start_campaign(factory.s, org=org, actor=SYSTEM, campaign_id=second.id)
    factory.s.commit()
    dispatch_campaign(campaigns.find_campaign(factory.s, org, second.id).id, now=now)
    dialed = Counter(d["to_number"] for d in sim_dials(sim))
    assert dialed[leads[0].phone] == 1 and dialed[leads[1].phone] == 2 and dialed[leads[2].phone] == 2
    assert len(rows(db, Event, organization_id=org.id, type="lead.do_not_call")) == 1


def test_a_call_that_never_ends_times_out_and_frees_its_slot(sim, factory, db, monkeypatch):
    from voiceconsole.models import CallAttempt, CampaignLead
    from voiceconsole.models.types import utcnow
    from voiceconsole.services.campaigns.dispatcher import dispatch_campaign
    from voiceconsole.settings import get_settings

    monkeypatch.setenv("VOICECONSOLE_CAMPAIGN_CALL_TIMEOUT_MINUTES", "30")
    get_settings.cache_clear()
    _org, campaign, leads = make_campaign(
        factory, sim, leads=2, max_concurrent=1, retry_outcomes=["failed"], max_attempts=2
    )
    script(sim, {lead.phone: ["answered"] * 2 for lead in leads})  # minutes long: not over while the test runs
    now = utcnow()
    assert dispatch_campaign(campaign.id, now=now).placed == 1
    held = dispatch_campaign(campaign.id, now=now + timedelta(minutes=29))
    assert (held.timed_out, held.placed, held.settled) == (0, 0, 0)  # the slot is still taken

    freed = dispatch_campaign(campaign.id, now=now + timedelta(minutes=31))
    assert freed.timed_out == 1 and freed.placed == 1  # the slot went to the next lead
    first = min(rows(db, CallAttempt, campaign_id=campaign.id), key=lambda a: a.id)
    assert (first.status, first.outcome, first.outcome_reason) == ("failed", "failed", "timeout")
    state = {r.lead_id: (r.state, r.attempts) for r in rows(db, CampaignLead, campaign_id=campaign.id)}
    assert state[first.lead_id] == ("pending", 1)  # `failed` is retried by this campaign
    assert dispatch_campaign(campaign.id, now=now + timedelta(minutes=32)).timed_out == 0  # once
    assert len(sim_dials(sim)) == 2


def leads_pk(db, public_id: str) -> int:
    from voiceconsole.models import Lead

    return db.exec(select(Lead.id).where(Lead.public_id == public_id)).one()


def campaign_agent(db, campaign) -> str:
    from voiceconsole.models import Agent

    return db.get(Agent, campaign.agent_id).platform_agent_id
