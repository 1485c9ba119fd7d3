"""Billing: the plan catalogue (`plans`) and AI credits (`credits`)."""

from voiceconsole.services.billing.plans import CATALOGUE, Plan, plan_for

__all__ = ["CATALOGUE", "Plan", "plan_for"]
