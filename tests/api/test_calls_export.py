"""GET /api/v1/calls/export: CSV of the filtered calls, streamed in keyset batches."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import insert

from tests.support.http import bearer
from tests.support.sql import recorded_statements
from voiceconsole.models import Call
from voiceconsole.models.types import public_id
from voiceconsole.services.calls import export as exports


def _rows(text: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO(text)))


def _bulk(db, org, agent, n, *, start, **values):
    """n calls, several per second (ties on started_at) and a few without started_at."""
    rows = []
    for i in range(n):
        rows.append(
            dict(
                public_id=public_id("cl"),
                organization_id=org.id,
                agent_id=agent.id,
                client_id=agent.client_id,
                platform=agent.platform,
                platform_call_id=f"bulk_{org.id}_{agent.id}_{i}",
                status="ended",
                started_at=None if i % 97 == 0 else start - timedelta(seconds=i // 3),
                duration_ms=1000 * (i % 300),
                cost_usd=Decimal(i % 1000) / Decimal(10**4),
                transcript_turns=[],
                platform_analysis={},
                metadata={},
                score_excluded=False,
                score=i % 101,
                sentiment=("Positive", "Neutral", "Negative")[i % 3],
                created_at=start,
                updated_at=start,
                **values,
            )
        )
    for i in range(0, n, 2000):
        db.exec(insert(Call).values(rows[i : i + 2000]))
    db.commit()


@pytest.fixture
def setup(db, factory):
    org = factory.org()
    client = factory.client(org, "Acme")
    a1 = factory.agent(org, client=client, name='=HYPERLINK("x")')
    a2 = factory.agent(org, platform="vapi")
    return dict(org=org, client=client, a1=a1, a2=a2, h=bearer(factory.api_key(org)))


def test_export_streams_every_row_across_batches_in_order(api_client, db, setup, monkeypatch):
    monkeypatch.setattr(exports, "BATCH", 250)
    now = datetime.now(UTC).replace(microsecond=0)
    _bulk(db, setup["org"], setup["a1"], 1200, start=now)
    _bulk(db, setup["org"], setup["a2"], 300, start=now - timedelta(days=2), direction="outbound")

    with recorded_statements() as statements, api_client.stream("GET", "/api/v1/calls/export", headers=setup["h"]) as r:
        assert r.status_code == 200
        assert r.headers["content-type"].startswith("text/csv")
        assert r.headers["content-disposition"].startswith('attachment; filename="calls-')
        text = "".join(r.iter_text())
    limits = [s for s in statements if s.lstrip().upper().startswith("SELECT") and "FROM call" in s and "LIMIT" in s]
    rows = _rows(text)
    assert text.splitlines()[0] == ",".join(exports.COLUMNS)
    assert len(rows) == 1500 and len({r["id"] for r in rows}) == 1500
    assert len(limits) >= 1500 // 250  # read in batches, never all at once
    started = [r["startedAt"] for r in rows if r["startedAt"]]
    assert started == sorted(started, reverse=True)
    assert all(not r["startedAt"] for r in rows[len(started) :])  # calls without a start come last
    assert rows[0]["agentName"].startswith("'=")  # no formulas run in spreadsheets
    assert rows[0]["clientName"] == "Acme" and rows[0]["agentId"] == setup["a1"].platform_agent_id


def test_export_applies_the_list_filters(api_client, db, setup):
    now = datetime.now(UTC)
    _bulk(db, setup["org"], setup["a1"], 90, start=now)
    _bulk(db, setup["org"], setup["a2"], 60, start=now - timedelta(days=3), direction="outbound")
    h = setup["h"]

    def export(**params):
        r = api_client.get("/api/calls/export", params=params, headers=h)
        assert r.status_code == 200, r.text
        return _rows(r.text)

    def listed(**params):
        return api_client.get("/api/calls", params={**params, "perPage": 1}, headers=h).json()["meta"]["total"]

    for params in (
        {},
        {"agentId": setup["a2"].platform_agent_id},
        {"clientId": setup["client"].public_id},
        {"direction": "outbound"},
        {"sentiment": "Negative", "minScore": 50},
        {"dateFrom": (now - timedelta(days=1)).isoformat()},
        {"platform": "vapi", "status": "error"},
    ):
        assert len(export(**params)) == listed(**params), params
    only = export(agentId=setup["a2"].platform_agent_id)
    assert {r["platform"] for r in only} == {"vapi"} and {r["direction"] for r in only} == {"outbound"}
    assert float(only[0]["cost"]) >= 0 and only[0]["callScore"] != ""


def test_export_honours_the_tag_and_score_filters(api_client, db, setup):
    from sqlmodel import select

    from voiceconsole.services.access.actor import SYSTEM
    from voiceconsole.services.calls import add_tags

    _bulk(db, setup["org"], setup["a1"], 40, start=datetime.now(UTC))
    calls = db.exec(select(Call).where(Call.organization_id == setup["org"].id).order_by(Call.id)).all()
    tagged = {c.public_id: tag for c, tag in zip(calls[::5], ["VIP", "follow-up", "billing"] * 3, strict=False)}
    for public, tag in tagged.items():
        add_tags(db, org=setup["org"], call_id=public, tags=[tag], actor=SYSTEM)
    db.commit()
    score = {c.public_id: c.score for c in calls}
    h = setup["h"]
    for params, expected in (
        ({"tags": "vip,Follow-Up"}, {p for p, t in tagged.items() if t in ("VIP", "follow-up")}),
        ({"tags": "billing", "maxScore": 20}, {p for p, t in tagged.items() if t == "billing" and score[p] <= 20}),
        ({"maxScore": 10}, {p for p, s in score.items() if s <= 10}),
    ):
        rows = _rows(api_client.get("/api/v1/calls/export", params=params, headers=h).text)
        assert {r["id"] for r in rows} == expected, params
        listed = api_client.get("/api/v1/calls", params={**params, "perPage": 100}, headers=h).json()
        assert {c["id"] for c in listed["data"]} == expected
    bad = api_client.get("/api/v1/calls/export", params={"tags": "x" * 51}, headers=h)
    assert bad.status_code == 422 and bad.json()["details"][0]["field"] == "tags"


def test_export_is_tenant_scoped_and_validated(api_client, db, factory, setup):
    now = datetime.now(UTC)
    _bulk(db, setup["org"], setup["a1"], 10, start=now)
    other = factory.org()
    other_agent = factory.agent(other)
    _bulk(db, other, other_agent, 5, start=now)
    assert len(_rows(api_client.get("/api/v1/calls/export", headers=bearer(factory.api_key(other))).text)) == 5
    assert (
        len(
            _rows(
                api_client.get(
                    "/api/v1/calls/export", params={"agentId": other_agent.platform_agent_id}, headers=setup["h"]
                ).text
            )
        )
        == 0
    )
    assert api_client.get("/api/v1/calls/export").status_code == 401
    bad = api_client.get("/api/v1/calls/export", params={"minScore": 101}, headers=setup["h"])
    assert bad.status_code == 422 and bad.json()["details"][0]["field"] == "minScore"
    # A client viewer exports only its client's calls (with the session cookie, as the UI's link does).
    _bulk(db, setup["org"], setup["a2"], 7, start=now)
    _, token = factory.user_session(setup["org"], role="client_viewer", client=setup["client"])
    api_client.cookies.set("cp_session", token)
    try:
        assert len(_rows(api_client.get("/api/v1/calls/export").text)) == 10
    finally:
        api_client.cookies.clear()
