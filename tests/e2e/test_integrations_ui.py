"""Settings → Integrations in a real browser: connect a (simulated) Retell account, let the worker sync
it, see its agents; then test, sync and disconnect.

The app must allow private targets (the simulator listens on 127.0.0.1): the `vc_app` fixture has to
pass VOICECONSOLE_ALLOW_PRIVATE_TARGETS=1 to the app, else this test is skipped.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.support.e2e import ARTIFACTS

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def simulator():
    from voiceconsole.platforms.simulator.server import create_app, serve_in_thread
    from voiceconsole.platforms.simulator.state import SimulatorState

    # Seed 7 and 5 agents: the same Retell agents as the demo organization's, so connecting them adds
    # calls but no agents (other browser tests count the demo's agents).
    state = SimulatorState(seed=7, agents_per_platform=5, calls_per_platform={"retell": 40}, days=30)
    base_url, stop = serve_in_thread(create_app(state))
    yield state, base_url
    stop()


def test_connect_an_integration_and_see_its_agents(e2e_page, vc_app, simulator):
    if vc_app.env.get("VOICECONSOLE_ALLOW_PRIVATE_TARGETS") != "1":
        pytest.skip("the app under test does not allow private targets (VOICECONSOLE_ALLOW_PRIVATE_TARGETS=1)")
    state, sim_url = simulator
    agent_names = [a["agent_name"] for a in state.data("retell").agents.values()]
    page = e2e_page
    page.goto(vc_app.new_login_link())
    page.wait_for_url(re.compile(r"/(dashboard|calls)/?$"))  # signed in, on the home page
    page.get_by_test_id("nav-integrations").click()
    page.wait_for_url(re.compile(r"/settings/integrations/?$"))

    label = "Simulated Retell (e2e)"
    page.get_by_test_id("integration-label").fill(label)
    page.get_by_test_id("integration-api-key").fill("sim_retell_key")
    page.get_by_test_id("integration-base-url").fill(f"{sim_url}/retell")
    page.get_by_test_id("integration-connect").click()
    card = page.get_by_test_id("integration-card").filter(has_text=label)
    expect(card).to_be_visible()
    expect(card.get_by_test_id("integration-status")).to_have_text("Active")
    expect(card.get_by_test_id("integration-key")).to_have_text("…_key")  # only the last 4 characters
    expect(card.get_by_test_id("integration-webhook-url")).to_have_text(
        re.compile(r"/api/integrations/retell/webhook/int_\w+$")
    )
    expect(page.get_by_test_id("integration-api-key")).to_have_value("")  # the key does not linger in the form

    vc_app.cli("worker", "--burst")  # the queued first sync runs
    page.get_by_test_id("integrations-refresh").click()
    expect(card.get_by_test_id("integration-agents")).to_have_text(str(len(agent_names)))
    expect(card.get_by_test_id("integration-last-sync")).not_to_have_text("Never")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "integrations.png"), full_page=True)

    page.get_by_test_id("nav-agents").click()
    page.wait_for_url(re.compile(r"/agents/?$"))
    for name in agent_names:
        expect(page.get_by_test_id("agent-row").filter(has_text=name).first).to_be_visible()

    page.get_by_test_id("nav-integrations").click()
    page.wait_for_url(re.compile(r"/settings/integrations/?$"))
    card = page.get_by_test_id("integration-card").filter(has_text=label)
    card.get_by_test_id("integration-test").click()
    expect(page.get_by_text("Connection test queued.")).to_be_visible()
    card.get_by_test_id("integration-disconnect").click()
    page.get_by_test_id("confirm-disconnect").click()
    expect(page.get_by_test_id("integration-card").filter(has_text=label)).to_have_count(0)
