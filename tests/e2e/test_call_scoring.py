"""A scored call in a real browser: score breakdown with reasons, voice metrics and coaching (a
timestamp chip jumps to the transcript); then Settings → Scoring: an invalid weight sum is refused
inline, a valid one is saved."""

from __future__ import annotations

import json
import re
import urllib.request

import pytest
from playwright.sync_api import expect

from tests.support.e2e import ARTIFACTS, KEY_RE, LINK_RE

pytestmark = pytest.mark.e2e


def _login_link(vc_app) -> str:
    """A fresh login link. `voiceconsole demo` also replaces the demo API key, which
    `RunningApp.new_login_link` does not pass on: keep the fixture's key current for later tests."""
    out = vc_app.cli("demo")
    vc_app.api_key = KEY_RE.search(out).group(0)
    return LINK_RE.search(out).group(0)


def _api(vc_app, path: str) -> dict:
    request = urllib.request.Request(f"{vc_app.base_url}{path}", headers={"Authorization": f"Bearer {vc_app.api_key}"})
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.load(response)["data"]


def _call_with_coaching(vc_app) -> str:
    """A demo call that was scored on its transcript, with timed voice metrics and something to coach."""
    for row in _api(vc_app, "/api/v1/calls?perPage=50&minScore=30&sortBy=callScore&sortOrder=asc"):
        call = _api(vc_app, f"/api/v1/calls/{row['id']}")
        if call["voiceMetrics"]["latencyP50Ms"] is None or (call["scoreBreakdown"] or {}).get("no_transcript"):
            continue
        coaching = _api(vc_app, f"/api/v1/calls/{row['id']}/coaching")
        if any(i.get("suggestion") and i.get("quote") for i in coaching.get("wentWrong", [])):
            return row["id"]
    pytest.fail("no demo call with coaching found")


def test_scored_call_and_scoring_settings(e2e_page, vc_app):
    page = e2e_page
    link = _login_link(vc_app)
    call_id = _call_with_coaching(vc_app)
    page.goto(link)
    page.wait_for_url(re.compile(r"/dashboard/?$"))
    page.goto(f"/calls/{call_id}")

    # Header: the score with its range label.
    expect(page.get_by_test_id("call-header").get_by_test_id("score-badge")).to_have_text(
        re.compile(r"^\d+\s*(Excellent|Good|Needs attention|Poor)$")
    )

    # Breakdown: four categories with weight and reasons; how it was scored in small print.
    parts = page.get_by_test_id("score-part")
    expect(parts).to_have_count(4)
    expect(parts.filter(has_text="Outcome").get_by_test_id("part-weight")).to_have_text("× 35%")
    expect(page.get_by_test_id("score-reason").first).to_be_visible()
    expect(page.get_by_test_id("score-meta")).to_have_text(re.compile(r"^(Local|AI.*) scoring · scorer \S+$"))

    # Voice metrics: five tiles, times in seconds, with what good looks like.
    metrics = page.get_by_test_id("voice-metric")
    expect(metrics).to_have_count(5)
    expect(page.locator("[data-metric=latency-p50]").get_by_test_id("metric-value")).to_have_text(
        re.compile(r"^\d+\.\d s$")
    )
    expect(page.locator("[data-metric=talk-share]").get_by_test_id("metric-value")).to_have_text(re.compile(r"^\d+%$"))
    expect(page.locator("[data-metric=latency-p50]")).to_contain_text("Good:")

    # Coaching: insights with quotes and suggestions; a time chip jumps to its transcript turn.
    coaching = page.get_by_test_id("coaching")
    expect(coaching.get_by_test_id("went-wrong").get_by_test_id("insight").first).to_be_visible()
    expect(coaching.get_by_test_id("insight-suggestion").first).to_contain_text("Try saying:")
    expect(coaching.get_by_test_id("insight-quote").first).to_be_visible()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "call-scoring.png"), full_page=True)
    chip = coaching.locator("button[data-testid=insight-time]").last
    chip.click()
    focused = page.locator("[data-testid=transcript-turn][data-focused=true]")
    expect(focused).to_have_count(1)
    expect(focused).to_be_in_viewport()

    # Settings → Scoring (through the sidebar once it links there).
    nav = page.get_by_test_id("nav-scoring")
    if nav.count():
        nav.click()
    else:
        page.goto("/settings/scoring")
    page.wait_for_url(re.compile(r"/settings/scoring/?$"))
    expect(page.get_by_test_id("weights-total")).to_have_text("100 / 100")
    expect(page.get_by_test_id("ai-status")).to_have_text(re.compile(r"^(On|Off)$"))
    expect(page.get_by_test_id("credits-remaining")).to_have_text(re.compile(r"^[\d,]+$"))

    page.get_by_test_id("weight-outcome").fill("30")
    expect(page.get_by_test_id("weights-total")).to_have_text("95 / 100")
    expect(page.get_by_test_id("weights-error")).to_have_text(re.compile("add up to 100"))
    page.get_by_test_id("save-scoring").click()  # the server refuses it too; the input stays
    expect(page.get_by_test_id("weights-error")).to_have_text(re.compile(r"add up to 100 \(they add up to 95\)"))
    expect(page.get_by_test_id("weight-outcome")).to_have_value("30")
    page.screenshot(path=str(ARTIFACTS / "scoring-settings-invalid.png"), full_page=True)

    page.get_by_test_id("weight-duration").fill("25")
    expect(page.get_by_test_id("weights-total")).to_have_text("100 / 100")
    expect(page.get_by_test_id("weights-error")).to_have_count(0)
    page.get_by_test_id("save-scoring").click()
    expect(page.get_by_text("Saved — rescoring in the background")).to_be_visible()
    expect(page.get_by_test_id("weights-kind")).to_have_text("Custom")
    page.screenshot(path=str(ARTIFACTS / "scoring-settings-saved.png"), full_page=True)
    page.reload()
    expect(page.get_by_test_id("weight-outcome")).to_have_value("30")
    expect(page.get_by_test_id("weight-duration")).to_have_value("25")

    # Back to the defaults, so the demo organization is as the other tests expect it.
    page.get_by_test_id("restore-defaults").click()
    expect(page.get_by_test_id("weight-outcome")).to_have_value("35")
    page.get_by_test_id("save-scoring").click()
    expect(page.get_by_test_id("weights-kind")).to_have_text("Defaults")
