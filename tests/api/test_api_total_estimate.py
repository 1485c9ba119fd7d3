"""`meta.total` of the calls list: exact up to `EXACT_TOTAL_LIMIT` matches, then an estimate flagged with
`meta.totalIsEstimate` (PostgreSQL: the planner's row estimate, at least the limit + 1; SQLite: the limit + 1).
The limit is lowered here so a dozen calls cross it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tests.support.http import bearer

N_CALLS = 12


@pytest.fixture
def world(factory, db):
    org, other = factory.org(), factory.org()
    agent = factory.agent(org)
    start = datetime.now(UTC) - timedelta(days=1)
    calls = [
        factory.call(
            org,
            agent,
            started_at=start + timedelta(minutes=i),
            sentiment="Negative" if i < 4 else "Positive",
            summary=f"Caller wants a refund {i}" if i % 2 else f"Caller booked {i}",
        )
        for i in range(N_CALLS)
    ]
    other_agent = factory.agent(other)
    for _ in range(3):
        factory.call(other, other_agent)  # another tenant's calls never count
    return {"org": org, "calls": calls, "key": factory.api_key(org)}


def _page(db, org, **kw):
    from voiceconsole.services.calls import CallFilters, page_calls

    filters = kw.pop("filters", CallFilters())
    return page_calls(db, org=org, filters=filters, **kw)


def test_service_totals_exact_up_to_the_limit_then_estimated(world, db):
    from voiceconsole.services.calls import CallFilters

    org = world["org"]
    exact = _page(db, org, per_page=3, exact_total_limit=N_CALLS)  # 12 matches, limit 12: exact
    assert (exact.total, exact.total_is_estimate, len(exact.rows)) == (N_CALLS, False, 3)

    est = _page(db, org, per_page=3, exact_total_limit=N_CALLS - 1)  # 12 matches, limit 11: estimated
    assert est.total_is_estimate is True and est.total >= N_CALLS and len(est.rows) == 3
    if db.get_bind().dialect.name != "postgresql":
        assert est.total == N_CALLS  # no planner: the limit + 1 (here exactly the true count)

    est = _page(db, org, per_page=3, exact_total_limit=5)
    assert est.total_is_estimate is True and est.total >= 6
    if db.get_bind().dialect.name != "postgresql":
        assert est.total == 6

    # A filter below the limit is exact again; so is a partial last page, whatever the limit.
    negative = _page(db, org, per_page=3, exact_total_limit=5, filters=CallFilters(sentiment="Negative"))
    assert (negative.total, negative.total_is_estimate, len(negative.rows)) == (4, False, 3)
    last = _page(db, org, page=3, per_page=5, exact_total_limit=5)
    assert (last.total, last.total_is_estimate, len(last.rows)) == (N_CALLS, False, 2)

    # A full page deep in the list: the estimate never says fewer than the rows seen plus one.
    deep = _page(db, org, page=3, per_page=4, exact_total_limit=5)
    assert deep.total_is_estimate is True and deep.total >= N_CALLS + 1 and len(deep.rows) == 4
    # Past the end: no rows, and a total that does not claim more than the offset.
    past = _page(db, org, page=10, per_page=5, exact_total_limit=5)
    assert past.rows == [] and past.total_is_estimate is True and 6 <= past.total <= 45


def test_service_search_total_is_capped(world, db):
    from voiceconsole.services.calls import CallFilters

    org = world["org"]
    refunds = CallFilters(search="refund")
    exact = _page(db, org, per_page=2, filters=refunds)
    assert (exact.total, exact.total_is_estimate) == (N_CALLS // 2, False)
    est = _page(db, org, per_page=2, filters=refunds, exact_total_limit=3)
    assert est.total_is_estimate is True and est.total >= 4 and len(est.rows) == 2


def test_list_calls_keeps_its_pair(world, db):
    from voiceconsole.services.calls import CallFilters, list_calls

    rows, total = list_calls(db, org=world["org"], filters=CallFilters(), per_page=5)
    assert len(rows) == 5 and total == N_CALLS


def test_api_meta_says_whether_the_total_is_estimated(world, api_client, monkeypatch):
    from voiceconsole.services.calls import listing as calls_service

    headers = bearer(world["key"])
    r = api_client.get("/api/v1/calls", params={"perPage": 5}, headers=headers)
    assert r.status_code == 200, r.text
    assert r.json()["meta"] == {"page": 1, "perPage": 5, "total": N_CALLS, "totalIsEstimate": False}

    monkeypatch.setattr(calls_service, "EXACT_TOTAL_LIMIT", 5)
    r = api_client.get("/api/calls", params={"perPage": 5}, headers=headers)
    meta = r.json()["meta"]
    assert r.status_code == 200 and meta["totalIsEstimate"] is True and meta["total"] >= 6
    assert len(r.json()["data"]) == 5

    # Pagination still reaches every call, and the partial last page has the exact total.
    seen, page = [], 1
    while True:
        body = api_client.get("/api/calls", params={"perPage": 5, "page": page}, headers=headers).json()
        seen += [c["id"] for c in body["data"]]
        if len(body["data"]) < 5:
            break
        page += 1
    assert sorted(seen) == sorted(c.public_id for c in world["calls"])
    assert body["meta"] == {"page": 3, "perPage": 5, "total": N_CALLS, "totalIsEstimate": False}

    r = api_client.get("/api/calls", params={"perPage": 5, "sentiment": "Negative"}, headers=headers)
    assert r.json()["meta"] == {"page": 1, "perPage": 5, "total": 4, "totalIsEstimate": False}
    r = api_client.get("/api/calls", params={"perPage": 2, "search": "refund"}, headers=headers)
    assert r.json()["meta"]["totalIsEstimate"] is True and r.json()["meta"]["total"] >= 6


def test_openapi_documents_the_estimate(api_client):
    doc = api_client.get("/api/openapi.json").json()
    assert "totalIsEstimate" in doc["paths"]["/api/v1/calls"]["get"]["description"]


def test_calls_page_shows_a_lower_bound_when_estimated(world, factory, monkeypatch):
    from tests.support.ui import make_state
    from voiceconsole.services.calls import listing as calls_service
    from voiceconsole.ui.state.calls import CallsState

    _, token = factory.user_session(world["org"])
    calls = make_state(CallsState, token=token)
    calls.load()
    assert calls.total_is_estimate is False and calls.range_label == f"Showing 1–{N_CALLS} of {N_CALLS}"

    monkeypatch.setattr(calls_service, "EXACT_TOTAL_LIMIT", 5)
    monkeypatch.setattr("voiceconsole.ui.state.calls.PER_PAGE", 5)
    calls.load()
    assert calls.total_is_estimate is True
    assert calls.range_label == "Showing 1–5 of 5+"
    assert calls.page_label.startswith("Page 1 of about ")
    assert calls.has_next_page is True
    calls.next_page()
    calls.next_page()
    assert calls.page == 3 and len(calls.rows) == 2 and calls.total_is_estimate is False
    assert calls.range_label == f"Showing 11–{N_CALLS} of {N_CALLS}" and calls.has_next_page is False


@pytest.mark.parametrize("sort_by,attr", [("startedAt", "started_at"), ("callScore", "score"), ("cost", "cost_usd")])
@pytest.mark.parametrize("sort_order", ["desc", "asc"])
def test_search_pages_keep_the_list_order(factory, db, sort_by, attr, sort_order):
    """A search below the limit pages through its matches sorted apart from the time index (PostgreSQL):
    the same order, NULLs last and ties by id, as every other list."""
    from decimal import Decimal

    from voiceconsole.services.calls import CallFilters

    org = factory.org()
    agent = factory.agent(org)
    start = datetime.now(UTC) - timedelta(days=2)
    made = []
    for i in range(9):
        made.append(
            factory.call(
                org,
                agent,
                started_at=start + timedelta(minutes=i),
                score=[70, None, 40, 70, 95, None, 10, 55, 70][i],
                cost_usd=Decimal("0.5") if i % 3 else None,
                summary="Caller asked about a refund" if i != 4 else "Booked",
            )
        )
    factory.call(org, agent, summary="Unrelated")
    matching = [c for c in made if "refund" in c.summary]

    present = sorted(
        (c for c in matching if getattr(c, attr) is not None),
        key=lambda c: (getattr(c, attr), c.id),
        reverse=sort_order == "desc",
    )
    missing = sorted(
        (c for c in matching if getattr(c, attr) is None), key=lambda c: c.id, reverse=sort_order == "desc"
    )
    expected = [c.public_id for c in present + missing]

    seen, page = [], 1
    while True:
        result = _page(
            db, org, page=page, per_page=2, sort_by=sort_by, sort_order=sort_order, filters=CallFilters(search="refund")
        )
        assert result.total == len(matching) and result.total_is_estimate is False
        seen += [r.id for r in result.rows]
        if len(result.rows) < 2:
            break
        page += 1
    assert seen == expected
    assert _page(db, org, filters=CallFilters(search="zebra")).total == 0
