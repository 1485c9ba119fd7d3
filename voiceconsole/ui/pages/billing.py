"""/billing: the plan, its usage, upgrading and credits, overage and invoices (owners; admins read-only)."""

import reflex as rx

from voiceconsole.ui.components.feedback import error_callout
from voiceconsole.ui.components.layout import app_shell
from voiceconsole.ui.components.page_header import page_header
from voiceconsole.ui.state.billing import BillingState
from voiceconsole.ui.views.billing import (
    credits_section,
    invoices_card,
    notices,
    plan_summary,
    plans_section,
    usage_card,
)


def billing_page() -> rx.Component:
    return app_shell(
        "billing",
        page_header("Billing", "Your plan, what it includes and how much of it is used"),
        error_callout(BillingState.error, margin_bottom="16px", data_testid="billing-error"),
        rx.cond(
            BillingState.loaded,  # members and client viewers are refused: the error above says so
            rx.fragment(notices(), plan_summary(), usage_card(), plans_section(), credits_section(), invoices_card()),
        ),
    )
