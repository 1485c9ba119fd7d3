"""GET /api/agents/stats and agent detail: per-agent figures of a period, from the rollups."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from tests.support.http import bearer
from voiceconsole.services.analytics import rollups

PERIOD_KEYS = {
    "calls",
    "successRate",
    "avgScore",
    "previousAvgScore",
    "scoreChange",
    "avgDuration",
    "cost",
    "costPerMinute",
    "costPerSuccessfulCall",
}


def _call(db, factory, org, agent, **kw):
    call = factory.call(org, agent, **kw)
    rollups.refresh_rollups_for_calls(db, [call.id])
    db.commit()
    return call


def test_agent_stats_period_figures(api_client, db, factory):
    org = factory.org()
    a = factory.agent(org, name="A")
    factory.agent(org, name="B")  # no calls
    h = bearer(factory.api_key(org))
    now = datetime.now(UTC)
    # Agent A this period: 2 minutes + 1 minute ended, $0.30 + $0.60, scores 90 and 60, one successful.
    _call(
        db,
        factory,
        org,
        a,
        started_at=now - timedelta(hours=2),
        duration_ms=120_000,
        cost_usd=Decimal("0.30"),
        score=90,
        successful=True,
    )
    _call(
        db,
        factory,
        org,
        a,
        started_at=now - timedelta(hours=3),
        duration_ms=60_000,
        cost_usd=Decimal("0.60"),
        score=60,
        successful=False,
    )
    # ...and 40 days ago (previous 30-day period): score 50.
    _call(db, factory, org, a, started_at=now - timedelta(days=40), score=50)

    body = api_client.get("/api/agents/stats", params={"range": "30d"}, headers=h).json()
    assert body["meta"]["range"] == "30d" and body["meta"]["from"].endswith("T00:00:00Z")
    data = body["data"]
    assert {"totalAgents", "onlineAgents", "totalCalls", "avgScore", "totalCost", "agents", "period"} <= set(data)
    by_name = {x["name"]: x for x in data["agents"]}
    pa, pb = by_name["A"]["period"], by_name["B"]["period"]
    assert set(pa) == PERIOD_KEYS
    assert pa == {
        "calls": 2,
        "successRate": 0.5,
        "avgScore": 75.0,
        "previousAvgScore": 50.0,
        "scoreChange": 50.0,
        "avgDuration": 90.0,
        "cost": 0.9,
        "costPerMinute": 0.3,
        "costPerSuccessfulCall": 0.9,
    }
    assert pb["calls"] == 0 and pb["avgScore"] is None and pb["costPerMinute"] is None
    assert data["period"]["calls"] == 2
    assert "totalCalls" in by_name["A"] and "avgScore" in by_name["A"]  # the cached all-time figures stay

    seven = api_client.get("/api/agents/stats", params={"range": "7d"}, headers=h).json()["data"]
    assert {x["name"]: x for x in seven["agents"]}["A"]["period"]["previousAvgScore"] is None

    detail = api_client.get(f"/api/v1/agents/{a.platform_agent_id}", headers=h).json()["data"]
    assert {k: v for k, v in detail["period"].items() if k in PERIOD_KEYS} == pa
    assert detail["period"]["range"] == "30d"
    assert api_client.get("/api/agents/stats", params={"range": "1y"}, headers=h).status_code == 422
