"""Stripe's webhooks (`POST /api/billing/stripe/webhook`): verified with the SDK, each event handled once.

The event is recorded (its id is the primary key) in the same transaction as what it changes, so an
event is either fully handled or not at all: if Stripe cannot be reached meanwhile, the answer is 503
and Stripe sends it again. Subscription state is always read back from Stripe (`follow_customer`), so
duplicates and events out of order land on the same, current state.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from typing import Any

import stripe
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from voiceconsole.models import Organization, StripeEvent
from voiceconsole.models.types import pk
from voiceconsole.services.access.actor import SYSTEM
from voiceconsole.services.access.audit import record
from voiceconsole.services.billing import credits, subscription
from voiceconsole.services.billing import stripe_gateway as gw
from voiceconsole.services.billing.plans import CREDIT_PACKS
from voiceconsole.services.errors import DomainError
from voiceconsole.settings import get_settings

log = logging.getLogger(__name__)
TOLERANCE_S = 300  # Stripe's default: a signature older than five minutes is refused (replays)
HANDLED = (
    "checkout.session.completed",
    "customer.subscription.created",
    "customer.subscription.updated",
    "customer.subscription.deleted",
    "invoice.paid",
    "invoice.payment_failed",
    "invoice.payment_action_required",
)


class InvalidStripeSignature(DomainError):
    status_code = 400

    def __init__(self, message: str) -> None:
        super().__init__("Invalid signature", [{"field": "Stripe-Signature", "message": message}])


@dataclass
class StripeReceipt:
    event_id: str
    type: str
    outcome: str  # "handled" | "duplicate" | "ignored" | "unknown_customer"

    def wire(self) -> dict[str, str]:
        return {"eventId": self.event_id, "type": self.type, "outcome": self.outcome}


def _verified(payload: bytes, signature: str | None) -> dict[str, Any]:
    secret = get_settings().stripe_webhook_secret
    if not secret or not get_settings().billing_enabled:
        raise gw.BillingOff()
    if not signature:
        raise InvalidStripeSignature("Missing Stripe-Signature header")
    try:
        text = payload.decode("utf-8")
        stripe.Webhook.construct_event(text, signature, secret, tolerance=TOLERANCE_S)
        event = json.loads(text)
    except stripe.SignatureVerificationError as exc:
        raise InvalidStripeSignature("Signature does not match, or is older than five minutes") from exc
    except ValueError as exc:  # not UTF-8 or not JSON (signed or not, nothing to handle)
        raise InvalidStripeSignature("Body is not a Stripe event") from exc
    if not isinstance(event, dict) or not isinstance(event.get("id"), str) or not isinstance(event.get("data"), dict):
        raise InvalidStripeSignature("Body is not a Stripe event")
    return event


def _organization(session: Session, obj: dict[str, Any]) -> Organization | None:
    """Whose event: the customer we created for the organization, or (a Checkout session, before we knew
    the customer) the organization we named in `client_reference_id`."""
    customer = obj.get("customer")
    if isinstance(customer, dict):
        customer = customer.get("id")
    if customer:
        org = session.exec(select(Organization).where(Organization.stripe_customer_id == customer)).first()
        if org is not None:
            return org
    ref = obj.get("client_reference_id") or (obj.get("metadata") or {}).get("organization_id")
    if obj.get("object") == "checkout.session" and ref and str(ref).isdigit():
        org = session.get(Organization, int(ref))
        if org is not None and customer and org.stripe_customer_id in (None, customer):
            org.stripe_customer_id = customer
            session.add(org)
        return org
    return None


def receive_stripe_webhook(session: Session, *, payload: bytes, signature: str | None) -> StripeReceipt:
    event = _verified(payload, signature)
    kind = str(event.get("type") or "")
    receipt = StripeReceipt(event["id"], kind, "handled")
    if session.get(StripeEvent, event["id"]) is not None:
        receipt.outcome = "duplicate"
        return receipt
    obj = event["data"].get("object") or {}
    org = _organization(session, obj) if kind in HANDLED else None
    try:
        with session.begin_nested():
            session.add(StripeEvent(id=event["id"], type=kind[:64], organization_id=org.id if org else None))
            session.flush()
    except IntegrityError:  # the same event, handled concurrently by another process
        receipt.outcome = "duplicate"
        return receipt
    if kind not in HANDLED:
        receipt.outcome = "ignored"
    elif org is None:
        log.warning("Stripe event %s (%s) names no organization we know", event["id"], kind)
        receipt.outcome = "unknown_customer"
    else:
        _handle(session, org, kind, obj)
    return receipt


def _handle(session: Session, org: Organization, kind: str, obj: dict[str, Any]) -> None:
    if kind == "checkout.session.completed" and obj.get("mode") == "payment":
        _credit_pack_paid(session, org, obj)
        return
    if kind == "invoice.paid":
        subscription.invoice_paid(session, org, obj)
    elif kind in ("invoice.payment_failed", "invoice.payment_action_required") and _still_due(obj):
        if kind == "invoice.payment_failed":
            subscription.payment_failed(session, org, obj)
        else:
            subscription.payment_action_required(session, org, obj)
    subscription.follow_customer(session, org)


def _still_due(invoice: dict[str, Any]) -> bool:
    """Whether the invoice is still unpaid now: a failure reported after the invoice was paid (events out of
    order, or a retry of the payment that succeeded) starts no grace period."""
    invoice_id = invoice.get("id")
    if not invoice_id:
        return True
    client = gw.stripe_client()
    current = gw.call("reading an invoice", lambda: client.v1.invoices.retrieve(str(invoice_id)))
    return current.status == "open"


def _credit_pack_paid(session: Session, org: Organization, obj: dict[str, Any]) -> None:
    pack = CREDIT_PACKS.get((obj.get("metadata") or {}).get("credit_pack") or "")
    if pack is None or obj.get("payment_status") != "paid":
        log.warning("Checkout session %s: no credit pack paid for", obj.get("id"))
        return
    if credits.grant_pack(session, org=org, credits=pack.credits, ref=str(obj["id"])):
        record(
            session,
            organization_id=pk(org),
            actor=SYSTEM,
            action="billing.credits_purchased",
            target_type="organization",
            target_id=org.slug,
            details={"checkoutSession": str(obj["id"]), "pack": pack.slug, "credits": pack.credits},
        )
