"""The Customer Portal: a session through the SDK, and its page's buttons as a customer presses them."""

from __future__ import annotations

import re

import stripe

from tests.stripe_simulator.conftest import Catalog, Hook, subscribe


def test_portal_switch_and_cancel(hooked: Hook, catalog: Catalog) -> None:
    sim = hooked.sim
    _, sub_id = subscribe(sim, catalog)
    customer = sim.client.v1.subscriptions.retrieve(sub_id).customer
    portal = sim.client.v1.billing_portal.sessions.create(
        {"customer": customer, "return_url": "http://app.test/billing"}
    )
    assert isinstance(portal, stripe.billing_portal.Session)
    assert portal.id.startswith("bps_") and portal.url == f"{sim.url}/portal/{portal.id}"

    page = sim.http.get(portal.url).text
    assert "Switch to Agency" in page and "Switch to Pro" not in page  # the current plan is not offered
    assert 'href="http://app.test/billing">Return' in page and "Cancel at period end" in page
    seen = len(sim.events())

    switch = re.search(r'action="([^"]+/switch)"><input type="hidden" name="price" value="([^"]+)"', page)
    assert switch and switch.group(2) == catalog.agency.id
    back = sim.http.post(switch.group(1), data={"price": switch.group(2)})
    assert back.status_code == 303 and back.headers["location"] == f"/portal/{portal.id}"
    sub = sim.client.v1.subscriptions.retrieve(sub_id)
    assert sub["items"].data[0].price.id == catalog.agency.id
    assert sim.event_types()[seen:] == ["customer.subscription.updated", "invoice.paid"]

    page = sim.http.get(portal.url).text
    assert "Switch to Pro" in page
    cancel = re.search(r'action="([^"]+/cancel)"', page)
    assert cancel
    sim.http.post(cancel.group(1))
    assert sim.client.v1.subscriptions.retrieve(sub_id).cancel_at_period_end is True
    events = hooked.verified(seen + 3)[seen:]
    assert events[2].type == "customer.subscription.updated"
    assert events[2].data.previous_attributes["cancel_at_period_end"] is False
    assert "Cancels on" in sim.http.get(portal.url).text
