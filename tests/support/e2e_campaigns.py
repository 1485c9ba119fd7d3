"""A campaign in a real browser, in reusable steps (tests/e2e/test_campaigns.py, and tests that chain a lead import
with a campaign): a simulator that dials, a Retell account on it, leads through the API, the campaign form filled
in the browser, and starting it while the page's live progress is watched.

The app under test dials the simulator of `dialing_simulator()` through the Retell account `connect_retell` adds
(the demo organization's own agents point nowhere that dials). Between checks of the page, `drive` runs one
dispatch pass (services/campaigns/dispatcher.py, what the worker's ticker asks for every 30 s) in the app's
environment and settles the simulator's calls, so the test does not wait for the ticker.
"""

from __future__ import annotations

import json
import re
import secrets
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from playwright.sync_api import Page, expect

ROOT = Path(__file__).resolve().parents[2]
SEED = 29
AGENT_NAME = "Campaign dialer"  # the simulator's agent, renamed: generated names are the demo agents' names
CALLER = "+14155550100"
DISPATCH = "from voiceconsole.services.campaigns.dispatcher import dispatch_all; dispatch_all()"


def api(vc_app: Any, method: str, path: str, body: dict | None = None) -> dict:
    req = urllib.request.Request(
        f"{vc_app.base_url}{path}",
        method=method,
        data=json.dumps(body).encode() if body is not None else None,
        headers={"Authorization": f"Bearer {vc_app.api_key}", "Content-Type": "application/json"},
    )
    with urllib.request.urlopen(req, timeout=30) as r:
        return json.loads(r.read())


def sim_control(sim_url: str, method: str, path: str, body: dict | None = None) -> dict:
    req = urllib.request.Request(
        f"{sim_url}/_sim{path}",
        method=method,
        data=json.dumps(body).encode() if body is not None else None,
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(req, timeout=30) as r:
        return json.loads(r.read())


@contextmanager
def dialing_simulator() -> Iterator[tuple[Any, str]]:
    """(state, base URL) of a simulator with one Retell agent, served in a thread."""
    from voiceconsole.platforms.simulator.server import create_app, serve_in_thread
    from voiceconsole.platforms.simulator.state import SimulatorState

    state = SimulatorState(seed=SEED, agents_per_platform=1, calls_per_platform={"retell": 1}, days=1)
    for agent in state.data("retell").agents.values():
        agent["agent_name"] = AGENT_NAME
    base_url, stop = serve_in_thread(create_app(state))
    try:
        yield state, base_url
    finally:
        stop()


def connect_retell(vc_app: Any, state: Any, sim_url: str) -> tuple[str, str]:
    """Connect the demo organization to the simulator's Retell and sync it: (integration id, agent name)."""
    created = api(
        vc_app,
        "POST",
        "/api/v1/integrations",
        {"platform": "retell", "apiKey": state.api_keys["retell"], "baseUrl": f"{sim_url}/retell", "label": "Dialer"},
    )["data"]
    vc_app.cli("worker", "--burst")  # the first sync brings the agent in
    return created["id"], AGENT_NAME


def make_leads(vc_app: Any, tag: str, count: int = 3) -> list[str]:
    """`count` new leads tagged `tag` (unique numbers); their phones, E.164."""
    phones = []
    for i in range(count):
        lead = api(
            vc_app,
            "POST",
            "/api/v1/leads",
            {"phone": f"+1415555{secrets.randbelow(9000) + 1000}", "firstName": f"Lead{i}", "tags": [tag]},
        )["data"]
        phones.append(lead["phone"])
    return phones


def answer_all(sim_url: str, phones: list[str]) -> None:
    """The simulator answers every dial of these numbers (so the funnel's counts are known in advance)."""
    sim_control(sim_url, "POST", "/outbound", {"script": {p: ["answered"] * 3 for p in phones}})


def driver(vc_app: Any, sim_url: str) -> Callable[[], None]:
    """One dispatch pass in the app's environment, then the simulator's calls played to their end."""

    def drive() -> None:
        done = subprocess.run(
            [sys.executable, "-c", DISPATCH], cwd=ROOT, env=vc_app.env, capture_output=True, text=True, timeout=120
        )
        assert done.returncode == 0, done.stderr[-2000:]
        sim_control(sim_url, "POST", "/dials/settle")

    return drive


def _pick(page: Page, testid: str, option: str | re.Pattern[str]) -> None:
    page.get_by_test_id(testid).click()
    exact = isinstance(option, str)  # "00:00" must not pick "10:00"'s neighbours
    page.get_by_role("option", name=option, exact=exact).first.click()


def create_campaign_through_form(page: Page, name: str, tag: str, *, agent: str | None = None) -> str:
    """Fill /campaigns/new (signed in as an owner): first with a caller number Retell refuses, whose error shows
    next to its field with nothing typed lost; then fixed and saved. Returns the new campaign's id (cmp_…).

    `agent`: the option to choose (the agent's name; default the dialing simulator's agent). Calls at any hour of
    any day, one at a time, one attempt per lead."""
    page.goto("/campaigns")
    page.get_by_test_id("new-campaign").click()
    page.wait_for_url(re.compile(r"/campaigns/new/?$"))
    page.get_by_test_id("campaign-name").fill(name)
    _pick(page, "campaign-agentId", re.compile(re.escape(agent or AGENT_NAME)))
    page.get_by_test_id("campaign-callerNumber").fill("4155550100")  # not E.164: refused
    page.get_by_test_id("campaign-tag").fill(tag)
    for day in (6, 7):
        page.get_by_test_id(f"window-day-{day}").click()
    _pick(page, "campaign-windowStart", "00:00")
    _pick(page, "campaign-windowEnd", "24:00")
    expect(page.get_by_test_id("window-words")).to_contain_text("Calls every day at any hour in each lead's own")
    page.get_by_test_id("campaign-maxConcurrent").fill("1")
    page.get_by_test_id("campaign-maxAttempts").fill("1")
    for outcome in ("no_answer", "busy"):  # the defaults: nothing is retried here
        page.get_by_test_id(f"retry-{outcome}").click()
    page.get_by_test_id("add-variable").click()
    page.get_by_test_id("variable-name").last.fill("first_name")

    page.get_by_test_id("campaign-save").click()
    expect(page.get_by_test_id("error-callerNumber")).to_contain_text("E.164")
    expect(page.get_by_test_id("campaign-form-error")).to_be_visible()
    expect(page.get_by_test_id("campaign-name")).to_have_value(name)  # nothing typed is lost
    expect(page.get_by_test_id("campaign-tag")).to_have_value(tag)
    expect(page.get_by_test_id("campaign-maxConcurrent")).to_have_value("1")

    page.get_by_test_id("campaign-callerNumber").fill(CALLER)
    page.get_by_test_id("campaign-save").click()
    page.wait_for_url(re.compile(r"/campaigns/cmp_\w+/?$"))
    expect(page.get_by_test_id("campaign-status")).to_have_attribute("data-status", "draft")
    return page.url.rstrip("/").rsplit("/", 1)[-1]


def _percent(page: Page) -> int:
    return int(page.get_by_test_id("campaign-progress").first.get_attribute("data-percent") or 0)


def start_and_watch(page: Page, campaign_id: str, drive: Callable[[], None], *, timeout_s: float = 240) -> list[int]:
    """Start the campaign on its page and watch the page's own refresh (no reload) show the progress rising to
    100 % as `drive` dials and settles; returns the percentages seen, in order."""
    if not page.url.rstrip("/").endswith(campaign_id):
        page.goto(f"/campaigns/{campaign_id}")
    page.get_by_test_id("campaign-start").click()
    status = page.get_by_test_id("campaign-status")
    expect(status).to_have_attribute("data-status", re.compile("running|completed"))
    seen = [_percent(page)]
    deadline = time.monotonic() + timeout_s
    while status.get_attribute("data-status") != "completed":
        assert time.monotonic() < deadline, f"the campaign did not complete; progress seen: {seen}"
        drive()
        before = time.monotonic()
        while time.monotonic() - before < 8 and _percent(page) == seen[-1]:
            page.wait_for_timeout(500)  # the page reads the campaign again every 3 s
        if _percent(page) != seen[-1]:
            seen.append(_percent(page))
    expect(page.get_by_test_id("campaign-progress").first).to_have_attribute("data-percent", "100")
    if seen[-1] != 100:
        seen.append(100)
    assert seen == sorted(seen), f"progress went back: {seen}"
    return seen
