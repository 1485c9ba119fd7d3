"""Leads, a lead's page and the do-not-call list as UI states (no browser): pages with attempt counts, the
"Add lead" dialog's refusals under each field, editing and deleting a lead, and the list's add/remove/import
(removal for owners and admins only)."""

from __future__ import annotations

import asyncio
import io

from tests.support.team import person
from tests.support.ui import make_state, redirect_path
from voiceconsole.services.access.actor import SYSTEM
from voiceconsole.services.campaigns import leads
from voiceconsole.services.errors import ValidationFailed
from voiceconsole.ui.state.dnc import DncState
from voiceconsole.ui.state.lead_detail import LeadDetailState, parse_custom
from voiceconsole.ui.state.leads import DEFAULT_FILTERS, LeadsState, field_errors


class Upload:
    """What an rx.upload hands a handler: a name and the bytes."""

    def __init__(self, name: str, data: bytes):
        self.filename, self._data = name, io.BytesIO(data)

    async def read(self, size: int = -1) -> bytes:
        return self._data.read(size)


def test_field_errors_split_known_fields_from_the_rest():
    exc = ValidationFailed(
        "Validation failed",
        [
            {"field": "phone", "message": "Invalid phone number format"},
            {"field": "phone", "message": "second"},
            {"field": "firstName", "message": "At most 100 characters"},
            {"field": "consent", "message": "not on the form"},
        ],
    )
    fields, other = field_errors(exc, ("first_name", "phone"))
    assert fields == {"phone": "Invalid phone number format", "first_name": "At most 100 characters"}
    assert other == "not on the form"
    assert field_errors(ValidationFailed("Nope"), ("phone",)) == ({}, "Nope")
    assert parse_custom("plan = gold\n\n  seats=3 \nflag") == {"plan": "gold", "seats": "3", "flag": ""}


def test_add_lead_refusals_are_shown_under_their_fields(factory):
    org = factory.org()
    owner = person(factory, org, role="owner")
    state = make_state(LeadsState, token=owner.token, path="/leads")
    state.load()
    assert state.rows == [] and state.range_label == "No leads"

    state.set_add_open(True)
    state.add_lead({"phone": "12", "email": "nope", "first_name": "Ada"})
    assert state.add_open and state.add_error == ""
    assert set(state.add_errors) == {"phone", "email"}
    state.add_lead({"phone": "+1 415 555 2671", "first_name": "Ada", "tags": "Spring, vip"})
    assert not state.add_open and state.add_errors == {}
    assert [(r["name"], r["phone"], r["tags"], r["status"]) for r in state.rows] == [
        ("Ada", "+14155552671", "spring, vip", "new")
    ]
    state.set_add_open(True)
    state.add_lead({"phone": "(415) 555-2671"})  # the same number: 409 naming phone
    assert state.add_errors == {"phone": leads.DUPLICATE_PHONE}

    state.set_filter("tag", "vip")
    assert state.total == 1 and state.rows[0]["attempts"] == "0"
    state.set_filter("tag", "other")
    assert state.total == 0 and state.has_filters
    state.clear_filters()
    assert state.filters == DEFAULT_FILTERS and state.total == 1


def test_pages_of_leads(factory):
    org = factory.org()
    owner = person(factory, org, role="owner")
    for i in range(23):
        leads.create_lead(factory.s, org=org, actor=SYSTEM, given={"phone": f"+1415555{2600 + i}"})
    factory.s.commit()
    state = make_state(LeadsState, token=owner.token, path="/leads", query={"tag": ""})
    state.load()
    assert len(state.rows) == 20 and state.range_label == "Showing 1–20 of 23" and state.page_count == 2
    state.next_page()
    assert len(state.rows) == 3 and state.page_label == "Page 2 of 2"
    state.next_page()
    assert state.page == 2


def test_lead_page_edit_and_delete(factory):
    org = factory.org()
    member = person(factory, org, role="member")
    lead = leads.create_lead(
        factory.s, org=org, actor=SYSTEM, given={"phone": "+14155552671", "custom_fields": {"plan": "gold"}}
    )
    factory.s.commit()
    state = make_state(LeadDetailState, token=member.token, path=f"/leads/{lead.id}")
    state.load()
    assert state.lead["phone"] == "+14155552671" and state.lead["custom_fields"] == "plan = gold"
    assert state.attempts == [] and not state.not_found

    form = {**state.lead, "email": "bad", "custom_fields": "1bad = x"}
    state.save(form)
    assert set(state.form_errors) == {"email", "custom_fields"} and state.saved == ""
    state.save({**state.lead, "first_name": "Ada", "tags": "a, b", "status": "contacted"})
    assert state.saved == "Saved." and state.lead["name"] == "Ada" and state.lead["status"] == "contacted"
    assert state.lead["tags"] == "a, b"

    state.ask_delete()
    assert state.confirm_action == "delete"
    events = state.delete()
    assert redirect_path(events[1]) == "/leads"
    state.load()
    assert state.not_found


def test_do_not_call_add_remove_import(factory):
    org = factory.org()
    owner, member = person(factory, org, role="owner"), person(factory, org, role="member")
    leads.create_lead(factory.s, org=org, actor=SYSTEM, given={"phone": "+14155552671"})
    factory.s.commit()

    state = make_state(DncState, token=member.token, path="/dnc")
    state.load()
    assert state.total == 0 and not state.can_manage
    state.add({"phone": "12"})
    assert state.add_errors.get("phone")
    state.add({"phone": "(415) 555-2671", "reason": "Asked"})
    assert state.add_errors == {} and [(r["phone"], r["reason"]) for r in state.rows] == [("+14155552671", "Asked")]
    state.ask_remove("+14155552671")
    state.remove()
    assert state.error and state.total == 1  # members may add, not remove

    csv = b"phone,reason\n+14155552672,import\nnot a number,\n+14155552671,again\n"
    asyncio.run(state.import_file([Upload("dnc.csv", csv)]))
    assert state.import_error == "" and state.total == 2
    assert state.import_summary.startswith("3 rows: 1 added, 1 already listed")
    assert state.import_errors == [{"row": "3", "message": state.import_errors[0]["message"]}]
    asyncio.run(state.import_file([Upload("x.csv", b"\x00\x01binary")]))
    assert "binary" in state.import_error

    state.set_search("2672")
    assert [r["phone"] for r in state.rows] == ["+14155552672"]

    admin_view = make_state(DncState, token=owner.token, path="/dnc")
    admin_view.load()
    admin_view.ask_remove("+14155552671")
    admin_view.remove()
    assert admin_view.error == "" and admin_view.total == 1
    listed = make_state(LeadsState, token=owner.token, path="/leads")
    listed.load()
    assert [r["status"] for r in listed.rows] == ["new"]  # back from do_not_call


def test_client_viewers_are_sent_away(factory):
    org = factory.org()
    viewer = person(factory, org, role="client_viewer", client=factory.client(org))
    state = make_state(LeadsState, token=viewer.token, path="/leads")
    assert redirect_path(state.require_staff()) == "/dashboard"
    state.load()
    assert state.error and state.rows == []
