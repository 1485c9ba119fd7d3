"""The Agent Builder in a real browser, against the platform simulator: "New agent" from a template, edit the
prompt (its variables and the prompt check update while typing), save a draft and see its diff, deploy it,
roll back; the builder passes an axe scan, and the agent page shows the version comparison.

The demo organization gets a Retell account on a simulator of this module (connected through the API, as
anyone's is), disconnected again at the end so no later test's worker syncs a stopped simulator. The app must
allow private targets (the simulator listens on 127.0.0.1), else this test is skipped.
"""

from __future__ import annotations

import json
import re
import urllib.request
from urllib.parse import urlparse

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from tests.support.e2e import ARTIFACTS

pytestmark = pytest.mark.e2e

ADDED = "Always spell the caller's name back to them."


@pytest.fixture(scope="module")
def simulator():
    from voiceconsole.platforms.simulator.server import create_app, serve_in_thread
    from voiceconsole.platforms.simulator.state import SimulatorState

    state = SimulatorState(seed=19, agents_per_platform=1, calls_per_platform={"retell": 2}, days=1)
    base_url, stop = serve_in_thread(create_app(state))
    yield state, base_url
    stop()


def _api(vc_app, method: str, path: str, body: dict | None = None) -> dict:
    req = urllib.request.Request(
        f"{vc_app.base_url}{path}",
        method=method,
        data=json.dumps(body).encode() if body is not None else None,
        headers={"Authorization": f"Bearer {vc_app.api_key}", "Content-Type": "application/json"},
    )
    with urllib.request.urlopen(req, timeout=30) as r:
        return json.loads(r.read())


@pytest.fixture(scope="module")
def retell_account(vc_app, simulator):
    if vc_app.env.get("VOICECONSOLE_ALLOW_PRIVATE_TARGETS") != "1":
        pytest.skip("the app under test does not allow private targets (VOICECONSOLE_ALLOW_PRIVATE_TARGETS=1)")
    state, sim_url = simulator
    label = "Simulated Retell (builder e2e)"
    created = _api(
        vc_app,
        "POST",
        "/api/v1/integrations",
        {"platform": "retell", "apiKey": state.api_keys["retell"], "baseUrl": f"{sim_url}/retell", "label": label},
    )["data"]
    yield label
    _api(vc_app, "DELETE", f"/api/v1/integrations/{created['id']}")


def _axe_violations(page) -> list[str]:
    results = Axe().run(page)
    return [
        f"{v['impact']} {v['id']}: {v['help']} ({v['nodes'][0]['target']})"
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def _version(page, number: int):
    return page.locator(f"[data-testid=version-row][data-version='{number}']")


def test_create_from_a_template_edit_save_diff_deploy_and_roll_back(e2e_page, vc_app, retell_account):
    page = e2e_page
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(vc_app.new_login_link())
    page.wait_for_url(re.compile(r"/dashboard/?$"))
    ARTIFACTS.mkdir(exist_ok=True)

    # New agent: a platform account, a template, a name.
    page.get_by_test_id("nav-agents").click()
    page.wait_for_url(re.compile(r"/agents/?$"))
    page.get_by_test_id("new-agent").click()
    dialog = page.get_by_test_id("new-agent-dialog")
    expect(dialog).to_be_visible()
    dialog.get_by_test_id("new-agent-create").click()
    expect(dialog.get_by_test_id("new-agent-template-error")).to_have_text(re.compile("Pick a template"))
    dialog.get_by_test_id("new-agent-integration").click()
    page.get_by_role("option", name=re.compile(re.escape(retell_account))).click()
    dialog.locator("[data-testid=template-card][data-template=dental-receptionist]").click()
    dialog.get_by_test_id("new-agent-name").fill("E2E Dental desk")
    page.screenshot(path=str(ARTIFACTS / "builder-new-agent.png"))
    dialog.get_by_test_id("new-agent-create").click()
    page.wait_for_url(re.compile(r"/agents/[^/]+/builder$"), timeout=60_000)
    agent_path = urlparse(page.url).path.rsplit("/builder", 1)[0]  # /agents/<platform agent id>

    # The builder: the template's spec, version 1 live.
    expect(page.get_by_test_id("page-title")).to_have_text("Builder")
    expect(page.get_by_test_id("crumb").nth(1)).to_have_text("E2E Dental desk")
    expect(page.get_by_test_id("builder-name")).to_have_value("E2E Dental desk")
    expect(page.get_by_test_id("version-row")).to_have_count(1)
    expect(_version(page, 1).get_by_test_id("live-badge")).to_be_visible()
    expect(page.get_by_test_id("checks-clear")).to_be_visible()

    # Edit the prompt: a variable without a default shows as a hint and a warning while typing.
    prompt = page.get_by_test_id("builder-systemPrompt")
    original = prompt.input_value()
    prompt.fill(f"{original}\n{ADDED}\nGreet {{{{customer_name}}}} by name.")
    expect(page.locator("[data-testid=variable-hint][data-default=no]")).to_contain_text("customer_name")
    expect(page.locator("[data-testid=prompt-check][data-level=warning]")).to_contain_text("customer_name")
    rows = page.get_by_test_id("variable-row")
    before = rows.count()
    page.get_by_test_id("add-variable").click()
    expect(rows).to_have_count(before + 1)
    page.get_by_test_id("variable-key").last.fill("customer_name")
    page.get_by_test_id("variable-value").last.fill("there")
    expect(page.locator("[data-testid=variable-hint][data-default=no]")).to_have_count(0)
    expect(page.get_by_test_id("checks-clear")).to_be_visible()

    # Save a draft: version 2, and its diff against the live version.
    page.get_by_test_id("builder-note").fill("Spell names back")
    page.get_by_test_id("builder-save").click()
    expect(page.get_by_test_id("version-row")).to_have_count(2)
    expect(_version(page, 2).get_by_test_id("version-note")).to_have_text("Spell names back")
    expect(page.get_by_test_id("builder-note")).to_have_value("")
    diff = page.get_by_test_id("diff-card")
    expect(diff.locator("[data-testid=diff-line][data-kind=add]").filter(has_text=ADDED)).to_have_count(1)
    expect(diff.get_by_test_id("field-change").filter(has_text="dynamicVariables.customer_name")).to_be_visible()
    page.screenshot(path=str(ARTIFACTS / "builder.png"), full_page=True)
    # The "Saved" toast fades in and out (axe would measure its contrast mid-fade): scan once it is gone.
    expect(page.locator("[data-sonner-toast]")).to_have_count(0, timeout=15_000)
    assert _axe_violations(page) == []

    # Deploy version 2 (confirmed), then roll back to version 1 (worded as such).
    _version(page, 2).get_by_test_id("version-deploy").click()
    confirm = page.get_by_role("alertdialog")
    expect(confirm).to_contain_text("Deploy version 2?")
    confirm.get_by_test_id("confirm-deploy").click()
    expect(_version(page, 2).get_by_test_id("live-badge")).to_be_visible(timeout=30_000)
    expect(page.get_by_test_id("live-version")).to_have_text("Live: v2")

    rollback = _version(page, 1).get_by_test_id("version-deploy")
    expect(rollback).to_have_text("Roll back")
    rollback.click()
    expect(confirm).to_contain_text("Roll back to version 1?")
    expect(confirm.get_by_test_id("confirm-deploy")).to_have_text("Roll back")
    confirm.get_by_test_id("confirm-deploy").click()
    expect(_version(page, 1).get_by_test_id("live-badge")).to_be_visible(timeout=30_000)
    expect(page.get_by_test_id("live-version")).to_have_text("Live: v1")
    expect(_version(page, 2).get_by_test_id("version-deploy")).to_have_text("Deploy")

    # The platform runs version 1 again, and the agent page compares the versions.
    config = _api(vc_app, "GET", f"/api/v1{agent_path}/config")["data"]
    assert config["deployedVersion"] == 1 and config["version"] == 2
    page.goto(agent_path)
    expect(page.get_by_test_id("version-quality")).to_be_visible()
    expect(page.get_by_test_id("open-builder")).to_be_visible()
    assert errors == []
