"""Campaigns in a real browser: leads made through the API with a tag of their own, the campaign form filled in
(a refused caller number shows next to its field, nothing typed is lost), the campaign started and its page
watched while the simulator's calls come in: progress rises to 100 %, the funnel and KPIs count every lead, each
attempt links to its call and lead. The list shows it with its status and progress.

The app must allow private targets (the simulator listens on 127.0.0.1), else this module is skipped."""

from __future__ import annotations

import contextlib
import re
import secrets

import pytest
from playwright.sync_api import expect

from tests.support.e2e import ARTIFACTS
from tests.support.e2e_campaigns import (
    answer_all,
    api,
    connect_retell,
    create_campaign_through_form,
    dialing_simulator,
    driver,
    make_leads,
    start_and_watch,
)
from tests.support.e2e_leads import error_rows, map_field, open_wizard, preview, start_and_wait, upload_csv

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def dialer(vc_app):
    """The simulator the campaign dials, connected to the demo organization (disconnected again at the end, so
    no later test's worker syncs a stopped simulator)."""
    if vc_app.env.get("VOICECONSOLE_ALLOW_PRIVATE_TARGETS") != "1":
        pytest.skip("the app under test does not allow private targets (VOICECONSOLE_ALLOW_PRIVATE_TARGETS=1)")
    with dialing_simulator() as (state, sim_url):
        integration_id, agent = connect_retell(vc_app, state, sim_url)
        yield sim_url, agent
        with contextlib.suppress(OSError):  # best effort: nothing is dialed once the campaigns ended
            api(vc_app, "DELETE", f"/api/v1/integrations/{integration_id}")


def test_create_start_and_watch_a_campaign(e2e_page, vc_app, dialer):
    sim_url, agent = dialer
    page = e2e_page
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    tag = f"e2e-{secrets.token_hex(3)}"
    phones = make_leads(vc_app, tag, 3)
    answer_all(sim_url, phones)
    page.goto(vc_app.new_login_link())
    page.wait_for_url(re.compile(r"/dashboard/?$"))
    page.get_by_test_id("nav-campaigns").click()
    page.wait_for_url(re.compile(r"/campaigns/?$"))

    name = f"Spring calls {tag}"
    campaign_id = create_campaign_through_form(page, name, tag, agent=agent)
    expect(page.get_by_test_id("campaign-window")).to_contain_text("every day at any hour")
    seen = start_and_watch(page, campaign_id, driver(vc_app, sim_url))
    assert len([p for p in seen if 0 < p < 100]) >= 1, f"no progress seen between start and end: {seen}"

    kpi = page.locator("[data-testid=campaign-kpi][data-kpi=leads] [data-testid=kpi-value]")
    expect(kpi).to_have_text("3")
    expect(page.locator("[data-testid=campaign-kpi][data-kpi=connected] [data-testid=kpi-value]")).to_have_text(
        "100.0%"
    )
    expect(page.get_by_test_id("chart-campaign-funnel")).to_be_visible()
    expect(page.get_by_test_id("chart-campaign-hourly").locator(".recharts-bar-rectangle").first).to_be_visible()
    rows = page.get_by_test_id("attempt-row")
    expect(rows).to_have_count(3)
    expect(rows.first.get_by_test_id("attempt-outcome")).to_have_text("Answered")
    expect(rows.first.get_by_test_id("attempt-call")).to_have_attribute("href", re.compile(r"^/calls/cl_\w+"))
    expect(rows.first.get_by_test_id("attempt-lead")).to_have_attribute("href", re.compile(r"^/leads/lead_\w+"))
    expect(page.get_by_test_id("campaign-start")).to_have_count(0)  # a completed campaign has no buttons left
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "campaign.png"), full_page=True)

    # The list: filtered to completed campaigns, it shows this one done.
    page.get_by_test_id("nav-campaigns").click()
    page.wait_for_url(re.compile(r"/campaigns/?$"))
    page.get_by_test_id("campaign-status-filter").click()
    page.get_by_role("option", name="Completed", exact=True).click()
    row = page.locator(f"[data-testid=campaign-row][data-campaign-id={campaign_id}]")
    expect(row.get_by_test_id("campaign-status")).to_have_attribute("data-status", "completed")
    expect(row.get_by_test_id("campaign-progress")).to_have_attribute("data-percent", "100")
    expect(row.get_by_test_id("cell-connected")).to_have_text("100.0%")
    page.screenshot(path=str(ARTIFACTS / "campaigns.png"), full_page=True)
    assert errors == []


def test_an_invalid_transition_shows_the_services_message(e2e_page, vc_app, dialer):
    """Cancel asks first; a page left open on a campaign cancelled elsewhere gets the 409's message."""
    _sim_url, agent = dialer
    page = e2e_page
    tag = f"e2e-{secrets.token_hex(3)}"
    make_leads(vc_app, tag, 1)
    page.goto(vc_app.new_login_link())
    page.wait_for_url(re.compile(r"/dashboard/?$"))
    campaign_id = create_campaign_through_form(page, f"Cancelled {tag}", tag, agent=agent)
    page.get_by_test_id("campaign-cancel").click()
    page.get_by_role("alertdialog").get_by_role("button", name="Cancel", exact=True).click()  # changed my mind
    expect(page.get_by_test_id("campaign-status")).to_have_attribute("data-status", "draft")
    api(vc_app, "POST", f"/api/v1/campaigns/{campaign_id}/cancel")  # elsewhere
    page.get_by_test_id("campaign-start").click()
    expect(page.get_by_test_id("campaign-action-error")).to_contain_text("The campaign is cancelled")


def test_import_leads_with_errors_fix_the_mapping_then_call_them(e2e_page, vc_app, vc_worker, dialer, tmp_path):
    """The whole path of the issue in one go: a CSV with a bad row imported through the wizard (its phone column
    first mapped wrong, every row refused; fixed, only the bad line refused), a campaign over the imported leads
    created in the form, started, and watched until every lead was called."""
    sim_url, agent = dialer
    page = e2e_page
    tag = f"e2e-{secrets.token_hex(3)}"
    base = 3000 + secrets.randbelow(900)  # numbers no other test uses: leads merge by phone
    phones = [f"+1415555{base + i:04d}" for i in range(3)]
    csv_path = tmp_path / "reactivation.csv"
    csv_path.write_text(
        "Name,Cell,Notes\n"
        f"Ada,{phones[0]},gold\n"  # line 2
        "Nobody,555,no number\n"  # line 3: cannot be a phone number
        f"Grace,{phones[1]},\n"  # line 4
        f"Alan,{phones[2]},silver\n"  # line 5
    )
    answer_all(sim_url, phones)
    page.goto(vc_app.new_login_link())
    page.wait_for_url(re.compile(r"/dashboard/?$"))

    open_wizard(page)
    upload_csv(page, csv_path)
    page.get_by_test_id("import-tags").fill(tag)
    map_field(page, "phone", "Name")
    preview(page)
    assert sorted(set(error_rows(page))) == [2, 3, 4, 5]
    page.get_by_test_id("import-back").click()
    map_field(page, "phone", "Cell")
    preview(page)
    assert error_rows(page) == [3]
    start_and_wait(page)
    expect(page.get_by_test_id("import-created")).to_have_text("3")

    campaign_id = create_campaign_through_form(page, f"Reactivation {tag}", tag, agent=agent)
    seen = start_and_watch(page, campaign_id, driver(vc_app, sim_url))
    assert seen[-1] == 100, seen
    expect(page.locator("[data-testid=campaign-kpi][data-kpi=leads] [data-testid=kpi-value]")).to_have_text("3")
    expect(page.get_by_test_id("attempt-row")).to_have_count(3)
