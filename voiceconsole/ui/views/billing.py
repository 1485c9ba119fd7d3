"""Settings → Billing: the plan with its status, usage bars, the plans and credit packs on sale, the overage
switch and the invoices. Buttons that would be refused (admins, billing off) are shown disabled."""

import reflex as rx

from voiceconsole.ui import styles
from voiceconsole.ui.components.feedback import empty_state, inline_error
from voiceconsole.ui.state.billing import BillingState as B

STATUS_COLORS = (("active", "green"), ("trialing", "blue"), ("past_due", "amber"), ("canceled", "gray"))
INVOICE_COLORS = (("paid", "green"), ("open", "blue"), ("uncollectible", "red"), ("void", "gray"))

# Acting needs an owner, Stripe configured and no other Stripe round trip under way.
_can_act = B.can_manage_billing & B.billing_enabled & (B.busy == "")


def _card(*children, **props) -> rx.Component:
    return rx.box(*children, style=styles.card, padding="20px", margin_bottom="16px", width="100%", **props)


def _section_title(text: str, note: str | rx.Var | None = None) -> rx.Component:
    return rx.vstack(
        rx.heading(text, size="3", as_="h2"),
        rx.text(note, size="2", color=styles.MUTED_TEXT) if note is not None else rx.fragment(),
        spacing="1",
        margin_bottom="12px",
    )


def notices() -> rx.Component:
    """After Checkout, billing off, read-only: what the person on the page should know first."""
    return rx.fragment(
        rx.match(
            B.checkout_returned,
            (
                "done",
                rx.callout(
                    "Payment received — your plan updates in a moment.",
                    icon="circle-check",
                    color_scheme="green",
                    variant="soft",
                    high_contrast=True,  # green 11 on the soft green is under 4.5:1
                    role="status",
                    margin_bottom="16px",
                    data_testid="checkout-done",
                ),
            ),
            (
                "canceled",
                rx.callout(
                    "Checkout was canceled: nothing was charged.",
                    icon="info",
                    color_scheme="gray",
                    variant="soft",
                    role="status",
                    margin_bottom="16px",
                    data_testid="checkout-canceled",
                ),
            ),
            rx.fragment(),
        ),
        rx.cond(
            ~B.billing_enabled,
            rx.callout(
                rx.text(
                    "Billing is off on this deployment: the operator sets plans with ",
                    rx.code("voiceconsole org plan SLUG PLAN"),
                    ", or turns billing on with ",
                    rx.code("STRIPE_SECRET_KEY"),
                    " and ",
                    rx.code("STRIPE_WEBHOOK_SECRET"),
                    " (see README → Billing).",
                ),
                icon="info",
                color_scheme="blue",
                variant="soft",
                margin_bottom="16px",
                data_testid="billing-off",
            ),
        ),
        rx.cond(
            B.billing_enabled & ~B.can_manage_billing,
            rx.callout(
                "Only owners change the plan, buy credits or turn overage on. You can see everything here.",
                icon="eye",
                color_scheme="gray",
                variant="soft",
                margin_bottom="16px",
                data_testid="billing-read-only",
            ),
        ),
    )


def _status_badge() -> rx.Component:
    return rx.match(
        B.status,
        *[
            (key, rx.badge(B.status_label, color_scheme=colour, variant="soft", data_testid="billing-status"))
            for key, colour in STATUS_COLORS
        ],
        rx.badge(B.status_label, color_scheme="gray", variant="soft", data_testid="billing-status"),
    )


def plan_summary() -> rx.Component:
    return _card(
        rx.flex(
            rx.vstack(
                rx.text("Current plan", size="2", color=styles.MUTED_TEXT),
                rx.hstack(
                    rx.heading(B.plan_name, size="6", as_="p", data_testid="billing-plan"),
                    _status_badge(),
                    align="center",
                    spacing="3",
                ),
                rx.cond(B.period_text != "", rx.text(B.period_text, size="2", data_testid="billing-period")),
                rx.cond(
                    B.limited_to_free,
                    rx.text(
                        "A payment is overdue: Free plan limits apply until it is paid.",
                        size="2",
                        color=rx.color("red", 11),
                    ),
                ),
                spacing="2",
            ),
            rx.cond(
                B.billing_enabled & B.has_billing_account,
                rx.button(
                    rx.icon("external-link", size=15),
                    "Manage billing",
                    on_click=B.manage,
                    disabled=~_can_act,
                    loading=B.busy == "portal",
                    variant="soft",
                    size="2",
                    data_testid="manage-billing",
                ),
            ),
            justify="between",
            align="start",
            spacing="4",
            wrap="wrap",
        ),
        inline_error(B.action_error, margin_top="10px", data_testid="billing-action-error"),
        data_testid="plan-summary",
    )


def _usage_row(row: rx.Var) -> rx.Component:
    return rx.vstack(
        rx.hstack(
            rx.text(row.label, size="2", weight="medium"),
            rx.text(row.used, size="2", class_name="vc-num", data_testid="usage-value"),
            justify="between",
            width="100%",
        ),
        # In a box: a flex column would stretch the bar to the height of its row's neighbour.
        rx.cond(row.bar, rx.box(rx.progress(value=row.percent, max=100, size="2", aria_label=row.label), width="100%")),
        rx.cond(row.note != "", rx.text(row.note, size="1", color=styles.MUTED_TEXT)),
        spacing="1",
        width="100%",
        custom_attrs={"data-testid": "usage-" + row.key},
    )


def usage_card() -> rx.Component:
    return _card(
        _section_title("Usage"),
        rx.grid(
            rx.foreach(B.usage, _usage_row),
            columns=rx.breakpoints(initial="1", md="2"),
            spacing="5",
            width="100%",
        ),
        data_testid="usage-card",
    )


def _plan_button(plan: rx.Var) -> rx.Component:
    return rx.cond(
        plan.current,
        rx.button("Current plan", disabled=True, variant="outline", width="100%", size="2"),
        rx.cond(
            plan.paid,
            rx.cond(
                B.has_subscription,
                # A subscription changes plan in Stripe's portal (with proration), not with a second Checkout.
                rx.button(
                    "Switch in Manage billing",
                    on_click=B.manage,
                    disabled=~_can_act,
                    variant="soft",
                    width="100%",
                    size="2",
                    aria_label="Switch to " + plan.name + " in Manage billing",
                    data_testid="switch-plan",
                ),
                rx.button(
                    "Upgrade",
                    on_click=B.upgrade(plan.slug),
                    disabled=~_can_act,
                    loading=B.busy == "plan:" + plan.slug,
                    width="100%",
                    size="2",
                    aria_label="Upgrade to " + plan.name,
                    custom_attrs={"data-testid": "upgrade-" + plan.slug},
                ),
            ),
            rx.text("Cancel a paid plan under Manage billing", size="1", color=styles.MUTED_TEXT),
        ),
    )


def _plan_card(plan: rx.Var) -> rx.Component:
    return rx.vstack(
        rx.hstack(
            rx.heading(plan.name, size="4", as_="h3"),
            rx.cond(plan.current, rx.badge("Current", color_scheme="green", variant="soft")),
            justify="between",
            align="center",
            width="100%",
        ),
        rx.text(plan.price, size="5", weight="bold", class_name="vc-num"),
        rx.el.ul(
            rx.foreach(
                plan.features,
                lambda f: rx.el.li(
                    rx.hstack(
                        rx.icon("check", size=14, color=rx.color("green", 11), aria_hidden="true"),
                        rx.text(f, size="2"),
                        align="center",
                        spacing="2",
                    )
                ),
            ),
            style={"list_style": "none", "padding": "0", "margin": "0", "display": "grid", "gap": "6px"},
        ),
        rx.spacer(),
        _plan_button(plan),
        spacing="3",
        padding="16px",
        border_radius="10px",
        border=rx.cond(plan.current, f"2px solid {rx.color('accent', 8)}", styles.SUBTLE_BORDER),
        height="100%",
        custom_attrs={"data-testid": "plan-" + plan.slug},
    )


def plans_section() -> rx.Component:
    return _card(
        _section_title("Plans"),
        rx.grid(
            rx.foreach(B.plans, _plan_card), columns=rx.breakpoints(initial="1", md="3"), spacing="4", width="100%"
        ),
        data_testid="plans",
    )


def _pack(pack: rx.Var) -> rx.Component:
    return rx.hstack(
        rx.vstack(
            rx.text(pack.credits, size="2", weight="medium"),
            rx.text(pack.price, size="2", color=styles.MUTED_TEXT),
            spacing="0",
        ),
        rx.button(
            rx.icon("shopping-cart", size=14),
            "Buy credits",
            on_click=B.buy_credits(pack.slug),
            disabled=~_can_act,
            loading=B.busy == "pack:" + pack.slug,
            variant="soft",
            size="2",
            aria_label="Buy " + pack.credits + " for " + pack.price,
            custom_attrs={"data-testid": "buy-" + pack.slug},
        ),
        justify="between",
        align="center",
        padding="12px 14px",
        border=styles.SUBTLE_BORDER,
        border_radius="10px",
        width="100%",
    )


def credits_section() -> rx.Component:
    return _card(
        _section_title(
            "AI credits",
            "Packs are paid once and used after the month's allowance; bought credits never lapse.",
        ),
        rx.grid(rx.foreach(B.packs, _pack), columns=rx.breakpoints(initial="1", md="2"), spacing="3", width="100%"),
        rx.divider(margin_y="16px"),
        rx.flex(
            rx.vstack(
                rx.el.label("Overage", html_for="billing-overage", style={"font_weight": "500"}),
                rx.text(
                    "Keep scoring and coaching with AI past the allowance and packs: ",
                    B.overage_price,
                    ". Off: running out falls back to local scoring.",
                    size="2",
                    color=styles.MUTED_TEXT,
                    data_testid="overage-price",
                ),
                spacing="1",
            ),
            rx.switch(
                id="billing-overage",
                checked=B.overage,
                on_change=B.set_overage,
                disabled=~_can_act,
                data_testid="overage-switch",
            ),
            justify="between",
            align="center",
            spacing="4",
        ),
        data_testid="credits",
    )


def _invoice_status(inv: rx.Var) -> rx.Component:
    return rx.match(
        inv.status,
        *[(key, rx.badge(inv.status_label, color_scheme=colour, variant="soft")) for key, colour in INVOICE_COLORS],
        rx.badge(inv.status_label, color_scheme="gray", variant="outline"),
    )


def _invoice_row(inv: rx.Var) -> rx.Component:
    return rx.table.row(
        rx.table.cell(rx.text(inv.number, weight="medium")),
        rx.table.cell(inv.date, white_space="nowrap"),
        rx.table.cell(inv.amount, class_name="vc-num", white_space="nowrap"),
        rx.table.cell(_invoice_status(inv)),
        rx.table.cell(
            rx.cond(
                inv.pdf_url != "",
                rx.link(
                    rx.icon(
                        "file-down", size=14, aria_hidden="true", style={"display": "inline", "vertical_align": "-2px"}
                    ),
                    " PDF",
                    href=inv.pdf_url,
                    is_external=True,
                    aria_label="PDF of invoice " + inv.number,
                ),
                rx.text("—", color=styles.MUTED_TEXT),
            ),
            text_align="right",
        ),
        align="center",
        custom_attrs={"data-testid": "invoice-row"},
    )


def invoices_card() -> rx.Component:
    return rx.box(
        rx.heading("Invoices", size="3", as_="h2", padding="16px 16px 4px"),
        inline_error(B.invoices_error, padding="0 16px", data_testid="invoices-error"),
        rx.cond(
            B.invoices.length() > 0,
            rx.table.root(
                rx.table.header(
                    rx.table.row(
                        rx.table.column_header_cell("Number"),
                        rx.table.column_header_cell("Date"),
                        rx.table.column_header_cell("Amount"),
                        rx.table.column_header_cell("Status"),
                        rx.table.column_header_cell(rx.text("Download", class_name="vc-sr-only")),
                    )
                ),
                rx.table.body(rx.foreach(B.invoices, _invoice_row)),
                variant="ghost",
                size="2",
                width="100%",
                data_testid="invoices-table",
            ),
            rx.cond(B.invoices_error == "", empty_state("receipt", "No invoices yet")),
        ),
        style=styles.card,
        class_name="vc-table-card",
        overflow="hidden",
        custom_attrs={"data-table-card": "invoices"},
    )
