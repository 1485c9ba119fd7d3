"""The campaign pages as UI states (no browser): the form keeps what was typed and shows the service's field
errors, then saves; the list with its figures and status filter; the campaign page's tiles, charts and attempts,
its transitions (a 409's message), the cancel confirmation, and what members and client viewers get."""

from __future__ import annotations

from tests.support.team import person
from tests.support.ui import make_state, redirect_path
from voiceconsole.ui.state.campaign_detail import CampaignDetailState
from voiceconsole.ui.state.campaign_form import NOT_SAVED, CampaignFormState
from voiceconsole.ui.state.campaigns import CampaignsState


def _setup(factory, *, leads: int = 2):
    from voiceconsole.models import Agent
    from voiceconsole.services.access.actor import SYSTEM
    from voiceconsole.services.campaigns.leads import create_lead

    org = factory.org()
    integration = factory.integration(org, platform="retell")
    agent = Agent(
        organization_id=org.id,
        integration_id=integration.id,
        platform="retell",
        platform_agent_id=f"agent_{org.id}",
        name="Outbound",
    )
    factory.s.add(agent)
    factory.agent(org, platform="elevenlabs", name="Inbound desk")  # not a dialer: not offered
    for i in range(leads):
        create_lead(factory.s, org=org, actor=SYSTEM, given={"phone": f"+141555503{i:02d}", "tags": ["spring"]})
    factory.s.commit()
    return org, agent


def _fill(form, agent) -> None:
    form.set_field("name", "Spring calls")
    form.set_field("agent_id", agent.platform_agent_id)
    form.set_field("caller_number", "4155550100")  # not E.164
    form.set_field("audience_tag", "spring")
    form.set_field("max_attempts", "0")
    form.toggle_day(6, True)
    form.set_field("window_start", "00:00")
    form.set_field("window_end", "24:00")


def test_the_form_keeps_what_was_typed_shows_field_errors_then_saves(factory):
    org, agent = _setup(factory)
    owner = person(factory, org, role="owner")
    form = make_state(CampaignFormState, token=owner.token, path="/campaigns/new")
    form.load()
    assert form.editing_id == "" and form.blocked == "" and form.page_title == "New campaign"
    assert [a["id"] for a in form.agent_options] == [agent.platform_agent_id]  # Retell and Vapi agents only
    assert form.window_text.startswith("Calls Monday to Friday between 09:00 and 20:00")
    _fill(form, agent)
    assert form.window_text.startswith("Calls Monday to Saturday at any hour in each lead's own time zone")
    assert "E.164" in form.caller_hint

    form.save()
    assert form.form_error == NOT_SAVED and not form.saving
    assert set(form.errors) == {"callerNumber", "maxAttempts"} and "E.164" in form.errors["callerNumber"]
    assert (form.name, form.caller_number, form.audience_tag, form.max_attempts) == (
        "Spring calls",
        "4155550100",
        "spring",
        "0",
    )

    form.set_field("caller_number", "+14155550100")
    form.set_field("max_attempts", "2")
    form.add_variable()
    form.set_variable(0, "name", "plan")
    form.set_variable(0, "source", "custom")
    form.set_variable(0, "custom", "plan")
    events = form.save()
    assert form.errors == {} and form.form_error == ""
    cid = redirect_path(events[1]).rsplit("/", 1)[-1]
    from voiceconsole.services.access.actor import SYSTEM
    from voiceconsole.services.campaigns import campaigns

    out = campaigns.get_campaign(factory.s, org=org, actor=SYSTEM, campaign_id=cid)
    assert out.window.days == [1, 2, 3, 4, 5, 6] and (out.window.start, out.window.end) == ("00:00", "24:00")
    assert out.max_attempts == 2 and out.variables == {"plan": "custom.plan"}

    edit = make_state(CampaignFormState, token=owner.token, path=f"/campaigns/{cid}/edit")
    edit.load()
    assert edit.editing_id == cid and edit.page_title == "Edit campaign" and edit.name == "Spring calls"
    edit.set_field("name", "Spring calls 2")
    edit.save()
    assert campaigns.get_campaign(factory.s, org=org, actor=SYSTEM, campaign_id=cid).name == "Spring calls 2"

    campaigns.start_campaign(factory.s, org=org, actor=SYSTEM, campaign_id=cid)
    factory.s.commit()
    edit.load()
    assert edit.blocked == "This campaign is running: only a draft can be changed."
    member = person(factory, org, role="member")
    refused = make_state(CampaignFormState, token=member.token, path="/campaigns/new")
    refused.load()
    assert refused.blocked == "Only owners and admins create and change campaigns."


def test_list_detail_transitions_and_cancel(factory):
    from voiceconsole.services.access.actor import SYSTEM
    from voiceconsole.services.campaigns import campaigns

    org, agent = _setup(factory)
    given = {
        "name": "Renewals",
        "agent_id": agent.platform_agent_id,
        "caller_number": "+14155550100",
        "audience": {"kind": "tag", "tag": "spring"},
    }
    draft = campaigns.create_campaign(factory.s, org=org, actor=SYSTEM, given=given)
    started = campaigns.create_campaign(factory.s, org=org, actor=SYSTEM, given={**given, "name": "Live"})
    campaigns.start_campaign(factory.s, org=org, actor=SYSTEM, campaign_id=started.id)
    factory.s.commit()
    owner = person(factory, org, role="owner")

    listed = make_state(CampaignsState, token=owner.token, path="/campaigns")
    listed.load()
    assert [r.name for r in listed.rows] == ["Live", "Renewals"]
    live, idle = listed.rows
    assert (live.status, live.progress_text, live.progress_pct, live.connected) == ("running", "0 / 2", 0, "—")
    assert (idle.progress_text, idle.conversions, idle.href) == ("Not started", "—", f"/campaigns/{draft.id}")
    listed.set_status_filter("draft")
    assert [r.id for r in listed.rows] == [draft.id]

    page = make_state(CampaignDetailState, token=owner.token, path=f"/campaigns/{started.id}")
    page.load()
    assert page.campaign["name"] == "Live" and page.status == "running" and page.is_live
    assert (page.settled, page.leads, page.progress_pct) == (0, 2, 0)
    assert {k["key"]: k["value"] for k in page.kpis}["leads"] == "2"
    assert [p["value"] for p in page.funnel] == [2, 0, 0, 0] and page.per_hour == []
    assert page.campaign["window"].startswith("Calls Monday to Friday between 09:00 and 20:00")

    page.pause()
    assert page.status == "paused" and not page.paused_by_system  # paused by a person
    page.pause()  # the page is stale: the service's 409 is shown
    assert page.action_error == "The campaign is paused; pause needs: scheduled, running"
    page.resume()
    assert page.status == "running"
    campaigns.pause_for(factory.s, campaigns.find_campaign(factory.s, org, started.id), "Retell refused the key")
    factory.s.commit()
    page.refresh()
    assert page.paused_by_system and page.campaign["reason"] == "Retell refused the key"

    page.ask_cancel()
    assert page.confirm_action == "cancel" and page.confirm_label == "Live"
    page.set_confirm_open(False)
    assert page.cancel() is None and page.status == "paused"  # closed without confirming
    page.ask_cancel()
    page.cancel()
    assert page.status == "cancelled" and not page.is_live

    missing = make_state(CampaignDetailState, token=owner.token, path="/campaigns/cmp_nope")
    missing.load()
    assert missing.not_found
