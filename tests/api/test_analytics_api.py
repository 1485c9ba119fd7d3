"""GET /api/analytics: the contract's shape, exact figures against the calls table, trends, 422s, tenancy."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import update as sa_update
from sqlmodel import col, select

from tests.support.http import bearer
from tests.support.rollups import totals_of
from voiceconsole.models import Call, Client
from voiceconsole.services.analytics import rollups
from voiceconsole.services.analytics.rollups import Totals

DATA_KEYS = {
    "totalCalls",
    "successRate",
    "avgScore",
    "avgDuration",
    "totalCost",
    "sentimentBreakdown",
    "scoreDistribution",
    "trends",
    "series",
}
META_KEYS = {"range", "from", "to", "previousFrom", "previousTo", "granularity"}


def _utc(s: str) -> datetime:
    return datetime.fromisoformat(s.replace("Z", "+00:00"))


def _now() -> datetime:
    return datetime.now(UTC)


def _store(db, org, agent, **values):
    """A call stored and rolled up as the product does."""
    call = _factory_call(db, org, agent, **values)
    rollups.refresh_rollups_for_calls(db, [call.id])
    db.commit()
    return call


def _factory_call(db, org, agent, **values):
    from tests.support.factory import Factory

    return Factory(db).call(org, agent, **values)


def _expected(db, org_id, start, end, *, agent_ids=None, client_id=None) -> Totals:
    total = Totals()
    q = select(Call).where(Call.organization_id == org_id, Call.started_at >= start, Call.started_at < end)
    for c in db.exec(q):
        if agent_ids is not None and c.agent_id not in agent_ids:
            continue
        if client_id is not None and c.client_id != client_id:
            continue
        total = total + totals_of(c)
    return total


def _check(data, t: Totals):
    r1 = lambda v: None if v is None else round(v, 1)  # noqa: E731
    assert data["totalCalls"] == t.calls
    # A fraction 0–1, as the published docs show (`0.78`), to three decimals.
    assert data["successRate"] == (round(t.successful / t.ended, 3) if t.ended else None)
    assert data["avgScore"] == r1(t.avg_score)
    assert data["avgDuration"] == r1(t.avg_duration_s)
    assert data["totalCost"] == float(t.cost_usd.quantize(Decimal("0.0001")))
    assert data["sentimentBreakdown"] == {"positive": t.positive, "neutral": t.neutral, "negative": t.negative}
    assert data["scoreDistribution"] == {
        "excellent": t.score_excellent,
        "good": t.score_good,
        "attention": t.score_attention,
        "poor": t.score_poor,
    }


@pytest.fixture(scope="module")
def world():
    """Two clients, three agents (one without client), ~400 random calls over 200 days, rolled up."""
    from sqlmodel import Session

    from tests.support.factory import Factory
    from voiceconsole.db import get_engine

    with Session(get_engine(), expire_on_commit=False) as db:
        yield _world(db, Factory(db))


def _world(db, factory):
    rng = random.Random(7)
    org = factory.org()
    c1, c2 = factory.client(org, "Acme"), factory.client(org, "Globex")
    agents = [factory.agent(org, client=c1), factory.agent(org, client=c2, platform="vapi"), factory.agent(org)]
    now = _now()
    ids = []
    for _ in range(400):
        agent = rng.choice(agents)
        status = rng.choice(["ended"] * 8 + ["error", "in_progress"])
        excluded = status == "ended" and rng.random() < 0.1
        started = now - timedelta(seconds=rng.randint(120, 200 * 86400))
        duration = rng.choice([None, rng.randint(1000, 600_000)])
        call = Call(
            organization_id=org.id,
            agent_id=agent.id,
            client_id=agent.client_id,
            platform=agent.platform,
            platform_call_id=f"call_{rng.getrandbits(64):x}",
            status=status,
            started_at=started,
            duration_ms=duration,
            cost_usd=Decimal(rng.randint(0, 999_999)) / Decimal(10**6),
            sentiment=rng.choice(["Positive", "Neutral", "Negative", None]),
            successful=rng.choice([True, False, None]),
            score=0 if excluded else rng.choice([None, rng.randint(0, 100)]),
            score_excluded=excluded,
        )
        db.add(call)
        db.flush()
        ids.append(call.id)
    rollups.refresh_rollups_for_calls(db, ids)
    db.commit()
    key = factory.api_key(org)
    return dict(org=org, clients=(c1, c2), agents=agents, h=bearer(key))


@pytest.mark.parametrize("rng_", ["7d", "30d", "90d"])
def test_presets_match_the_calls_table_exactly(api_client, db, world, rng_):
    body = api_client.get("/api/analytics", params={"range": rng_}, headers=world["h"]).json()
    data, meta = body["data"], body["meta"]
    assert set(data) == DATA_KEYS and set(meta) == META_KEYS
    assert meta["range"] == rng_ and meta["granularity"] == "day"
    start, end = _utc(meta["from"]), _utc(meta["to"])
    assert start == start.replace(hour=0, minute=0, second=0)
    assert meta["from"].endswith("Z") and meta["to"].endswith("Z")
    days = int(rng_[:-1])
    assert (end.date() - start.date()).days == days - 1
    assert _utc(meta["previousTo"]) == start and _utc(meta["previousFrom"]) == start - (end - start)
    cur = _expected(db, world["org"].id, start, end + timedelta(seconds=1))
    prev = _expected(db, world["org"].id, start - (end - start), start)
    _check(data, cur)
    assert len(data["series"]) == days and data["series"][0]["t"] == start.date().isoformat()
    assert sum(p["calls"] for p in data["series"]) == cur.calls
    assert set(data["series"][0]) == {"t", "calls", "avgScore", "cost", "successRate"}
    tr = data["trends"]
    assert set(tr) >= {"calls", "score", "cost"}
    assert all(set(v) == {"current", "previous", "change"} for v in tr.values())
    assert tr["calls"] == {
        "current": cur.calls,
        "previous": prev.calls,
        "change": round((cur.calls - prev.calls) / prev.calls * 100, 1) if prev.calls else None,
    }
    assert tr["score"]["current"] == data["avgScore"] and tr["score"]["previous"] == (
        round(prev.avg_score, 1) if prev.avg_score is not None else None
    )
    assert tr["cost"]["previous"] == float(prev.cost_usd.quantize(Decimal("0.0001")))


def test_custom_ranges_with_partial_days_and_hours_are_exact(api_client, db, world):
    now = _now().replace(microsecond=0)
    c1 = world["clients"][0]
    a1 = world["agents"][0]
    cases = [
        (
            {
                "dateFrom": (now - timedelta(days=40, hours=5, minutes=17)).isoformat(),
                "dateTo": (now - timedelta(days=3, hours=2)).isoformat(),
            },
            "day",
            {},
        ),
        ({"dateFrom": (now - timedelta(days=150)).strftime("%Y-%m-%dT%H:%M:%SZ")}, "day", {}),
        (
            {"dateFrom": (now - timedelta(hours=30)).isoformat(), "dateTo": (now - timedelta(hours=1)).isoformat()},
            "hour",
            {},
        ),
        (
            {
                "dateFrom": (now - timedelta(days=60)).date().isoformat(),
                "dateTo": (now - timedelta(days=20)).date().isoformat(),
            },
            "day",
            {"clientId": c1.public_id},
        ),
        ({"dateFrom": (now - timedelta(days=90, hours=7)).isoformat()}, "day", {"agentId": a1.platform_agent_id}),
    ]
    for params, granularity, filters in cases:
        body = api_client.get(
            "/api/analytics", params={"range": "custom", **params, **filters}, headers=world["h"]
        ).json()
        data, meta = body["data"], body["meta"]
        assert meta["granularity"] == granularity, params
        start, end = _utc(meta["from"]), _utc(meta["to"])
        pstart, pend = _utc(meta["previousFrom"]), _utc(meta["previousTo"])
        assert pend == start and end - start == pend - pstart
        kw = {"client_id": c1.id} if "clientId" in filters else {"agent_ids": {a1.id}} if "agentId" in filters else {}
        _check(data, _expected(db, world["org"].id, start, end, **kw))
        prev = _expected(db, world["org"].id, pstart, pend, **kw)
        assert data["trends"]["calls"]["previous"] == prev.calls
        assert sum(p["calls"] for p in data["series"]) == data["totalCalls"]
        if granularity == "hour":
            assert data["series"][0]["t"].endswith(":00:00Z") and 29 <= len(data["series"]) <= 31
    # A date-only dateTo includes that whole day.
    day = (now - timedelta(days=10)).date()
    body = api_client.get(
        "/api/analytics",
        params={"range": "custom", "dateFrom": day.isoformat(), "dateTo": day.isoformat()},
        headers=world["h"],
    ).json()
    assert body["meta"]["from"] == f"{day.isoformat()}T00:00:00Z"
    assert body["meta"]["to"] == f"{(day + timedelta(days=1)).isoformat()}T00:00:00Z"
    assert body["meta"]["granularity"] == "hour" and len(body["data"]["series"]) == 24


def test_filters_by_agent_and_client(api_client, db, world):
    (c1, c2), (a1, a2, a3) = world["clients"], world["agents"]
    full = api_client.get("/api/analytics", params={"range": "90d"}, headers=world["h"]).json()["data"]
    parts = [
        api_client.get(
            "/api/analytics", params={"range": "90d", "agentId": a.platform_agent_id}, headers=world["h"]
        ).json()["data"]
        for a in (a1, a2, a3)
    ]
    assert sum(p["totalCalls"] for p in parts) == full["totalCalls"]
    by_client = api_client.get(
        "/api/analytics", params={"range": "90d", "clientId": c1.public_id}, headers=world["h"]
    ).json()["data"]
    assert by_client["totalCalls"] == parts[0]["totalCalls"] and by_client["totalCost"] == parts[0]["totalCost"]
    both = api_client.get(
        "/api/analytics",
        params={"range": "90d", "clientId": c2.public_id, "agentId": a1.platform_agent_id},
        headers=world["h"],
    ).json()
    assert both["data"]["totalCalls"] == 0 and both["data"]["avgScore"] is None


def test_trends_math(api_client, db, factory):
    org = factory.org()
    agent = factory.agent(org)
    h = bearer(factory.api_key(org))
    meta = api_client.get("/api/analytics", params={"range": "7d"}, headers=h).json()["meta"]
    start, end = _utc(meta["from"]), _utc(meta["to"])
    length = end - start
    # Current period: 3 calls scoring 90, 80, 70 (avg 80), $1 each. Previous: 2 calls 50, 70 (avg 60), $2 each.
    for i, score in enumerate((90, 80, 70)):
        _store(db, org, agent, started_at=start + timedelta(minutes=5 + i), score=score, cost_usd=Decimal("1"))
    for i, score in enumerate((50, 70)):
        _store(db, org, agent, started_at=start - length + timedelta(minutes=1 + i), score=score, cost_usd=Decimal("2"))
    _store(db, org, agent, started_at=start - length - timedelta(minutes=1), score=10)  # before both periods
    tr = api_client.get("/api/analytics", params={"range": "7d"}, headers=h).json()["data"]["trends"]
    assert tr["calls"] == {"current": 3, "previous": 2, "change": 50.0}
    assert tr["score"] == {"current": 80.0, "previous": 60.0, "change": 33.3}
    assert tr["cost"] == {"current": 3.0, "previous": 4.0, "change": -25.0}


def test_success_rate_is_a_fraction_everywhere_and_its_change_a_percent(api_client, db, factory):
    """The published example shows `"successRate": 0.78`: a fraction 0–1 in the KPIs, the trend, the series,
    per agent and per client; `change` stays a percent change."""
    org = factory.org()
    client = factory.client(org, "Acme")
    agent = factory.agent(org, client=client)
    h = bearer(factory.api_key(org))
    meta = api_client.get("/api/analytics", params={"range": "7d"}, headers=h).json()["meta"]
    start, end = _utc(meta["from"]), _utc(meta["to"])
    at = start + timedelta(minutes=5)
    # This week: 3 ended calls, 2 successful (+ one in progress, which does not count). Before: 4 ended, 1.
    for successful in (True, True, False):
        _store(db, org, agent, started_at=at, successful=successful)
    _store(db, org, agent, started_at=at, status="in_progress", successful=None, score=None)
    for successful in (True, False, False, None):
        _store(db, org, agent, started_at=start - (end - start) + timedelta(minutes=5), successful=successful)
    current, previous = 2 / 3, 1 / 4
    for prefix in ("/api", "/api/v1"):
        data = api_client.get(f"{prefix}/analytics", params={"range": "7d"}, headers=h).json()["data"]
        assert data["successRate"] == round(current, 3) == 0.667
        assert data["trends"]["successRate"] == {
            "current": 0.667,
            "previous": 0.25,
            "change": round((current - previous) / previous * 100, 1),  # 166.7 (%)
        }
        rates = [p["successRate"] for p in data["series"] if p["calls"]]
        assert rates == [0.667]
    stats = api_client.get("/api/agents/stats", params={"range": "7d"}, headers=h).json()["data"]
    assert stats["period"]["successRate"] == 0.667 and stats["agents"][0]["period"]["successRate"] == 0.667
    from voiceconsole.services.agents import recompute_agent_stats

    recompute_agent_stats(db, agent_id=agent.id)  # the agents list shows cached all-time figures
    db.commit()
    listed = api_client.get("/api/v1/agents", headers=h).json()["data"]
    assert listed[0]["successRate"] == round(3 / 7, 3)  # all time: 3 of 7 ended calls
    board = api_client.get("/api/v1/analytics/portfolio", headers=h).json()["data"]
    assert board["clients"][0]["successRate"] == board["agents"][0]["successRate"] == 0.667

    # Nothing before: change is null, not infinite.
    fresh = factory.org()
    fresh_agent = factory.agent(fresh)
    _store(db, fresh, fresh_agent, started_at=_now() - timedelta(minutes=10))
    fresh_h = bearer(factory.api_key(fresh))
    data = api_client.get("/api/analytics", params={"range": "30d"}, headers=fresh_h).json()["data"]
    assert data["trends"]["calls"] == {"current": 1, "previous": 0, "change": None}
    assert data["trends"]["cost"]["change"] is None and data["trends"]["score"]["previous"] is None


def test_no_transcript_calls_are_left_out_of_the_average_score(api_client, db, factory):
    org = factory.org()
    agent = factory.agent(org)
    t = _now() - timedelta(hours=1)
    _store(db, org, agent, started_at=t, score=90)
    _store(db, org, agent, started_at=t, score=0, score_excluded=True, transcript=None, transcript_turns=[])
    _store(db, org, agent, started_at=t, score=None, status="in_progress")
    _store(db, org, agent, started_at=t, score=70, status="ended", successful=False, duration_ms=30_000)
    data = api_client.get("/api/analytics", params={"range": "7d"}, headers=bearer(factory.api_key(org))).json()["data"]
    assert data["totalCalls"] == 4
    assert data["avgScore"] == 80.0
    assert data["successRate"] == 0.667  # 3 ended calls, 2 flagged successful
    assert data["avgDuration"] == 50.0  # ended calls: 60 s, 60 s, 30 s
    assert data["scoreDistribution"] == {"excellent": 1, "good": 1, "attention": 0, "poor": 0}


def test_v1_and_api_prefixes_answer_the_same(api_client, world):
    a = api_client.get("/api/analytics", params={"range": "30d"}, headers=world["h"]).json()
    b = api_client.get("/api/v1/analytics", params={"range": "30d"}, headers=world["h"]).json()
    assert a["data"] == b["data"] and a["meta"]["from"] == b["meta"]["from"]


def test_default_range_is_30_days(api_client, world):
    assert api_client.get("/api/analytics", headers=world["h"]).json()["meta"]["range"] == "30d"


@pytest.mark.parametrize(
    "params, field",
    [
        ({"range": "14d"}, "range"),
        ({"range": "custom"}, "dateFrom"),
        ({"range": "custom", "dateFrom": "2026-11-10", "dateTo": "2026-11-01"}, "dateFrom"),
        ({"range": "custom", "dateFrom": "2026-11-01T10:00:00Z", "dateTo": "2026-11-01T10:00:00Z"}, "dateFrom"),
        ({"range": "custom", "dateFrom": "yesterday"}, "dateFrom"),
        ({"range": "custom", "dateFrom": "2026-11-01", "dateTo": "2026-13-01"}, "dateTo"),
        ({"range": "custom", "dateFrom": "2020-01-01", "dateTo": "2026-01-01"}, "dateTo"),
        ({"range": "7d", "dateFrom": "2026-11-01"}, "dateFrom"),
        ({"range": "7d", "dateTo": "2026-11-01"}, "dateTo"),
    ],
)
def test_bad_input_is_422_with_details(api_client, world, params, field):
    r = api_client.get("/api/analytics", params=params, headers=world["h"])
    assert r.status_code == 422, r.text
    body = r.json()
    assert body["error"] == "Validation failed" and body["details"][0]["field"] == field
    assert body["details"][0]["message"]


def test_unknown_and_foreign_agents_and_clients_are_404(api_client, factory, world):
    other = factory.org()
    other_client = factory.client(other)
    other_agent = factory.agent(other, client=other_client)
    for params in (
        {"agentId": "ag_nope"},
        {"clientId": "cli_nope"},
        {"agentId": other_agent.platform_agent_id},
        {"clientId": other_client.public_id},
    ):
        r = api_client.get("/api/analytics", params=params, headers=world["h"])
        assert r.status_code == 404, params
        assert r.json()["error"] in ("Agent not found", "Client not found")


def test_tenancy_and_client_viewers(api_client, db, factory, world):
    other = factory.org()
    other_agent = factory.agent(other)
    _store(db, other, other_agent, started_at=_now() - timedelta(hours=2))
    assert (
        api_client.get("/api/analytics", params={"range": "7d"}, headers=bearer(factory.api_key(other))).json()["data"][
            "totalCalls"
        ]
        == 1
    )
    mine = api_client.get("/api/analytics", params={"range": "90d"}, headers=world["h"]).json()["data"]
    assert (
        mine["totalCalls"]
        == api_client.get("/api/analytics", params={"range": "90d"}, headers=world["h"]).json()["data"]["totalCalls"]
    )
    # A client viewer sees its own client only, and another client is 404.
    c1, c2 = world["clients"]
    # The figures alike, costs included (costs hidden from viewers: tests/api/test_client_portal.py).
    db.exec(sa_update(Client).where(col(Client.id) == c1.id).values(show_costs=True))
    db.commit()
    _, token = factory.user_session(world["org"], role="client_viewer", client=c1)
    api_client.cookies.set("cp_session", token)
    try:
        seen = api_client.get("/api/analytics", params={"range": "90d"}).json()["data"]
        own = api_client.get(
            "/api/analytics", params={"range": "90d", "clientId": c1.public_id}, headers=world["h"]
        ).json()["data"]
        assert seen == own
        assert api_client.get("/api/analytics", params={"clientId": c2.public_id}).status_code == 404
        other_agent = world["agents"][1].platform_agent_id
        assert api_client.get("/api/analytics", params={"agentId": other_agent}).status_code == 404
        board = api_client.get("/api/analytics/portfolio").json()["data"]
        assert [c["id"] for c in board["clients"]] == [c1.public_id]
        assert {a["id"] for a in board["agents"]} == {world["agents"][0].platform_agent_id}
    finally:
        api_client.cookies.clear()


def test_needs_authentication(api_client):
    assert api_client.get("/api/analytics").status_code == 401
    assert api_client.get("/api/v1/analytics/portfolio").status_code == 401


def test_portfolio_ranks_worst_first_with_week_over_week_change(api_client, db, factory):
    org = factory.org()
    good, bad = factory.client(org, "Good Co"), factory.client(org, "Bad Co")
    a_good, a_bad = factory.agent(org, client=good, name="Good agent"), factory.agent(org, client=bad, name="Bad agent")
    factory.agent(org, name="Idle agent")  # no calls: ranked last
    now = _now()
    for score in (90, 80):
        _store(db, org, a_good, started_at=now - timedelta(minutes=30), score=score)
    _store(db, org, a_good, started_at=now - timedelta(days=9), score=75)
    _store(db, org, a_bad, started_at=now - timedelta(minutes=30), score=40)
    _store(db, org, a_bad, started_at=now - timedelta(days=9), score=60)
    board = api_client.get("/api/v1/analytics/portfolio", headers=bearer(factory.api_key(org))).json()["data"]
    assert [c["name"] for c in board["clients"]] == ["Bad Co", "Good Co"]
    bad_row, good_row = board["clients"]
    assert bad_row["health"] == 40.0 and bad_row["previousHealth"] == 60.0 and bad_row["healthChange"] == -20.0
    assert good_row["health"] == 85.0 and good_row["healthChange"] == 10.0 and good_row["calls"] == 2
    assert [a["name"] for a in board["agents"]] == ["Bad agent", "Good agent", "Idle agent"]
    assert board["agents"][2]["health"] is None and board["agents"][0]["clientName"] == "Bad Co"
