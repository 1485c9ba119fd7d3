"""Settings → Integrations → Notification channels in a real browser, with a real worker delivering to a
real receiver on 127.0.0.1.

Add a webhook channel (a bad URL first: a field error, nothing typed is lost), copy its secret (shown
once), send a test event, watch the deliveries log show it succeeded with a 200, and check at the
receiver that X-VoiceConsole-Signature is the hex HMAC-SHA256 of the raw body keyed with that secret.
Then make the receiver fail until the channel pauses, see why it paused, fix the URL and resume;
rotate the secret; delete the channel.

The app must allow private targets (the receiver listens on 127.0.0.1): the `vc_app` fixture passes
VOICECONSOLE_ALLOW_PRIVATE_TARGETS=1.
"""

from __future__ import annotations

import hashlib
import hmac
import re

import pytest
from playwright.sync_api import expect

from tests.support.e2e import ARTIFACTS
from tests.support.receivers import Receiver

pytestmark = pytest.mark.e2e

DELIVERY_TIMEOUT_MS = 30_000  # a worker picks the job up, posts, records the attempt; the log refreshes itself
OK, FAILING, AFTER_RESUME = "/hooks/ok", "/hooks/failing", "/hooks/after-resume"


@pytest.fixture(scope="module")
def receiver():
    r = Receiver()
    r.respond(OK, 200, body=b'{"ok":true}')
    r.respond(FAILING, 500, body=b'{"error":"told to fail"}')
    yield r
    r.stop()


def _open_integrations(page, vc_app) -> None:
    page.goto(vc_app.new_login_link())
    page.wait_for_url(re.compile(r"/(dashboard|calls)/?$"))
    page.get_by_test_id("nav-integrations").click()
    page.wait_for_url(re.compile(r"/settings/integrations/?$"))


def _take_secret(page) -> str:
    """Read the one-time secret, copy it, close the dialog; it must not be on the page any more."""
    dialog = page.get_by_test_id("channel-secret-dialog")
    secret_el = dialog.get_by_test_id("channel-secret")
    expect(secret_el).to_have_text(re.compile(r"^whsec_[A-Za-z0-9+/]{43}=$"))
    secret = secret_el.inner_text()
    dialog.get_by_test_id("channel-secret-copy").click()
    expect(page.get_by_text("Signing secret copied to the clipboard")).to_be_visible()
    assert page.evaluate("navigator.clipboard.readText()") == secret
    dialog.get_by_test_id("channel-secret-done").click()
    expect(page.get_by_test_id("channel-secret-dialog")).to_have_count(0)
    assert secret not in page.content()
    return secret


def test_webhook_channel_delivers_signed_events_pauses_and_resumes(e2e_page, vc_app, vc_worker, receiver):
    if vc_app.env.get("VOICECONSOLE_ALLOW_PRIVATE_TARGETS") != "1":
        pytest.skip("the app under test does not allow private targets (VOICECONSOLE_ALLOW_PRIVATE_TARGETS=1)")
    page = e2e_page
    # Tall enough that the notices (bottom right) never cover a channel's buttons.
    page.set_viewport_size({"width": 1440, "height": 1600})
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=vc_app.base_url)
    _open_integrations(page, vc_app)
    section = page.get_by_test_id("channels-section")
    expect(section).to_be_visible()
    ARTIFACTS.mkdir(exist_ok=True)

    # Add a webhook channel; a bad URL first: the error sits under the URL, the other inputs stay.
    name = "E2E receiver"
    section.get_by_test_id("channel-add").first.click()
    form = page.get_by_test_id("channel-form")
    form.get_by_test_id("channel-kind-webhook").click()
    form.get_by_test_id("channel-url").fill("ftp://example.com/hook")
    form.get_by_test_id("channel-event-call.completed").click()
    form.get_by_test_id("channel-name-input").fill(name)
    form.get_by_test_id("channel-save").click()
    expect(form.get_by_test_id("channel-url-error")).to_contain_text("http")
    expect(form.get_by_test_id("channel-name-input")).to_have_value(name)
    expect(form.get_by_test_id("channel-url")).to_have_value("ftp://example.com/hook")
    for kept in ("call.completed", "call.low_score"):
        expect(form.get_by_test_id(f"channel-event-{kept}")).to_have_attribute("data-state", "checked")
    page.screenshot(path=str(ARTIFACTS / "channel-form-error.png"))
    form.get_by_test_id("channel-url").fill(receiver.url(OK))
    expect(form.get_by_test_id("channel-url-error")).to_have_count(0)
    form.get_by_test_id("channel-save").click()
    secret = _take_secret(page)

    card = page.get_by_test_id("channel-card").filter(has_text=name)
    expect(card.get_by_test_id("channel-status")).to_have_text("Active")
    expect(card.get_by_test_id("channel-kind")).to_have_text("Webhook")
    expect(card.get_by_test_id("channel-target")).to_contain_text("http://127.0.0.1:")
    expect(card.get_by_test_id("channel-events")).to_contain_text("Call completed")
    expect(card.get_by_test_id("channel-events")).to_contain_text("Low score")
    expect(card.get_by_test_id("channel-client")).to_have_text("All clients")

    # Send a test event: queued at once, delivered by the worker, visible in the deliveries log.
    card.get_by_test_id("channel-send-test").click()
    toast = page.get_by_text(re.compile(r"Test event evt_\w+ queued"))
    expect(toast).to_be_visible()
    event_id = re.search(r"evt_\w+", toast.inner_text()).group(0)
    card.get_by_test_id("channel-deliveries").click()
    log = page.get_by_test_id("deliveries-dialog")
    row = log.get_by_test_id("delivery-row").filter(has_text=event_id)
    expect(row.get_by_test_id("delivery-status")).to_have_text("Succeeded", timeout=DELIVERY_TIMEOUT_MS)
    expect(row.get_by_test_id("delivery-code")).to_have_text("200")
    expect(row.get_by_test_id("delivery-attempts")).to_have_text("1")
    expect(row.get_by_test_id("delivery-latency")).to_have_text(re.compile(r"^\d[\d,]* ms$"))
    row.get_by_test_id("delivery-toggle-attempts").click()
    attempt = log.get_by_test_id("delivery-attempt").first
    expect(attempt.get_by_test_id("attempt-code")).to_have_text("HTTP 200")
    expect(attempt.get_by_test_id("attempt-response")).to_contain_text('{"ok":true}')
    page.screenshot(path=str(ARTIFACTS / "channel-deliveries.png"))
    page.keyboard.press("Escape")
    expect(log).to_have_count(0)

    # At the receiver: signed with the secret that was shown, over the exact raw body.
    [request] = [r for r in receiver.wait_for(OK) if event_id.encode() in r.body]
    expected = hmac.new(secret.encode(), request.body, hashlib.sha256).hexdigest()
    assert request.headers["x-voiceconsole-signature"] == expected
    body = request.json()
    assert body["id"] == event_id and body["data"].get("test") is True
    assert request.headers["x-voiceconsole-timestamp"] == body["timestamp"]
    assert request.headers["x-voiceconsole-event"] == body["event"] == "call.completed"  # the first event chosen
    expect(card.get_by_test_id("channel-last-delivery")).not_to_have_text("Never")

    # A receiver that fails: after 5 failed deliveries in a row the channel pauses and says why.
    card.get_by_test_id("channel-edit").click()
    expect(form.get_by_test_id("channel-name-input")).to_have_value(name)
    form.get_by_test_id("channel-url").fill(receiver.url(FAILING))
    form.get_by_test_id("channel-save").click()
    expect(form).to_have_count(0)
    expect(card.get_by_test_id("channel-target")).to_contain_text("/hooks/…ling")
    for _ in range(5):
        card.get_by_test_id("channel-send-test").click()
    expect(card.get_by_test_id("channel-status")).to_have_text("Paused", timeout=DELIVERY_TIMEOUT_MS)
    expect(card.get_by_test_id("channel-failures")).to_have_text("5 failed deliveries in a row")
    expect(card.get_by_test_id("channel-paused")).to_contain_text("New events are held")
    expect(card.get_by_test_id("channel-pause-reason")).to_contain_text("HTTP 500")
    expect(card.get_by_test_id("channel-send-test")).to_be_disabled()
    failed_ids = {r.json()["id"] for r in receiver.wait_for(FAILING, 5)}
    assert len(failed_ids) == 5
    page.screenshot(path=str(ARTIFACTS / "channel-paused.png"), full_page=True)

    # Point it back at a working path and resume: each held event goes out once, the channel is active again.
    card.get_by_test_id("channel-edit").click()
    form.get_by_test_id("channel-url").fill(receiver.url(AFTER_RESUME))
    form.get_by_test_id("channel-save").click()
    expect(form).to_have_count(0)
    card.get_by_test_id("channel-resume").click()
    expect(card.get_by_test_id("channel-status")).to_have_text("Active")
    expect(card.get_by_test_id("channel-resume")).to_have_count(0)
    expect(card.get_by_test_id("channel-paused")).to_have_count(0)
    expect(card.get_by_test_id("channel-failures")).to_have_count(0)
    redelivered = receiver.wait_for(AFTER_RESUME, 5, timeout=DELIVERY_TIMEOUT_MS / 1000)
    assert sorted(r.json()["id"] for r in redelivered) == sorted(failed_ids)

    # Rotate the secret: the new one is shown once, the old one keeps signing for 24 hours.
    card.get_by_test_id("channel-rotate-secret").click()
    page.get_by_test_id("confirm-rotate-secret").click()
    expect(page.get_by_test_id("channel-secret-warning")).to_contain_text("old secret stays valid for 24 hours")
    rotated = _take_secret(page)
    assert rotated != secret
    expect(card.get_by_test_id("channel-secret-note")).to_contain_text("previous secret also signs until")

    # An email digest for one client: no URL, no secret; the summary hour appears with the daily summary.
    section.get_by_test_id("channel-add").first.click()
    form.get_by_test_id("channel-kind-email").click()
    expect(form.get_by_test_id("channel-url")).to_have_count(0)
    form.get_by_test_id("channel-email").fill("ops@example.com")
    expect(form.get_by_test_id("channel-summary-hour")).to_have_count(0)
    form.get_by_test_id("channel-event-daily_summary").click()
    form.get_by_test_id("channel-summary-hour").click()
    page.get_by_role("option", name="07:00").click()
    form.get_by_test_id("channel-client").click()
    client_option = page.get_by_role("option").nth(1)  # the first client after "All clients"
    client_name = client_option.inner_text()
    client_option.click()
    form.get_by_test_id("channel-name-input").fill("E2E digest")
    form.get_by_test_id("channel-save").click()
    expect(form).to_have_count(0)
    expect(page.get_by_test_id("channel-secret-dialog")).to_have_count(0)
    digest = page.get_by_test_id("channel-card").filter(has_text="E2E digest")
    expect(digest.get_by_test_id("channel-kind")).to_have_text("Email")
    expect(digest.get_by_test_id("channel-target")).to_have_text("ops@example.com")
    expect(digest.get_by_test_id("channel-client")).to_have_text(client_name)
    expect(digest.get_by_test_id("channel-summary")).to_contain_text("Daily summary at 07:00")
    expect(digest.get_by_test_id("channel-rotate-secret")).to_have_count(0)
    page.screenshot(path=str(ARTIFACTS / "channels.png"), full_page=True)

    # Delete it.
    card.get_by_test_id("channel-delete").click()
    page.get_by_test_id("confirm-delete-channel").click()
    expect(page.get_by_test_id("channel-card").filter(has_text=name)).to_have_count(0)
    expect(digest).to_be_visible()


def test_members_see_channels_read_only_and_client_viewers_not_at_all(factory):
    """The roles behind the section (no browser: the demo has only its owner to sign in with)."""
    from tests.support.ui import make_state
    from voiceconsole.services.access.actor import SYSTEM
    from voiceconsole.services.notifications import channels as notification_channels
    from voiceconsole.ui.state.channel_form import ChannelFormState

    org = factory.org()
    client = factory.client(org, name="Bright Smile")
    notification_channels.create_channel(
        factory.s, org=org, actor=SYSTEM, kind="email", email="ops@example.com", events=["call.low_score"], name="Ops"
    )
    factory.s.commit()
    _, member = factory.user_session(org, role="member")
    state = make_state(ChannelFormState, token=member, path="/settings/integrations")
    state.load_channels()
    assert state.channels_visible and [c.name for c in state.channels] == ["Ops"]
    assert state.can_manage_channels is False  # the view hides add, edit, test, resume, rotate and delete
    state.open_add()
    state.set_kind("email")
    state.set_email("me@example.com")
    state.save()
    assert state.form_open and "owners and admins" in state.form_error and state.email == "me@example.com"
    assert [c.name for c in state.channels] == ["Ops"]

    _, viewer = factory.user_session(org, role="client_viewer", client=client)
    state = make_state(ChannelFormState, token=viewer, path="/settings/integrations")
    state.load_channels()
    assert state.channels_visible is False and state.channels == []
