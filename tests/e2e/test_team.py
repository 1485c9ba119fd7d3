"""Settings → Team in a browser: an owner invites a member and a client viewer, each accepts from the email
(caught by the app's aiosmtpd, sent by a running worker), the member sees the team read-only, the client
viewer never sees it, and removing the member signs them out on their next request."""

from __future__ import annotations

import re
import secrets

from playwright.sync_api import expect

from tests.support.e2e import ARTIFACTS
from tests.support.team import invite_link


def _new_page(e2e_browser, vc_app):
    context = e2e_browser.new_context(viewport={"width": 1440, "height": 900}, base_url=vc_app.base_url)
    context.set_default_timeout(20_000)
    return context, context.new_page()


def _invite(page, email: str) -> None:
    page.get_by_test_id("invite-email").fill(email)
    page.get_by_test_id("invite").click()
    expect(page.get_by_text(f"Invitation sent to {email}")).to_be_visible()
    expect(page.get_by_test_id("invitation-row").filter(has_text=email)).to_be_visible()


def test_invite_accept_read_only_member_and_removal(e2e_page, e2e_browser, vc_app, vc_worker):
    page = e2e_page
    member_email = f"member-{secrets.token_hex(3)}@example.com"
    viewer_email = f"viewer-{secrets.token_hex(3)}@example.com"

    page.goto(vc_app.new_login_link())
    page.wait_for_url(re.compile(r"/dashboard/?$"))
    page.get_by_test_id("nav-team").click()
    page.wait_for_url(re.compile(r"/settings/team/?$"))
    expect(page.get_by_test_id("member-row").first).to_be_visible()

    # Bad input is said under the form, and what was typed stays.
    page.get_by_test_id("invite-email").fill("not an email")
    page.get_by_test_id("invite").click()
    expect(page.get_by_test_id("invite-error")).to_have_text("Enter a valid email address")
    expect(page.get_by_test_id("invite-email")).to_have_value("not an email")

    _invite(page, member_email)
    # The same pending email again: a conflict, the address kept.
    page.get_by_test_id("invite-email").fill(member_email)
    page.get_by_test_id("invite").click()
    expect(page.get_by_test_id("invite-error")).to_contain_text("already has a pending invitation")
    expect(page.get_by_test_id("invite-email")).to_have_value(member_email)

    # A client viewer needs a client.
    page.get_by_test_id("invite-email").fill(viewer_email)
    page.get_by_test_id("invite-role").click()
    page.get_by_role("option", name="Client viewer").click()
    page.get_by_test_id("invite").click()
    expect(page.get_by_test_id("invite-error")).to_have_text("Choose the client this viewer may see")
    page.get_by_test_id("invite-client").click()
    page.get_by_role("option").first.click()
    page.get_by_test_id("invite").click()
    expect(page.get_by_test_id("invitation-row").filter(has_text=viewer_email)).to_be_visible()

    # Each accepts from the email.
    (member_mail,) = vc_app.mailbox.wait_for(member_email, timeout=60)
    (viewer_mail,) = vc_app.mailbox.wait_for(viewer_email, timeout=60)

    member_ctx, member = _new_page(e2e_browser, vc_app)
    viewer_ctx, viewer = _new_page(e2e_browser, vc_app)
    try:
        member.goto(invite_link(member_mail))
        member.wait_for_url(re.compile(r"/dashboard/?$"))
        expect(member.get_by_test_id("user-email")).to_have_text(member_email)
        member.goto("/settings/team")
        expect(member.get_by_test_id("members-table")).to_contain_text(member_email)
        # Read-only: no invite form, no role selects, nobody to remove but themselves.
        expect(member.get_by_test_id("invite-form")).to_have_count(0)
        expect(member.get_by_test_id("member-role-select")).to_have_count(0)
        expect(member.get_by_test_id("remove-member")).to_have_count(1)  # "Leave", on their own row
        expect(member.get_by_test_id("resend-invitation")).to_have_count(0)

        viewer.goto(invite_link(viewer_mail))
        viewer.wait_for_url(re.compile(r"/dashboard/?$"))
        expect(viewer.get_by_test_id("nav-team")).to_have_count(0)
        viewer.goto("/settings/team")
        viewer.wait_for_url(re.compile(r"/dashboard/?$"))

        # The owner removes the member, who is signed out on their next request.
        page.reload()
        row = page.get_by_test_id("member-row").filter(has_text=member_email)
        row.get_by_test_id("remove-member").click()
        page.get_by_test_id("confirm-remove").click()
        expect(page.get_by_test_id("member-row").filter(has_text=member_email)).to_have_count(0)

        member.goto("/calls")
        member.wait_for_url(re.compile(r"/login"))
    except Exception:
        ARTIFACTS.mkdir(exist_ok=True)
        for name, p in (("team-owner", page), ("team-member", member), ("team-viewer", viewer)):
            p.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
        raise
    finally:
        member_ctx.close()
        viewer_ctx.close()
