"""The agent, client and call-navigation states under pytest: what the pages show, the links between them,
the period in the URL, not-found states, tenancy and client viewers."""

from __future__ import annotations

import asyncio

from tests.support.profiles import build_agency
from tests.support.ui import make_state, redirect_path
from voiceconsole.ui.state.agent_detail import AgentDetailState
from voiceconsole.ui.state.agents import AgentsState
from voiceconsole.ui.state.call_detail import CallDetailState
from voiceconsole.ui.state.call_neighbours import CallNeighboursState
from voiceconsole.ui.state.calls import CallsState
from voiceconsole.ui.state.client_detail import ClientDetailState
from voiceconsole.ui.state.clients import ClientsState
from voiceconsole.ui.state.dashboard import DashboardState


def _kpi(state, key):
    return next(k for k in state.kpis if k["key"] == key)["value"]


def _script(spec) -> str:
    """The JavaScript of an `rx.call_script(...)` event spec."""
    return str(dict((k._js_expr, v) for k, v in spec.args)["javascript_code"])


def test_anonymous_users_are_sent_to_login():
    assert redirect_path(make_state(AgentDetailState, path="/agents/ag_x").load()) == "/login"
    assert redirect_path(make_state(ClientDetailState, path="/clients/cli_x").load()) == "/login"


def test_agent_page_shows_figures_categories_calls_and_config(db, factory):
    a = build_agency(db, factory)
    agent_id = a.desk.platform_agent_id
    page = make_state(AgentDetailState, token=a.token, path=f"/agents/{agent_id}")
    assert page.load() is None
    assert (page.loading, page.not_found) == (False, False)
    assert page.agent["name"] == "Acme desk" and page.doc_title == "Acme desk · VoiceConsole"
    assert page.agent["client_href"] == f"/clients/{a.acme.public_id}"
    assert _kpi(page, "calls") == "5" and _kpi(page, "score") == "66.7"
    assert len(page.points) == 30 and page.total_calls == 5
    outcome = next(c for c in page.categories if c["key"] == "outcome")
    assert (outcome["score"], outcome["width"], outcome["change"]) == ("61.0", "61%", "+11.0 pts")

    # Calls open within their list: the agent's calls, or its worst of the period, worst first.
    assert len(page.recent) == 6 and page.recent[0]["href"] == f"/calls/{a.scored_now[0].public_id}?agentId={agent_id}"
    worst = page.worst[0]
    assert worst["id"] == a.scored_now[1].public_id  # the 40
    assert worst["href"].startswith(f"/calls/{worst['id']}?agentId={agent_id}&dateFrom=")
    assert worst["href"].endswith("&scored=true&sortBy=callScore&sortOrder=asc")
    assert page.calls_href == f"/calls?agentId={agent_id}"

    facts = {f["label"]: f["value"] for f in page.config}
    assert (facts["Voice"], facts["Model"], facts["Platform"]) == ("11labs-Adrian", "gpt-4o-mini", "Retell")
    assert page.prompt_excerpt.startswith("You are the front desk") and page.prompt_size.endswith("characters")


def test_agent_page_period_follows_the_url_and_the_picker(db, factory):
    a = build_agency(db, factory)
    path = f"/agents/{a.desk.platform_agent_id}"
    page = make_state(AgentDetailState, token=a.token, path=f"{path}?range=90d")
    page.load()
    assert page.range_key == "90d" and _kpi(page, "calls") == "6" and len(page.points) == 90
    script = _script(page.set_range("7d"))
    assert page.range_key == "7d" and len(page.points) == 7
    assert f"{path}?range=7d" in script
    assert page.set_range("1y") is None and page.range_key == "7d"  # not a period: ignored
    odd = make_state(AgentDetailState, token=a.token, path=f"{path}?range=forever")
    odd.load()
    assert odd.range_key == "30d" and _kpi(odd, "calls") == "5"


def test_agent_page_not_found_for_unknown_foreign_and_other_clients_agents(db, factory):
    a = build_agency(db, factory)
    stranger = factory.org()
    _, stranger_token = factory.user_session(stranger)
    _, globex_viewer = factory.user_session(a.org, role="client_viewer", client=a.globex)
    for token, agent_id in (
        (a.token, "ag_nope"),
        (stranger_token, a.desk.platform_agent_id),
        (globex_viewer, a.desk.platform_agent_id),
    ):
        page = make_state(AgentDetailState, token=token, path=f"/agents/{agent_id}")
        assert page.load() is None
        assert page.not_found is True and page.agent == {} and page.kpis == [] and page.recent == []


def test_client_page_shows_its_own_figures_agents_and_worst_calls(db, factory):
    a = build_agency(db, factory)
    page = make_state(ClientDetailState, token=a.token, path=f"/clients/{a.acme.public_id}")
    page.load()
    assert page.client["name"] == "Acme" and page.doc_title == "Acme · VoiceConsole"
    assert page.client["agents"] == "2 agents"
    assert _kpi(page, "calls") == "5"  # not Globex's call
    assert [r["name"] for r in page.agents] == ["Acme desk", "Acme night line"]
    assert page.agents[0]["href"] == f"/agents/{a.desk.platform_agent_id}" and page.agents[0]["calls"] == "5"
    assert [r["id"] for r in page.worst] == [c.public_id for c in sorted(a.scored_now, key=lambda c: c.score)]
    assert f"clientId={a.acme.public_id}" in page.worst[0]["href"]
    assert page.calls_href == f"/calls?clientId={a.acme.public_id}"


def test_client_page_not_found_and_client_viewers(db, factory):
    a = build_agency(db, factory)
    stranger = factory.org()
    theirs = factory.client(stranger, "Theirs")
    _, acme_viewer = factory.user_session(a.org, role="client_viewer", client=a.acme)
    for path in (f"/clients/{theirs.public_id}", "/clients/cli_unknown", f"/clients/{a.globex.public_id}"):
        page = make_state(ClientDetailState, token=acme_viewer, path=path)
        page.load()
        assert page.not_found is True and page.client == {}
    own = make_state(ClientDetailState, token=acme_viewer, path=f"/clients/{a.acme.public_id}")
    own.load()
    assert own.not_found is False and _kpi(own, "calls") == "5"


def test_lists_dashboard_and_call_header_link_to_the_pages(db, factory):
    a = build_agency(db, factory)
    agents = make_state(AgentsState, token=a.token, path="/agents")
    agents.load()
    assert {r["href"] for r in agents.agents} == {
        f"/agents/{ag.platform_agent_id}" for ag in (a.desk, a.spare, a.globex_desk)
    }
    clients = make_state(ClientsState, token=a.token, path="/clients")
    clients.load()
    assert {c["href"] for c in clients.clients} == {f"/clients/{a.acme.public_id}", f"/clients/{a.globex.public_id}"}
    dash = make_state(DashboardState, token=a.token, path="/dashboard")
    dash.load()
    assert {r["page_href"] for r in dash.client_rows} == {c["href"] for c in clients.clients}
    assert f"/agents/{a.desk.platform_agent_id}" in {r["page_href"] for r in dash.agent_rows}
    call = make_state(CallDetailState, token=a.token, path=f"/calls/{a.scored_now[0].public_id}")
    call.load()
    assert (call.call["agent_href"], call.call["client_href"]) == (
        f"/agents/{a.desk.platform_agent_id}",
        f"/clients/{a.acme.public_id}",
    )
    assert (call.call["agent_name"], call.call["client_name"]) == ("Acme desk", "Acme")


def test_call_steps_through_the_list_in_its_url(db, factory):
    a = build_agency(db, factory)
    agent_id = a.desk.platform_agent_id
    worst_first = sorted([*a.scored_now, a.before], key=lambda c: c.score)  # 40, 50 (40 days ago), 70, 90
    query = f"agentId={agent_id}&scored=true&sortBy=callScore&sortOrder=asc"
    nav = make_state(CallNeighboursState, token=a.token, path=f"/calls/{worst_first[1].public_id}?{query}")
    assert asyncio.run(nav.load()) is None
    assert nav.in_list is True and nav.list_href == f"/calls?{query}"
    assert nav.previous_href == f"/calls/{worst_first[0].public_id}?{query}"
    assert nav.next_href == f"/calls/{worst_first[2].public_id}?{query}"
    assert "Acme desk" in nav.next_hint

    last = make_state(CallNeighboursState, token=a.token, path=f"/calls/{worst_first[-1].public_id}?{query}")
    asyncio.run(last.load())
    assert last.next_href == "" and last.previous_href.startswith(f"/calls/{worst_first[-2].public_id}?")


def test_call_opened_from_this_tabs_list_walks_that_list(db, factory):
    a = build_agency(db, factory)
    calls = make_state(CallsState, token=a.token, path="/calls?sentiment=Positive&sortBy=callScore&sortOrder=asc")
    calls.load()
    ids = [r["id"] for r in calls.rows]
    # The call page of that tab: its rows link to the bare call, so the tab's list tells which list it is.
    root = calls._get_root_state()
    nav = root.get_substate(CallNeighboursState.get_full_name().split(".")[1:])
    nav.router = make_state(CallNeighboursState, token=a.token, path=f"/calls/{ids[1]}").router
    assert asyncio.run(nav.load()) is None
    listed = "sentiment=Positive&sortBy=callScore&sortOrder=asc"
    assert nav.in_list is True and nav.list_href == f"/calls?{listed}"
    assert (nav.previous_href, nav.next_href) == (f"/calls/{ids[0]}?{listed}", f"/calls/{ids[2]}?{listed}")


def test_call_without_a_list_steps_by_start_time_in_the_organization(db, factory):
    a = build_agency(db, factory)
    newest_first = sorted(
        [*a.scored_now, a.no_transcript, a.unscored, a.before, a.globex_call], key=lambda c: c.started_at, reverse=True
    )
    nav = make_state(CallNeighboursState, token=a.token, path=f"/calls/{newest_first[1].public_id}")
    assert asyncio.run(nav.load()) is None
    assert nav.in_list is False and nav.list_href == "/calls"
    assert (nav.previous_href, nav.next_href) == (
        f"/calls/{newest_first[0].public_id}",
        f"/calls/{newest_first[2].public_id}",
    )
    # A client viewer steps through their client's calls only; another client's call has no neighbours.
    _, viewer = factory.user_session(a.org, role="client_viewer", client=a.globex)
    theirs = make_state(CallNeighboursState, token=viewer, path=f"/calls/{a.globex_call.public_id}")
    asyncio.run(theirs.load())
    assert (theirs.previous_href, theirs.next_href) == ("", "")
    foreign = make_state(CallNeighboursState, token=viewer, path=f"/calls/{newest_first[1].public_id}")
    asyncio.run(foreign.load())
    assert (foreign.previous_href, foreign.next_href) == ("", "")
