"""Billing in a browser, against the local Stripe (tests/support/stripe_server.py; the app bills through it,
see conftest.py): an owner of a new Free organization upgrades to Pro through the hosted Checkout page, buys
a credit pack, sees the Pro invoice; a failed renewal shows the banner on other pages; an admin sees the page
read-only and a member is told billing is not theirs. The page passes an axe scan."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from tests.support.e2e import ARTIFACTS

pytestmark = pytest.mark.e2e
ROOT = Path(__file__).resolve().parents[2]

# Run in the app's environment (its database): a new Free organization with an owner, an admin and a member,
# and a login link for each.
MAKE_ORG = r"""
import json, secrets
from voiceconsole.db import session_scope
from voiceconsole.models import Membership
from voiceconsole.services import accounts

with session_scope() as s:
    org = accounts.create_organization(s, name=f"Billing {secrets.token_hex(3)}", plan="free")
    links = {"org": org.id}
    for role in ("owner", "admin", "member"):
        user = accounts.get_or_create_user(s, email=f"{role}-{secrets.token_hex(3)}@example.com")
        s.add(Membership(user_id=user.id, organization_id=org.id, role=role))
        s.flush()
        links[role] = accounts.create_magic_link(s, email=user.email)
    print(json.dumps(links))
"""

SUBSCRIPTION_OF = r"""
import sys
from voiceconsole.db import session_scope
from voiceconsole.models import Organization

with session_scope() as s:
    print(s.get(Organization, int(sys.argv[1])).stripe_subscription_id or "")
"""


def _run(vc_app, script: str, *args: str) -> str:
    done = subprocess.run(
        [sys.executable, "-c", script, *args], cwd=ROOT, env=vc_app.env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.strip().splitlines()[-1]


def _sign_in(page, link: str) -> None:
    page.goto(link)
    page.wait_for_url(re.compile(r"/dashboard/?$"))


def _open_billing(page) -> None:
    page.get_by_test_id("nav-billing").click()
    page.wait_for_url(re.compile(r"/billing/?$"))
    expect(page.get_by_test_id("billing-plan")).to_be_visible()


def _axe_blocking(page) -> list[str]:
    results = Axe().run(page)
    return [
        f"{v['impact']} {v['id']}: {v['help']} ({v['nodes'][0]['target']} {v['nodes'][0]['html'][:160]} "
        f"{v['nodes'][0].get('failureSummary', '')[:300]})"
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def _shoot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"billing-{name}.png"), full_page=True)


def _through_checkout(page, button_testid: str) -> None:
    """Press a button that leaves for Stripe Checkout, pay on the simulator's hosted page, come back."""
    page.get_by_test_id(button_testid).click()
    page.wait_for_url(re.compile(r"/checkout/"))
    page.get_by_role("button", name=re.compile(r"^Pay")).click()
    page.wait_for_url(re.compile(r"/billing/?\?checkout=done"))
    expect(page.get_by_test_id("checkout-done")).to_contain_text("Payment received")


def test_owner_upgrades_buys_credits_sees_invoices_and_a_failed_payment(e2e_page, vc_app):
    people = json.loads(_run(vc_app, MAKE_ORG))
    page = e2e_page
    try:
        _sign_in(page, people["owner"])
        _open_billing(page)
        expect(page.get_by_test_id("billing-plan")).to_have_text("Free")
        expect(page.get_by_test_id("usage-agents")).to_contain_text("0 / 1")
        expect(page.get_by_test_id("invoices-table")).to_have_count(0)
        expect(page.get_by_test_id("manage-billing")).to_have_count(0)  # no Stripe customer yet
        assert _axe_blocking(page) == []

        # Free → Pro through the hosted Checkout page; the webhook lands while the page re-reads.
        _through_checkout(page, "upgrade-pro")
        expect(page.get_by_test_id("billing-plan")).to_have_text("Pro", timeout=15_000)
        expect(page.get_by_test_id("billing-status")).to_have_text("Active")
        expect(page.get_by_test_id("billing-period")).to_contain_text("Renews on")
        expect(page.get_by_test_id("usage-agents")).to_contain_text("0 / 15")
        expect(page.get_by_test_id("manage-billing")).to_be_enabled()
        expect(page.get_by_test_id("invoice-row")).to_have_count(1, timeout=15_000)
        row = page.get_by_test_id("invoice-row").first
        expect(row).to_contain_text("$49.00")
        expect(row).to_contain_text("Paid")
        expect(row.get_by_role("link", name=re.compile("PDF"))).to_have_attribute("href", re.compile(r"/pdf$"))

        # A credit pack: a one-time Checkout; the credits show once its webhook is in.
        _through_checkout(page, "buy-credits_1000")
        expect(page.get_by_test_id("usage-packs")).to_contain_text("1,000", timeout=15_000)
        _shoot(page, "owner-pro")
        assert _axe_blocking(page) == []

        # The renewal fails: every page says so, with the way to billing for an owner.
        subscription = _run(vc_app, SUBSCRIPTION_OF, str(people["org"]))
        vc_app.stripe.fail_payment(subscription)
        vc_app.stripe.wait_delivered()
        page.get_by_test_id("nav-team").click()
        page.wait_for_url(re.compile(r"/settings/team/?$"))
        banner = page.get_by_test_id("billing-banner")
        expect(banner).to_contain_text("Payment failed: update your payment method by")
        expect(banner).to_contain_text("to keep Pro")
        page.get_by_test_id("billing-banner-link").click()
        page.wait_for_url(re.compile(r"/billing/?$"))
        expect(page.get_by_test_id("billing-status")).to_have_text("Past due")
        _shoot(page, "owner-past-due")
    except Exception:
        _shoot(page, "owner-failure")
        raise


def test_admin_reads_billing_and_a_member_is_refused(e2e_browser, vc_app):
    people = json.loads(_run(vc_app, MAKE_ORG))
    for role in ("admin", "member"):
        context = e2e_browser.new_context(viewport={"width": 1440, "height": 900}, base_url=vc_app.base_url)
        context.set_default_timeout(20_000)
        page = context.new_page()
        try:
            _sign_in(page, people[role])
            if role == "admin":
                _open_billing(page)
                expect(page.get_by_test_id("billing-read-only")).to_be_visible()
                expect(page.get_by_test_id("upgrade-pro")).to_be_disabled()
                expect(page.get_by_test_id("upgrade-agency")).to_be_disabled()
                expect(page.get_by_role("button", name=re.compile("^Upgrade"))).to_have_count(2)
                for button in page.get_by_role("button", name=re.compile("^(Upgrade|Buy)")).all():
                    expect(button).to_be_disabled()
                expect(page.get_by_test_id("overage-switch")).to_be_disabled()
                assert _axe_blocking(page) == []
            else:
                expect(page.get_by_test_id("nav-billing")).to_have_count(0)
                page.goto("/billing")
                expect(page.get_by_test_id("billing-error")).to_have_text("Only owners and admins can see billing.")
                expect(page.get_by_test_id("plans")).to_have_count(0)
        except Exception:
            _shoot(page, f"{role}-failure")
            raise
        finally:
            context.close()
