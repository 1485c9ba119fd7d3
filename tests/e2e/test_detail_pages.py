"""The agent and client pages and the call page's navigation in a real browser, on the demo data: from the
agents list to an agent (KPIs, chart, categories, calls, configuration), from a client's name to its page,
breadcrumbs back, and previous/next through the list a call was opened from."""

from __future__ import annotations

import json
import re
import urllib.request

import pytest
from playwright.sync_api import expect

from tests.support.e2e import ARTIFACTS

pytestmark = pytest.mark.e2e


def _api(vc_app, path: str) -> dict:
    req = urllib.request.Request(f"{vc_app.base_url}{path}", headers={"Authorization": f"Bearer {vc_app.api_key}"})
    with urllib.request.urlopen(req, timeout=20) as r:
        return json.loads(r.read())


def _kpi(page, key: str):
    return page.locator(f"[data-testid=kpi-card][data-kpi={key}]").get_by_test_id("kpi-value")


def _sign_in(page, vc_app) -> None:
    page.goto(vc_app.new_login_link())
    page.wait_for_url(re.compile(r"/dashboard/?$"))


def test_agent_page_from_the_agents_list_then_its_client(e2e_page, vc_app):
    page = e2e_page
    _sign_in(page, vc_app)
    ARTIFACTS.mkdir(exist_ok=True)
    page.get_by_test_id("nav-agents").click()
    page.wait_for_url(re.compile(r"/agents/?$"))
    row = page.get_by_test_id("agent-row").first
    agent_id = row.get_attribute("data-id")
    name = row.get_by_test_id("agent-link").inner_text().strip()
    row.get_by_test_id("agent-link").click()
    page.wait_for_url(re.compile(rf"/agents/{re.escape(agent_id)}$"))

    # KPIs of the agent (30 days, as the API says), the chart, the categories, its calls and configuration.
    expect(page.get_by_test_id("page-title")).to_have_text(name)
    expect(page).to_have_title(f"{name} · VoiceConsole")
    month = _api(vc_app, f"/api/v1/analytics?range=30d&agentId={agent_id}")["data"]
    expect(page.get_by_test_id("kpi-card")).to_have_count(5)
    expect(_kpi(page, "calls")).to_have_text(f"{month['totalCalls']:,}")
    expect(page.locator("[data-testid=chart-volume] .recharts-bar-rectangle").first).to_be_visible()
    expect(page.get_by_test_id("category-row")).to_have_count(4)
    expect(page.get_by_test_id("recent-calls").get_by_test_id("call-row").first).to_be_visible()
    expect(page.get_by_test_id("worst-calls").get_by_test_id("call-row").first).to_be_visible()
    expect(page.get_by_test_id("agent-config")).to_contain_text(agent_id)
    crumbs = page.get_by_test_id("breadcrumbs")
    expect(crumbs.get_by_test_id("crumb")).to_have_text(["Agents"])
    expect(crumbs.get_by_test_id("crumb-current")).to_have_text(name)
    page.screenshot(path=str(ARTIFACTS / "agent-page.png"), full_page=True)

    # Another period: other figures, kept in the URL.
    week = _api(vc_app, f"/api/v1/analytics?range=7d&agentId={agent_id}")["data"]
    page.get_by_test_id("range-7d").click()
    expect(_kpi(page, "calls")).to_have_text(f"{week['totalCalls']:,}")
    page.wait_for_url(re.compile(r"\?range=7d$"))

    # The agent's client: its own page, titled with its name.
    agent = _api(vc_app, f"/api/v1/agents/{agent_id}")["data"]
    page.get_by_test_id("agent-client-link").click()
    page.wait_for_url(re.compile(rf"/clients/{agent['clientId']}$"))
    expect(page.get_by_test_id("page-title")).to_have_text(agent["clientName"])
    expect(page).to_have_title(f"{agent['clientName']} · VoiceConsole")
    client_month = _api(vc_app, f"/api/v1/analytics?range=30d&clientId={agent['clientId']}")["data"]
    expect(_kpi(page, "calls")).to_have_text(f"{client_month['totalCalls']:,}")
    expect(page.get_by_test_id("client-agent-row").filter(has_text=name)).to_be_visible()
    expect(page.get_by_test_id("worst-calls").get_by_test_id("call-row").first).to_be_visible()
    page.screenshot(path=str(ARTIFACTS / "client-page.png"), full_page=True)

    # Breadcrumbs lead back to the clients list; the client's name there opens the same page.
    page.get_by_test_id("breadcrumbs").get_by_test_id("crumb").filter(has_text="Clients").click()
    page.wait_for_url(re.compile(r"/clients/?$"))
    page.get_by_test_id("client-row").filter(has_text=agent["clientName"]).get_by_test_id("client-link").click()
    page.wait_for_url(re.compile(rf"/clients/{agent['clientId']}$"))
    expect(page.get_by_test_id("page-title")).to_have_text(agent["clientName"])

    # Unknown ids: the pages' not-found states.
    page.goto("/agents/agent_doesnotexist")
    expect(page.get_by_test_id("agent-not-found")).to_be_visible()
    page.goto("/clients/cli_doesnotexist")
    expect(page.get_by_test_id("client-not-found")).to_be_visible()


def test_dashboard_names_open_the_client_and_agent_pages(e2e_page, vc_app):
    page = e2e_page
    _sign_in(page, vc_app)
    client_row = page.get_by_test_id("portfolio-client-row").first
    client_id = client_row.get_attribute("data-id")
    client_name = client_row.get_by_test_id("portfolio-client-name").inner_text().strip()
    client_row.get_by_test_id("portfolio-client-name").click()
    page.wait_for_url(re.compile(rf"/clients/{client_id}$"))
    expect(page.get_by_test_id("page-title")).to_have_text(client_name)  # not "Dashboard"

    page.get_by_test_id("nav-dashboard").click()
    agent_row = page.get_by_test_id("portfolio-agent-row").first
    agent_id = agent_row.get_attribute("data-id")
    agent_row.get_by_test_id("portfolio-agent-name").click()
    page.wait_for_url(re.compile(rf"/agents/{re.escape(agent_id)}$"))
    expect(page.get_by_test_id("kpi-card")).to_have_count(5)


def test_previous_and_next_walk_the_list_the_call_came_from(e2e_page, vc_app):
    page = e2e_page
    _sign_in(page, vc_app)

    # From the calls list, sorted by score: next is the row below, previous the row above.
    page.goto("/calls?sortBy=callScore&sortOrder=asc&scored=true")
    rows = page.get_by_test_id("call-row")
    expect(rows).to_have_count(20)
    ids = [r.get_attribute("data-call-id") for r in rows.all()[:3]]
    rows.nth(1).get_by_test_id("call-link").click()
    page.wait_for_url(re.compile(rf"/calls/{ids[1]}$"))
    expect(page.get_by_test_id("call-nav-context")).to_have_text("In your calls list")
    expect(page.locator("a:has([data-testid=call-next])")).to_have_attribute("href", re.compile(ids[2]))
    page.get_by_test_id("call-next").click()
    page.wait_for_url(re.compile(rf"/calls/{ids[2]}\?scored=true&sortBy=callScore&sortOrder=asc$"))
    expect(page.get_by_test_id("call-header")).to_be_visible()
    expect(page.locator("a:has([data-testid=call-prev])")).to_have_attribute("href", re.compile(ids[1]))
    page.get_by_test_id("call-prev").click()
    page.wait_for_url(re.compile(rf"/calls/{ids[1]}\?"))
    # Wait for this call's neighbours before stepping again.
    expect(page.locator("a:has([data-testid=call-prev])")).to_have_attribute("href", re.compile(ids[0]))
    page.get_by_test_id("call-prev").click()
    page.wait_for_url(re.compile(rf"/calls/{ids[0]}\?"))
    expect(page.get_by_test_id("call-prev")).to_be_disabled()  # the first of the list

    # Breadcrumbs: Calls (that list) › client › agent › the call; the agent crumb opens the agent page.
    call = _api(vc_app, f"/api/v1/calls/{ids[0]}")["data"]
    crumbs = page.get_by_test_id("breadcrumbs")
    expect(crumbs.get_by_test_id("crumb")).to_have_text(
        ["Calls", *[n for n in (call["clientName"], call["agentName"]) if n]]
    )
    expect(crumbs.get_by_test_id("crumb-current")).to_have_text(ids[0])
    page.screenshot(path=str(ARTIFACTS / "call-navigation.png"), full_page=True)
    crumbs.get_by_test_id("crumb").filter(has_text="Calls").click()
    page.wait_for_url(re.compile(r"/calls\?scored=true&sortBy=callScore&sortOrder=asc$"))
    expect(rows.first).to_have_attribute("data-call-id", ids[0])

    # A call opened without a list, in a new tab (a shared link): every call of the organization, newest first.
    newest = _api(vc_app, "/api/v1/calls?perPage=3")["data"]
    page = page.context.new_page()
    page.goto(f"/calls/{newest[1]['id']}")
    expect(page.get_by_test_id("call-nav-context")).to_have_text("All calls, newest first")
    expect(page.locator("a:has([data-testid=call-next])")).to_have_attribute("href", f"/calls/{newest[2]['id']}")
    page.get_by_test_id("call-next").click()
    page.wait_for_url(re.compile(rf"/calls/{newest[2]['id']}$"))
    page.get_by_test_id("call-agent-link").click()
    page.wait_for_url(re.compile(rf"/agents/{re.escape(newest[2]['agentId'])}$"))
    expect(page.get_by_test_id("page-title")).to_have_text(newest[2]["agentName"])
