"""Sign-in's UI states under pytest (no browser): the login page's provider buttons (only when configured)
and its explanations, Settings → Security (sessions, signing one or all out) and Settings → Audit log
(owners and admins; filters; paging)."""

from __future__ import annotations

import pytest
from sqlmodel import select

from tests.support.ui import make_state, redirect_path
from voiceconsole.models import UserSession
from voiceconsole.settings import get_settings
from voiceconsole.ui.state.audit_log import PER_PAGE, AuditLogState
from voiceconsole.ui.state.login import LoginState
from voiceconsole.ui.state.security import SecurityState

PHONE = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 Version/17.5 Safari/604.1"


@pytest.fixture
def providers_configured(monkeypatch):
    monkeypatch.setenv("VOICECONSOLE_OIDC_ISSUER", "https://login.acme.example")
    monkeypatch.setenv("VOICECONSOLE_OIDC_CLIENT_ID", "x")
    monkeypatch.setenv("VOICECONSOLE_OIDC_CLIENT_SECRET", "y")
    monkeypatch.setenv("VOICECONSOLE_OIDC_NAME", "Acme SSO")
    monkeypatch.setenv("VOICECONSOLE_GOOGLE_CLIENT_ID", "g")
    monkeypatch.setenv("VOICECONSOLE_GOOGLE_CLIENT_SECRET", "s")
    get_settings.cache_clear()
    yield
    monkeypatch.undo()
    get_settings.cache_clear()


def test_the_login_page_shows_no_provider_buttons_unless_configured():
    state = make_state(LoginState, path="/login")
    state.on_load()
    assert state.providers == [] and state.notice == ""


def test_the_login_page_shows_a_button_per_configured_provider(providers_configured):
    state = make_state(LoginState, path="/login")
    state.on_load()
    assert state.providers == [
        {"name": "google", "label": "Sign in with Google", "href": "/api/auth/google/login"},
        {"name": "oidc", "label": "Sign in with Acme SSO", "href": "/api/auth/oidc/login"},
    ]


@pytest.mark.parametrize(
    ("error", "words"),
    [
        ("provider_unavailable", "Acme SSO cannot be reached"),
        ("sign_in_failed", "did not complete"),
        ("unverified_email", "not verified your email"),
        ("no_account", "Ask your agency to invite you"),
    ],
)
def test_the_login_page_explains_why_a_provider_sign_in_came_back(providers_configured, error, words):
    state = make_state(LoginState, path=f"/login?error={error}&provider=oidc", query={"error": error})
    state.on_load()
    assert words in state.notice


@pytest.mark.parametrize(
    ("error", "words"),
    [("invitation", "Ask the agency to resend it"), ("seats_full", "used every team seat its plan includes")],
)
def test_the_login_page_explains_why_an_invitation_link_came_back(error, words):
    state = make_state(LoginState, path=f"/login?error={error}", query={"error": error})
    state.on_load()
    assert words in state.notice


def test_security_lists_sessions_and_signs_one_out(factory, db):
    from voiceconsole.services.accounts import start_session

    org = factory.org()
    user, token = factory.user_session(org)
    start_session(db, user=user, org=org, method="google", ip="203.0.113.9", user_agent=PHONE)
    db.commit()
    state = make_state(SecurityState, token=token, path="/settings/security")
    state.load()
    assert [s["current"] for s in state.sessions] == ["yes", ""]
    phone = state.sessions[1]
    assert (phone["device"], phone["ip"], phone["method"]) == ("Safari on iOS", "203.0.113.9", "Google")

    assert state.sign_out_session(phone["id"]) is None
    assert len(state.sessions) == 1 and "Safari on iOS" in state.message
    db.expire_all()
    assert db.exec(select(UserSession.revoked_at).where(UserSession.public_id == phone["id"])).one() is not None


def test_signing_out_everywhere_including_this_browser_goes_to_the_login_page(factory, db):
    org = factory.org()
    _, token = factory.user_session(org)
    state = make_state(SecurityState, token=token, path="/settings/security")
    state.load()
    assert redirect_path(state.sign_out_everywhere(False)) == "/login"
    assert redirect_path(make_state(SecurityState, token=token).load()) == "/login"


def test_the_audit_log_page_filters_and_pages_for_managers(factory, api_client):
    from tests.support.http import bearer

    org = factory.org()
    key = factory.api_key(org)
    for i in range(PER_PAGE + 2):
        api_client.post("/api/v1/clients", json={"name": f"Client {i}"}, headers=bearer(key))
    _, token = factory.user_session(org, role="admin")
    state = make_state(AuditLogState, token=token, path="/settings/audit-log")
    state.load()
    assert len(state.entries) == PER_PAGE and state.total == PER_PAGE + 3 and state.has_next
    assert state.entries[0]["action"] == "client.created" and state.entries[0]["actor"] == "API key “test”"
    state.next_page()
    assert state.page == 2 and len(state.entries) == 3
    state.apply_filters({"actor": "system", "action": ""})
    assert [e["action"] for e in state.entries] == ["api_key.created"]
    state.apply_filters({"actor": "", "action": "not an action!"})
    assert state.entries == [] and "resource such as integration" in state.filter_error


def test_the_audit_log_page_refuses_members(factory):
    org = factory.org()
    _, token = factory.user_session(org, role="member")
    state = make_state(AuditLogState, token=token, path="/settings/audit-log")
    state.load()
    assert state.entries == [] and "owners and admins" in state.error


def test_the_pages_build():
    from voiceconsole.ui.pages.audit_log import audit_log_page
    from voiceconsole.ui.pages.login import login_page
    from voiceconsole.ui.pages.security import security_page

    for page in (login_page, security_page, audit_log_page):
        assert page() is not None
