"""Settings → Integrations in a real browser: connect a (simulated) Retell account, let the worker sync
it, see its agents; then test, sync and disconnect. Connecting asks the platform first: a key it refuses
shows under the key field and adds nothing, a platform that cannot be reached says so above the form,
and only an accepted key is "Connected". A Vapi card's webhook secret is masked, revealed and copied.

The app must allow private targets (the simulator listens on 127.0.0.1): the `vc_app` fixture has to
pass VOICECONSOLE_ALLOW_PRIVATE_TARGETS=1 to the app, else this test is skipped.
"""

from __future__ import annotations

import re
import socket

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


def _closed_port_url(platform: str) -> str:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{s.getsockname()[1]}/{platform}"


def test_a_refused_key_shows_under_the_field_and_webhook_secrets_are_masked(e2e_page, vc_app, simulator):
    if vc_app.env.get("VOICECONSOLE_ALLOW_PRIVATE_TARGETS") != "1":
        pytest.skip("the app under test does not allow private targets (VOICECONSOLE_ALLOW_PRIVATE_TARGETS=1)")
    _state, sim_url = simulator
    page = e2e_page
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=vc_app.base_url)
    page.goto(vc_app.new_login_link())
    page.wait_for_url(re.compile(r"/(dashboard|calls)/?$"))
    page.get_by_test_id("nav-integrations").click()
    page.wait_for_url(re.compile(r"/settings/integrations/?$"))

    # A key Retell refuses: said under the field, which is emptied for the key to be pasted again.
    label = "Refused Retell (e2e)"
    key = page.get_by_test_id("integration-api-key")
    page.get_by_test_id("integration-label").fill(label)
    key.fill("sim_retell_typo_0000")
    page.get_by_test_id("integration-base-url").fill(f"{sim_url}/retell")
    page.get_by_test_id("integration-connect").click()
    key_error = page.get_by_test_id("integration-api-key-error")
    expect(key_error).to_contain_text("Retell rejected this API key (HTTP 401)")
    expect(key).to_have_attribute("aria-invalid", "true")
    expect(key).to_have_value("")
    expect(page.get_by_test_id("integration-label")).to_have_value(label)  # what else was typed stays
    expect(page.get_by_test_id("integration-card").filter(has_text=label)).to_have_count(0)
    expect(page.get_by_text(re.compile(r"^Connected"))).to_have_count(0)  # no "Connected" toast
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "integration-refused-key.png"), full_page=True)

    # Retell cannot be reached: another message, above the form, and the key stays for another try.
    key.fill("sim_retell_key")
    page.get_by_test_id("integration-base-url").fill(_closed_port_url("retell"))
    page.get_by_test_id("integration-connect").click()
    expect(page.get_by_test_id("integration-unreachable")).to_contain_text(
        "Retell could not be reached to check the API key; the integration was not added."
    )
    expect(key_error).to_have_count(0)
    expect(key).to_have_value("sim_retell_key")
    expect(page.get_by_test_id("integration-card").filter(has_text=label)).to_have_count(0)

    # Vapi accepts its key: connected, and its webhook secret is masked until revealed.
    vapi_label = "Vapi secrets (e2e)"
    page.get_by_test_id("integration-platform").click()
    page.get_by_role("option", name="Vapi").click()
    page.get_by_test_id("integration-label").fill(vapi_label)
    key.fill("sim_vapi_key")
    page.get_by_test_id("integration-base-url").fill(f"{sim_url}/vapi")
    page.get_by_test_id("integration-connect").click()
    expect(page.get_by_text("Connected: Vapi accepted the API key. The first sync is queued.")).to_be_visible()
    expect(page.get_by_test_id("integration-unreachable")).to_have_count(0)
    expect(key).to_have_value("")
    card = page.get_by_test_id("integration-card").filter(has_text=vapi_label)
    secret = card.get_by_test_id("integration-webhook-secret-value")
    toggle = card.get_by_role("button", name="Show webhook secret")
    expect(secret).to_have_text("•" * 24)
    expect(secret).to_have_attribute("data-revealed", "false")
    assert "whsec_" not in page.content()
    card.screenshot(path=str(ARTIFACTS / "integration-webhook-secret.png"))

    card.get_by_role("button", name="Copy webhook secret").click()  # copied without being shown
    expect(page.get_by_text("Webhook secret copied to the clipboard")).to_be_visible()
    copied = page.evaluate("navigator.clipboard.readText()")
    assert re.fullmatch(r"whsec_[A-Za-z0-9+/]{43}=", copied), copied
    expect(secret).to_have_text("•" * 24)

    toggle.click()
    expect(secret).to_have_text(copied)
    expect(card.get_by_role("button", name="Hide webhook secret")).to_be_visible()
    card.get_by_role("button", name="Hide webhook secret").click()
    expect(secret).to_have_text("•" * 24)
    assert copied not in page.content()

    card.get_by_test_id("integration-disconnect").click()  # before its first sync: the demo's agents stay as they are
    page.get_by_test_id("confirm-disconnect").click()
    expect(page.get_by_test_id("integration-card").filter(has_text=vapi_label)).to_have_count(0)
