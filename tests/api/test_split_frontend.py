"""A frontend served apart from the backend (README "Deploying"): VOICECONSOLE_FRONTEND_URL sends sign-in and
sign-out to its pages and allows its origin; VOICECONSOLE_COOKIE_SAMESITE sets the session cookie's SameSite
(none only with an https base URL). The browser side is tests/e2e/test_static_export.py."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest

from voiceconsole.settings import get_settings, load_settings

FRONT = "https://app.example.com"


def test_without_a_frontend_url_the_pages_are_on_the_base_url():
    settings = load_settings({"VOICECONSOLE_BASE_URL": "https://console.example.com"})
    assert settings.frontend_url is None and settings.cookie_samesite == "lax"
    assert settings.pages_url == "https://console.example.com"
    assert settings.page_url("/login") == "/login"  # a relative redirect, as before
    assert settings.allowed_origins == ("https://console.example.com",)


def test_a_frontend_url_takes_the_pages_and_its_origin_is_allowed():
    settings = load_settings(
        {"VOICECONSOLE_BASE_URL": "https://api.example.com", "VOICECONSOLE_FRONTEND_URL": f"{FRONT}/"}
    )
    assert settings.frontend_url == FRONT and settings.pages_url == FRONT
    assert settings.page_url("/dashboard") == f"{FRONT}/dashboard"
    assert settings.allowed_origins == ("https://api.example.com", FRONT)
    listed = load_settings({"VOICECONSOLE_FRONTEND_URL": FRONT, "VOICECONSOLE_ALLOWED_ORIGINS": FRONT})
    assert listed.allowed_origins == (FRONT,)  # a list given is the list


@pytest.mark.parametrize("value", ["app.example.com", "ftp://app.example.com", "https://app.example.com/?x=1"])
def test_a_frontend_url_that_is_no_page_url_is_refused_by_name(value):
    with pytest.raises(ValueError, match="VOICECONSOLE_FRONTEND_URL"):
        load_settings({"VOICECONSOLE_FRONTEND_URL": value})


def test_cookie_samesite_values():
    assert load_settings({"VOICECONSOLE_COOKIE_SAMESITE": "Strict"}).cookie_samesite == "strict"
    https = {"VOICECONSOLE_BASE_URL": "https://api.example.com", "VOICECONSOLE_COOKIE_SAMESITE": "none"}
    assert load_settings(https).cookie_samesite == "none"
    with pytest.raises(ValueError, match="VOICECONSOLE_COOKIE_SAMESITE=none needs an https"):
        load_settings({"VOICECONSOLE_BASE_URL": "http://api.example.com", "VOICECONSOLE_COOKIE_SAMESITE": "none"})
    with pytest.raises(ValueError, match="lax, strict or none"):
        load_settings({"VOICECONSOLE_COOKIE_SAMESITE": "sometimes"})


@pytest.fixture
def split(monkeypatch):
    """The API on https://testserver, the pages on FRONT, a cross-site cookie."""
    monkeypatch.setenv("VOICECONSOLE_BASE_URL", "https://testserver")
    monkeypatch.setenv("VOICECONSOLE_FRONTEND_URL", FRONT)
    monkeypatch.setenv("VOICECONSOLE_COOKIE_SAMESITE", "none")
    monkeypatch.delenv("VOICECONSOLE_ALLOWED_ORIGINS", raising=False)
    get_settings.cache_clear()
    yield
    monkeypatch.undo()
    get_settings.cache_clear()


def _session_cookie(response) -> dict[str, str]:
    (header,) = [v for v in response.headers.get_list("set-cookie") if v.startswith("cp_session=")]
    first, *attrs = [p.strip() for p in header.split(";")]
    parsed = {k.lower(): v for k, _, v in (a.partition("=") for a in attrs)}
    return {"value": first.split("=", 1)[1], **parsed}


def test_sign_in_and_out_land_on_the_frontend_with_the_configured_cookie(api_client, factory, db, split):
    from voiceconsole.services import accounts

    user, _ = factory.user_session(factory.org())
    link = accounts.create_magic_link(db, email=user.email)
    db.commit()
    token = parse_qs(urlsplit(link).query)["token"][0]
    r = api_client.get("/api/auth/magic", params={"token": token, "next": "/calls"}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == f"{FRONT}/calls"
    cookie = _session_cookie(r)
    assert cookie["samesite"].lower() == "none" and "secure" in cookie and "httponly" in cookie
    again = api_client.get("/api/auth/magic", params={"token": token}, follow_redirects=False)
    assert again.headers["location"] == f"{FRONT}/login?error=expired"
    out = api_client.post(
        "/api/auth/logout", headers={"Cookie": f"cp_session={cookie['value']}"}, follow_redirects=False
    )
    assert out.status_code == 303 and out.headers["location"] == f"{FRONT}/login"
    cleared = _session_cookie(out)
    assert cleared["max-age"] == "0" and cleared["samesite"].lower() == "none" and "secure" in cleared


@pytest.mark.parametrize(("origin", "status"), [(FRONT, 201), ("https://evil.example", 403)])
def test_cookie_writes_from_the_frontend_origin_pass_the_csrf_check(api_client, factory, split, origin, status):
    org = factory.org()
    call = factory.call(org, factory.agent(org))
    _, token = factory.user_session(org)
    r = api_client.post(
        f"/api/calls/{call.public_id}/notes",
        json={"body": "from the static frontend"},
        headers={"Cookie": f"cp_session={token}", "Origin": origin},
    )
    assert r.status_code == status, r.text
