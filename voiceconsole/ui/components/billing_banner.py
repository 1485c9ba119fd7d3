"""The failed-payment banner at the top of every signed-in page (state: PaymentNoticeState)."""

import reflex as rx

from voiceconsole.ui.state.billing import PaymentNoticeState as N

BILLING_ROUTE = "/billing"


def billing_banner() -> rx.Component:
    """Nothing while payments are fine; read once the page's content mounts (after its guards ran)."""
    return rx.box(
        rx.cond(
            N.notice != "",
            rx.callout.root(
                rx.callout.icon(rx.icon("credit-card", size=16)),
                rx.flex(
                    rx.callout.text(N.notice_text, data_testid="billing-banner-text"),
                    rx.cond(
                        N.notice_links_billing,
                        rx.link(
                            "Manage billing",
                            href=BILLING_ROUTE,
                            weight="bold",
                            size="2",
                            underline="always",
                            data_testid="billing-banner-link",
                        ),
                    ),
                    spacing="3",
                    wrap="wrap",
                    align="center",
                ),
                color_scheme=rx.cond(N.notice == "limited", "red", "amber"),
                variant="surface",
                high_contrast=True,
                role="alert",
                width="100%",
                margin_bottom="16px",
                data_testid="billing-banner",
            ),
        ),
        on_mount=N.load_notice,
        width="100%",
    )
