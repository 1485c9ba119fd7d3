"""Rollups agree exactly with the calls table after random inserts, upserted changes and rescoring."""

from __future__ import annotations

import dataclasses
import threading
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from sqlmodel import Session, select

from tests.support.rollups import expected_rollups, ingest, random_record, rescore, stored_rollups
from voiceconsole.db import get_engine, is_postgres
from voiceconsole.models import Call
from voiceconsole.services.analytics import rollups


def _agents(factory, org, n=3):
    clients = [factory.client(org), factory.client(org)]
    return [factory.agent(org, client=clients[i % 2] if i < n - 1 else None) for i in range(n)]


def test_rollups_match_the_calls_after_inserts_updates_and_rescoring(db, factory, rng):
    org = factory.org()
    agents = _agents(factory, org)
    agent_ids = [a.platform_agent_id for a in agents] + [None]  # some calls come without an agent
    now = datetime.now(UTC)

    records = [random_record(rng, agent_ids, now=now) for _ in range(300)]
    for start in range(0, len(records), 70):  # several batches, like sync pages
        ingest(db, org, records[start : start + 70])
    assert stored_rollups(db, org.id) == expected_rollups(db, org.id)

    # Later deliveries change what the platform said: status, sentiment, cost, success, duration,
    # and sometimes the start time (another day) or the agent.
    for round_ in range(3):
        changed = []
        for r in rng.sample(records, 80):
            new = dataclasses.replace(
                r,
                status=rng.choice(["ended", "error", "in_progress"]),
                sentiment=rng.choice(["Positive", "Neutral", "Negative", None]),
                cost_usd=Decimal(rng.randint(0, 3_000_000)) / Decimal(1_000_000),
                successful=rng.choice([True, False, None]),
                duration_ms=rng.choice([None, rng.randint(1000, 900_000)]),
            )
            if rng.random() < 0.2 and new.started_at is not None:
                new = dataclasses.replace(new, started_at=new.started_at + timedelta(days=rng.randint(-3, 3)))
            if rng.random() < 0.1:
                new = dataclasses.replace(new, platform_agent_id=rng.choice(agent_ids))
            changed.append(new)
        records = [next((c for c in changed if c.platform_call_id == r.platform_call_id), r) for r in records]
        ingest(db, org, changed)
        assert stored_rollups(db, org.id) == expected_rollups(db, org.id), f"after update round {round_}"

    # Scoring, then rescoring part of them (scores move between bands; no-transcript calls are excluded).
    ids = [cid for cid in db.exec(select(Call.id).where(Call.organization_id == org.id))]
    rescore(db, ids)
    assert stored_rollups(db, org.id) == expected_rollups(db, org.id)
    some = rng.sample(ids, 60)
    for call in db.exec(select(Call).where(Call.id.in_(some))):
        call.transcript_turns = call.transcript_turns[:1] if rng.random() < 0.5 else []
        call.transcript = call.transcript if call.transcript_turns else None
        db.add(call)
    db.commit()
    rescore(db, some)
    stored = stored_rollups(db, org.id)
    assert stored == expected_rollups(db, org.id)
    assert sum(t.scored for t in stored.values()) > 0 and sum(t.score_poor for t in stored.values()) >= 0

    # A full rebuild gives the very same rows.
    rollups.rebuild_rollups(db, organization_id=org.id)
    db.commit()
    assert stored_rollups(db, org.id) == stored


def test_rollups_of_other_organizations_are_untouched(db, factory, rng):
    a, b = factory.org(), factory.org()
    agent_a, agent_b = factory.agent(a), factory.agent(b)
    now = datetime.now(UTC)
    ingest(db, a, [random_record(rng, [agent_a.platform_agent_id], now=now) for _ in range(40)])
    before = stored_rollups(db, a.id)
    ingest(db, b, [random_record(rng, [agent_b.platform_agent_id], now=now) for _ in range(40)])
    rollups.rebuild_rollups(db, organization_id=b.id)
    db.commit()
    assert stored_rollups(db, a.id) == before == expected_rollups(db, a.id)
    assert stored_rollups(db, b.id) == expected_rollups(db, b.id)


def test_the_migration_backfill_and_rebuild_agree(db, factory, rng):
    """Calls stored without the hook (bulk loads) are counted after a rebuild."""
    org = factory.org()
    agent = factory.agent(org)
    for _ in range(25):
        factory.call(
            org,
            agent,
            started_at=datetime.now(UTC) - timedelta(hours=rng.randint(0, 400)),
            cost_usd=Decimal(rng.randint(0, 999_999)) / Decimal(1_000_000),
            score=rng.randint(0, 100),
        )
    assert stored_rollups(db, org.id) == {}
    rollups.rebuild_rollups(db, organization_id=org.id)
    db.commit()
    assert stored_rollups(db, org.id) == expected_rollups(db, org.id)


def test_concurrent_changes_to_one_agent_day_stay_exact(db, factory):
    """Two transactions change calls of the same agent-day at once; the advisory lock orders the
    recomputations, so the later one sees the earlier one's committed change (PostgreSQL)."""
    if not is_postgres(db):
        pytest.skip("row-level concurrency needs PostgreSQL")
    org = factory.org()
    agent = factory.agent(org)
    started = datetime.now(UTC).replace(hour=12, minute=0, second=0, microsecond=0) - timedelta(days=1)
    x = factory.call(org, agent, started_at=started, score=50)
    y = factory.call(org, agent, started_at=started + timedelta(minutes=5), score=50)
    rollups.refresh_rollups_for_calls(db, [x.id, y.id])
    db.commit()

    engine = get_engine()
    first, second = Session(engine), Session(engine)
    try:
        first.get(Call, x.id).score = 90
        first.flush()
        rollups.refresh_rollups_for_calls(first, [x.id])  # holds the agent-day lock until commit

        def change_y():
            second.get(Call, y.id).score = 10
            second.flush()
            rollups.refresh_rollups_for_calls(second, [y.id])  # waits for the first transaction
            second.commit()

        t = threading.Thread(target=change_y)
        t.start()
        t.join(timeout=1.0)
        assert t.is_alive(), "the second refresh should wait for the first transaction's lock"
        first.commit()
        t.join(timeout=30)
        assert not t.is_alive()
    finally:
        first.close()
        second.close()
    db.expire_all()
    stored = stored_rollups(db, org.id)
    assert stored == expected_rollups(db, org.id)
    assert next(iter(stored.values())).score_sum == 100
