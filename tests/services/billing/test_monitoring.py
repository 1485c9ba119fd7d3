"""Plan limits on agents with nothing lost, against the simulator over real HTTP and real RQ workers: a Free
organization monitors only its most active agent and imports only its calls; a swap or an upgrade imports
the newly monitored agents' past calls from the platform; a lapsed payment's grace period gives Free limits."""

from __future__ import annotations

import secrets
from collections import Counter
from datetime import timedelta

import pytest
from sqlmodel import select

from tests.support.simulator import connect, run_jobs

PLATFORMS = ("retell", "vapi", "elevenlabs")
FREE_HINT = "Free includes 1 monitored agent. Upgrade to Pro for 15."

pytestmark = pytest.mark.usefixtures("integration_settings", "no_jobs_left_behind")


def _sync(integration) -> dict:
    """One sync job, then every job it queued (scoring, stats, backfills), with a real RQ worker."""
    from voiceconsole.enqueue import get_queue
    from voiceconsole.jobs.sync import sync_integration_job

    job = get_queue("sync").enqueue(
        sync_integration_job, integration.id, job_id=f"test-sync-{integration.id}-{secrets.token_hex(4)}"
    )
    run_jobs("sync", "scoring", "default")
    return job.return_value()


def _sim_calls_by_agent(sim, platform: str) -> Counter:
    from voiceconsole.platforms.simulator.state import call_agent_id

    return Counter(call_agent_id(platform, c) for c in sim.state.data(platform).calls.by_id.values())


def _sim_recent_by_agent(sim, platform: str, days: int = 30) -> Counter:
    from voiceconsole.platforms.simulator.state import call_agent_id, call_time_ms

    since = sim.state.clock_ms() - days * 86_400_000
    return Counter(
        call_agent_id(platform, c)
        for c in sim.state.data(platform).calls.by_id.values()
        if (call_time_ms(platform, c) or 0) >= since
    )


def _agents(db, org):
    from voiceconsole.models import Agent

    db.expire_all()
    return {a.platform_agent_id: a for a in db.exec(select(Agent).where(Agent.organization_id == org.id))}


def _stored_by_agent(db, org) -> Counter:
    from voiceconsole.models import Agent, Call

    db.expire_all()
    rows = db.exec(
        select(Agent.platform_agent_id).join(Call, Call.agent_id == Agent.id).where(Call.organization_id == org.id)
    ).all()
    return Counter(rows)


@pytest.mark.parametrize("platform", PLATFORMS)
def test_a_free_organization_monitors_its_most_active_agent_and_imports_only_its_calls(platform, sim, factory, db):
    org, integration = connect(factory, sim, platform)
    org.plan = "free"
    db.add(org)
    db.commit()

    summary = _sync(integration)

    agents = _agents(db, org)
    assert len(agents) == sim.agent_count(platform)  # every agent listed, monitored or not
    monitored = [pid for pid, a in agents.items() if a.monitored]
    recent = _sim_recent_by_agent(sim, platform)
    assert len(monitored) == 1
    assert recent[monitored[0]] == max(recent.values())  # the most active in the last 30 days
    everything = _sim_calls_by_agent(sim, platform)
    assert _stored_by_agent(db, org) == Counter({monitored[0]: everything[monitored[0]]})
    assert summary["skippedUnmonitored"] == sum(n for pid, n in everything.items() if pid != monitored[0])

    from voiceconsole.services.agents import list_agents

    rows, _ = list_agents(db, org=org, per_page=100)
    reasons = {r.id: (r.monitored, r.monitoring_reason) for r in rows}
    assert reasons[monitored[0]] == (True, None)
    assert {v for k, v in reasons.items() if k != monitored[0]} == {(False, f"Not monitored: {FREE_HINT}")}


def test_a_swap_imports_the_newly_monitored_agents_past_calls(sim, factory, db):
    from voiceconsole.services.access.actor import SYSTEM
    from voiceconsole.services.billing.monitoring import TURNED_OFF, monitoring_status, set_monitoring
    from voiceconsole.services.billing.plans import plan_for
    from voiceconsole.services.errors import PlanLimitReached

    org, integration = connect(factory, sim, "vapi")
    org.plan = "free"
    db.add(org)
    db.commit()
    _sync(integration)
    agents = _agents(db, org)
    first = next(pid for pid, a in agents.items() if a.monitored)
    other = next(pid for pid, a in agents.items() if not a.monitored)
    everything = _sim_calls_by_agent(sim, "vapi")

    set_monitoring(db, org=org, actor=SYSTEM, agent_id=first, monitored=True)  # "on": it keeps its slot
    db.commit()
    with pytest.raises(PlanLimitReached) as refused:  # every slot is held by an agent turned on
        set_monitoring(db, org=org, actor=SYSTEM, agent_id=other, monitored=True)
    db.rollback()
    assert refused.value.details == [{"field": "monitored", "message": FREE_HINT}]

    status = set_monitoring(db, org=org, actor=SYSTEM, agent_id=first, monitored=False)
    db.commit()
    assert status.monitored is False and status.reason == TURNED_OFF
    status = set_monitoring(db, org=org, actor=SYSTEM, agent_id=other, monitored=True)
    db.commit()
    assert (status.monitored, status.monitoring) == (True, "on")
    run_jobs("sync", "scoring", "default")  # the backfill of `other`

    stored = _stored_by_agent(db, org)
    assert stored[other] == everything[other]  # its whole history, from the platform
    assert stored[first] == everything[first]  # nothing of the agent turned off was deleted
    agents = _agents(db, org)
    assert [pid for pid, a in agents.items() if a.monitored] == [other]
    assert monitoring_status(agents[first], plan_for("free")).reason == TURNED_OFF
    assert sim.requests("vapi", "/call")  # asked by assistant
    assert any(f"assistantId={other}" in r.query for r in sim.requests("vapi", "/call"))

    # Later syncs keep the choice and import the monitored agent's new calls only.
    sim.state.add_calls("vapi", 2, agent_id=other)
    sim.state.add_calls("vapi", 3, agent_id=first)
    summary = _sync(integration)
    assert summary["skippedUnmonitored"] >= 3
    stored = _stored_by_agent(db, org)
    assert stored[other] == everything[other] + 2 and stored[first] == everything[first]


@pytest.mark.parametrize("platform", PLATFORMS)
def test_upgrading_monitors_every_agent_and_loses_no_call(platform, sim, factory, db):
    from voiceconsole.services.billing.monitoring import apply_plan_limits

    org, integration = connect(factory, sim, platform)
    org.plan = "free"
    db.add(org)
    db.commit()
    _sync(integration)
    assert sum(1 for a in _agents(db, org).values() if a.monitored) == 1

    org.plan = "pro"
    db.add(org)
    became = apply_plan_limits(db, org)
    db.commit()  # the backfills are queued once committed
    assert len(became) == sim.agent_count(platform) - 1
    run_jobs("sync", "scoring", "default")

    assert all(a.monitored for a in _agents(db, org).values())
    assert _stored_by_agent(db, org) == _sim_calls_by_agent(sim, platform)  # every call, none lost
    assert _sync(integration)["skippedUnmonitored"] == 0


def test_a_lapsed_grace_period_gives_free_limits_and_paying_restores_them(sim, factory, db):
    from voiceconsole.models.types import utcnow
    from voiceconsole.services.billing.monitoring import apply_plan_limits

    org, integration = connect(factory, sim, "retell")
    org.plan = "pro"
    db.add(org)
    db.commit()
    _sync(integration)
    assert all(a.monitored for a in _agents(db, org).values())
    stored = _stored_by_agent(db, org)

    org.grace_ends_at = utcnow() - timedelta(minutes=1)  # the payment failed and the grace period ended
    db.add(org)
    assert apply_plan_limits(db, org) == []
    db.commit()
    agents = _agents(db, org)
    assert sum(1 for a in agents.values() if a.monitored) == 1
    assert _stored_by_agent(db, org) == stored  # nothing deleted
    sim.state.add_calls("retell", 4)
    assert _sync(integration)["skippedUnmonitored"] >= 1

    org.grace_ends_at = None  # invoice.paid
    db.add(org)
    assert len(apply_plan_limits(db, org)) == len(agents) - 1
    db.commit()
    run_jobs("sync", "scoring", "default")
    assert _stored_by_agent(db, org) == _sim_calls_by_agent(sim, "retell")


def test_a_webhook_call_of_an_unmonitored_agent_is_not_stored(sim, factory, db):
    from voiceconsole.platforms.base import CallRecord
    from voiceconsole.services.intake import store_calls

    org = factory.org(plan="free")
    kept = factory.agent(org, name="Busy")
    factory.call(org, kept)
    records = [
        CallRecord(
            platform="retell", platform_call_id=f"call_{i}", platform_agent_id="ag_new", status="ended", started_at=None
        )
        for i in range(2)
    ]
    intake = store_calls(db, org=org, records=records, integration_id=None)
    db.commit()
    agents = _agents(db, org)
    assert agents["ag_new"].monitored is False and agents[kept.platform_agent_id].monitored is True
    assert intake.skipped_unmonitored == 2 and intake.new_call_ids == []


def test_a_backfill_lost_with_redis_is_asked_for_again_by_the_upkeep(sim, factory, db):
    """The backfill is queued after the commit; if that request is lost (Redis away at that moment), the agent
    stays `backfill_pending` and the billing upkeep asks again until the backfill has run."""
    from voiceconsole.enqueue import all_queues
    from voiceconsole.jobs.billing import billing_upkeep_job
    from voiceconsole.services.billing.monitoring import apply_plan_limits

    org, integration = connect(factory, sim, "vapi")
    org.plan = "free"
    db.add(org)
    db.commit()
    _sync(integration)
    org.plan = "agency"
    db.add(org)
    became = apply_plan_limits(db, org)
    db.commit()
    assert became and all(
        _agents(db, org)[a.platform_agent_id].backfill_pending for a in _agents(db, org).values() if a.id in became
    )
    for queue in all_queues():  # the requests are lost
        queue.empty()
    assert billing_upkeep_job()["backfills"] >= len(became)  # (and any another test left pending)
    run_jobs("sync", "scoring", "default")
    agents = _agents(db, org)
    assert not any(a.backfill_pending for a in agents.values())
    assert _stored_by_agent(db, org) == _sim_calls_by_agent(sim, "vapi")  # nothing lost
