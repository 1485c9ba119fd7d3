"""The dashboard in a real browser: KPIs of the demo data, range changes, filters in the URL, and the
portfolio board's links to the filtered calls."""

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


def test_dashboard_kpis_range_and_portfolio_links(e2e_page, vc_app):
    page = e2e_page
    page.goto(vc_app.new_login_link())
    page.wait_for_url(re.compile(r"/dashboard/?$"))
    expect(page.get_by_test_id("nav-dashboard")).to_have_attribute("aria-current", "page")

    # KPIs for the demo data (default 30 days) agree with the API.
    expect(page.get_by_test_id("kpi-card")).to_have_count(5)
    month = _api(vc_app, "/api/v1/analytics?range=30d")["data"]
    assert month["totalCalls"] > 0
    expect(_kpi(page, "calls")).to_have_text(f"{month['totalCalls']:,}")
    expect(_kpi(page, "score")).to_have_text(f"{month['avgScore']:g}")
    expect(page.get_by_test_id("chart-volume")).to_be_visible()
    expect(page.get_by_test_id("chart-sentiment")).to_be_visible()
    expect(page.get_by_test_id("chart-distribution")).to_be_visible()
    expect(page.locator("[data-testid=chart-volume] .recharts-bar-rectangle").first).to_be_visible()
    expect(page.get_by_test_id("portfolio-client-row").first).to_be_visible()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "dashboard.png"), full_page=True)

    # Another range: other numbers, and the URL says so (a shareable view).
    week = _api(vc_app, "/api/v1/analytics?range=7d")["data"]
    assert week["totalCalls"] < month["totalCalls"]
    page.get_by_test_id("range-7d").click()
    expect(_kpi(page, "calls")).to_have_text(f"{week['totalCalls']:,}")
    page.wait_for_url(re.compile(r"/dashboard\?range=7d$"))
    page.reload()
    expect(_kpi(page, "calls")).to_have_text(f"{week['totalCalls']:,}")
    expect(page.get_by_test_id("range-7d")).to_have_attribute("data-state", "on")

    # Filter by client through the select: the numbers and the URL follow.
    board = _api(vc_app, "/api/v1/analytics/portfolio")["data"]
    client = board["clients"][0]  # the worst health comes first
    page.get_by_test_id("filter-client").click()
    page.get_by_role("option", name=client["name"], exact=True).click()
    only = _api(vc_app, f"/api/v1/analytics?range=7d&clientId={client['id']}")["data"]
    expect(_kpi(page, "calls")).to_have_text(f"{only['totalCalls']:,}")
    page.wait_for_url(re.compile(rf"/dashboard\?range=7d&clientId={client['id']}$"))
    page.get_by_test_id("clear-filters").click()
    expect(_kpi(page, "calls")).to_have_text(f"{week['totalCalls']:,}")

    # Which client is getting worse and why, in two clicks: the worst client's row opens its calls of
    # the week, worst score first; the first of those shows the reasons behind its score.
    rows = page.get_by_test_id("portfolio-client-row")
    expect(rows.first).to_have_attribute("data-id", client["id"])
    rows.first.get_by_test_id("portfolio-client-link").click()
    page.wait_for_url(
        re.compile(
            rf"/calls\?clientId={client['id']}&dateFrom=\d{{4}}-\d\d-\d\d&scored=true&sortBy=callScore&sortOrder=asc$"
        )
    )
    since = re.search(r"dateFrom=([\d-]+)", page.url).group(1)
    worst = _api(
        vc_app,
        f"/api/v1/calls?clientId={client['id']}&dateFrom={since}&scored=true&perPage=1&sortBy=callScore&sortOrder=asc",
    )
    listed = worst["meta"]["total"]
    expect(page.get_by_test_id("range-label")).to_have_text(re.compile(rf"of {listed:,}$"))
    expect(page.get_by_test_id("call-row").first).to_be_visible()
    clients = {line.splitlines()[-1].strip() for line in page.get_by_test_id("cell-agent").all_inner_texts()}
    assert clients == {client["name"]}, clients
    # The CSV export link carries the same filter.
    href = page.get_by_test_id("export-csv").get_attribute("href")
    assert f"/api/v1/calls/export?clientId={client['id']}&dateFrom=" in href, href
    page.screenshot(path=str(ARTIFACTS / "worst-calls.png"), full_page=True)
    page.get_by_test_id("call-row").first.get_by_test_id("call-link").click()
    page.wait_for_url(re.compile(rf"/calls/{worst['data'][0]['id']}$"))
    expect(page.get_by_test_id("call-header").get_by_test_id("score-badge")).to_contain_text(
        str(worst["data"][0]["callScore"])
    )
    expect(page.get_by_test_id("score-reason").first).to_be_visible()


def test_clients_page_creates_and_deletes_a_client(e2e_page, vc_app):
    page = e2e_page
    page.goto(vc_app.new_login_link())
    page.wait_for_url(re.compile(r"/dashboard/?$"))
    page.get_by_test_id("nav-clients").click()
    page.wait_for_url(re.compile(r"/clients/?$"))
    expect(page.get_by_test_id("client-row").first).to_be_visible()
    name = "E2E Plumbing"
    page.get_by_test_id("client-name").fill(name)
    page.get_by_test_id("create-client").click()
    row = page.get_by_test_id("client-row").filter(has_text=name)
    expect(row).to_be_visible()
    page.screenshot(path=str(ARTIFACTS / "clients.png"), full_page=True)
    row.get_by_test_id("delete-client").click()
    page.get_by_test_id("confirm-delete").click()
    expect(page.get_by_test_id("client-row").filter(has_text=name)).to_have_count(0)
