"""The plan catalogue: what each plan includes, the operator's overrides, the messages of a reached limit,
and Free's limits once a failed payment's grace period has ended."""

from __future__ import annotations

from datetime import timedelta

import pytest

from voiceconsole.models.types import utcnow
from voiceconsole.services.billing import plans
from voiceconsole.settings import get_settings


@pytest.fixture
def overrides(monkeypatch):
    def use(raw: str | None):
        if raw is None:
            monkeypatch.delenv("VOICECONSOLE_PLANS", raising=False)
        else:
            monkeypatch.setenv("VOICECONSOLE_PLANS", raw)
        get_settings.cache_clear()

    yield use
    monkeypatch.delenv("VOICECONSOLE_PLANS", raising=False)
    get_settings.cache_clear()


def test_the_public_docs_plans():
    got = {
        slug: (p.price_usd, p.agents, p.seats, p.monthly_credits, p.requests_per_minute, p.requests_per_second)
        for slug, p in plans.catalogue().items()
    }
    assert got == {
        "free": (0, 1, 1, 20, 60, 10),
        "pro": (49, 15, 5, 1_000, 300, 30),
        "agency": (149, None, None, 10_000, 1_000, 100),
    }


def test_limit_messages_name_the_plan_that_lifts_them():
    free, pro, agency = (plans.plan_for(s) for s in ("free", "pro", "agency"))
    assert plans.upgrade_hint(free, "agents") == "Free includes 1 monitored agent. Upgrade to Pro for 15."
    assert plans.upgrade_hint(free, "seats") == "Free includes 1 team seat. Upgrade to Pro for 5."
    assert plans.upgrade_hint(pro, "agents") == "Pro includes 15 monitored agents. Upgrade to Agency for unlimited."
    assert plans.upgrade_hint(agency, "agents") == "Agency includes unlimited monitored agents."


def test_the_operator_overrides_prices_and_limits(overrides):
    overrides('{"pro": {"price_usd": 59, "agents": 20, "monthly_credits": 1500}, "agency": {"seats": 50}}')
    pro, agency = plans.plan_for("pro"), plans.plan_for("agency")
    assert (pro.price_usd, pro.agents, pro.monthly_credits, pro.seats) == (59, 20, 1_500, 5)
    assert agency.seats == 50 and agency.agents is None
    assert (
        plans.upgrade_hint(plans.plan_for("free"), "agents")
        == "Free includes 1 monitored agent. Upgrade to Pro for 20."
    )


@pytest.mark.parametrize(
    ("raw", "says"),
    [
        ("{not json", "not JSON"),
        ('["pro"]', "JSON object"),
        ('{"gold": {"price_usd": 1}}', "unknown plan 'gold'"),
        ('{"pro": {"colour": "red"}}', "pro has no colour"),
        ('{"pro": {"agents": -1}}', "pro.agents = -1"),
        ('{"pro": {"monthly_credits": null}}', "pro.monthly_credits = None"),
    ],
)
def test_a_bad_override_is_refused_with_what_is_wrong(overrides, raw, says):
    overrides(raw)
    with pytest.raises(plans.PlanCatalogueError, match=says):
        plans.catalogue()


def test_free_limits_apply_once_the_grace_period_has_ended(factory):
    org = factory.org(plan="pro")
    assert plans.effective_plan(org).slug == "pro"
    org.grace_ends_at = utcnow() + timedelta(days=1)  # still in grace: the plan holds
    assert plans.effective_plan(org).slug == "pro"
    org.grace_ends_at = utcnow() - timedelta(seconds=1)
    assert plans.effective_plan(org).slug == "free" and plans.in_grace_lapse(org)
    assert plans.effective_slug("agency", org.grace_ends_at) == "free"
    assert plans.effective_slug("agency", None) == "agency"
