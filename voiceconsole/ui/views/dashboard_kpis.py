"""The KPI cards at the top of the dashboard (and of the agent and client pages)."""

import reflex as rx

from voiceconsole.ui import styles
from voiceconsole.ui.components.trend import trend_badge
from voiceconsole.ui.state.dashboard import DashboardState


def kpi_card(item: rx.Var) -> rx.Component:
    return rx.vstack(
        rx.text(item["label"], size="2", color=styles.MUTED_TEXT, weight="medium"),
        rx.text(
            item["value"],
            size=rx.breakpoints(initial="6", sm="7"),
            weight="bold",
            class_name="vc-num",
            letter_spacing="-0.02em",
            white_space="nowrap",
            data_testid="kpi-value",
        ),
        rx.flex(
            trend_badge(item["change"], item["direction"], item["tone"], data_testid="kpi-change"),
            rx.text("vs previous period", size="1", color=styles.MUTED_TEXT, white_space="nowrap"),
            spacing="2",
            align="center",
            wrap="wrap",
            title=item["change_title"],
        ),
        spacing="1",
        padding=["12px 14px", "12px 14px", "16px 18px"],
        style=styles.card,
        min_width="0",
        custom_attrs={"data-testid": "kpi-card", "data-kpi": item["key"]},
    )


def kpi_cards(items: rx.Var | None = None) -> rx.Component:
    """A row of cards; `items` as built by `state.dashboard.kpi_cards` (the dashboard's by default)."""
    return rx.grid(
        rx.foreach(DashboardState.kpis if items is None else items, kpi_card),
        # Two per row on phones, five in a row from `lg` (the fifth wraps alone in between).
        columns=rx.breakpoints(initial="2", md="3", lg="5"),
        spacing=rx.breakpoints(initial="3", sm="4"),
        width="100%",
        margin_bottom="16px",
    )
