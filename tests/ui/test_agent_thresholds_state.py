"""Settings → Scoring's agent thresholds as a UI state under pytest: the page offers what its text promises
(an agent's own alert threshold), keeps what was typed when the service refuses it, and who may change it."""

from __future__ import annotations

from sqlmodel import select

from tests.support.ui import make_state
from voiceconsole.models import AgentScoring
from voiceconsole.ui.state.agent_thresholds import AgentThresholdState, threshold_rows


def _agency(factory):
    org = factory.org()
    acme = factory.client(org, "Acme")
    desk = factory.agent(org, client=acme, name="Acme – Front Desk")
    sales = factory.agent(org, client=acme, name="Acme – Sales", platform="vapi")
    _, owner = factory.user_session(org)
    _, member = factory.user_session(org, role="member")
    return org, desk, sales, owner, member


def _stored(db, agent) -> int | None:
    db.expire_all()
    row = db.exec(select(AgentScoring).where(AgentScoring.agent_id == agent.id)).first()
    return None if row is None else row.alert_threshold


def test_threshold_rows_split_agents_with_and_without_their_own():
    settings = {"agents": [{"agentId": "a1", "agentName": "Front Desk", "alertThreshold": 55}]}
    agents = [
        {"id": "a1", "name": "Front Desk", "platform": "retell"},
        {"id": "a2", "name": "Front Desk", "platform": "vapi"},
    ]
    own, others = threshold_rows(settings, agents)
    assert own == [
        {"id": "a1", "name": "Front Desk", "short_name": "Front Desk", "platform": "retell", "threshold": "55"}
    ]
    assert others == [{"id": "a2", "name": "Front Desk · Vapi"}]  # two agents of one name: the platform tells


def test_an_owner_sets_changes_and_clears_an_agents_threshold(db, factory):
    _org, desk, sales, owner, _ = _agency(factory)
    page = make_state(AgentThresholdState, token=owner, path="/settings/scoring")
    assert page.load() is None
    assert page.agent_thresholds == [] and {a["id"] for a in page.agents_without_threshold} == {
        desk.platform_agent_id,
        sales.platform_agent_id,
    }

    page.open_agent_editor(desk.platform_agent_id)
    assert page.agent_editor_open and page.edit_agent_name.startswith("Acme – Front Desk")
    page.set_edit_agent_threshold("55")
    page.save_agent_threshold()
    assert not page.agent_editor_open and _stored(db, desk) == 55
    assert [(r["id"], r["threshold"]) for r in page.agent_thresholds] == [(desk.platform_agent_id, "55")]
    assert [a["id"] for a in page.agents_without_threshold] == [sales.platform_agent_id]

    # Out of range: the service says why, the dialog keeps what was typed, nothing is stored.
    page.open_agent_editor(desk.platform_agent_id)
    assert page.edit_agent_threshold == "55"
    page.set_edit_agent_threshold("140")
    page.save_agent_threshold()
    assert page.agent_editor_open and page.edit_agent_threshold == "140" and page.edit_agent_error != ""
    assert _stored(db, desk) == 55
    page.set_edit_agent_threshold("")
    page.save_agent_threshold()
    assert page.agent_editor_open and "Clear" in page.edit_agent_error
    page.set_agent_editor_open(False)
    assert not page.agent_editor_open and page.edit_agent_error == ""

    page.clear_agent_threshold(desk.platform_agent_id, "Acme – Front Desk")
    assert _stored(db, desk) is None and page.agent_thresholds == []


def test_a_member_sees_the_thresholds_but_cannot_change_them(db, factory):
    _org, desk, _sales, owner, member = _agency(factory)
    setter = make_state(AgentThresholdState, token=owner, path="/settings/scoring")
    setter.load()
    setter.open_agent_editor(desk.platform_agent_id)
    setter.set_edit_agent_threshold("45")
    setter.save_agent_threshold()

    page = make_state(AgentThresholdState, token=member, path="/settings/scoring")
    page.load()
    assert not page.can_manage and [r["threshold"] for r in page.agent_thresholds] == ["45"]
    page.clear_agent_threshold(desk.platform_agent_id, "Acme – Front Desk")  # refused by the service
    assert _stored(db, desk) == 45
