"""The call page's cost card: the platform's itemised cost, when it itemised it."""

import reflex as rx

from voiceconsole.ui import styles
from voiceconsole.ui.state.call_detail import CallDetailState


def _item(item: rx.Var) -> rx.Component:
    return rx.hstack(
        rx.text(item["name"], size="2"),
        rx.text(item["quantity"], size="1", color=styles.MUTED_TEXT, class_name="vc-num"),
        rx.spacer(),
        rx.text(item["amount"], size="2", weight="medium", class_name="vc-num"),
        align="baseline",
        spacing="2",
        width="100%",
        custom_attrs={"data-testid": "cost-item"},
    )


def cost_card() -> rx.Component:
    c = CallDetailState.call
    return rx.cond(
        CallDetailState.sees_costs & ((CallDetailState.cost_items.length() > 0) | (c["cost_note"] != "")),
        rx.box(
            rx.hstack(
                rx.icon("receipt", size=17, color=styles.MUTED_TEXT),
                rx.heading("Cost", size="3"),
                rx.spacer(),
                rx.text(c["cost"], size="3", weight="bold", class_name="vc-num", data_testid="cost-total"),
                align="center",
                spacing="2",
                margin_bottom="8px",
                width="100%",
            ),
            rx.cond(
                c["cost_note"] != "",
                rx.text(c["cost_note"], size="1", color=styles.MUTED_TEXT, data_testid="cost-note"),
                rx.fragment(),
            ),
            rx.vstack(rx.foreach(CallDetailState.cost_items, _item), spacing="1", width="100%", margin_top="8px"),
            style=styles.card,
            padding="20px",
            margin_bottom="16px",
            data_testid="call-cost",
        ),
        rx.fragment(),
    )
