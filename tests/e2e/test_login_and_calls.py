"""The main journey in a real browser: magic link → dashboard → calls → filter → one call → add a note."""

from __future__ import annotations

import re
import secrets

import pytest
from playwright.sync_api import expect

from tests.support.e2e import ARTIFACTS

pytestmark = pytest.mark.e2e


def test_anonymous_visit_ends_on_login(e2e_page):
    e2e_page.goto("/calls")
    e2e_page.wait_for_url(re.compile(r"/login/?$"))
    expect(e2e_page.get_by_test_id("login-email")).to_be_visible()
    expect(e2e_page.get_by_test_id("call-row")).to_have_count(0)


def test_login_form_errors_and_expired_link(e2e_page):
    e2e_page.goto("/api/auth/magic?token=not-a-real-token")
    e2e_page.wait_for_url(re.compile(r"/login/?\?error=expired"))
    expect(e2e_page.get_by_test_id("login-notice")).to_contain_text("expired")
    e2e_page.get_by_test_id("login-email").fill("not an email")
    e2e_page.get_by_test_id("login-submit").click()
    expect(e2e_page.get_by_test_id("login-error")).to_have_text(re.compile("valid email"))
    e2e_page.get_by_test_id("login-email").fill("someone@example.com")
    e2e_page.get_by_test_id("login-submit").click()
    expect(e2e_page.get_by_test_id("login-sent")).to_contain_text("someone@example.com")


def test_login_filter_open_call_and_add_note(e2e_page, vc_app):
    page = e2e_page
    page.goto(vc_app.new_login_link())
    page.wait_for_url(re.compile(r"/dashboard/?$"))  # signing in lands on the dashboard
    page.get_by_test_id("nav-calls").click()
    page.wait_for_url(re.compile(r"/calls/?$"))
    rows = page.get_by_test_id("call-row")
    expect(rows).to_have_count(20)  # the demo organization has thousands of calls; one page is shown
    expect(page.get_by_test_id("range-label")).to_have_text(re.compile(r"^Showing 1–20 of [\d,]+$"))
    expect(page.get_by_test_id("org-name")).to_have_text("Demo Agency")
    total_before = page.get_by_test_id("range-label").inner_text()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "calls.png"))

    # Filter by sentiment: the list changes and every row shown matches.
    page.get_by_test_id("filter-sentiment").click()
    page.get_by_role("option", name="Negative").click()
    expect(page.get_by_test_id("range-label")).not_to_have_text(total_before)
    expect(rows.first).to_be_visible()
    sentiments = page.get_by_test_id("cell-sentiment").all_inner_texts()
    assert sentiments and all(s.strip() == "Negative" for s in sentiments), sentiments
    page.screenshot(path=str(ARTIFACTS / "calls-negative.png"))

    # Open the first call: header and transcript bubbles.
    first = rows.first
    agent = first.get_by_test_id("cell-agent").inner_text().splitlines()[0].strip()
    call_id = first.get_attribute("data-call-id")
    first.get_by_test_id("call-link").click()
    page.wait_for_url(re.compile(rf"/calls/{call_id}/?$"))
    expect(page.get_by_test_id("call-header")).to_be_visible()
    expect(page.get_by_test_id("call-agent")).to_have_text(agent)
    turns = page.get_by_test_id("transcript-turn")
    expect(turns.first).to_be_visible()
    assert turns.count() >= 2
    expect(page.locator("[data-testid=transcript-turn][data-side=agent]").first).to_be_visible()
    expect(page.locator("[data-testid=transcript-turn][data-side=caller]").first).to_be_visible()
    expect(page.get_by_test_id("turn-time").first).to_have_text(re.compile(r"^\d{2}:\d{2}$"))

    # Add a note: it appears in the list; an empty one is refused inline.
    page.get_by_test_id("add-note").click()
    expect(page.get_by_test_id("note-error")).to_have_text(re.compile("must not be empty"))
    text = f"Call back about the invoice {secrets.token_hex(3)}"
    page.get_by_test_id("note-input").fill(text)
    page.get_by_test_id("add-note").click()
    expect(page.get_by_test_id("note").filter(has_text=text)).to_be_visible()
    expect(page.get_by_test_id("note-input")).to_have_value("")

    # Tags: add two, remove one.
    page.get_by_test_id("tag-input").fill("e2e-check, follow-up")
    page.get_by_test_id("add-tag").click()
    expect(page.get_by_test_id("tag-chip").filter(has_text="e2e-check")).to_be_visible()
    page.get_by_test_id("tag-chip").filter(has_text="e2e-check").get_by_test_id("remove-tag").click()
    expect(page.get_by_test_id("tag-chip").filter(has_text="e2e-check")).to_have_count(0)
    expect(page.get_by_test_id("tag-chip").filter(has_text="follow-up")).to_be_visible()
    page.screenshot(path=str(ARTIFACTS / "call-detail.png"), full_page=True)

    # The note is stored: it is still there after a full reload.
    page.reload()
    expect(page.get_by_test_id("note").filter(has_text=text)).to_be_visible()


def test_unknown_call_root_redirect_and_logout(e2e_page, vc_app):
    page = e2e_page
    page.goto(vc_app.new_login_link())
    page.wait_for_url(re.compile(r"/dashboard/?$"))
    page.goto("/calls/cl_doesnotexist")
    expect(page.get_by_test_id("call-not-found")).to_be_visible()
    expect(page.get_by_text("Call not found")).to_be_visible()
    page.goto("/")
    page.wait_for_url(re.compile(r"/dashboard/?$"))
    page.get_by_test_id("logout").click()
    page.wait_for_url(re.compile(r"/login/?$"))
    page.goto("/calls")
    page.wait_for_url(re.compile(r"/login/?$"))
    expect(page.get_by_test_id("call-row")).to_have_count(0)


def test_agents_and_api_keys(e2e_page, vc_app):
    page = e2e_page
    page.goto(vc_app.new_login_link())
    page.wait_for_url(re.compile(r"/dashboard/?$"))
    page.get_by_test_id("nav-agents").click()
    page.wait_for_url(re.compile(r"/agents/?$"))
    expect(page.get_by_test_id("agent-row").first).to_be_visible()
    # The demo's 5 Retell + 4 Vapi agents (and any a builder test created meanwhile).
    assert page.get_by_test_id("agent-row").count() >= 9
    assert page.get_by_test_id("agent-row").filter(has_text="Bright Smile Dental").count() >= 1
    page.screenshot(path=str(ARTIFACTS / "agents.png"))

    page.get_by_test_id("nav-api-keys").click()
    page.wait_for_url(re.compile(r"/settings/api-keys/?$"))
    name = f"e2e {secrets.token_hex(3)}"
    page.get_by_test_id("key-name").fill(name)
    page.get_by_test_id("create-key").click()
    expect(page.get_by_test_id("new-key")).to_have_text(re.compile(r"^viq_[A-Za-z0-9]{40}$"))
    row = page.get_by_test_id("key-row").filter(has_text=name)
    expect(row).to_be_visible()
    page.screenshot(path=str(ARTIFACTS / "api-keys.png"))
    row.get_by_test_id("revoke-key").click()
    page.get_by_test_id("confirm-revoke").click()
    expect(page.get_by_test_id("key-row").filter(has_text=name)).to_have_count(0)
