"""What the platform measured, on a call page in a real browser: the response time says whose it is, the
platform's stages and the transcript estimate sit beside it, the cost is itemised, and a call the platform
gave no start is dated by when it was first seen."""

from __future__ import annotations

import json
import re
import urllib.request

import pytest
from playwright.sync_api import expect

from tests.support.e2e import ARTIFACTS, KEY_RE, LINK_RE

pytestmark = pytest.mark.e2e


def _login_link(vc_app) -> str:
    out = vc_app.cli("demo")
    vc_app.api_key = KEY_RE.search(out).group(0)  # `demo` replaces the demo key: keep the fixture's current
    return LINK_RE.search(out).group(0)


def _api(vc_app, path: str) -> dict | list:
    request = urllib.request.Request(f"{vc_app.base_url}{path}", headers={"Authorization": f"Bearer {vc_app.api_key}"})
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.load(response)["data"]


def _find(vc_app, platform: str, wanted) -> dict:
    for row in _api(vc_app, f"/api/v1/calls?platform={platform}&perPage=100"):
        call = _api(vc_app, f"/api/v1/calls/{row['id']}")
        if wanted(call):
            return call
    pytest.fail(f"no demo {platform} call fits")


def test_platform_latency_cost_breakdown_and_first_seen_on_the_call_page(e2e_page, vc_app):
    page = e2e_page
    link = _login_link(vc_app)
    measured = _find(
        vc_app,
        "retell",
        lambda c: (
            c["voiceMetrics"]["latencySource"] == "platform"
            and c["voiceMetrics"]["estimatedLatencyP50Ms"] is not None
            and c["costBreakdown"]
        ),
    )
    page.goto(link)
    page.wait_for_url(re.compile(r"/dashboard/?$"))
    page.goto(f"/calls/{measured['id']}")

    expect(page.get_by_test_id("latency-source")).to_have_text("Response time measured by Retell (end to end)")
    p50 = measured["voiceMetrics"]["latencyP50Ms"] / 1000
    expect(page.locator("[data-metric=latency-p50]").get_by_test_id("metric-value")).to_have_text(f"{p50:.1f} s")
    expect(page.get_by_test_id("latency-estimate")).to_contain_text("Transcript estimate (used by the score)")
    stages = page.get_by_test_id("latency-stage")
    expect(stages).to_have_count(len(measured["voiceMetrics"]["platformLatency"]))
    expect(stages.first).to_contain_text("End to end")
    expect(page.get_by_test_id("cost-item")).to_have_count(len(measured["costBreakdown"]))
    expect(page.get_by_test_id("cost-total")).to_have_text(re.compile(r"^\$\d"))
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "call-measurements.png"), full_page=True)

    unanswered = _find(vc_app, "retell", lambda c: c["startedAtSource"] == "first_seen")
    page.goto(f"/calls/{unanswered['id']}")
    expect(page.get_by_test_id("fact-started")).to_contain_text("(first seen)")
