"""Billing against the local Stripe (voiceconsole/stripe_simulator): one simulator and one API process for
a module, the simulator's webhooks sent over real HTTP to the API's `/api/billing/stripe/webhook`, the
catalogue set up in it by `ensure_catalogue` as `voiceconsole billing setup` does."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import pytest

from tests.support.live_api import live_api
from tests.support.stripe_server import API_KEY, StripeSim, start_stripe_sim


@dataclass
class Billing:
    sim: StripeSim
    base: str  # the API process receiving the webhooks
    mail_port: int

    def api(self, key: str) -> httpx.Client:
        return httpx.Client(base_url=self.base, headers={"Authorization": f"Bearer {key}"}, timeout=20)


@pytest.fixture(scope="module")
def billing(tmp_path_factory, mailbox) -> Iterator[Billing]:
    from voiceconsole.services.billing import checkout
    from voiceconsole.services.billing.setup import ensure_catalogue
    from voiceconsole.settings import get_settings

    sim = start_stripe_sim(webhook_secret="whsec_billing_tests")
    env = {
        "STRIPE_SECRET_KEY": API_KEY,
        "STRIPE_WEBHOOK_SECRET": sim.secret,
        "VOICECONSOLE_STRIPE_API_BASE": sim.url,
        "VOICECONSOLE_SMTP_HOST": "127.0.0.1",
        "VOICECONSOLE_SMTP_PORT": str(mailbox.port),
        "VOICECONSOLE_ALLOW_PRIVATE_TARGETS": "1",
    }
    with pytest.MonkeyPatch.context() as mp:
        for name, value in env.items():
            mp.setenv(name, value)
        get_settings.cache_clear()
        checkout._prices.clear()  # another simulator's price ids
        ensure_catalogue()
        try:
            with live_api(tmp_path_factory.mktemp("billing-api"), **env) as base:
                sim.configure_webhook(f"{base}/api/billing/stripe/webhook")
                yield Billing(sim=sim, base=base, mail_port=mailbox.port)
        finally:
            sim.stop()
            checkout._prices.clear()
    get_settings.cache_clear()


def subscribe(billing, db, factory, plan: str = "pro"):
    """A Free organization whose owner upgrades through Checkout (the hosted page's Pay button)."""
    from tests.support.team import person

    org = factory.org(plan="free")
    owner = person(factory, org, role="owner")
    key = factory.api_key(org, role="owner")
    with billing.api(key) as api:
        started = api.post("/api/v1/billing/checkout", json={"plan": plan})
        assert started.status_code == 200, started.text
        url = started.json()["data"]["url"]
        assert url.startswith(billing.sim.url + "/checkout/")
        paid = billing.sim.pay_checkout(url)
        assert paid.status_code == 303 and paid.headers["location"].startswith("http")
        assert "checkout=done" in paid.headers["location"]
    events = billing.sim.wait_delivered()
    assert all(e["delivery"] == "delivered" for e in events), [(e["type"], e["attempts"]) for e in events]
    return org, owner, key
