"""The client portal's states under pytest: guards on the agency's own pages, what a client viewer's pages
show (no cost card, no agent configuration unless shown), branding, the weekly report and the switches."""

from __future__ import annotations

import struct
import zlib

from tests.support.ui import make_state, redirect_path
from voiceconsole.ui.state.api_keys import ApiKeysState
from voiceconsole.ui.state.auth import AuthState
from voiceconsole.ui.state.branding import BrandingState
from voiceconsole.ui.state.client_portal import ClientPortalState
from voiceconsole.ui.state.dashboard import DashboardState
from voiceconsole.ui.state.report import ReportState


def _png() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    ihdr = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", ihdr)
        + chunk(b"IDAT", zlib.compress(b"\x00\xff\x00\x00"))
        + chunk(b"IEND", b"")
    )


def _agency(factory):
    org = factory.org(name="Sunrise Voice")
    mine, theirs = factory.client(org, "Bright Smile"), factory.client(org, "Hidden Co")
    my_agent, their_agent = factory.agent(org, client=mine, name="Ava"), factory.agent(org, client=theirs, name="Zed")
    calls = [factory.call(org, my_agent, score=s) for s in (90, 40, 70)]
    factory.call(org, their_agent, score=10)
    _, viewer = factory.user_session(org, role="client_viewer", client=mine)
    _, owner = factory.user_session(org, role="owner")
    return org, mine, theirs, calls, viewer, owner


def test_staff_pages_send_client_viewers_to_their_portal(factory):
    _, _, _, _, viewer, owner = _agency(factory)
    for path in ("/settings/api-keys", "/settings/integrations", "/settings/branding", "/clients"):
        state = make_state(ApiKeysState, token=viewer, path=path)
        assert redirect_path(state.require_staff()) == "/dashboard", path
        assert state.is_client_viewer
    staff = make_state(ApiKeysState, token=owner, path="/settings/api-keys")
    assert staff.require_staff() is None and not staff.is_client_viewer
    assert redirect_path(make_state(ApiKeysState, path="/settings/api-keys").require_staff()) == "/login"


def test_a_viewer_sees_no_costs_and_the_agency_branding(db, factory):
    from voiceconsole.services import branding
    from voiceconsole.services.access.actor import Actor

    org, _mine, _, _, viewer, owner = _agency(factory)
    boss = Actor(kind="user", id="x", display="boss", role="owner")
    branding.update_branding(db, org=org, actor=boss, accent_color="#ff6600")
    branding.set_logo(db, org=org, actor=boss, data=_png())
    db.commit()

    dash = make_state(DashboardState, token=viewer, path="/dashboard")
    dash.require_login()
    assert (dash.sees_costs, dash.sees_agent_config) == (False, False)
    assert dash.brand_accent == "#ff6600" and dash.brand_logo_url.startswith("/api/v1/branding/logo?v=")
    assert "--accent-9: #ff6600" in dash.brand_css
    dash.load()
    assert "cost" not in {k["key"] for k in dash.kpis}
    assert [r["name"] for r in dash.client_rows] == ["Bright Smile"]
    assert [r["name"] for r in dash.agent_rows] == ["Ava"]

    staff = make_state(DashboardState, token=owner, path="/dashboard")
    staff.require_login()
    assert staff.sees_costs and staff.brand_css == "" and staff.brand_logo_url == ""
    staff.load()
    assert "cost" in {k["key"] for k in staff.kpis}


def test_the_weekly_report_is_the_viewers_client(factory):
    _, mine, theirs, calls, viewer, owner = _agency(factory)
    report = make_state(ReportState, token=viewer, path="/report")
    assert report.load() is None
    assert report.title == "Weekly report · Bright Smile" and not report.not_found
    assert [r["id"] for r in report.best] == [calls[0].public_id, calls[2].public_id, calls[1].public_id]
    assert report.worst[0]["id"] == calls[1].public_id
    assert "cost" not in {k["key"] for k in report.kpis}
    assert f"clientId={mine.public_id}" in report.calls_href
    other = make_state(ReportState, token=viewer, path=f"/report?client={theirs.public_id}")
    other.load()
    assert other.not_found
    agency = make_state(ReportState, token=owner, path="/report")
    agency.load()
    assert agency.title == "Weekly report" and len(agency.best) == 3


def test_branding_form_keeps_what_was_typed_and_names_the_problem(factory):
    _, _, _, _, _viewer, owner = _agency(factory)
    form = make_state(BrandingState, token=owner, path="/settings/branding")
    form.load()
    assert form.name_input == "Sunrise Voice" and form.accent_input == ""
    form.set_name_input("Sunrise Agency")
    form.set_accent_input("orange")
    form.save()
    assert form.accent_error and not form.name_error
    assert (form.name_input, form.accent_input) == ("Sunrise Agency", "orange")  # nothing typed is lost
    form.set_accent_input("#F60")
    assert form.accent_error == "" and form.accent_preview == "#ff6600"
    form.save()
    assert form.saved and form.accent_input == "#ff6600" and form.org_name == "Sunrise Agency"


def test_managers_switch_what_the_viewers_see(db, factory):
    _, mine, _, _, viewer, owner = _agency(factory)
    card = make_state(ClientPortalState, token=owner, path=f"/clients/{mine.public_id}")
    card.load()
    assert card.portal_client_id == mine.public_id and (card.show_costs, card.show_agent_config) == (False, False)
    card.set_show_costs(True)
    assert card.show_costs and card.portal_error == ""
    seen = make_state(AuthState, token=viewer, path="/dashboard")
    seen.require_login()
    assert seen.sees_costs and not seen.sees_agent_config
    member_view = make_state(ClientPortalState, token=viewer, path=f"/clients/{mine.public_id}")
    member_view.load()
    member_view.set_show_agent_config(True)
    assert member_view.portal_error  # refused: owners and admins only
