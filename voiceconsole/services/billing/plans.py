"""The plan catalogue: what each plan includes. Every limit in the product reads it from here.

The public docs sell Free, Pro and Agency; an unknown plan gets what Free includes.
"""

from __future__ import annotations

from dataclasses import dataclass

from voiceconsole.models import PLANS


@dataclass(frozen=True)
class Plan:
    slug: str
    name: str
    monthly_credits: int  # AI credits granted each month (DESIGN.md §7)
    requests_per_minute: int  # API rate limits per key, shared by every web process
    requests_per_second: int  # the burst window


CATALOGUE: dict[str, Plan] = {
    "free": Plan("free", "Free", monthly_credits=20, requests_per_minute=60, requests_per_second=10),
    "pro": Plan("pro", "Pro", monthly_credits=1_000, requests_per_minute=300, requests_per_second=30),
    "agency": Plan("agency", "Agency", monthly_credits=10_000, requests_per_minute=1_000, requests_per_second=100),
}
assert set(CATALOGUE) == set(PLANS), "models.PLANS and the catalogue must name the same plans"


def plan_for(slug: str | None) -> Plan:
    return CATALOGUE.get((slug or "").lower(), CATALOGUE["free"])
