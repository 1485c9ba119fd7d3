"""The campaign form as plain data: the calling window in words, the form → the service's payload, and a saved
draft back into the form (ui/state/campaign_fields.py)."""

from __future__ import annotations

from datetime import UTC, datetime

from voiceconsole.ui.state.campaign_fields import NONE, CampaignForm, VariableRow, form_of, payload, window_words


def test_window_in_words():
    assert window_words([1, 2, 3, 4, 5], "09:00", "20:00") == (
        True,
        "Calls Monday to Friday between 09:00 and 20:00 in each lead's own time zone; a lead in Tokyo is called "
        "on Tokyo time, one in New York on New York time.",
    )
    assert window_words([7, 1, 2, 3, 4, 5, 6], "00:00", "24:00")[1].startswith("Calls every day at any hour in")
    assert window_words([1, 3, 5], "08:30", "12:00")[1].startswith(
        "Calls Monday, Wednesday and Friday between 08:30 and 12:00"
    )
    assert window_words([6, 7], "10:00", "16:00")[1].startswith("Calls Saturday and Sunday between")
    assert window_words([1, 2, 3, 5, 6, 7], "09:00", "17:00")[1].startswith(
        "Calls Monday to Wednesday and Friday to Sunday between"
    )
    assert window_words([], "09:00", "17:00") == (False, "Choose at least one day of the week")
    assert window_words([1], "18:00", "09:00") == (False, "The window must end after it starts (the same day)")


def test_payload_has_every_field_the_service_takes():
    form = CampaignForm(
        name="Spring",
        client_id="cli_1",
        agent_id="agent_9",
        caller_number=" +14155550100 ",
        audience_tag="spring",
        starts_at="2026-03-02T09:30",
        window_days=[5, 1, 1],
        window_start="08:00",
        window_end="24:00",
        max_concurrent="2",
        max_attempts="3x",  # passed on as typed: the service names the field
        retry_delay_minutes="30",
        retry_outcomes=["voicemail", "no_answer"],
        voicemail_message="Call us back",
        variables=[VariableRow("first_name", "first_name"), VariableRow("plan", "custom", "plan"), VariableRow()],
        success="booked",
    )
    given = payload(form, "Europe/Paris")
    assert given == {
        "name": "Spring",
        "client_id": "cli_1",
        "agent_id": "agent_9",
        "caller_number": "+14155550100",
        "audience": {"kind": "tag", "tag": "spring"},
        "starts_at": "2026-03-02T09:30:00+01:00",  # the organization's wall clock
        "ends_at": None,
        "window": {"days": [1, 5], "start": "08:00", "end": "24:00"},
        "max_concurrent": 2,
        "max_attempts": "3x",
        "retry_delay_minutes": 30,
        "retry_outcomes": ["no_answer", "voicemail"],
        "leave_voicemail": True,
        "voicemail_message": "Call us back",
        "variables": {"first_name": "first_name", "plan": "custom.plan"},
        "success_rule": {"kind": "field", "field": "booked"},
    }
    assert (
        payload(CampaignForm(client_id=NONE, leave_voicemail=False, voicemail_message="x"), "UTC")["voicemail_message"]
        is None
    )


def test_audiences_and_success_rules():
    assert payload(CampaignForm(audience_kind="leads", lead_ids="lead_a, lead_b\nlead_a"), None)["audience"] == {
        "kind": "leads",
        "leadIds": ["lead_a", "lead_b"],
    }
    filtered = CampaignForm(audience_kind="filter", filter_status="new", filter_client="cli_2", audience_tag="")
    assert payload(filtered, None)["audience"] == {"kind": "filter", "status": "new", "clientId": "cli_2"}
    assert payload(CampaignForm(audience_kind="filter"), None)["audience"] == {"kind": "filter"}
    assert payload(CampaignForm(success="successful"), None)["success_rule"] == {"kind": "successful"}
    custom = CampaignForm(success="field", success_field=" won ")
    assert payload(custom, None)["success_rule"] == {"kind": "field", "field": "won"}
    assert payload(CampaignForm(success="transferred"), None)["success_rule"] == {"kind": "transferred"}
    assert payload(CampaignForm(success="scorer"), None)["success_rule"] == {"kind": "scorer", "min": 70}


def test_a_saved_draft_fills_the_form_again():
    from voiceconsole.schemas.campaigns import CallingWindow, CampaignOut

    at = datetime(2026, 3, 2, 8, 30, tzinfo=UTC)
    out = CampaignOut(
        id="cmp_1",
        name="Spring",
        client_id=None,
        agent_id="agent_9",
        agent_name="Outbound",
        platform="retell",
        caller_number="+14155550100",
        audience={"kind": "leads", "leadIds": ["lead_a", "lead_b"]},
        starts_at=at,
        ends_at=None,
        window=CallingWindow(days=[1, 2], start="08:00", end="18:00", description=""),
        max_concurrent=4,
        max_attempts=2,
        retry_delay_minutes=15,
        retry_outcomes=["busy"],
        leave_voicemail=False,
        voicemail_message=None,
        variables={"plan": "custom.plan", "name": "first_name"},
        success_rule={"kind": "field", "field": "appointment"},
        status="draft",
        paused_reason=None,
        progress=None,
        created_by="x",
        created_at=at,
        updated_at=at,
        started_at=None,
        paused_at=None,
        finished_at=None,
    )
    form = form_of(out, "Europe/Paris")
    assert form.client_id == NONE and form.audience_kind == "leads" and form.lead_ids == "lead_a\nlead_b"
    assert form.starts_at == "2026-03-02T09:30" and form.ends_at == ""
    assert (form.max_concurrent, form.max_attempts, form.retry_delay_minutes) == ("4", "2", "15")
    assert form.variables == [VariableRow("plan", "custom", "plan"), VariableRow("name", "first_name")]
    assert (form.success, form.success_field) == ("field", "appointment")
    again = payload(form, "Europe/Paris")
    assert again["starts_at"] == "2026-03-02T09:30:00+01:00" and again["variables"] == out.variables
    assert again["success_rule"] == out.success_rule and again["audience"] == out.audience
