"""The KPI cards at the top of the dashboard."""

import reflex as rx

from voiceconsole.ui import styles
from voiceconsole.ui.components.trend import trend_badge
from voiceconsole.ui.state.dashboard import DashboardState


def kpi_card(item: rx.Var) -> rx.Component:
    return rx.vstack(
        rx.text(item["label"], size="2", color=styles.MUTED_TEXT, weight="medium"),
        rx.text(
            item["value"],
            size="7",
            weight="bold",
            class_name="vc-num",
            letter_spacing="-0.02em",
            data_testid="kpi-value",
        ),
        rx.hstack(
            trend_badge(item["change"], item["direction"], item["tone"], data_testid="kpi-change"),
            rx.text("vs previous period", size="1", color=styles.MUTED_TEXT),
            spacing="2",
            align="center",
        ),
        spacing="1",
        padding="16px 18px",
        style=styles.card,
        min_width="0",
        custom_attrs={"data-testid": "kpi-card", "data-kpi": item["key"]},
    )


def kpi_cards() -> rx.Component:
    return rx.grid(
        rx.foreach(DashboardState.kpis, kpi_card),
        columns=rx.breakpoints(initial="1", sm="2", md="3", lg="5"),
        spacing="4",
        width="100%",
        margin_bottom="16px",
    )
