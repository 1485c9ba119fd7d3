"""The one way to Stripe: a `StripeClient` from the settings, and Stripe's failures as domain errors.

The official SDK (stripe-python) is used rather than raw HTTP: it signs nothing we must get right by
hand, retries network errors with idempotency keys, and its webhook verifier is Stripe's own.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

import stripe

from voiceconsole.services.errors import Conflict, DomainError
from voiceconsole.settings import get_settings

log = logging.getLogger(__name__)
T = TypeVar("T")

# Everything we create in Stripe is found again by these lookup keys (prices) and this event name
# (the meter), so `voiceconsole billing setup` can run any number of times.
LOOKUP_PREFIX = "voiceconsole_"
METER_EVENT = "voiceconsole_ai_credits"
OVERAGE_LOOKUP = f"{LOOKUP_PREFIX}ai_credit_overage"


def plan_lookup(slug: str) -> str:
    return f"{LOOKUP_PREFIX}{slug}_monthly"


def pack_lookup(slug: str) -> str:
    return f"{LOOKUP_PREFIX}{slug}"


class BillingOff(Conflict):
    def __init__(self) -> None:
        super().__init__(
            "Billing is off",
            [
                {
                    "field": "billing",
                    "message": "This deployment has no Stripe account: set STRIPE_SECRET_KEY and "
                    "STRIPE_WEBHOOK_SECRET and run `voiceconsole billing setup`.",
                }
            ],
        )


class StripeUnavailable(DomainError):
    """Stripe did not answer (or answered 5xx): try again shortly. Nothing was changed on our side."""

    status_code = 503

    def __init__(self) -> None:
        super().__init__("Payment provider unavailable", [{"field": "stripe", "message": "Try again shortly"}])


def billing_enabled() -> bool:
    return get_settings().billing_enabled


def stripe_client(*, retries: int = 2) -> stripe.StripeClient:
    settings = get_settings()
    if not settings.billing_enabled or not settings.stripe_secret_key:
        raise BillingOff()
    options: dict[str, Any] = {"max_network_retries": retries}
    if settings.stripe_api_base:
        options["base_addresses"] = {"api": settings.stripe_api_base}
    return stripe.StripeClient(settings.stripe_secret_key, **options)


@contextmanager
def talking_to_stripe(what: str) -> Iterator[None]:
    """Stripe's connection and server errors become `StripeUnavailable` (503); its refusals of what we
    asked (4xx) are our bug or a configuration error: logged with Stripe's message, re-raised."""
    try:
        yield
    except (stripe.APIConnectionError, stripe.RateLimitError) as exc:
        log.warning("Stripe unreachable while %s: %s", what, type(exc).__name__)
        raise StripeUnavailable() from exc
    except stripe.APIError as exc:  # 5xx
        log.warning("Stripe failed while %s: %s", what, exc.user_message or type(exc).__name__)
        raise StripeUnavailable() from exc
    except stripe.StripeError as exc:
        log.error("Stripe refused %s: %s", what, exc.user_message or exc)
        raise


def call(what: str, fn: Callable[[], T]) -> T:
    with talking_to_stripe(what):
        return fn()
