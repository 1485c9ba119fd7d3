"""The plan catalogue: what each plan costs and includes. Every limit in the product reads it from here.

The public docs sell Free, Pro and Agency. The operator may change prices and limits with the
`VOICECONSOLE_PLANS` setting (JSON, e.g. `{"pro": {"price_usd": 59, "agents": 20}}`); an unknown plan
gets what Free includes. `None` as a limit means unlimited.
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Any

from voiceconsole.models import PLANS, Organization
from voiceconsole.models.types import utcnow
from voiceconsole.settings import get_settings


@dataclass(frozen=True)
class Plan:
    slug: str
    name: str
    price_usd: int  # per month
    agents: int | None  # monitored agents; None: unlimited
    seats: int | None  # team members other than client viewers; None: unlimited
    monthly_credits: int  # AI credits granted each month (DESIGN.md §7)
    requests_per_minute: int  # API rate limits per key, shared by every web process
    requests_per_second: int  # the burst window

    def limit_text(self, what: str) -> str:
        """ "1 monitored agent", "5 team seats", "unlimited monitored agents"."""
        noun = {"agents": "monitored agent", "seats": "team seat"}[what]
        value = getattr(self, what)
        if value is None:
            return f"unlimited {noun}s"
        return f"{value:,} {noun}{'' if value == 1 else 's'}"


@dataclass(frozen=True)
class CreditPack:
    """AI credits bought once (a one-time Checkout payment); kept until spent, used after the month's."""

    slug: str
    credits: int
    price_usd: int


DEFAULT_CATALOGUE: dict[str, Plan] = {
    "free": Plan(
        "free", "Free", 0, agents=1, seats=1, monthly_credits=20, requests_per_minute=60, requests_per_second=10
    ),
    "pro": Plan(
        "pro", "Pro", 49, agents=15, seats=5, monthly_credits=1_000, requests_per_minute=300, requests_per_second=30
    ),
    "agency": Plan(
        "agency",
        "Agency",
        149,
        agents=None,
        seats=None,
        monthly_credits=10_000,
        requests_per_minute=1_000,
        requests_per_second=100,
    ),
}
assert set(DEFAULT_CATALOGUE) == set(PLANS), "models.PLANS and the catalogue must name the same plans"
PLAN_ORDER = ("free", "pro", "agency")

CREDIT_PACKS: dict[str, CreditPack] = {
    "credits_1000": CreditPack("credits_1000", 1_000, 15),
    "credits_5000": CreditPack("credits_5000", 5_000, 60),
}
# Each AI credit past the allowance and packs, when the organization turned overage on: Stripe invoices
# the Billing Meter's sum at the period's end.
OVERAGE_USD_PER_CREDIT = "0.02"


class PlanCatalogueError(ValueError):
    """VOICECONSOLE_PLANS is not what the catalogue can take."""


def _apply_overrides(raw: str | None) -> dict[str, Plan]:
    if not raw:
        return dict(DEFAULT_CATALOGUE)
    try:
        overrides = json.loads(raw)
    except ValueError as exc:
        raise PlanCatalogueError(f"VOICECONSOLE_PLANS is not JSON: {exc}") from exc
    if not isinstance(overrides, dict):
        raise PlanCatalogueError("VOICECONSOLE_PLANS must be a JSON object of plans")
    fields = {f.name for f in dataclasses.fields(Plan)} - {"slug"}
    catalogue = dict(DEFAULT_CATALOGUE)
    for slug, changes in overrides.items():
        if slug not in catalogue or not isinstance(changes, dict):
            raise PlanCatalogueError(f"VOICECONSOLE_PLANS: unknown plan {slug!r} (plans: {', '.join(PLANS)})")
        unknown = set(changes) - fields
        if unknown:
            raise PlanCatalogueError(f"VOICECONSOLE_PLANS: {slug} has no {', '.join(sorted(unknown))}")
        for name, value in changes.items():
            if name == "name":
                ok = isinstance(value, str) and value.strip() != ""
            else:
                unlimited_ok = name in ("agents", "seats") and value is None
                ok = unlimited_ok or (isinstance(value, int) and not isinstance(value, bool) and value >= 0)
            if not ok:
                raise PlanCatalogueError(f"VOICECONSOLE_PLANS: {slug}.{name} = {value!r} is not allowed")
        catalogue[slug] = dataclasses.replace(catalogue[slug], **changes)
    return catalogue


@lru_cache(maxsize=4)
def _catalogue(raw: str | None) -> dict[str, Plan]:
    return _apply_overrides(raw)


def catalogue() -> dict[str, Plan]:
    """The plans as this deployment sells them (the defaults with the operator's overrides)."""
    return _catalogue(get_settings().plan_overrides)


def plan_for(slug: str | None) -> Plan:
    plans = catalogue()
    return plans.get((slug or "").lower(), plans["free"])


def in_grace_lapse(org: Organization, now: datetime | None = None) -> bool:
    """A failed payment's grace period has ended and no invoice was paid since."""
    return grace_lapsed(org.grace_ends_at, now)


def grace_lapsed(grace_ends_at: datetime | None, now: datetime | None = None) -> bool:
    return grace_ends_at is not None and grace_ends_at <= (now or utcnow())


def effective_slug(plan: str | None, grace_ends_at: datetime | None) -> str:
    """`effective_plan`'s slug from the two columns it reads (for callers holding a row's values)."""
    return "free" if grace_lapsed(grace_ends_at) else plan_for(plan).slug


def effective_plan(org: Organization, now: datetime | None = None) -> Plan:
    """What the organization gets now: its plan, or Free's limits once a failed payment's grace period
    has ended (nothing is deleted; `invoice.paid` gives the plan back)."""
    if in_grace_lapse(org, now):
        return plan_for("free")
    return plan_for(org.plan)


def upgrade_hint(current: Plan, what: str) -> str:
    """The 403 message when a limit is reached: "Free includes 1 monitored agent. Upgrade to Pro for 15."."""
    plans = catalogue()
    text = f"{current.name} includes {current.limit_text(what)}."
    current_value = getattr(current, what)
    for slug in PLAN_ORDER[PLAN_ORDER.index(current.slug) + 1 :] if current.slug in PLAN_ORDER else ():
        better = plans[slug]
        value = getattr(better, what)
        if value is None or (current_value is not None and value > current_value):
            amount = "unlimited" if value is None else f"{value:,}"
            return f"{text} Upgrade to {better.name} for {amount}."
    return text


def as_dict(plan: Plan) -> dict[str, Any]:
    return dataclasses.asdict(plan)
