"""The local Stripe (voiceconsole/stripe_simulator) in tests: started on a free port of 127.0.0.1, driven
through the official SDK (`sim.client`) and its `/_sim` switches (the methods below).

    from tests.support.stripe_server import stripe_sim  # noqa: F401  (the fixture, in a conftest.py)

    def test_x(stripe_sim, receiver):
        stripe_sim.configure_webhook(receiver.url("/stripe"))
        session = stripe_sim.client.v1.checkout.sessions.create({...})
        stripe_sim.pay_checkout(session.url)            # the hosted page's Pay button
        stripe_sim.wait_delivered()
        assert stripe_sim.event_types() == [...]

`start_stripe_sim()` does the same without pytest (call `.stop()`). Each fixture use is a fresh
simulator: nothing carries over between tests.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import stripe

from voiceconsole.platforms.simulator.server.serve import serve_in_thread
from voiceconsole.stripe_simulator.cli import API_KEY, DEFAULT_SECRET
from voiceconsole.stripe_simulator.server import create_app
from voiceconsole.stripe_simulator.state import StripeState

__all__ = ["API_KEY", "DEFAULT_SECRET", "StripeSim", "start_stripe_sim", "stripe_sim"]


class StripeSim:
    """A running simulator: `url`, `client` (a `StripeClient` pointed at it), `secret` (the webhook
    secret in force), `state` (its memory, for assertions the API cannot make) and the switches."""

    def __init__(self, webhook_url: str | None = None, webhook_secret: str = DEFAULT_SECRET) -> None:
        app = create_app(webhook_url, webhook_secret)
        self.state: StripeState = app.state.stripe
        self._sender = app.state.webhooks
        self.url, self._stop = serve_in_thread(app)
        self.secret = webhook_secret
        self.client = stripe.StripeClient(API_KEY, base_addresses={"api": self.url})
        self.http = httpx.Client(base_url=self.url, timeout=10)

    # webhooks -----------------------------------------------------------------------------------
    def configure_webhook(self, url: str | None, secret: str | None = None) -> None:
        """Send events to `url` (None: stop sending), signed with `secret` (default: the one in force)."""
        self.secret = secret or self.secret
        self._post("/_sim/webhook", {"url": url, "secret": self.secret})

    def events(self, type: str | None = None) -> list[dict[str, Any]]:
        """Every event so far, oldest first: `{id, type, created, delivery, attempts, event}` (control.py)."""
        params = {"type": type} if type else {}
        return self._check(self.http.get("/_sim/events", params=params))["data"]

    def event_types(self) -> list[str]:
        return [e["type"] for e in self.events()]

    def wait_delivered(self, timeout: float = 10.0) -> list[dict[str, Any]]:
        """Wait until no event is queued or being retried; returns `events()`."""
        deadline = time.monotonic() + timeout
        while not self._sender.idle() and time.monotonic() < deadline:
            time.sleep(0.01)
        return self.events()

    def resend(self, event_id: str) -> dict[str, Any]:
        return self._post(f"/_sim/events/{event_id}/resend")

    def hold(self) -> None:
        self._post("/_sim/hold")

    def release(self, order: str = "sent") -> list[str]:
        """Send the held events, in the order they happened ("sent") or "reverse"; returns their ids."""
        return self._post("/_sim/release", {"order": order})["released"]

    # payments and periods -----------------------------------------------------------------------
    def complete_checkout(self, session_id: str) -> dict[str, Any]:
        """What the Pay button does, without the page; returns the completed session (a dict)."""
        return self._post(f"/_sim/checkout/{session_id}/complete")

    def pay_checkout(self, session_url: str) -> httpx.Response:
        """Open the hosted Checkout page and press Pay (a form POST); returns the 303 to success_url."""
        page = self._check_page(self.http.get(session_url))
        action = re.search(r'<form method="post" action="([^"]+/pay)"', page.text)
        assert action, "no Pay form on the Checkout page"
        return self.http.post(action.group(1))

    def renew(self, subscription_id: str) -> dict[str, Any]:
        return self._post(f"/_sim/subscriptions/{subscription_id}/renew")

    def fail_payment(self, subscription_id: str, action_required: bool = False) -> dict[str, Any]:
        """The renewal's payment fails (`action_required`: the bank wants 3-D Secure); returns the subscription."""
        return self._post(f"/_sim/subscriptions/{subscription_id}/fail_payment", {"action_required": action_required})

    def pay(self, subscription_id: str) -> dict[str, Any]:
        return self._post(f"/_sim/subscriptions/{subscription_id}/pay")

    # the rest -----------------------------------------------------------------------------------
    def outage(self, on: bool = True) -> None:
        self._post("/_sim/outage", {"on": on})

    def meter_events(self, customer: str | None = None, event_name: str | None = None) -> dict[str, Any]:
        """`{"data": [counted meter events], "sum": <their values' sum>}`."""
        params = {k: v for k, v in (("customer", customer), ("event_name", event_name)) if v}
        return self._check(self.http.get("/_sim/meter_events", params=params))

    def reset(self) -> None:
        self._post("/_sim/reset")

    def stop(self) -> None:
        self.http.close()
        self._stop()
        self._sender.stop()

    def _post(self, path: str, body: dict[str, Any] | None = None) -> Any:
        return self._check(self.http.post(path, json=body or {}))

    @staticmethod
    def _check(response: httpx.Response) -> Any:
        assert response.status_code == 200, f"{response.request.url}: {response.status_code} {response.text}"
        return response.json()

    @staticmethod
    def _check_page(response: httpx.Response) -> httpx.Response:
        assert response.status_code == 200, f"{response.request.url}: {response.status_code} {response.text}"
        return response


def start_stripe_sim(webhook_url: str | None = None, webhook_secret: str = DEFAULT_SECRET) -> StripeSim:
    return StripeSim(webhook_url, webhook_secret)


@pytest.fixture
def stripe_sim() -> Iterator[StripeSim]:
    sim = start_stripe_sim()
    yield sim
    sim.stop()
