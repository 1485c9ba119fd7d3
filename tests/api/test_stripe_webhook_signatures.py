"""Stripe's webhook refuses what Stripe did not sign: a missing, forged or stale signature is a 400 and
changes nothing; with billing off the endpoint says so (409). Signatures are made with the official SDK."""

from __future__ import annotations

import json
import time

import pytest
import stripe
from sqlmodel import select

from voiceconsole.models import StripeEvent
from voiceconsole.settings import get_settings

SECRET = "whsec_test_signatures"
URL = "/api/billing/stripe/webhook"


@pytest.fixture
def billing_on(monkeypatch):
    monkeypatch.setenv("STRIPE_SECRET_KEY", "sk_test_unused")
    monkeypatch.setenv("STRIPE_WEBHOOK_SECRET", SECRET)
    monkeypatch.setenv("VOICECONSOLE_STRIPE_API_BASE", "http://127.0.0.1:9")  # never called by these tests
    get_settings.cache_clear()
    yield
    monkeypatch.undo()
    get_settings.cache_clear()


def _event(event_id: str, kind: str = "customer.created") -> str:
    return json.dumps(
        {"id": event_id, "object": "event", "type": kind, "created": int(time.time()), "data": {"object": {}}}
    )


def _signed(body: str, *, secret: str = SECRET, at: int | None = None) -> dict[str, str]:
    header = stripe.WebhookSignature.generate_signature_header(body, secret, timestamp=at or int(time.time()))
    return {"Stripe-Signature": header, "Content-Type": "application/json"}


def _stored(db, event_id: str) -> bool:
    db.expire_all()
    return db.exec(select(StripeEvent).where(StripeEvent.id == event_id)).first() is not None


def test_a_signed_event_is_taken_once(billing_on, api_client, db):
    body = _event("evt_sig_ok_1")
    first = api_client.post(URL, content=body, headers=_signed(body))
    assert first.status_code == 200, first.text
    assert first.json()["data"] == {"eventId": "evt_sig_ok_1", "type": "customer.created", "outcome": "ignored"}
    again = api_client.post(URL, content=body, headers=_signed(body))
    assert again.json()["data"]["outcome"] == "duplicate"
    assert _stored(db, "evt_sig_ok_1")


@pytest.mark.parametrize(
    ("case", "headers", "says"),
    [
        ("missing", {}, "Missing Stripe-Signature header"),
        ("forged", "forged", "does not match"),
        ("stale", "stale", "older than five minutes"),
        ("garbage", {"Stripe-Signature": "t=abc,v1=zz"}, "does not match"),
    ],
)
def test_unsigned_forged_or_stale_events_are_refused(billing_on, api_client, db, case, headers, says):
    event_id = f"evt_sig_bad_{case}"
    body = _event(event_id)
    if headers == "forged":
        headers = _signed(body, secret="whsec_someone_else")
    elif headers == "stale":
        headers = _signed(body, at=int(time.time()) - 301)
    response = api_client.post(URL, content=body, headers=headers)
    assert response.status_code == 400
    error = response.json()
    assert error["error"] == "Invalid signature"
    assert error["details"][0]["field"] == "Stripe-Signature" and says in error["details"][0]["message"]
    assert not _stored(db, event_id)


def test_a_body_changed_after_signing_is_refused(billing_on, api_client, db):
    body = _event("evt_sig_tampered")
    headers = _signed(body)
    tampered = body.replace("customer.created", "invoice.paid")
    assert api_client.post(URL, content=tampered, headers=headers).status_code == 400
    assert not _stored(db, "evt_sig_tampered")


def test_signed_non_json_is_refused(billing_on, api_client):
    body = "not json at all"
    response = api_client.post(URL, content=body, headers=_signed(body))
    assert response.status_code == 400 and response.json()["details"][0]["message"] == "Body is not a Stripe event"


def test_with_billing_off_the_webhook_says_so(api_client, monkeypatch):
    monkeypatch.delenv("STRIPE_SECRET_KEY", raising=False)
    monkeypatch.delenv("STRIPE_WEBHOOK_SECRET", raising=False)
    get_settings.cache_clear()
    body = _event("evt_billing_off")
    response = api_client.post(URL, content=body, headers=_signed(body))
    assert response.status_code == 409 and response.json()["error"] == "Billing is off"
