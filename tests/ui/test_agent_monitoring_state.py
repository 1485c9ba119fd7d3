"""Monitored agents in the UI states under pytest: the agents table and an agent's page show "Not monitored"
with the reason, owners and admins monitor or stop, and the plan's limit shows inline with the plan that lifts
it (the service's rules: tests/services/billing/test_monitoring.py)."""

from __future__ import annotations

import pytest

from tests.support.ui import make_state
from voiceconsole.ui.state.agent_detail import AgentDetailState
from voiceconsole.ui.state.agents import AgentsState

FREE_HINT = "Free includes 1 monitored agent. Upgrade to Pro for 15."

pytestmark = pytest.mark.usefixtures("no_jobs_left_behind")


@pytest.fixture
def free(factory):
    from voiceconsole.services.billing.monitoring import apply_plan_limits

    org = factory.org(plan="free")
    busy = factory.agent(org, name="Busy")
    factory.call(org, busy)
    quiet = factory.agent(org, name="Quiet")
    apply_plan_limits(factory.s, org)
    factory.s.commit()
    _, owner = factory.user_session(org)
    _, member = factory.user_session(org, role="member")
    return {"busy": busy.platform_agent_id, "quiet": quiet.platform_agent_id, "owner": owner, "member": member}


def _rows(page) -> dict[str, tuple[str, str]]:
    return {a["id"]: (a["not_monitored"], a["monitoring_reason"]) for a in page.agents}


def test_the_agents_table_shows_who_is_not_monitored_and_owners_swap(free):
    page = make_state(AgentsState, token=free["owner"], path="/agents")
    page.load()
    assert page.can_manage
    assert _rows(page) == {free["busy"]: ("", ""), free["quiet"]: ("yes", f"Not monitored: {FREE_HINT}")}

    page.set_agent_monitoring(free["busy"], True)  # turned on: it holds the plan's one agent
    assert page.monitoring_error == ""
    page.set_agent_monitoring(free["quiet"], True)
    assert page.monitoring_error == FREE_HINT  # inline, and as a toast
    assert _rows(page)[free["quiet"]][0] == "yes"

    page.set_agent_monitoring(free["busy"], False)
    page.set_agent_monitoring(free["quiet"], True)
    assert page.monitoring_error == ""
    assert _rows(page) == {
        free["busy"]: ("yes", "Not monitored: turned off by the agency"),
        free["quiet"]: ("", ""),
    }


def test_members_see_the_reason_but_cannot_change_it(free):
    page = make_state(AgentsState, token=free["member"], path="/agents")
    page.load()
    assert not page.can_manage and _rows(page)[free["quiet"]][0] == "yes"
    page.set_agent_monitoring(free["quiet"], True)
    assert page.monitoring_error == "Only owners and admins manage which agents are monitored."


def test_an_agents_page_shows_the_reason_and_monitors_it(free):
    page = make_state(AgentDetailState, token=free["owner"], path=f"/agents/{free['quiet']}")
    page.load()
    assert page.monitored is False and page.monitoring_reason == f"Not monitored: {FREE_HINT}"
    page.set_agent_monitoring(True)  # takes the slot of the agent chosen automatically
    assert page.monitored is True and page.monitoring_reason == "" and page.monitoring_error == ""
