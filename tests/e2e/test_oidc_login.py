"""Sign-in with an OpenID Connect provider in a real browser, against the real provider the app is configured
with (tests/e2e/conftest.py `oidc_provider`): the login page's button, the provider's own form, the callback,
the dashboard; an unverified address refused with the reason; then Settings → Security signing another
browser's session out."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.support.e2e import ARTIFACTS

pytestmark = pytest.mark.e2e

DEMO_EMAIL = "demo@voiceconsole.local"
FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"


def _sign_in_with_provider(page, email: str, *, verified: bool = True) -> None:
    page.goto("/login")
    page.get_by_test_id("sign-in-oidc").click()
    page.wait_for_url(re.compile(r"^http://127\.0\.0\.1:\d+/authorize\?"))  # at the provider
    page.get_by_label("Provider email").fill(email)
    if not verified:
        page.get_by_label("Email verified").uncheck()
    page.get_by_role("button", name="Continue").click()


def test_sign_in_with_the_provider_end_to_end(e2e_page, oidc_provider):
    page = e2e_page
    page.goto("/login")
    expect(page.get_by_test_id("sign-in-oidc")).to_have_text("Sign in with Test SSO")
    _sign_in_with_provider(page, DEMO_EMAIL)
    page.wait_for_url(re.compile(r"/dashboard/?$"))
    expect(page.get_by_test_id("org-name")).to_have_text("Demo Agency")
    expect(page.get_by_test_id("user-email")).to_have_text(DEMO_EMAIL)
    authorize = oidc_provider.authorize_requests[-1]
    assert authorize["code_challenge_method"] == "S256" and authorize["nonce"] and authorize["state"]
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "oidc-signed-in.png"))


def test_an_unverified_email_is_refused_with_the_reason(e2e_page):
    page = e2e_page
    _sign_in_with_provider(page, DEMO_EMAIL, verified=False)
    page.wait_for_url(re.compile(r"/login/?\?error=unverified_email"))
    expect(page.get_by_test_id("login-notice")).to_contain_text("Test SSO has not verified your email address")
    page.goto("/dashboard")
    page.wait_for_url(re.compile(r"/login/?$"))


def test_security_signs_another_browser_out(e2e_browser, e2e_page, vc_app):
    # Another browser (Firefox, by its User-Agent) signed in with an email link.
    other = e2e_browser.new_context(base_url=vc_app.base_url, user_agent=FIREFOX)
    try:
        phone = other.new_page()
        phone.goto(vc_app.new_login_link())
        phone.wait_for_url(re.compile(r"/dashboard/?$"))

        page = e2e_page
        _sign_in_with_provider(page, DEMO_EMAIL)
        page.wait_for_url(re.compile(r"/dashboard/?$"))
        page.get_by_test_id("nav-security").click()
        page.wait_for_url(re.compile(r"/settings/security/?$"))
        rows = page.get_by_test_id("session-row")
        expect(rows.first).to_contain_text("This browser")
        expect(rows.first).to_contain_text("Single sign-on")
        firefox = rows.filter(has_text="Firefox on Linux")
        expect(firefox).to_have_count(1)
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "security.png"))
        firefox.get_by_test_id("sign-out-session").click()
        expect(rows.filter(has_text="Firefox on Linux")).to_have_count(0)

        phone.goto("/calls")  # the other browser is signed out at once
        phone.wait_for_url(re.compile(r"/login/?$"))
        page.reload()
        expect(page.get_by_test_id("session-row").first).to_contain_text("This browser")  # this one stays
    finally:
        other.close()
