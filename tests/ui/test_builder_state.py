"""The Agent Builder's UI states under pytest (no browser), against the platform simulator served over HTTP:
"New agent" from a template, the builder's form (live prompt check, variable hints, refusals kept next to
their fields with what was typed), saving drafts, the diff, deploy and roll back, drift, the agent page's
version comparison and "Add to prompt" on a call's coaching panel. The services' own rules are tested in
tests/services/builder."""

from __future__ import annotations

import pytest
from sqlmodel import select

from tests.support.simulator import IntegrationSim, connect
from tests.support.ui import make_state, redirect_path
from voiceconsole.models import Agent
from voiceconsole.services import builder
from voiceconsole.services.access.actor import SYSTEM
from voiceconsole.ui.state.agent_detail import AgentDetailState
from voiceconsole.ui.state.builder import BuilderState
from voiceconsole.ui.state.builder_rows import NOT_SAVED
from voiceconsole.ui.state.call_detail import CallCoachingState
from voiceconsole.ui.state.new_agent import NewAgentState

pytestmark = pytest.mark.usefixtures("integration_settings", "no_jobs_left_behind")

TEMPLATE = "dental-receptionist"


@pytest.fixture(scope="module")
def simulator():
    from voiceconsole.platforms.simulator.server import create_app, serve_in_thread
    from voiceconsole.platforms.simulator.state import SimulatorState

    state = SimulatorState(seed=41, agents_per_platform=1, calls_per_platform=2, days=1)
    base_url, stop = serve_in_thread(create_app(state))
    yield state, base_url
    stop()


@pytest.fixture
def sim(simulator):
    state, base_url = simulator
    state.reset()
    return IntegrationSim(state, base_url)


@pytest.fixture
def built(factory, sim):
    """An organization with a Retell account on the simulator and an agent created there from a template."""
    org, integration = connect(factory, sim, "retell")
    created = builder.create_agent(
        factory.s, org=org, actor=SYSTEM, platform="retell", integration_id=integration.public_id, template_id=TEMPLATE
    )
    factory.s.commit()
    _, owner = factory.user_session(org)
    _, member = factory.user_session(org, role="member")
    return {"org": org, "integration": integration, "agent_id": created.agent_id, "owner": owner, "member": member}


def open_builder(token: str, agent_id: str, query: dict | None = None) -> BuilderState:
    page = make_state(BuilderState, token=token, path=f"/agents/{agent_id}/builder", query=query)
    assert page.load() is None
    return page


def toast_text(events) -> str:
    """The message of the `rx.toast.*(...)` a handler answered with (the first event, if several)."""
    spec = events[0] if isinstance(events, list) else events
    call = dict((k._js_expr, v) for k, v in spec.args)["function"]._return_expr
    return str(call._args[0])


# --- New agent ------------------------------------------------------------------------------------------------


def test_a_new_agent_from_a_template_opens_in_its_builder(factory, sim, db):
    org, integration = connect(factory, sim, "retell")
    _, owner = factory.user_session(org)
    dialog = make_state(NewAgentState, token=owner, path="/agents")
    dialog.start()
    assert dialog.open and dialog.form_error == ""
    assert [(i.id, i.platform) for i in dialog.integrations] == [(integration.public_id, "retell")]
    assert dialog.integration_id == integration.public_id  # the only one: already picked
    assert {t.id for t in dialog.templates} == {t.id for t in builder.TEMPLATES}

    dialog.set_name("Smile Dental front desk")
    assert dialog.create() is None  # no template yet: said under the cards, nothing else forgotten
    assert dialog.template_error == "Pick a template" and dialog.name == "Smile Dental front desk"

    dialog.pick_template(TEMPLATE)
    events = dialog.create()
    agent = db.exec(select(Agent).where(Agent.organization_id == org.id, Agent.name == "Smile Dental front desk")).one()
    assert redirect_path(events[1]) == f"/agents/{agent.platform_agent_id}/builder"
    assert not dialog.open and agent.deployed_version == 1

    page = open_builder(owner, agent.platform_agent_id)
    assert page.name == "Smile Dental front desk" and page.version == 1 and page.deployed_version == 1
    assert [(v.number, v.live, v.source) for v in page.versions] == [(1, True, "Template")]


def test_members_do_not_create_agents_and_a_refusal_keeps_the_choices(factory, sim):
    org, integration = connect(factory, sim, "retell")
    _, member = factory.user_session(org, role="member")
    dialog = make_state(NewAgentState, token=member, path="/agents")
    dialog.start()
    dialog.pick_template(TEMPLATE)
    dialog.create()
    assert dialog.form_error == "Only owners and admins manage agents in the builder."
    assert dialog.template_id == TEMPLATE and dialog.integration_id == integration.public_id


# --- The form -------------------------------------------------------------------------------------------------


def test_the_form_holds_the_latest_version_and_checks_the_prompt_while_typing(built):
    page = open_builder(built["owner"], built["agent_id"])
    spec = builder.template(TEMPLATE).spec
    assert (page.name, page.voice_id, page.model, page.temperature) == (
        spec.name,
        spec.voice_id,
        spec.llm.model,
        "0.3",
    )
    assert page.system_prompt == spec.system_prompt
    assert {v.key: v.value for v in page.variables} == spec.dynamic_variables
    assert [t.kind for t in page.tools] == ["end_call", "transfer"]
    assert page.checks == []
    assert {h.name: h.has_default for h in page.hints} == {"practice_name": True, "opening_hours": True}

    page.set_field("system_prompt", page.system_prompt + "\nGreet {{customer_name}} by name.")
    assert {h.name: h.has_default for h in page.hints}["customer_name"] is False
    assert [(c.level, c.field) for c in page.checks] == [("warning", "dynamicVariables")]

    page.add_variable()
    page.set_variable(len(page.variables) - 1, "key", "customer_name")
    page.set_variable(len(page.variables) - 1, "value", "there")
    assert {h.name: (h.has_default, h.value) for h in page.hints}["customer_name"] == (True, "there")
    assert page.checks == []

    page.add_tool("transfer")
    index = len(page.tools) - 1
    page.set_tool(index, "number", "555-0100")
    assert ("error", f"tools.{index}.number") in [(c.level, c.field) for c in page.checks]
    page.set_field("system_prompt", "   ")
    assert ("error", "systemPrompt") in [(c.level, c.field) for c in page.checks]
    assert page.check_errors == 2


def test_a_refused_draft_keeps_what_was_typed_with_errors_next_to_their_fields(built):
    page = open_builder(built["owner"], built["agent_id"])
    prompt = page.system_prompt + "\nNew line."
    page.set_field("system_prompt", prompt)
    page.set_field("temperature", "hot")
    page.add_tool("webhook")
    index = len(page.tools) - 1
    page.set_tool(index, "parameters", "{not json")
    page.set_tool(index, "headers", "Authorization Bearer x")
    page.set_field("note", "Try it")
    assert page.save_draft() is None
    assert page.form_error == NOT_SAVED
    assert page.errors["llm.temperature"] == "Enter a number"
    assert page.errors[f"tools.{index}.parameters"].startswith("Not valid JSON")
    assert page.errors[f"tools.{index}.headers"].startswith("Write each header as Name: value")
    assert page.system_prompt == prompt and page.temperature == "hot" and page.note == "Try it"

    # Shape errors from the spec itself, by field path.
    page.set_field("temperature", "5")
    page.set_tool(index, "parameters", '{"type": "object", "properties": {}}')
    page.set_tool(index, "headers", "Authorization: Bearer x")
    page.set_tool(index, "url", "ftp://booking")
    page.set_field("name", "")
    page.save_draft()
    assert set(page.errors) == {"llm.temperature", f"tools.{index}.url", "name"}
    assert page.version == 1 and len(page.versions) == 1  # nothing saved


def test_save_a_draft_see_its_diff_deploy_it_and_roll_back(built):
    page = open_builder(built["owner"], built["agent_id"])
    page.set_field("system_prompt", page.system_prompt + "\nAlways spell the caller's name back.")
    page.set_field("note", "Spell names back")
    events = page.save_draft()
    assert toast_text(events) == "Saved as version 2"
    assert page.errors == {} and page.form_error == "" and page.note == ""
    assert (page.version, page.deployed_version) == (2, 1)
    assert [(v.number, v.live) for v in page.versions] == [(2, False), (1, True)]
    assert page.versions[0].note == "Spell names back" and page.versions[0].source == "Builder"
    assert (page.diff_a, page.diff_b) == ("1", "2")
    assert "+Always spell the caller's name back." in [line.text for line in page.diff_prompt if line.kind == "add"]
    assert page.diff_changes == []

    page.ask_deploy(2)
    assert page.confirm_action == "deploy" and not page.confirm_is_rollback
    events = page.deploy()
    assert page.deploy_error == "" and toast_text(events) == "Deployed version 2: it is live on Retell"
    assert page.deployed_version == 2 and [v.live for v in page.versions] == [True, False]

    page.ask_deploy(1)
    assert page.confirm_is_rollback
    events = page.deploy()
    assert toast_text(events) == "Rolled back to version 1: it is live on Retell"
    assert page.deployed_version == 1 and [v.live for v in page.versions] == [False, True]
    assert page.confirm_action == ""

    # Any two versions, either way round.
    page.set_diff_a("2")
    page.set_diff_b("1")
    assert "-Always spell the caller's name back." in [line.text for line in page.diff_prompt]


def test_a_url_opens_the_diff_it_names(built, factory):
    org, agent_id = built["org"], built["agent_id"]
    spec = builder.get_config(factory.s, org=org, agent_id=agent_id, actor=SYSTEM).spec
    builder.put_config(
        factory.s, org=org, agent_id=agent_id, actor=SYSTEM, spec=spec.model_copy(update={"first_message": "Hello!"})
    )
    factory.s.commit()
    page = open_builder(built["owner"], built["agent_id"], query={"a": "1", "b": "2"})
    assert [(c.field, c.after) for c in page.diff_changes] == [("firstMessage", "Hello!")]


def test_drift_is_shown_deploying_waits_for_its_import(built, db):
    agent = db.exec(select(Agent).where(Agent.platform_agent_id == built["agent_id"])).one()
    spec = builder.template(TEMPLATE).spec.model_copy(update={"first_message": "Changed in the console"})
    agent.drift = {
        "detectedAt": "2026-08-01T12:00:00+00:00",
        "changes": [{"field": "firstMessage", "before": "Thank you", "after": "Changed in the console"}],
        "spec": spec.wire(),
    }
    db.add(agent)
    db.commit()
    page = open_builder(built["owner"], built["agent_id"])
    assert page.has_drift
    assert [(c.field, c.before, c.after) for c in page.drift_changes] == [
        ("firstMessage", "Thank you", "Changed in the console")
    ]
    page.ask_deploy(1)
    page.deploy()
    assert page.deploy_error == "Import the platform's change as a version first, then deploy"

    page.import_drift()
    assert not page.has_drift and page.drift_error == ""
    assert (page.version, page.deployed_version) == (2, 2)
    assert page.first_message == "Changed in the console"
    assert page.versions[0].source == "Changed on the platform"


def test_members_read_the_builder_but_cannot_save_or_deploy(built):
    page = open_builder(built["member"], built["agent_id"])
    assert not page.can_manage and page.load_error == "" and page.version == 1
    page.set_field("system_prompt", "Mine now")
    page.save_draft()
    assert page.form_error == "Only owners and admins manage agents in the builder."
    assert page.system_prompt == "Mine now"
    page.ask_deploy(1)
    page.deploy()
    assert page.deploy_error == "Only owners and admins manage agents in the builder."


def test_an_unknown_agent_is_not_found(built):
    page = open_builder(built["owner"], "ag_nobody")
    assert page.not_found and page.versions == []


# --- The agent page and the coaching panel ------------------------------------------------------------------


def test_the_agent_page_compares_versions_with_the_calls_behind_each_figure(built, factory, db):
    agent = db.exec(select(Agent).where(Agent.platform_agent_id == built["agent_id"])).one()
    for score in (60, 70):
        factory.call(built["org"], agent, agent_version=1, score=score, sentiment="Negative", successful=False)
    for score in (80, 90, 100):
        factory.call(built["org"], agent, agent_version=2, score=score)
    page = make_state(AgentDetailState, token=built["owner"], path=f"/agents/{built['agent_id']}")
    page.load()
    page.load_versions()
    assert page.sees_versions
    rows = {r.version: r for r in page.version_figures}
    assert (rows[2].calls, rows[2].score, rows[2].scored, rows[2].success) == ("3", "90.0", "3 scored", "100.0%")
    assert (rows[1].calls, rows[1].score, rows[1].success, rows[1].outcomes) == ("2", "65.0", "0.0%", "2 ended")
    assert (rows[1].negative, rows[1].positive, rows[1].sentiments) == (100, 0, "2 with a sentiment")
    assert rows[2].cost == "$0.12" and rows[2].costed == "3 with a cost" and rows[2].duration == "01:00"
    assert rows[1].live and not rows[2].live
    assert page.builder_href == f"/agents/{built['agent_id']}/builder"


def test_client_viewers_do_not_see_the_version_comparison(built, factory, db):
    client = factory.client(built["org"])
    agent = db.exec(select(Agent).where(Agent.platform_agent_id == built["agent_id"])).one()
    agent.client_id = client.id
    db.add(agent)
    db.commit()
    _, viewer = factory.user_session(built["org"], role="client_viewer", client=client)
    page = make_state(AgentDetailState, token=viewer, path=f"/agents/{built['agent_id']}")
    page.load()
    page.load_versions()
    assert not page.sees_versions and page.version_figures == []


def test_add_to_prompt_makes_a_draft_and_links_to_its_diff(built, factory, db):
    agent = db.exec(select(Agent).where(Agent.platform_agent_id == built["agent_id"])).one()
    call = factory.call(built["org"], agent, agent_version=1)
    suggestion = "Offer two concrete times before asking an open question."

    member = make_state(CallCoachingState, token=built["member"], path=f"/calls/{call.public_id}")
    member.load()
    member.add_to_prompt(suggestion)
    assert member.prompt_failed == suggestion and member.prompt_error.startswith("Only owners and admins")

    panel = make_state(CallCoachingState, token=built["owner"], path=f"/calls/{call.public_id}")
    panel.load()
    events = panel.add_to_prompt(suggestion)
    assert toast_text(events) == "Added to the prompt as draft version 2"
    assert panel.prompt_added == suggestion and panel.prompt_draft_version == 2
    assert panel.prompt_draft_href == f"/agents/{built['agent_id']}/builder?a=1&b=2"

    page = open_builder(built["owner"], built["agent_id"], query={"a": "1", "b": "2"})
    assert f"+- {suggestion}" in [line.text for line in page.diff_prompt]
    assert page.deployed_version == 1  # a draft: nothing went live
