"""UI states under pytest, without a browser (reflex-notes §5): auth guard, tenant isolation, forms."""

from __future__ import annotations

import pytest

from tests.support.ui import make_state, redirect_path
from voiceconsole.ui import format as fmt
from voiceconsole.ui.state.agents import AgentsState
from voiceconsole.ui.state.api_keys import ApiKeysState
from voiceconsole.ui.state.auth import AuthState
from voiceconsole.ui.state.call_detail import CallDetailState
from voiceconsole.ui.state.calls import CallsState
from voiceconsole.ui.state.login import LoginState


@pytest.fixture
def two_tenants(factory):
    """Org A with a signed-in owner and two calls; org B with one call that A must never see."""
    org_a, org_b = factory.org(name="Agency A"), factory.org(name="Agency B")
    agent_a, agent_b = factory.agent(org_a, name="A desk"), factory.agent(org_b, name="B desk")
    calls_a = [
        factory.call(org_a, agent_a, summary="A: booked a cleaning"),
        factory.call(org_a, agent_a, summary="A: asked about prices", sentiment="Negative"),
    ]
    call_b = factory.call(org_b, agent_b, summary="B: secret booking for zebra", sentiment="Negative")
    _, token_a = factory.user_session(org_a)
    return {"org_a": org_a, "org_b": org_b, "calls_a": calls_a, "call_b": call_b, "token_a": token_a}


# --- auth -------------------------------------------------------------------------------------


def test_anonymous_require_login_redirects_to_login():
    auth = make_state(AuthState)
    assert redirect_path(auth.require_login()) == "/login"
    assert auth.is_authenticated is False


def test_unknown_cookie_redirects_and_clears_identity():
    auth = make_state(AuthState, token="not-a-real-session")
    auth.user_email = "stale@example.com"  # left over from an earlier session in this tab
    assert redirect_path(auth.require_login()) == "/login"
    assert auth.user_email == "" and auth.is_authenticated is False


def test_valid_cookie_loads_identity(factory):
    org = factory.org(name="Acme Voice")
    user, token = factory.user_session(org, role="admin")
    auth = make_state(AuthState, token=token)
    assert redirect_path(auth.require_login()) is None
    assert (auth.user_email, auth.org_name, auth.role) == (user.email, "Acme Voice", "admin")
    assert auth.is_authenticated is True
    assert auth._org_id == org.id  # ids stay backend-only


def test_page_handlers_redirect_anonymous_users():
    for cls in (CallsState, CallDetailState, AgentsState, ApiKeysState):
        state = make_state(cls, path="/calls/cl_x" if cls is CallDetailState else "/calls")
        assert redirect_path(state.load()) == "/login", cls.__name__


# --- tenant isolation -------------------------------------------------------------------------


def test_calls_list_never_contains_another_orgs_calls(two_tenants):
    calls = make_state(CallsState, token=two_tenants["token_a"])
    calls.load()
    ids = {row["id"] for row in calls.rows}
    assert ids == {c.public_id for c in two_tenants["calls_a"]}
    assert two_tenants["call_b"].public_id not in ids
    assert calls.total == 2
    # Not even through a filter that matches only org B's call.
    calls.set_filter("search", "zebra")
    assert calls.rows == [] and calls.total == 0
    calls.set_filter("search", "")
    calls.set_filter("sentiment", "Negative")
    assert [row["id"] for row in calls.rows] == [two_tenants["calls_a"][1].public_id]


def test_call_detail_of_another_org_is_not_found(two_tenants):
    detail = make_state(CallDetailState, token=two_tenants["token_a"], path=f"/calls/{two_tenants['call_b'].public_id}")
    assert detail.load() is None
    assert detail.not_found is True
    assert detail.call == {} and detail.turns == [] and detail.notes == []


def test_call_detail_of_own_call_loads(two_tenants):
    own = two_tenants["calls_a"][0]
    detail = make_state(CallDetailState, token=two_tenants["token_a"], path=f"/calls/{own.public_id}")
    detail.load()
    assert detail.not_found is False
    assert detail.call["id"] == own.public_id
    assert detail.call["duration"] == "01:00" and detail.call["band"] == "excellent"
    assert [t["side"] for t in detail.turns] == ["agent", "caller"]
    assert detail.turns[1]["at"] == "00:03"


def test_cannot_write_notes_or_tags_on_another_orgs_call(two_tenants, db):
    from sqlmodel import select

    from voiceconsole.models import CallNote, CallTag

    b_id = two_tenants["call_b"].id
    detail = make_state(CallDetailState, token=two_tenants["token_a"], path=f"/calls/{two_tenants['call_b'].public_id}")
    detail.submit_note({"body": "sneaky"})
    assert detail.note_error == "Call not found"
    detail.submit_tag({"tag": "sneaky"})
    assert detail.tag_error == "Call not found"
    assert db.exec(select(CallNote).where(CallNote.call_id == b_id)).all() == []
    assert db.exec(select(CallTag).where(CallTag.call_id == b_id)).all() == []


# --- calls list behaviour ---------------------------------------------------------------------


def test_filter_change_resets_to_first_page(factory):
    org = factory.org()
    agent = factory.agent(org)
    for _ in range(25):
        factory.call(org, agent)
    _, token = factory.user_session(org)
    calls = make_state(CallsState, token=token)
    calls.load()
    assert calls.range_label == "Showing 1–20 of 25" and calls.page_count == 2
    calls.next_page()
    assert calls.page == 2 and len(calls.rows) == 5 and calls.range_label == "Showing 21–25 of 25"
    calls.set_filter("status", "ended")
    assert calls.page == 1 and len(calls.rows) == 20
    calls.set_filter("unknown_filter", "x")  # ignored, not an error
    assert calls.filters["status"] == "ended"
    calls.clear_filters()
    assert calls.has_filters is False


def test_notes_and_tags_on_own_call(two_tenants):
    own = two_tenants["calls_a"][0]
    detail = make_state(CallDetailState, token=two_tenants["token_a"], path=f"/calls/{own.public_id}")
    detail.load()
    detail.submit_note({"body": "   "})
    assert detail.note_error == "Note must not be empty" and detail.notes == []
    detail.submit_note({"body": "Follow up on Tuesday"})
    assert detail.note_error == "" and [n["body"] for n in detail.notes] == ["Follow up on Tuesday"]
    detail.submit_tag({"tag": "VIP, callback"})
    assert detail.tags == ["callback", "vip"]
    detail.remove_tag("vip")
    assert detail.tags == ["callback"]


def test_client_viewer_cannot_write(factory):
    org = factory.org()
    client = factory.client(org)
    agent = factory.agent(org, client=client)
    call = factory.call(org, agent)
    _, token = factory.user_session(org, role="client_viewer", client=client)
    detail = make_state(CallDetailState, token=token, path=f"/calls/{call.public_id}")
    detail.load()
    assert detail.can_edit is False
    detail.submit_note({"body": "hello"})
    assert detail.note_error == "Client viewers have read-only access"


# --- API keys and login -----------------------------------------------------------------------


def test_api_key_shown_once_then_revoked(factory):
    org = factory.org()
    _, token = factory.user_session(org, role="owner")
    keys = make_state(ApiKeysState, token=token, path="/settings/api-keys")
    keys.load()
    keys.create_key({"name": ""})
    assert keys.create_error == "Name must be 1–100 characters"
    keys.create_key({"name": "Zapier"})
    assert keys.new_key.startswith("viq_") and len(keys.new_key) >= 36
    assert [k["name"] for k in keys.keys] == ["Zapier"]
    assert keys.keys[0]["prefix"] == keys.new_key[:8] + "…"
    keys.load()  # the full key is never shown again
    assert keys.new_key == ""
    keys.ask_revoke(keys.keys[0]["id"], "Zapier")
    assert keys.revoke_open is True
    keys.confirm_revoke()
    assert keys.keys == [] and keys.revoke_open is False


def test_members_cannot_manage_api_keys(factory):
    org = factory.org()
    _, token = factory.user_session(org, role="member")
    keys = make_state(ApiKeysState, token=token, path="/settings/api-keys")
    keys.load()
    assert keys.error == "Only owners and admins manage API keys."
    keys.create_key({"name": "Sneaky"})
    assert keys.create_error == "Only owners and admins manage API keys." and keys.new_key == ""


def test_login_form(capsys):
    login = make_state(LoginState, path="/login?error=expired", query={"error": "expired"})
    assert login.on_load() is None
    assert "expired" in login.notice
    login.send_link({"email": "not-an-email"})
    assert login.error == "Enter a valid email address" and login.sent_to == ""
    login.send_link({"email": "New.Person@Example.com"})
    assert login.error == "" and login.sent_to == "New.Person@Example.com"
    assert "/api/auth/magic?token=" in capsys.readouterr().out


def test_login_page_sends_signed_in_users_to_the_dashboard(factory):
    _, token = factory.user_session(factory.org())
    login = make_state(LoginState, token=token, path="/login")
    assert redirect_path(login.on_load()) == "/dashboard"


# --- formatting -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "score,band",
    [
        (None, "none"),
        (0, "poor"),
        (39, "poor"),
        (40, "attention"),
        (59, "attention"),
        (60, "good"),
        (79, "good"),
        (80, "excellent"),
        (100, "excellent"),
    ],
)
def test_score_bands(score, band):
    assert fmt.score_band(score) == band


def test_formatting():
    assert fmt.mmss(None) == "—" and fmt.mmss(5.4) == "00:05" and fmt.mmss(754) == "12:34"
    assert fmt.mmss(3725) == "1:02:05"
    assert fmt.usd(0.4212) == "$0.42" and fmt.usd(1234.5) == "$1,234.50" and fmt.usd(0.004) == "$0.0040"
    assert fmt.datetime_label("2025-03-04T13:05:00Z", "America/New_York") == "Mar 4, 2025 08:05"
    assert fmt.truncate("a " * 100, 10).endswith("…")
