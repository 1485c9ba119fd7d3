"""The dispatcher against the platform simulator over real HTTP: each lead dialed once per attempt, never above the
cap (sampled during the pass, and with two dispatchers at once), retries by outcome, conversions and completion, the
do-not-call list checked at dial time, a worker killed mid-dial reconciled (not re-dialed), pauses with a reason."""

from __future__ import annotations

import threading
import time
from collections import Counter
from datetime import timedelta

import httpx
import pytest
from sqlalchemy import update
from sqlmodel import Session, select

from tests.support.simulator import connect, run_jobs

pytestmark = pytest.mark.usefixtures("integration_settings", "no_jobs_left_behind")
CALLER = "+14155550100"


def control(sim, method: str, path: str, **body):
    response = httpx.request(method, f"{sim.base_url}/_sim{path}", json=body or None, timeout=30)
    assert response.status_code == 200, response.text
    return response.json()


def sim_dials(sim, platform: str = "retell") -> list[dict]:
    return control(sim, "GET", f"/dials?platform={platform}")["dials"]


def settle(sim) -> None:
    control(sim, "POST", "/dials/settle")


def number(i: int) -> str:
    return f"+141555501{i:02d}"


def make_campaign(factory, sim, *, leads: int, platform: str = "retell", tag: str = "spring", **settings):
    """An organization on the simulator, `leads` leads tagged `tag` (New York), and a started campaign."""
    from voiceconsole.models import Agent
    from voiceconsole.services.access.actor import SYSTEM
    from voiceconsole.services.campaigns import campaigns
    from voiceconsole.services.campaigns.leads import create_lead

    org, integration = connect(factory, sim, platform)
    platform_agent = next(iter(sim.state.data(platform).agents))
    agent = Agent(
        organization_id=org.id,
        integration_id=integration.id,
        platform=platform,
        platform_agent_id=platform_agent,
        name="Outbound",
    )
    factory.s.add(agent)
    factory.s.commit()
    caller = CALLER
    if platform == "vapi":
        caller = next(n["id"] for n in sim.state.vapi_phone_numbers() if n["assistantId"] == platform_agent)
    made = [
        create_lead(
            factory.s,
            org=org,
            actor=SYSTEM,
            given={"phone": number(10 + i), "firstName": f"Lead{i}", "tags": [tag], "timezone": "America/New_York"},
        )
        for i in range(leads)
    ]
    given = {
        "name": "Spring renewals",
        "agent_id": platform_agent,
        "caller_number": caller,
        "audience": {"kind": "tag", "tag": tag},
        "window": {"days": [1, 2, 3, 4, 5, 6, 7], "start": "00:00", "end": "24:00"},
        "max_concurrent": 5,
        "max_attempts": 3,
        "retry_delay_minutes": 0,
        "retry_outcomes": ["no_answer", "busy"],
        "variables": {"first_name": "first_name"},
        **settings,
    }
    out = campaigns.create_campaign(factory.s, org=org, actor=SYSTEM, given=given)
    factory.s.commit()
    campaigns.start_campaign(factory.s, org=org, actor=SYSTEM, campaign_id=out.id)
    factory.s.commit()
    campaign = campaigns.find_campaign(factory.s, org, out.id)
    return org, campaign, made


def script(sim, outcomes: dict[str, list[str]]) -> None:
    control(sim, "POST", "/outbound", script=outcomes)


def in_flight(campaign_id: int) -> int:
    from voiceconsole.db import get_engine
    from voiceconsole.services.campaigns.dispatcher import in_flight as count

    with Session(get_engine()) as session:
        return count(session, campaign_id)


@pytest.fixture
def sampled(monkeypatch):
    """Wrap every dial: sample the campaign's in-flight count while the dial is being sent."""
    from voiceconsole.platforms.outbound.retell import RetellDialer
    from voiceconsole.platforms.outbound.vapi import VapiDialer

    samples: list[tuple[str, int]] = []
    lock = threading.Lock()
    originals = {RetellDialer: RetellDialer.dial, VapiDialer: VapiDialer.dial}
    pause = {"s": 0.0}

    def wrap(original):
        def dial(self, request):
            from voiceconsole.db import get_engine
            from voiceconsole.models import Campaign

            with Session(get_engine()) as session:
                campaign = session.exec(
                    select(Campaign).where(Campaign.public_id == request.metadata["campaign_id"])
                ).one()
            with lock:
                samples.append((request.attempt_id, in_flight(campaign.id)))
            if pause["s"]:
                time.sleep(pause["s"])
            return original(self, request)

        return dial

    for cls, original in originals.items():
        monkeypatch.setattr(cls, "dial", wrap(original))
    return samples, pause


def rows(db, model, **where):
    db.expire_all()
    q = select(model)
    for key, value in where.items():
        q = q.where(getattr(model, key) == value)
    return list(db.exec(q))


def run_until_done(sim, campaign, *, now, rounds: int = 40):
    from voiceconsole.services.campaigns.dispatcher import dispatch_campaign

    for _ in range(rounds):
        result = dispatch_campaign(campaign.id, now=now)
        settle(sim)
        now += timedelta(minutes=1)
        if result.status in ("completed", "paused", "cancelled"):
            return result, now
    raise AssertionError("the campaign did not finish")


@pytest.mark.parametrize("platform", ["retell", "vapi"])
def test_a_campaign_dials_each_lead_once_per_attempt_under_the_cap_and_completes(platform, sim, factory, db, sampled):
    from voiceconsole.models import Call, CallAttempt, CampaignLead, Event, Lead
    from voiceconsole.models.types import utcnow

    samples, _ = sampled
    org, campaign, leads = make_campaign(factory, sim, leads=30, platform=platform)
    phones = [lead.phone for lead in leads]
    plan = {phones[0]: ["no_answer"] * 5, phones[1]: ["busy", "answered"], phones[2]: ["voicemail"]}
    plan |= {p: ["answered"] for p in phones[3:]}
    script(sim, plan)

    result, _ = run_until_done(sim, campaign, now=utcnow())
    assert result.status == "completed"

    dials = sim_dials(sim, platform)
    by_number = Counter(d["to_number"] for d in dials)
    assert by_number[phones[0]] == 3  # no answer, retried until max attempts
    assert by_number[phones[1]] == 2  # busy, then answered
    assert by_number[phones[2]] == 1  # voicemail is not retried by this campaign
    assert all(by_number[p] == 1 for p in phones[3:])
    attempt_ids = [d["metadata"]["attempt_id"] for d in dials]
    assert len(attempt_ids) == len(set(attempt_ids)) == 33  # never the same attempt twice
    assert all(d["metadata"]["campaign_id"] == campaign.public_id for d in dials)

    assert samples and max(n for _, n in samples) <= 5  # sampled while each dial was sent
    states = Counter(r.state for r in rows(db, CampaignLead, campaign_id=campaign.id))
    assert states == {"done": 29, "exhausted": 1}
    attempts = rows(db, CallAttempt, campaign_id=campaign.id)
    assert len(attempts) == 33 and {a.status for a in attempts} == {"ended"}
    assert all(a.call_id is not None for a in attempts)  # linked to the stored call
    assert sorted(a.n for a in attempts if a.to_number == phones[0]) == [1, 2, 3]

    converted = [r for r in rows(db, CampaignLead, campaign_id=campaign.id) if r.converted]
    linked = {c.id: c for c in rows(db, Call, organization_id=org.id)}
    successful = sum(1 for a in attempts if a.outcome == "answered" and linked[a.call_id].successful is True)
    assert successful > 0  # the simulator converts about half of the answered calls
    assert len(converted) == successful
    lead_rows = {lead.id: lead for lead in rows(db, Lead, organization_id=org.id)}
    assert sum(1 for lead in lead_rows.values() if lead.status == "converted") == successful
    events = Counter(e.type for e in rows(db, Event, organization_id=org.id))
    assert events["campaign.started"] == 1 and events["campaign.completed"] == 1
    assert events["lead.converted"] == successful


def test_dnc_added_after_start_is_never_dialed(sim, factory, db):
    from voiceconsole.models import CampaignLead, Lead
    from voiceconsole.models.types import utcnow
    from voiceconsole.services.access.actor import SYSTEM
    from voiceconsole.services.campaigns import dnc

    org, campaign, leads = make_campaign(factory, sim, leads=4, max_concurrent=1)
    script(sim, {lead.phone: ["answered"] for lead in leads})
    dnc.add_number(factory.s, org=org, actor=SYSTEM, phone=leads[2].phone, reason="asked", source="call")
    factory.s.commit()

    result, _ = run_until_done(sim, campaign, now=utcnow())
    assert result.status == "completed"
    dialed = {d["to_number"] for d in sim_dials(sim)}
    assert leads[2].phone not in dialed and len(dialed) == 3
    states = {r.lead_id: r.state for r in rows(db, CampaignLead, campaign_id=campaign.id)}
    skipped = [lead_id for lead_id, state in states.items() if state == "skipped_dnc"]
    assert sorted(states.values()) == ["done", "done", "done", "skipped_dnc"]
    assert [db.get(Lead, lead_id).phone for lead_id in skipped] == [leads[2].phone]


def test_dnc_is_checked_again_at_the_moment_of_dialing(sim, factory, db, monkeypatch):
    """Added between the claim and the dial: still not dialed."""
    from voiceconsole.models import CallAttempt, CampaignLead
    from voiceconsole.models.types import utcnow
    from voiceconsole.services.access.actor import SYSTEM
    from voiceconsole.services.campaigns import dispatcher, dnc

    org, campaign, leads = make_campaign(factory, sim, leads=1)
    claim = dispatcher.claim

    def claim_then_listed(*args, **kwargs):
        claimed = claim(*args, **kwargs)
        dnc.add_number(factory.s, org=org, actor=SYSTEM, phone=leads[0].phone, source="manual")
        factory.s.commit()
        return claimed

    monkeypatch.setattr(dispatcher, "claim", claim_then_listed)
    result = dispatcher.dispatch_campaign(campaign.id, now=utcnow())
    assert result.skipped_dnc == 1 and result.placed == 0
    assert sim_dials(sim) == []
    assert [r.state for r in rows(db, CampaignLead, campaign_id=campaign.id)] == ["skipped_dnc"]
    assert rows(db, CallAttempt, campaign_id=campaign.id) == []


def test_outside_the_window_waits_for_the_next_opening(sim, factory, db):
    from datetime import UTC, datetime

    from voiceconsole.models import CampaignLead
    from voiceconsole.services.campaigns.dispatcher import dispatch_campaign

    _org, campaign, _leads = make_campaign(factory, sim, leads=2, window={"days": [1, 2, 3, 4, 5]})
    saturday = datetime(2026, 3, 7, 15, 0, tzinfo=UTC)  # 10:00 in New York, a Saturday
    result = dispatch_campaign(campaign.id, now=saturday)
    assert result.deferred == 2 and result.placed == 0 and sim_dials(sim) == []
    due = {r.next_attempt_at for r in rows(db, CampaignLead, campaign_id=campaign.id)}
    assert due == {datetime(2026, 3, 9, 13, 0, tzinfo=UTC)}  # Monday 09:00 EDT (the clocks changed on Sunday)
    assert dispatch_campaign(campaign.id, now=saturday + timedelta(hours=1)).placed == 0  # not due yet
    assert dispatch_campaign(campaign.id, now=datetime(2026, 3, 9, 13, 0, tzinfo=UTC)).placed == 2


def test_a_worker_killed_mid_dial_is_reconciled_not_redialed(sim, factory, db):
    from voiceconsole.db import get_engine
    from voiceconsole.models import Agent, CallAttempt, CampaignLead, Lead
    from voiceconsole.models.types import utcnow
    from voiceconsole.platforms.connector import PlatformUnavailable
    from voiceconsole.services.campaigns import dispatcher
    from voiceconsole.services.integrations import connector_for

    _org, campaign, leads = make_campaign(factory, sim, leads=1)
    script(sim, {leads[0].phone: ["answered"]})
    now = utcnow()
    [attempt_pk] = dispatcher.claim(campaign.id, now=now)
    # The worker moved the attempt to dialing and sent it; the platform placed the call, then the worker died
    # (here: the platform answered 500 after placing it, and nobody recorded anything).
    control(sim, "POST", "/dial-faults", platform="retell", status=500, placed=True)
    with Session(get_engine()) as session:
        attempt = session.get(CallAttempt, attempt_pk)
        session.exec(
            update(CallAttempt)
            .where(CallAttempt.id == attempt_pk)
            .values(status="dialing", dialed_at=now, updated_at=now - timedelta(minutes=10))
        )
        session.commit()
        agent = session.get(Agent, campaign.agent_id)
        lead = session.get(Lead, attempt.lead_id)
        from voiceconsole.models import Integration

        integration = session.get(Integration, campaign.integration_id)
    request = dispatcher.request_for(campaign, agent, lead, attempt)
    with pytest.raises(PlatformUnavailable):
        from voiceconsole.platforms.outbound import dialer_for

        dialer_for(connector_for(integration)).dial(request)
    [placed] = sim_dials(sim)
    assert placed["status"] == 500 and placed["call_id"]

    result = dispatcher.dispatch_campaign(campaign.id, now=now)
    assert result.reconciled == 1 and result.placed == 0
    reconciled = rows(db, CallAttempt, campaign_id=campaign.id)
    assert [(a.status, a.platform_call_id) for a in reconciled] == [("placed", placed["call_id"])]
    settle(sim)
    result = dispatcher.dispatch_campaign(campaign.id, now=now + timedelta(minutes=1))
    assert result.settled == 1 and result.status == "completed"
    assert len(sim_dials(sim)) == 1  # one dial, ever
    assert [r.state for r in rows(db, CampaignLead, campaign_id=campaign.id)] == ["done"]


def test_a_lost_dial_answer_is_reconciled_before_any_retry(sim, factory, db):
    """A 5xx without a call placed: the attempt is unknown, found absent, failed; the retry is a new attempt."""
    from voiceconsole.models import CallAttempt
    from voiceconsole.models.types import utcnow
    from voiceconsole.services.campaigns.dispatcher import dispatch_campaign

    _org, campaign, leads = make_campaign(factory, sim, leads=1, retry_outcomes=["failed"])
    script(sim, {leads[0].phone: ["answered"]})
    control(sim, "POST", "/dial-faults", platform="retell", status=503)
    now = utcnow()
    assert dispatch_campaign(campaign.id, now=now).unknown == 1
    assert dispatch_campaign(campaign.id, now=now + timedelta(seconds=5)).placed == 0  # within the grace: waits
    result = dispatch_campaign(campaign.id, now=now + timedelta(minutes=1))
    assert result.reconciled == 1 and result.placed == 1
    attempts = sorted(rows(db, CallAttempt, campaign_id=campaign.id), key=lambda a: a.n)
    assert [(a.n, a.status) for a in attempts] == [(1, "failed"), (2, "placed")]
    assert len(sim_dials(sim)) == 2 and sim_dials(sim)[0]["call_id"] is None


def test_two_dispatchers_at_once_keep_the_cap(sim, factory, db, sampled):
    from voiceconsole.models import CallAttempt
    from voiceconsole.models.types import utcnow
    from voiceconsole.services.campaigns.dispatcher import dispatch_campaign

    samples, pause = sampled
    pause["s"] = 0.05  # dials overlap between the two workers
    _org, campaign, leads = make_campaign(factory, sim, leads=20, max_concurrent=3)
    script(sim, {lead.phone: ["answered"] for lead in leads})
    now = utcnow()
    for _ in range(12):
        barrier = threading.Barrier(2)
        errors: list[BaseException] = []

        def worker(at=now, barrier=barrier, errors=errors):
            try:
                barrier.wait()
                dispatch_campaign(campaign.id, now=at)
            except BaseException as exc:  # noqa: BLE001
                errors.append(exc)

        threads = [threading.Thread(target=worker) for _ in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert errors == []
        assert in_flight(campaign.id) <= 3
        settle(sim)
        now += timedelta(minutes=1)
    assert samples and max(n for _, n in samples) <= 3
    dials = sim_dials(sim)
    assert len(dials) == 20 and len({d["to_number"] for d in dials}) == 20
    attempts = rows(db, CallAttempt, campaign_id=campaign.id)
    assert len(attempts) == 20


@pytest.mark.parametrize("platform", ["retell", "vapi"])
def test_a_rejected_caller_number_pauses_the_campaign_with_the_reason(platform, sim, factory, db):
    from voiceconsole.models import CallAttempt, Campaign, CampaignLead, Event
    from voiceconsole.models.types import utcnow
    from voiceconsole.services.campaigns.dispatcher import dispatch_campaign

    org, campaign, _leads = make_campaign(factory, sim, leads=3, platform=platform)
    control(sim, "POST", "/rejected-numbers", platform=platform, number=campaign.caller_number)
    result = dispatch_campaign(campaign.id, now=utcnow())
    assert result.status == "paused"
    db.expire_all()
    paused = db.get(Campaign, campaign.id)
    assert paused.status == "paused" and "caller number" in paused.paused_reason
    assert len(sim_dials(sim, platform)) == 1  # the one refused; the others were released, not sent
    assert {r.state for r in rows(db, CampaignLead, campaign_id=campaign.id)} == {"pending"}
    assert [a.status for a in rows(db, CallAttempt, campaign_id=campaign.id)] == ["failed"]
    assert [e.payload["reason"] for e in rows(db, Event, organization_id=org.id, type="campaign.paused")] == [
        paused.paused_reason
    ]
    assert dispatch_campaign(campaign.id, now=utcnow()).placed == 0  # paused: nothing more


def test_a_lapsed_grace_period_pauses_the_campaign(sim, factory, db):
    from voiceconsole.models import Campaign, Organization
    from voiceconsole.models.types import utcnow
    from voiceconsole.services.campaigns.dispatcher import BILLING_REASON, dispatch_campaign

    org, campaign, _leads = make_campaign(factory, sim, leads=2)
    db.exec(update(Organization).where(Organization.id == org.id).values(grace_ends_at=utcnow() - timedelta(days=1)))
    db.commit()
    result = dispatch_campaign(campaign.id, now=utcnow())
    assert result.status == "paused" and result.paused_reason == BILLING_REASON
    db.expire_all()
    assert db.get(Campaign, campaign.id).paused_reason == BILLING_REASON
    assert sim_dials(sim) == []


def test_the_job_runs_a_pass_for_every_running_campaign(sim, factory, db):
    from voiceconsole import enqueue
    from voiceconsole.models import CallAttempt

    _org, campaign, leads = make_campaign(factory, sim, leads=2)
    script(sim, {lead.phone: ["answered"] for lead in leads})
    assert enqueue.campaign_dispatch(now=1_000_000.0) is True
    assert enqueue.campaign_dispatch(now=1_000_001.0) is False  # the same bucket
    run_jobs("default")
    assert {a.status for a in rows(db, CallAttempt, campaign_id=campaign.id)} == {"placed"}
