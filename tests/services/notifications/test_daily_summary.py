"""Daily summaries (services/daily_summary.py): local-day figures, audiences, exactly one event each.

The main organization is in America/New_York (EST, UTC-5, in November): calls just after local
midnight and just before the next one belong to the local day though their UTC dates differ, and a
call at 23:59 local the day before falls on the same UTC date as the day's calls but must not count.
Expected figures are written out by hand and also recomputed in Python from the call rows.
"""

from __future__ import annotations

import contextlib
import threading
import time
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import Session, select

from voiceconsole.models import Call, Event, NotificationChannel
from voiceconsole.services.analytics.rollups import refresh_rollups_for_calls
from voiceconsole.services.notifications import daily_summary as ds

NY = ZoneInfo("America/New_York")
DAY = date(2026, 11, 10)  # the local day summarized
# 08:30 local on Nov 11 (EST): the 8 o'clock summaries are due, the 18 o'clock ones are not.
AT_0830 = datetime(2026, 11, 11, 13, 30, tzinfo=UTC)


def local(d: date, hh: int, mm: int = 0, ss: int = 0, tz=NY) -> datetime:
    return datetime(d.year, d.month, d.day, hh, mm, ss, tzinfo=tz).astimezone(UTC)


def _calls(factory, org, specs):
    calls = [factory.call(org, agent, **kw) for agent, kw in specs]
    refresh_rollups_for_calls(factory.s, [c.id for c in calls])  # as ingest and scoring do
    factory.s.commit()
    return calls


def _channel(db, org, *, client=None, hour=8, events=("daily_summary",), status="active", kind="webhook"):
    ch = NotificationChannel(
        organization_id=org.id,
        client_id=client.id if client else None,
        name=f"{kind} {hour}",
        kind=kind,
        events=list(events),
        summary_hour=hour,
        status=status,
        target_hint="https://example.com/hook",
    )
    db.add(ch)
    db.commit()
    return ch


def _summaries(db, org) -> list[Event]:
    db.expire_all()
    return list(
        db.exec(select(Event).where(Event.organization_id == org.id, Event.type == "daily_summary").order_by(Event.id))
    )


@pytest.fixture
def world(factory, db):
    """A New York organization with two clients, calls on Nov 9, 10 and 11 (local)."""
    org = factory.org()
    org.timezone = "America/New_York"
    db.add(org)
    db.commit()
    a, b = factory.client(org, "Acme Dental"), factory.client(org, "Bright Smile")
    agent_a = factory.agent(org, name="Front desk A", client=a)
    agent_b = factory.agent(org, name="Front desk B", client=b)
    prev, nxt = DAY - timedelta(days=1), DAY + timedelta(days=1)
    calls = _calls(
        factory,
        org,
        [
            # Nov 9 (the day before): A 70 and 10, B 95.
            (agent_a, dict(started_at=local(prev, 10), score=70)),
            (agent_a, dict(started_at=local(prev, 23, 59), score=10, summary="Late call, day before")),  # 04:59Z Nov 10
            (agent_b, dict(started_at=local(prev, 15), score=95)),
            # Nov 10.
            (agent_a, dict(started_at=local(DAY, 0, 5), score=90, cost_usd=Decimal("0.10"), successful=True)),
            (
                agent_a,
                dict(
                    started_at=local(DAY, 23, 55),
                    score=40,
                    cost_usd=Decimal("0.20"),
                    successful=False,
                    summary="Caller asked twice",
                ),
            ),  # 04:55Z Nov 11
            (
                agent_a,
                dict(
                    started_at=local(DAY, 23, 59, 59),
                    score=30,
                    cost_usd=Decimal("0.30"),
                    successful=True,
                    summary="Caller hung up",
                ),
            ),
            (
                agent_b,
                dict(
                    started_at=local(DAY, 12),
                    score=55,
                    cost_usd=Decimal("0.40"),
                    successful=True,
                    summary="Booked, slowly",
                ),
            ),
            (
                agent_b,
                dict(
                    started_at=local(DAY, 13),
                    score=0,
                    score_excluded=True,
                    transcript=None,
                    cost_usd=Decimal("0.05"),
                    successful=None,
                ),
            ),  # no transcript: not averaged, not "worst"
            (agent_a, dict(started_at=local(DAY, 14), score=None, cost_usd=Decimal("0.01"), successful=True)),
            (
                agent_b,
                dict(started_at=local(DAY, 9), status="error", score=None, cost_usd=Decimal("0"), successful=False),
            ),
            # Nov 11, 00:00 local exactly: the next day.
            (agent_a, dict(started_at=local(nxt, 0), score=5, summary="Next day")),
        ],
    )
    return {"org": org, "a": a, "b": b, "agent_a": agent_a, "agent_b": agent_b, "calls": calls}


def oracle(db, org_id, day, tz, client_id=None):
    """The figures recomputed in Python from the call rows (local dates)."""
    rows = [
        c
        for c in db.exec(select(Call).where(Call.organization_id == org_id))
        if c.started_at
        and c.started_at.astimezone(tz).date() == day
        and (client_id is None or c.client_id == client_id)
    ]
    scored = [c.score for c in rows if c.score is not None and not c.score_excluded]
    ended = [c for c in rows if c.status == "ended"]
    return {
        "calls": len(rows),
        "avg": sum(scored) / len(scored) if scored else None,
        "successRate": round(sum(1 for c in ended if c.successful) / len(ended), 3) if ended else None,
        "cost": float(sum((c.cost_usd or Decimal(0)) for c in rows)),
    }


# ------------------------------------------------------------------------------------------ build_summary


def test_local_day_bounds_follow_the_zone_and_dst():
    assert ds.local_day_bounds(DAY, NY) == (
        datetime(2026, 11, 10, 5, tzinfo=UTC),
        datetime(2026, 11, 11, 5, tzinfo=UTC),
    )
    start, end = ds.local_day_bounds(date(2026, 3, 8), NY)  # spring forward: 23 hours
    assert (start.hour, end - start) == (5, timedelta(hours=23))
    start, end = ds.local_day_bounds(date(2026, 11, 1), NY)  # fall back: 25 hours
    assert (start.hour, end - start) == (4, timedelta(hours=25))


def test_whole_org_summary_uses_local_day_boundaries(db, world):
    org = world["org"]
    s = ds.build_summary(db, org=org, client_id=None, day=DAY, tz=NY)
    assert s["date"] == "2026-11-10" and s["timezone"] == "America/New_York"
    assert s["clientId"] is None and s["clientName"] is None
    assert s["calls"] == 7
    # (90 + 40 + 30 + 55) / 4; the excluded 0, the 10 of Nov 9 and the 5 of Nov 11 left out
    assert s["avgScore"] == 53.8
    assert s["avgScoreChange"] == -4.6  # 53.75 - (70 + 10 + 95) / 3
    assert s["successRate"] == 0.667  # 4 of 6 ended: a fraction, as in the analytics
    assert s["cost"] == 1.06
    assert [w["callScore"] for w in s["worstCalls"]] == [30, 40, 55]
    by_id = {c.public_id: c for c in world["calls"]}
    first = s["worstCalls"][0]
    assert set(first) == {"callId", "agentName", "callScore", "summary"}
    assert by_id[first["callId"]].started_at == local(DAY, 23, 59, 59)
    assert first == {
        "callId": first["callId"],
        "agentName": "Front desk A",
        "callScore": 30,
        "summary": "Caller hung up",
    }
    assert s["dashboardUrl"].endswith("/dashboard?range=7d")
    expected = oracle(db, org.id, DAY, NY)
    assert (s["calls"], s["successRate"], s["cost"]) == (expected["calls"], expected["successRate"], expected["cost"])
    assert s["avgScore"] == round(expected["avg"], 1)


def test_client_summary_counts_only_that_client(db, world):
    org, a = world["org"], world["a"]
    s = ds.build_summary(db, org=org, client_id=a.id, day=DAY, tz=NY, hour=8)
    assert (s["clientId"], s["clientName"], s["hour"]) == (a.public_id, "Acme Dental", 8)
    assert s["calls"] == 4
    assert s["avgScore"] == 53.3  # (90 + 40 + 30) / 3
    assert s["avgScoreChange"] == 13.3  # 53.33 - (70 + 10) / 2
    assert s["successRate"] == 0.75
    assert s["cost"] == 0.61
    assert [(w["callScore"], w["summary"]) for w in s["worstCalls"]] == [
        (30, "Caller hung up"),
        (40, "Caller asked twice"),
        (90, "Caller booked an appointment."),
    ]
    assert s["dashboardUrl"].endswith(f"/dashboard?range=7d&clientId={a.public_id}")
    expected = oracle(db, org.id, DAY, NY, client_id=a.id)
    assert s["avgScore"] == round(expected["avg"], 1) and s["calls"] == expected["calls"]


def test_worst_calls_ties_and_limit(db, factory):
    org = factory.org()
    agent = factory.agent(org, name="Tie agent")
    d = date(2026, 6, 1)
    calls = _calls(
        factory,
        org,
        [
            (agent, dict(started_at=local(d, h, tz=UTC), score=sc))
            for h, sc in [(9, 50), (8, 50), (10, 20), (11, 99), (12, 50)]
        ],
    )
    s = ds.build_summary(db, org=org, client_id=None, day=d, tz=ZoneInfo("UTC"))
    assert [w["callId"] for w in s["worstCalls"]] == [calls[2].public_id, calls[1].public_id, calls[0].public_id]


def test_empty_day_and_missing_previous_give_nulls(db, world):
    org, b = world["org"], world["b"]
    empty = ds.build_summary(db, org=org, client_id=None, day=date(2026, 1, 5), tz=NY)
    assert (
        empty["calls"],
        empty["avgScore"],
        empty["avgScoreChange"],
        empty["successRate"],
        empty["cost"],
        empty["worstCalls"],
    ) == (0, None, None, None, 0.0, [])
    # Nov 9 has scores, Nov 8 none: a score but no change.
    s = ds.build_summary(db, org=org, client_id=b.id, day=DAY - timedelta(days=1), tz=NY)
    assert (s["calls"], s["avgScore"], s["avgScoreChange"]) == (1, 95.0, None)


def test_utc_org_reads_rollups_with_the_same_figures(db, factory):
    org = factory.org()  # timezone UTC: whole UTC days come from the rollups
    agent = factory.agent(org)
    d = date(2026, 6, 2)
    _calls(
        factory,
        org,
        [
            (agent, dict(started_at=local(d, 0, 0, tz=UTC), score=60)),
            (agent, dict(started_at=local(d, 23, 59, 59, tz=UTC), score=81, cost_usd=Decimal("0.333333"))),
            (agent, dict(started_at=local(d + timedelta(days=1), 0, tz=UTC), score=1)),
        ],
    )
    s = ds.build_summary(db, org=org, client_id=None, day=d, tz=ZoneInfo("UTC"))
    assert (s["calls"], s["avgScore"], s["cost"], s["timezone"]) == (2, 70.5, 0.4533, "UTC")
    expected = oracle(db, org.id, d, UTC)
    assert (s["calls"], s["avgScore"]) == (expected["calls"], round(expected["avg"], 1))


def test_bad_time_zone_falls_back_to_utc(db, factory):
    org = factory.org()
    org.timezone = "Mars/Olympus_Mons"
    assert ds.org_zone(org).key == "UTC"
    org.timezone = "../../etc/passwd"
    assert ds.org_zone(org).key == "UTC"


# ------------------------------------------------------------------------------------------ recording


def test_records_one_event_per_audience_once_due(db, world):
    org, a, b = world["org"], world["a"], world["b"]
    _channel(db, org, kind="webhook", events=("daily_summary", "call.low_score"))
    _channel(db, org, kind="slack")  # same audience (all, 8): still one event
    _channel(db, org, client=a, kind="email", status="paused")  # paused channels still get it on resume
    _channel(db, org, client=b, hour=18)
    _channel(db, org, hour=7, events=("call.completed",))  # not subscribed

    before = AT_0830.replace(hour=12, minute=59)  # 07:59 local
    assert ds.record_due_summaries(db, before, organization_ids=[org.id]) == 0
    assert _summaries(db, org) == []

    assert ds.record_due_summaries(db, AT_0830, organization_ids=[org.id]) == 2
    db.commit()
    events = _summaries(db, org)
    assert sorted(e.dedupe_key for e in events) == sorted(
        [f"daily_summary:{org.id}:all:2026-11-11:8", f"daily_summary:{org.id}:{a.public_id}:2026-11-11:8"]
    )
    by_client = {e.payload["clientId"]: e.payload for e in events}
    assert by_client[None]["date"] == "2026-11-10" and by_client[None]["hour"] == 8
    assert by_client[None]["calls"] == 7 and by_client[a.public_id]["calls"] == 4
    assert set(by_client[None]) == {
        "date",
        "timezone",
        "hour",
        "clientId",
        "clientName",
        "calls",
        "avgScore",
        "avgScoreChange",
        "successRate",
        "cost",
        "worstCalls",
        "dashboardUrl",
    }
    assert all(e.dispatched_at is None for e in events)  # the outbox: the delivery engine fans them out

    # Called again in the same hour, and later the same day: nothing new for the 8 o'clock audiences.
    assert ds.record_due_summaries(db, AT_0830 + timedelta(minutes=5), organization_ids=[org.id]) == 0
    db.commit()
    assert ds.record_due_summaries(db, AT_0830.replace(hour=23, minute=10), organization_ids=[org.id]) == 1  # 18:10
    db.commit()
    events = _summaries(db, org)
    assert len(events) == 3
    assert events[-1].payload["clientId"] == b.public_id and events[-1].payload["hour"] == 18
    # The next local day brings the next round.
    assert ds.record_due_summaries(db, AT_0830 + timedelta(days=1), organization_ids=[org.id]) == 2
    db.commit()
    assert {e.payload["date"] for e in _summaries(db, org)} == {"2026-11-10", "2026-11-11"}


def test_local_date_not_utc_date_decides(db, world):
    """At 20:30 local on Nov 10 it is already Nov 11 in UTC: the 8 o'clock summary of Nov 10 (about
    Nov 9) is the one that is due, not Nov 11's."""
    org = world["org"]
    _channel(db, org)
    assert ds.record_due_summaries(db, datetime(2026, 11, 11, 1, 30, tzinfo=UTC), organization_ids=[org.id]) == 1
    db.commit()
    (event,) = _summaries(db, org)
    assert event.dedupe_key.endswith(":2026-11-10:8") and event.payload["date"] == "2026-11-09"


def test_a_platform_still_on_its_first_sync_holds_the_summary_back_for_up_to_a_day(db, world):
    """Right after connecting a platform its calls are still arriving: no summary of an empty day."""
    from voiceconsole.models import Integration

    org = world["org"]
    _channel(db, org)
    integration = Integration(
        organization_id=org.id,
        platform="vapi",
        label="Vapi",
        api_key_encrypted="x",
        api_key_last4="abcd",
        created_at=AT_0830 - timedelta(hours=1),
    )
    db.add(integration)
    db.commit()
    assert ds.record_due_summaries(db, AT_0830, organization_ids=[org.id]) == 0  # first sync not done
    integration.last_good_sync_at = AT_0830 + timedelta(minutes=3)
    db.add(integration)
    db.commit()
    assert ds.record_due_summaries(db, AT_0830 + timedelta(minutes=5), organization_ids=[org.id]) == 1
    db.commit()
    # A connection that never syncs holds nothing back after a day.
    stuck = Integration(
        organization_id=org.id,
        platform="retell",
        label="Retell",
        api_key_encrypted="x",
        api_key_last4="abcd",
        created_at=AT_0830 - timedelta(days=2),
    )
    db.add(stuck)
    db.commit()
    assert ds.record_due_summaries(db, AT_0830 + timedelta(days=1), organization_ids=[org.id]) == 1


def test_nothing_for_orgs_without_subscribed_channels(db, world, factory):
    org = world["org"]
    _channel(db, org, events=("call.low_score", "call.completed"))
    other = factory.org()
    factory.call(other, factory.agent(other), started_at=local(DAY, 12))
    assert ds.record_due_summaries(db, AT_0830, organization_ids=[org.id, other.id]) == 0
    db.commit()
    assert _summaries(db, org) == [] and _summaries(db, other) == []


def test_job_records_due_summaries(db, world, monkeypatch):
    from voiceconsole.jobs import daily_summary as job

    org = world["org"]
    _channel(db, org)
    real = ds.record_due_summaries
    monkeypatch.setattr(job, "record_due_summaries", lambda session: real(session, AT_0830, organization_ids=[org.id]))
    assert job.record_daily_summaries_job() == {"recorded": 1}
    assert job.record_daily_summaries_job() == {"recorded": 0}
    assert len(_summaries(db, org)) == 1


# ------------------------------------------------------------------------------------------ races


def test_concurrent_workers_record_one_event(world):
    from voiceconsole.db import get_engine

    org, a = world["org"], world["a"]
    with Session(get_engine()) as s:
        for client in (None, a):
            _channel(s, org, client=client)
    barrier = threading.Barrier(4)
    results, errors = [], []

    def worker():
        try:
            with Session(get_engine()) as s:
                barrier.wait(timeout=10)
                results.append(ds.record_due_summaries(s, AT_0830, organization_ids=[org.id]))
                s.commit()
        except Exception as exc:  # noqa: BLE001 (reported below)
            errors.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not errors, errors
    assert sum(results) == 2
    with Session(get_engine()) as s:
        assert len(_summaries(s, org)) == 2


def test_insert_race_loses_quietly(world):
    """The unique key decides when two workers both passed the existence check: the second insert
    (blocked on PostgreSQL until the first commits) is dropped, and its transaction stays usable."""
    from voiceconsole.db import get_engine

    org = world["org"]
    key = f"daily_summary:{org.id}:all:2099-01-01:8"
    first, second = Session(get_engine()), Session(get_engine())
    try:
        assert ds._insert_once(first, org_id=org.id, key=key, payload={"n": 1}) is True
        outcome = {}
        t = threading.Thread(
            target=lambda: outcome.setdefault(
                "second", ds._insert_once(second, org_id=org.id, key=key, payload={"n": 2})
            )
        )
        t.start()
        time.sleep(0.3)
        first.commit()
        t.join(timeout=30)
        assert outcome == {"second": False}
        # The loser's transaction goes on: another event still commits.
        assert ds._insert_once(second, org_id=org.id, key=key + "b", payload={"n": 3}) is True
        second.commit()
    finally:
        first.close()
        second.close()
    with Session(get_engine()) as s:
        rows = s.exec(select(Event.dedupe_key, Event.payload).where(Event.dedupe_key.in_([key, key + "b"]))).all()
        assert sorted((k, p["n"]) for k, p in rows) == [(key, 1), (key + "b", 3)]


def test_enqueue_is_collapsed_per_tick_bucket():
    from rq.job import Job

    from voiceconsole.enqueue import TICK_SECONDS as BUCKET_SECONDS
    from voiceconsole.enqueue import daily_summaries as enqueue_daily_summaries
    from voiceconsole.enqueue import scoped
    from voiceconsole.redis_client import get_redis

    base = 1_000_000 * BUCKET_SECONDS + 7  # a bucket no real tick uses
    ids = [scoped(f"daily-summary-{base // BUCKET_SECONDS}"), scoped(f"daily-summary-{base // BUCKET_SECONDS + 1}")]
    try:
        assert enqueue_daily_summaries(base) is True
        assert enqueue_daily_summaries(base + 60) is False  # same 5-minute bucket
        assert enqueue_daily_summaries(base + BUCKET_SECONDS) is True
        job = Job.fetch(ids[0], connection=get_redis())
        assert job.func_name == "voiceconsole.jobs.daily_summary.record_daily_summaries_job"
    finally:  # never leave them for a worker draining the queue in another test
        for job_id in ids:
            with contextlib.suppress(Exception):  # not there
                Job.fetch(job_id, connection=get_redis()).delete()
