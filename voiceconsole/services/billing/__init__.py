"""Billing: the plan catalogue (`plans`), AI credits (`credits`), plan limits (`monitoring`, `seats`) and
Stripe (`stripe_gateway`, `setup`, `checkout`, `webhooks`, `subscription`, `meter`)."""

from voiceconsole.services.billing.plans import CREDIT_PACKS, Plan, catalogue, effective_plan, plan_for

__all__ = ["CREDIT_PACKS", "Plan", "catalogue", "effective_plan", "plan_for"]
