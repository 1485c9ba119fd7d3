"""Signing in with an OpenID Connect provider (and Google, through its discovery document), end to end
against a real provider on 127.0.0.1 (tests/support/oidc_provider.py): discovery, the redirect with state,
nonce and PKCE, the provider's consent, the callback's code exchange and ID token verification, and the
session cookie. Every refusal lands on the login page with a reason and signs nobody in."""

from __future__ import annotations

import secrets
import socket
from datetime import timedelta
from urllib.parse import parse_qs, urlencode, urlsplit, urlunsplit

import httpx
import pytest
from sqlmodel import select

from tests.support.oidc_provider import CLIENT_ID, CLIENT_SECRET, OidcProvider
from voiceconsole.models import AuditLog, Invitation, Membership, User, UserSession
from voiceconsole.models.types import utcnow
from voiceconsole.services.security import sha256_hex
from voiceconsole.settings import get_settings, load_settings

CALLBACKS = ["http://testserver/api/auth/oidc/callback", "http://testserver/api/auth/google/callback"]


@pytest.fixture(scope="module")
def provider():
    with OidcProvider(redirect_uris=CALLBACKS) as p:
        yield p


def _configure(monkeypatch, issuer: str) -> None:
    monkeypatch.setenv("VOICECONSOLE_OIDC_ISSUER", issuer)
    monkeypatch.setenv("VOICECONSOLE_OIDC_CLIENT_ID", CLIENT_ID)
    monkeypatch.setenv("VOICECONSOLE_OIDC_CLIENT_SECRET", CLIENT_SECRET)
    monkeypatch.setenv("VOICECONSOLE_OIDC_NAME", "Acme SSO")
    monkeypatch.setenv("VOICECONSOLE_GOOGLE_CLIENT_ID", CLIENT_ID)
    monkeypatch.setenv("VOICECONSOLE_GOOGLE_CLIENT_SECRET", CLIENT_SECRET)
    # "Google" is the same local provider, found through the discovery document as Google's is.
    monkeypatch.setenv("VOICECONSOLE_GOOGLE_DISCOVERY_URL", f"{issuer}/.well-known/openid-configuration")
    get_settings.cache_clear()


@pytest.fixture
def sign_in(monkeypatch, provider):
    _configure(monkeypatch, provider.issuer)
    provider.person = None
    yield provider
    monkeypatch.undo()
    get_settings.cache_clear()


def _start(api_client, name: str = "oidc") -> str:
    """Click the button: the app answers with a redirect to the provider's authorization endpoint."""
    started = api_client.get(f"/api/auth/{name}/login", follow_redirects=False)
    assert started.status_code == 302, started.text
    return started.headers["location"]


def _consent(authorize_url: str) -> str:
    """The browser at the provider: it consents and redirects back with a code; returns the callback URL."""
    answer = httpx.get(authorize_url, follow_redirects=False, timeout=10)
    assert answer.status_code == 302, answer.text
    return answer.headers["location"]


def _callback(api_client, callback_url: str):
    parts = urlsplit(callback_url)
    return api_client.get(f"{parts.path}?{parts.query}", follow_redirects=False)


def _with_query(url: str, **changes: str) -> str:
    parts = urlsplit(url)
    query = {k: v[0] for k, v in parse_qs(parts.query).items()}
    query.update(changes)
    return urlunsplit(parts._replace(query=urlencode(query)))


def _refused(response, reason: str, provider: str = "oidc") -> None:
    assert response.status_code == 303
    assert response.headers["location"] == f"/login?error={reason}&provider={provider}"
    assert "cp_session" not in response.cookies


def test_signing_in_end_to_end_sets_the_session_cookie(api_client, factory, db, sign_in):
    org = factory.org()
    user, _ = factory.user_session(org, role="admin")
    sign_in.sign_in_as(user.email.upper(), name="Ada")  # the provider's spelling; matched case-insensitively

    authorize_url = _start(api_client)
    assert authorize_url.startswith(f"{sign_in.issuer}/authorize?")
    query = parse_qs(urlsplit(authorize_url).query)
    assert query["client_id"] == [CLIENT_ID] and query["redirect_uri"] == [CALLBACKS[0]]
    assert query["scope"] == ["openid email profile"] and query["response_type"] == ["code"]
    assert query["state"][0] and query["nonce"][0]
    assert query["code_challenge_method"] == ["S256"] and len(query["code_challenge"][0]) == 43  # PKCE

    finished = _callback(api_client, _consent(authorize_url))
    assert finished.status_code == 303 and finished.headers["location"] == "/dashboard"
    cookie = finished.headers["set-cookie"]
    assert "cp_session=" in cookie and "HttpOnly" in cookie and "samesite=lax" in cookie.lower()
    # The token request carried the PKCE verifier (the provider checked it against the challenge).
    assert sign_in.token_requests[-1]["code_verifier"]

    me = api_client.get("/api/v1/auth/me")
    assert me.status_code == 200 and me.json()["data"]["actor"] == user.email
    token = api_client.cookies.get("cp_session")
    row = db.exec(select(UserSession).where(UserSession.token_hash == sha256_hex(token))).one()
    assert row.method == "oidc" and row.user_id == user.id and row.organization_id == org.id
    assert row.ip and row.user_agent
    entry = db.exec(
        select(AuditLog).where(AuditLog.organization_id == org.id, AuditLog.action == "session.created")
    ).one()
    assert entry.details == {"method": "oidc"} and entry.target_id == row.public_id


def test_google_is_found_through_its_discovery_document(api_client, factory, db, sign_in):
    org = factory.org()
    user, _ = factory.user_session(org)
    sign_in.sign_in_as(user.email)
    authorize_url = _start(api_client, "google")
    assert parse_qs(urlsplit(authorize_url).query)["redirect_uri"] == [CALLBACKS[1]]
    finished = _callback(api_client, _consent(authorize_url))
    assert finished.headers["location"] == "/dashboard"
    token = api_client.cookies.get("cp_session")
    assert db.exec(select(UserSession.method).where(UserSession.token_hash == sha256_hex(token))).one() == "google"


def test_a_state_that_is_not_this_browsers_is_refused(api_client, factory, sign_in):
    org = factory.org()
    user, _ = factory.user_session(org)
    sign_in.sign_in_as(user.email)
    callback = _consent(_start(api_client))
    _refused(_callback(api_client, _with_query(callback, state=secrets.token_urlsafe(20))), "sign_in_failed")

    # The real callback, in another browser (without the flow cookie of the one that started): refused too.
    api_client.cookies.clear()
    _refused(_callback(api_client, callback), "sign_in_failed")


def test_a_callback_is_used_once(api_client, factory, sign_in):
    org = factory.org()
    user, _ = factory.user_session(org)
    sign_in.sign_in_as(user.email)
    callback = _consent(_start(api_client))
    assert _callback(api_client, callback).headers["location"] == "/dashboard"
    api_client.cookies.delete("cp_session")
    _refused(_callback(api_client, callback), "sign_in_failed")


def test_an_id_token_for_another_nonce_is_refused(api_client, factory, sign_in):
    org = factory.org()
    user, _ = factory.user_session(org)
    sign_in.sign_in_as(user.email)
    # The provider is asked with another nonce than the one this flow keeps: its ID token carries that one.
    authorize_url = _with_query(_start(api_client), nonce=secrets.token_urlsafe(20))
    _refused(_callback(api_client, _consent(authorize_url)), "sign_in_failed")


def test_pkce_binds_the_code_to_this_flow(api_client, factory, sign_in):
    org = factory.org()
    user, _ = factory.user_session(org)
    sign_in.sign_in_as(user.email)
    # A code obtained for another PKCE challenge (an intercepted code) cannot be exchanged by this flow's verifier.
    other_challenge = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
    authorize_url = _with_query(_start(api_client), code_challenge=other_challenge)
    _refused(_callback(api_client, _consent(authorize_url)), "sign_in_failed")
    assert sign_in.token_requests[-1]["code_verifier"]  # sent, and refused by the provider


def test_an_unverified_email_is_refused(api_client, factory, db, sign_in):
    org = factory.org()
    user, _ = factory.user_session(org)
    sign_in.sign_in_as(user.email, verified=False)
    _refused(_callback(api_client, _consent(_start(api_client))), "unverified_email")
    assert db.exec(select(UserSession).where(UserSession.user_id == user.id, UserSession.method == "oidc")).all() == []


def test_a_new_email_without_an_invitation_is_asked_to_get_one(api_client, db, sign_in):
    email = f"new-{secrets.token_hex(4)}@agency.example"
    sign_in.sign_in_as(email)
    _refused(_callback(api_client, _consent(_start(api_client))), "no_account")
    assert db.exec(select(User).where(User.email == email)).first() is None  # nobody created, nothing joined


def test_a_new_email_with_a_pending_invitation_joins_with_the_invited_role(api_client, factory, db, sign_in):
    org = factory.org()
    email = f"invitee-{secrets.token_hex(4)}@elsewhere.example"
    invitation = Invitation(
        organization_id=org.id,
        email=email,
        role="member",
        token_hash=sha256_hex(secrets.token_urlsafe(16)),
        expires_at=utcnow() + timedelta(hours=24),
    )
    db.add(invitation)
    db.commit()
    sign_in.sign_in_as(email, name="Invited Person")
    finished = _callback(api_client, _consent(_start(api_client)))
    assert finished.headers["location"] == "/dashboard"
    db.expire_all()
    user = db.exec(select(User).where(User.email == email)).one()
    membership = db.exec(select(Membership).where(Membership.user_id == user.id)).one()
    assert (membership.organization_id, membership.role, user.name) == (org.id, "member", "Invited Person")
    assert db.get(Invitation, invitation.id).accepted_at is not None
    me = api_client.get("/api/v1/auth/me").json()["data"]
    assert me["role"] == "member" and me["organization"]["slug"] == org.slug


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_a_provider_that_cannot_be_reached_is_explained(api_client, monkeypatch):
    _configure(monkeypatch, f"http://127.0.0.1:{_closed_port()}")
    try:
        _refused(api_client.get("/api/auth/oidc/login", follow_redirects=False), "provider_unavailable")
    finally:
        get_settings.cache_clear()


def test_a_provider_that_goes_down_before_the_callback_is_explained(api_client, factory, monkeypatch):
    org = factory.org()
    user, _ = factory.user_session(org)
    with OidcProvider(redirect_uris=CALLBACKS) as short_lived:
        _configure(monkeypatch, short_lived.issuer)
        try:
            short_lived.sign_in_as(user.email)
            callback = _consent(_start(api_client))
            short_lived.stop()  # the token endpoint is gone when the browser comes back
            _refused(_callback(api_client, callback), "provider_unavailable")
        finally:
            get_settings.cache_clear()


def test_a_provider_that_is_not_configured_has_no_routes(api_client):
    assert get_settings().sign_in.enabled == ()
    assert api_client.get("/api/auth/oidc/login", follow_redirects=False).status_code == 404
    assert api_client.get("/api/auth/google/callback?code=x&state=y", follow_redirects=False).status_code == 404


@pytest.mark.parametrize(
    ("env", "named"),
    [
        ({"VOICECONSOLE_OIDC_ISSUER": "https://login.example.com"}, "VOICECONSOLE_OIDC_CLIENT_ID"),
        (
            {"VOICECONSOLE_OIDC_CLIENT_ID": "x", "VOICECONSOLE_OIDC_CLIENT_SECRET": "y"},
            "missing: VOICECONSOLE_OIDC_ISSUER",
        ),
        (
            {"VOICECONSOLE_OIDC_ISSUER": "login.example.com", "VOICECONSOLE_OIDC_CLIENT_ID": "x"}
            | {"VOICECONSOLE_OIDC_CLIENT_SECRET": "y"},
            "issuer URL",
        ),
        (
            {"VOICECONSOLE_OIDC_ISSUER": "http://login.example.com", "VOICECONSOLE_OIDC_CLIENT_ID": "x"}
            | {"VOICECONSOLE_OIDC_CLIENT_SECRET": "y"},
            "must use https",
        ),
        ({"VOICECONSOLE_OIDC_NAME": "Okta"}, "VOICECONSOLE_OIDC_ISSUER is not set"),
        ({"VOICECONSOLE_GOOGLE_CLIENT_ID": "x"}, "missing: VOICECONSOLE_GOOGLE_CLIENT_SECRET"),
    ],
)
def test_half_a_sign_in_configuration_is_refused_at_start_by_name(env, named):
    with pytest.raises(ValueError, match=named):
        load_settings(env)


def test_a_complete_configuration_enables_its_buttons():
    settings = load_settings(
        {
            "VOICECONSOLE_OIDC_ISSUER": "https://login.example.com/",
            "VOICECONSOLE_OIDC_CLIENT_ID": "x",
            "VOICECONSOLE_OIDC_CLIENT_SECRET": "y",
            "VOICECONSOLE_GOOGLE_CLIENT_ID": "g",
            "VOICECONSOLE_GOOGLE_CLIENT_SECRET": "s",
        }
    )
    oidc, google = settings.sign_in.oidc, settings.sign_in.google
    assert oidc is not None and oidc.label == "single sign-on"
    assert oidc.discovery_url == "https://login.example.com/.well-known/openid-configuration"
    assert google is not None and google.discovery_url.startswith("https://accounts.google.com/")
    assert [p.name for p in settings.sign_in.enabled] == ["google", "oidc"]
