"""Dashboard, clients and calls-list states under pytest: URL query, filters, tenancy, links."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tests.support.ui import make_state, redirect_path
from voiceconsole.services.analytics import rollups
from voiceconsole.ui import format as fmt
from voiceconsole.ui.state.calls import CallsState
from voiceconsole.ui.state.clients import ClientsState
from voiceconsole.ui.state.dashboard import DashboardState, kpi_cards


def _tenant(db, factory):
    org = factory.org()
    acme, globex = factory.client(org, "Acme"), factory.client(org, "Globex")
    a1, a2 = factory.agent(org, client=acme, name="Acme desk"), factory.agent(org, client=globex, name="Globex desk")
    now = datetime.now(UTC)
    ids = [factory.call(org, a1, started_at=now - timedelta(days=d, minutes=5), score=40).id for d in (0, 1, 20)]
    ids += [factory.call(org, a2, started_at=now - timedelta(days=d, minutes=5), score=90).id for d in (0, 2)]
    rollups.refresh_rollups_for_calls(db, ids)
    db.commit()
    _, token = factory.user_session(org)
    return dict(org=org, acme=acme, globex=globex, a1=a1, a2=a2, token=token)


def _kpi(state, key):
    return next(k for k in state.kpis if k["key"] == key)


def test_anonymous_users_are_sent_to_login():
    for cls in (DashboardState, ClientsState):
        assert redirect_path(make_state(cls, path="/dashboard").load()) == "/login"


def test_dashboard_reads_the_url_and_fills_kpis_charts_and_board(db, factory):
    t = _tenant(db, factory)
    dash = make_state(DashboardState, token=t["token"], path="/dashboard?range=7d")
    assert dash.load() is None and dash.error == ""
    assert dash.range_key == "7d" and dash.client == "all"
    assert _kpi(dash, "calls")["value"] == "4" and len(dash.points) == 7
    assert [r["name"] for r in dash.client_rows] == ["Acme", "Globex"]  # worst health first
    # Each row opens that client's / agent's calls of the week, worst score first (the "why").
    week = fmt.local_date(datetime.now(UTC) - timedelta(days=6), "UTC")
    worst_first = f"dateFrom={week}&scored=true&sortBy=callScore&sortOrder=asc"
    assert dash.client_rows[0]["href"] == f"/calls?clientId={t['acme'].public_id}&{worst_first}"
    assert dash.agent_rows[0]["href"] == f"/calls?agentId={t['a1'].platform_agent_id}&{worst_first}"
    assert {o["name"] for o in dash.client_options} == {"Acme", "Globex"}

    dash.set_range("30d")
    assert _kpi(dash, "calls")["value"] == "5" and dash.share_query == "range=30d"
    dash.set_client(t["globex"].public_id)
    assert _kpi(dash, "calls")["value"] == "2" and _kpi(dash, "score")["value"] == "90.0"  # averages: one decimal
    assert dash.share_query == f"range=30d&clientId={t['globex'].public_id}"
    today = datetime.now(UTC).date()  # the organization's zone is UTC: the period's days as they are
    month = f"dateFrom={today - timedelta(days=29)}&dateTo={today}"
    assert dash.calls_href == f"/calls?clientId={t['globex'].public_id}&{month}"
    dash.clear_filters()
    assert dash.client == "all" and _kpi(dash, "calls")["value"] == "5"


def test_dashboard_survives_bad_and_foreign_links(db, factory):
    t = _tenant(db, factory)
    other = factory.org()
    foreign = factory.client(other, "Theirs")
    dash = make_state(DashboardState, token=t["token"], path=f"/dashboard?range=1y&clientId={foreign.public_id}")
    dash.load()
    assert dash.range_key == "30d" and dash.client == "all"
    assert "not found" in dash.error.lower()
    assert _kpi(dash, "calls")["value"] == "5"  # its own calls only


def _figures(previous_calls: int, *, score_before: float | None = 70.0) -> dict:
    trend = lambda c: {"current": 1, "previous": 1, "change": c}  # noqa: E731
    return {
        "totalCalls": 1200,
        "successRate": 0.615,  # a fraction on the wire, a percent on screen
        "avgScore": 72.4,
        "avgDuration": 95.0,
        "totalCost": 12.5,
        "trends": {
            "calls": {"current": 1200, "previous": previous_calls, "change": 10.0},
            "successRate": trend(-5.0),
            # The API's score trend is a percent change; the card shows the change in points.
            "score": {"current": 72.4, "previous": score_before, "change": 3.4},
            "duration": trend(0.0),
            "cost": trend(20.0),
        },
    }


def test_kpi_cards_arrows_and_tones():
    cards = {c["key"]: c for c in kpi_cards(_figures(1090))}
    assert cards["calls"]["value"] == "1,200" and cards["calls"]["direction"] == "up"
    assert cards["calls"]["tone"] == "neutral" and cards["calls"]["change"] == "+10.0%"
    assert cards["success"]["tone"] == "bad" and cards["success"]["value"] == "61.5%"
    assert cards["score"]["value"] == "72.4" and cards["score"]["change"] == "+2.4 pts"
    assert cards["score"]["tone"] == "good"
    assert cards["duration"]["value"] == "01:35" and cards["duration"]["direction"] == "flat"
    assert cards["cost"]["tone"] == "bad" and cards["cost"]["value"] == "$12.50"
    assert "1,090 calls" in cards["calls"]["change_title"]

    no_score_before = {c["key"]: c for c in kpi_cards(_figures(1090, score_before=None))}
    assert no_score_before["score"]["direction"] == "none" and no_score_before["score"]["change"] == fmt.DASH


def test_kpi_cards_show_no_change_against_a_period_with_too_few_calls():
    # 34 calls before, 1,200 now: "+3,429%" would be noise. Under a tenth of this period's calls: a dash.
    few = {c["key"]: c for c in kpi_cards(_figures(34))}
    assert {c["change"] for c in few.values()} == {fmt.DASH}
    assert {(c["direction"], c["tone"]) for c in few.values()} == {("none", "neutral")}
    assert "too few" in few["calls"]["change_title"]
    # No calls at all before: the figures are new.
    new = {c["key"]: c for c in kpi_cards(_figures(0))}
    assert {c["change"] for c in new.values()} == {fmt.NEW}


def test_calls_page_reads_client_and_agent_from_the_url(db, factory):
    t = _tenant(db, factory)
    calls = make_state(CallsState, token=t["token"], path=f"/calls?clientId={t['acme'].public_id}")
    calls.load()
    assert calls.total == 3 and {r["client"] for r in calls.rows} == {"Acme"}
    assert calls.export_path == f"/api/v1/calls/export?clientId={t['acme'].public_id}"
    calls = make_state(CallsState, token=t["token"], path=f"/calls?agentId={t['a2'].platform_agent_id}")
    calls.load()
    assert calls.total == 2 and calls.filters["client"] == "all"
    calls.set_filter("sentiment", "Positive")
    assert "sentiment=Positive" in calls.export_path and "agentId=" in calls.export_path


def _script(spec) -> str:
    return {k._js_expr: v._var_value for k, v in spec.args}.get("javascript_code", "")


def test_the_calls_view_lives_in_the_url_and_a_shared_link_opens_it(db, factory):
    t = _tenant(db, factory)
    calls = make_state(CallsState, token=t["token"], path="/calls")
    calls.load()
    calls.set_filter("client", t["acme"].public_id)
    calls.set_filter("min_score", "30")
    calls.sort("callScore")
    spec = calls.sort("callScore")  # second click: ascending
    shared = f"/calls?clientId={t['acme'].public_id}&minScore=30&sortBy=callScore&sortOrder=asc"
    assert shared in _script(spec)  # written into the address bar

    # Another person opens the shared link in a fresh tab: the same view, the same rows.
    other = make_state(CallsState, token=t["token"], path=shared)
    other.load()
    assert other.filters["client"] == t["acme"].public_id and other.filters["min_score"] == "30"
    assert (other.sort_by, other.sort_order) == ("callScore", "asc")
    assert [r["id"] for r in other.rows] == [r["id"] for r in calls.rows] and other.total == 3

    # The dashboard's portfolio link: this week's calls of the worst client, worst first.
    dash = make_state(DashboardState, token=t["token"], path="/dashboard?range=7d")
    dash.load()
    worst = make_state(CallsState, token=t["token"], path=dash.client_rows[0]["href"])
    worst.load()
    assert worst.total == 2 and {r["client"] for r in worst.rows} == {"Acme"}  # the call 20 days ago is out

    # Nonsense in a URL falls back to defaults instead of failing.
    odd = make_state(CallsState, token=t["token"], path="/calls?sortBy=password&sortOrder=sideways&page=-3")
    odd.load()
    assert (odd.sort_by, odd.sort_order, odd.page) == ("startedAt", "desc", 1) and odd.error == ""


def test_clients_page_creates_renames_assigns_and_deletes(db, factory):
    t = _tenant(db, factory)
    page = make_state(ClientsState, token=t["token"], path="/clients")
    page.load()
    assert [c["name"] for c in page.clients] == ["Acme", "Globex"] and page.can_manage
    page.create_client({"name": "Initech"})
    assert page.create_error == "" and "Initech" in [c["name"] for c in page.clients]
    page.create_client({"name": "initech"})
    assert "already exists" in page.create_error
    initech = next(c for c in page.clients if c["name"] == "Initech")
    page.assign(t["a1"].platform_agent_id, initech["id"])
    assert next(a for a in page.agents if a["id"] == t["a1"].platform_agent_id)["client"] == initech["id"]
    assert next(c for c in page.clients if c["name"] == "Initech")["agents"] == "1"
    page.start_edit(initech["id"], "Initech")
    page.save_edit({"name": "Initech LLC"})
    assert page.edit_id == "" and "Initech LLC" in [c["name"] for c in page.clients]
    page.ask_delete(initech["id"], "Initech LLC")
    page.confirm_delete()
    assert "Initech LLC" not in [c["name"] for c in page.clients]
    assert next(a for a in page.agents if a["id"] == t["a1"].platform_agent_id)["client"] == "none"


def test_members_cannot_manage_clients(db, factory):
    t = _tenant(db, factory)
    _, token = factory.user_session(t["org"], role="member")
    page = make_state(ClientsState, token=token, path="/clients")
    page.load()
    assert page.can_manage is False
    page.create_client({"name": "Nope"})
    assert "owners and admins" in page.create_error
