"""Settings → Integrations in a real browser: re-entering the API key of a connection gone stale (the public
docs' troubleshooting). A (simulated) Retell account is connected and synced, its key is then rotated in
the Retell dashboard, so its connection test fails; a key Retell refuses shows under the field and changes
nothing; the new key is accepted, the card is active again with the new key's last 4, and the next sync
keeps every agent.

The app must allow private targets (the simulator listens on 127.0.0.1): the `vc_app` fixture has to
pass VOICECONSOLE_ALLOW_PRIVATE_TARGETS=1 to the app, else this test is skipped.
"""

from __future__ import annotations

import json
import re
import urllib.request

import pytest
from playwright.sync_api import expect

from tests.support.e2e import ARTIFACTS

pytestmark = pytest.mark.e2e

# Not test_integrations_ui.py's key: each module's account is its own, whichever runs first.
OLD_KEY = "sim_retell_key_e2e_rekey_OLD1"
NEW_KEY = "sim_retell_key_e2e_rekey_NEW2"


def shown_by_api(vc_app, label: str) -> dict:
    """The integration as the REST API shows it to the demo organization."""
    request = urllib.request.Request(
        f"{vc_app.base_url}/api/v1/integrations", headers={"Authorization": f"Bearer {vc_app.api_key}"}
    )
    with urllib.request.urlopen(request, timeout=10) as r:
        return next(item for item in json.load(r)["data"] if item["label"] == label)


@pytest.fixture(scope="module")
def simulator():
    from voiceconsole.platforms.simulator.server import create_app, serve_in_thread
    from voiceconsole.platforms.simulator.state import SimulatorState

    # Seed 7 and 5 agents: the demo organization's Retell agents (as in test_integrations_ui.py), so
    # syncing adds calls but no agents (other browser tests count the demo's agents).
    state = SimulatorState(
        seed=7, agents_per_platform=5, calls_per_platform={"retell": 6}, days=30, api_keys={"retell": OLD_KEY}
    )
    base_url, stop = serve_in_thread(create_app(state))
    yield state, base_url
    stop()


def test_re_enter_the_key_of_a_stale_connection(e2e_page, vc_app, simulator):
    if vc_app.env.get("VOICECONSOLE_ALLOW_PRIVATE_TARGETS") != "1":
        pytest.skip("the app under test does not allow private targets (VOICECONSOLE_ALLOW_PRIVATE_TARGETS=1)")
    state, sim_url = simulator
    agent_count = str(len(state.data("retell").agents))
    page = e2e_page
    page.goto(vc_app.new_login_link())
    page.wait_for_url(re.compile(r"/(dashboard|calls)/?$"))
    page.get_by_test_id("nav-integrations").click()
    page.wait_for_url(re.compile(r"/settings/integrations/?$"))

    label = "Retell to re-key (e2e)"
    page.get_by_test_id("integration-label").fill(label)
    page.get_by_test_id("integration-api-key").fill(OLD_KEY)
    page.get_by_test_id("integration-base-url").fill(f"{sim_url}/retell")
    page.get_by_test_id("integration-connect").click()
    card = page.get_by_test_id("integration-card").filter(has_text=label)
    expect(card.get_by_test_id("integration-status")).to_have_text("Active")
    vc_app.cli("worker", "--burst")  # the first sync
    page.get_by_test_id("integrations-refresh").click()
    expect(card.get_by_test_id("integration-agents")).to_have_text(agent_count)

    # Rotated in the Retell dashboard: the old key is refused from now on, and the connection test fails.
    with state.lock:
        state.api_keys["retell"] = NEW_KEY
    card.get_by_test_id("integration-test").click()
    expect(page.get_by_text("Connection test queued.")).to_be_visible()
    vc_app.cli("worker", "--burst")
    page.get_by_test_id("integrations-refresh").click()
    expect(card.get_by_test_id("integration-status")).to_have_text("Error")
    first_sync = shown_by_api(vc_app, label)["lastGoodSyncAt"]
    assert first_sync

    card.get_by_test_id("integration-rekey").click()
    form = card.get_by_test_id("integration-key-form")
    key_input = form.get_by_test_id("integration-new-key")
    expect(key_input).to_have_attribute("type", "password")
    key_input.fill("sim_retell_typo_0000")
    form.get_by_test_id("integration-key-save").click()
    expect(form.get_by_test_id("integration-key-error")).to_contain_text("Retell rejected this API key (HTTP 401)")
    expect(card.get_by_test_id("integration-key")).to_have_text("…OLD1")  # nothing changed
    expect(card.get_by_test_id("integration-status")).to_have_text("Error")

    key_input.fill(NEW_KEY)
    form.get_by_test_id("integration-key-save").click()
    expect(page.get_by_text("Retell accepted the new API key. A sync with it is queued.")).to_be_visible()
    expect(card.get_by_test_id("integration-key-form")).to_have_count(0)
    expect(card.get_by_test_id("integration-key")).to_have_text("…NEW2")
    expect(card.get_by_test_id("integration-status")).to_have_text("Active")
    expect(card.get_by_test_id("integration-agents")).to_have_text(agent_count)  # kept
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "integration-key.png"), full_page=True)

    vc_app.cli("worker", "--burst")  # the sync with the new key (this minute's first sync ran already)
    page.get_by_test_id("integrations-refresh").click()
    expect(card.get_by_test_id("integration-status")).to_have_text("Active")
    expect(card.get_by_test_id("integration-agents")).to_have_text(agent_count)
    shown = shown_by_api(vc_app, label)
    assert shown["lastGoodSyncAt"] > first_sync and shown["lastSyncAt"] == shown["lastGoodSyncAt"], shown
    assert NEW_KEY not in page.content() and OLD_KEY not in page.content()

    card.get_by_test_id("integration-disconnect").click()
    page.get_by_test_id("confirm-disconnect").click()
    expect(page.get_by_test_id("integration-card").filter(has_text=label)).to_have_count(0)
