"""`voiceconsole billing setup`: the plan catalogue in Stripe — products, monthly prices, the AI-credit
Billing Meter with its metered overage price, and the credit packs. Idempotent: each price is found by
its lookup key and created only when missing or when its amount changed (then the new price takes the
lookup key over, and subscriptions move to it at their next change)."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import stripe
from stripe.params import PriceCreateParams

from voiceconsole.services.billing import stripe_gateway as gw
from voiceconsole.services.billing.plans import CREDIT_PACKS, OVERAGE_USD_PER_CREDIT, catalogue


@dataclass
class SetupReport:
    created: list[str] = field(default_factory=list)  # "price voiceconsole_pro_monthly ($49/month)"
    kept: list[str] = field(default_factory=list)
    prices: dict[str, str] = field(default_factory=dict)  # lookup key → price id
    meter_id: str = ""


def _product(client: stripe.StripeClient, product_id: str, name: str, report: SetupReport) -> str:
    try:
        client.v1.products.retrieve(product_id)
        return product_id
    except stripe.InvalidRequestError:  # not there yet
        client.v1.products.create({"id": product_id, "name": name, "metadata": {"voiceconsole": "1"}})
        report.created.append(f"product {product_id}")
        return product_id


def _existing_prices(client: stripe.StripeClient, keys: list[str]) -> dict[str, Any]:
    found = client.v1.prices.list({"lookup_keys": keys, "active": True, "limit": 100})
    return {p.lookup_key: p for p in found.data if p.lookup_key}


def _cents(usd: int) -> int:
    return usd * 100


def _price(
    client: stripe.StripeClient,
    existing: dict[str, Any],
    report: SetupReport,
    *,
    key: str,
    product: str,
    label: str,
    params: PriceCreateParams,
    same: bool | None = None,
) -> None:
    price = existing.get(key)
    if price is not None and (same if same is not None else price.unit_amount == params.get("unit_amount")):
        report.kept.append(f"price {key}")
        report.prices[key] = price.id
        return
    params.update({"product": product, "currency": "usd", "lookup_key": key, "transfer_lookup_key": True})
    created = client.v1.prices.create(params)
    report.created.append(f"price {key} ({label})")
    report.prices[key] = created.id


def _meter(client: stripe.StripeClient, report: SetupReport) -> str:
    for meter in client.v1.billing.meters.list({"status": "active", "limit": 100}).data:
        if meter.event_name == gw.METER_EVENT:
            report.kept.append(f"meter {gw.METER_EVENT}")
            return meter.id
    meter = client.v1.billing.meters.create(
        {
            "display_name": "VoiceConsole AI credits past the allowance",
            "event_name": gw.METER_EVENT,
            "default_aggregation": {"formula": "sum"},
            "customer_mapping": {"type": "by_id", "event_payload_key": "stripe_customer_id"},
            "value_settings": {"event_payload_key": "value"},
        }
    )
    report.created.append(f"meter {gw.METER_EVENT}")
    return meter.id


def ensure_catalogue(client: stripe.StripeClient | None = None) -> SetupReport:
    """Create or find everything billing needs in the configured Stripe account."""
    client = client or gw.stripe_client()
    report = SetupReport()
    with gw.talking_to_stripe("setting up the catalogue"):
        plans = [p for p in catalogue().values() if p.price_usd > 0]
        keys = [gw.plan_lookup(p.slug) for p in plans] + [gw.OVERAGE_LOOKUP]
        keys += [gw.pack_lookup(slug) for slug in CREDIT_PACKS]
        existing = _existing_prices(client, keys)
        for plan in plans:
            product = _product(client, f"voiceconsole_plan_{plan.slug}", f"VoiceConsole {plan.name}", report)
            _price(
                client,
                existing,
                report,
                key=gw.plan_lookup(plan.slug),
                product=product,
                label=f"${plan.price_usd}/month",
                params={
                    "currency": "usd",
                    "unit_amount": _cents(plan.price_usd),
                    "recurring": {"interval": "month", "usage_type": "licensed"},
                    "nickname": f"{plan.name} monthly",
                    "metadata": {"voiceconsole_plan": plan.slug},
                },
            )
        credits_product = _product(client, "voiceconsole_ai_credits", "VoiceConsole AI credits", report)
        report.meter_id = _meter(client, report)
        overage_cents = str(Decimal(OVERAGE_USD_PER_CREDIT) * 100)
        overage = existing.get(gw.OVERAGE_LOOKUP)
        _price(
            client,
            existing,
            report,
            key=gw.OVERAGE_LOOKUP,
            product=credits_product,
            label=f"${OVERAGE_USD_PER_CREDIT} per AI credit past the allowance",
            same=overage is not None
            and Decimal(str(overage.unit_amount_decimal or overage.unit_amount or 0)) == Decimal(overage_cents)
            and getattr(overage.recurring, "meter", None) == report.meter_id,
            params={
                "currency": "usd",
                "unit_amount_decimal": Decimal(overage_cents),
                "recurring": {"interval": "month", "usage_type": "metered", "meter": report.meter_id},
                "nickname": "AI credit overage",
                "metadata": {"voiceconsole_overage": "1"},
            },
        )
        for pack in CREDIT_PACKS.values():
            _price(
                client,
                existing,
                report,
                key=gw.pack_lookup(pack.slug),
                product=credits_product,
                label=f"{pack.credits:,} credits for ${pack.price_usd}",
                params={
                    "currency": "usd",
                    "unit_amount": _cents(pack.price_usd),
                    "nickname": f"{pack.credits:,} AI credits",
                    "metadata": {"voiceconsole_credit_pack": pack.slug, "credits": str(pack.credits)},
                },
            )
    return report
