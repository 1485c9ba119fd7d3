"""The calls page's tag and maximum-score filters, its score sort, and the dashboard's "Open these calls"
link (period, client and agent kept), under pytest without a browser."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from tests.support.ui import make_state
from voiceconsole.services.access.actor import SYSTEM
from voiceconsole.services.analytics import rollups
from voiceconsole.services.calls import add_tags
from voiceconsole.ui.state.calls import CallsState
from voiceconsole.ui.state.dashboard import DashboardState


def _address(spec) -> str:
    """The URL a state wrote into the address bar (`history.replaceState`)."""
    script = {k._js_expr: v._var_value for k, v in spec.args}.get("javascript_code", "")
    return re.search(r'"(/calls[^"]*)"', script).group(1)


def _tenant(db, factory):
    """Acme (two agents) and Globex; calls just inside and just outside the 7-day period, and older."""
    org = factory.org()
    acme, globex = factory.client(org, "Acme"), factory.client(org, "Globex")
    front = factory.agent(org, client=acme, name="Acme front")
    back = factory.agent(org, client=acme, name="Acme back")
    other = factory.agent(org, client=globex, name="Globex desk")
    week_start = datetime.combine(datetime.now(UTC).date() - timedelta(days=6), datetime.min.time(), tzinfo=UTC)
    when = {
        "inside": week_start + timedelta(minutes=1),
        "outside": week_start - timedelta(minutes=1),
        "old": week_start - timedelta(days=40),
        "recent": datetime.now(UTC) - timedelta(minutes=10),
    }
    calls = {}
    for agent in (front, back, other):
        for label, started in when.items():
            calls[(agent.name, label)] = factory.call(org, agent, started_at=started)
    rollups.refresh_rollups_for_calls(db, [c.id for c in calls.values()])
    db.commit()
    _, token = factory.user_session(org)
    return dict(org=org, acme=acme, front=front, calls=calls, token=token)


def _opened(token: str, href: str):
    page = make_state(CallsState, token=token, path=href)
    page.load()
    assert page.error == ""
    return page


def test_open_these_calls_keeps_the_period_client_and_agent(db, factory):
    t = _tenant(db, factory)
    dash = make_state(DashboardState, token=t["token"], path="/dashboard?range=7d")
    dash.load()
    page = _opened(t["token"], dash.calls_href)
    assert page.total == dash.total_calls == 6  # 3 agents × (inside, recent): the period, not every call
    today = datetime.now(UTC).date()
    assert (page.filters["date_from"], page.filters["date_to"]) == (str(today - timedelta(days=6)), str(today))

    dash.set_client(t["acme"].public_id)
    page = _opened(t["token"], dash.calls_href)
    assert page.total == dash.total_calls == 4 and {r["client"] for r in page.rows} == {"Acme"}
    assert page.filters["client"] == t["acme"].public_id

    dash.set_agent(t["front"].platform_agent_id)
    page = _opened(t["token"], dash.calls_href)
    assert page.total == dash.total_calls == 2 and {r["agent"] for r in page.rows} == {"Acme front"}
    expected = {t["calls"][("Acme front", label)].public_id for label in ("inside", "recent")}
    assert {r["id"] for r in page.rows} == expected

    dash.set_range("90d")  # the older calls join, on both pages alike
    page = _opened(t["token"], dash.calls_href)
    assert page.total == dash.total_calls == 4


def test_tag_and_maximum_score_filters_live_in_the_url_and_the_export(db, factory):
    org = factory.org()
    agent = factory.agent(org)
    calls = [factory.call(org, agent, score=score) for score in (20, 45, 59, 60, 90)]
    add_tags(db, org=org, call_id=calls[0].public_id, tags=["VIP"], actor=SYSTEM)
    add_tags(db, org=org, call_id=calls[3].public_id, tags=["follow-up"], actor=SYSTEM)
    add_tags(db, org=org, call_id=calls[4].public_id, tags=["billing"], actor=SYSTEM)
    db.commit()
    _, token = factory.user_session(org)
    page = make_state(CallsState, token=token, path="/calls")
    page.load()
    assert page.total == 5

    spec = page.set_filter("tags", " vip, Follow-Up ")  # any of them, in any case
    assert {r["id"] for r in page.rows} == {calls[0].public_id, calls[3].public_id}
    assert "tags=+vip%2C+Follow-Up+" in _address(spec)  # written into the address bar as typed
    assert "tags=vip%2Cfollow-up" in page.export_path  # the export gets the same calls

    page.set_filter("tags", "")
    spec = page.set_filter("max_score", "59")
    assert {r["id"] for r in page.rows} == {c.public_id for c in calls if c.score <= 59}
    assert "maxScore=59" in _address(spec) and "maxScore=59" in page.export_path
    page.set_filter("min_score", "40")
    assert {r["id"] for r in page.rows} == {calls[1].public_id, calls[2].public_id}

    shared = _address(page.set_filter("tags", "VIP,billing"))
    assert page.rows == []  # vip is 20, billing 90: neither within 40–59
    other = make_state(CallsState, token=token, path=shared)
    other.load()
    assert (other.filters["tags"], other.filters["max_score"], other.filters["min_score"]) == (
        "VIP,billing",
        "59",
        "40",
    )
    assert other.rows == [] and other.error == ""

    # Filters nothing could match are said so, not silently empty.
    page.set_filter("tags", "")
    page.set_filter("min_score", "80")
    assert "must not exceed" in page.error and page.rows == []
    page.set_filter("min_score", "all")
    page.set_filter("tags", "x" * 51)
    assert "at most 50 characters" in page.error and page.rows == []


def test_sorting_by_score_shows_unscored_calls_last_both_ways(db, factory):
    org = factory.org()
    agent = factory.agent(org)
    unscored = {
        factory.call(org, agent, score=None).public_id,
        factory.call(org, agent, score=0, score_excluded=True, transcript=None).public_id,
    }
    for score in (10, 75, 40):
        factory.call(org, agent, score=score)
    _, token = factory.user_session(org)
    page = make_state(CallsState, token=token, path="/calls")
    page.load()
    page.sort("callScore")  # best first
    assert [r["score"] for r in page.rows[:3]] == ["75", "40", "10"]
    assert {r["id"] for r in page.rows[3:]} == unscored
    page.sort("callScore")  # worst first: still the calls that could be scored
    assert [r["score"] for r in page.rows[:3]] == ["10", "40", "75"]
    assert {r["id"] for r in page.rows[3:]} == unscored


def test_phone_filters_fold_behind_a_button_that_counts_them(db, factory):
    t = _tenant(db, factory)
    calls = make_state(CallsState, token=t["token"], path="/calls")
    calls.load()
    assert (calls.filters_open, calls.active_filters) == (False, 0)
    calls.toggle_filters()
    assert calls.filters_open
    calls.set_filter("sentiment", "Negative")
    calls.set_filter("search", "refund")
    assert calls.active_filters == 2  # "Filters (2)" on the button
    calls.clear_filters()
    assert calls.active_filters == 0 and calls.filters_open  # still open: the user is using them
    calls.toggle_filters()
    assert not calls.filters_open
