"""The dashboard's range picker and client/agent filters (mirrored in the URL)."""

import reflex as rx

from voiceconsole.ui import styles
from voiceconsole.ui.components.controls import range_picker, select_filter
from voiceconsole.ui.state.dashboard import ALL, RANGES, DashboardState


def dashboard_filters() -> rx.Component:
    return rx.flex(
        range_picker(DashboardState.range_key, DashboardState.set_range, RANGES),
        select_filter(
            "Client",
            "filter-client",
            DashboardState.client,
            DashboardState.set_client,
            [(ALL, "All clients")],
            dynamic=(DashboardState.client_options, "id", "name"),
            width="200px",
        ),
        select_filter(
            "Agent",
            "filter-agent",
            DashboardState.agent,
            DashboardState.set_agent,
            [(ALL, "All agents")],
            dynamic=(DashboardState.agent_options, "id", "name"),
            width="220px",
        ),
        rx.cond(
            DashboardState.has_filters,
            rx.button(
                rx.icon("x", size=14),
                "Clear filters",
                variant="ghost",
                color_scheme="gray",
                on_click=DashboardState.clear_filters,
                data_testid="clear-filters",
            ),
            rx.fragment(),
        ),
        rx.spacer(),
        rx.vstack(
            rx.text(DashboardState.period_label, size="2", weight="medium", data_testid="period-label"),
            rx.text("UTC days, today up to now", size="1", color=styles.MUTED_TEXT),
            spacing="0",
            align=rx.breakpoints(initial="start", sm="end"),
        ),
        spacing="4",
        wrap="wrap",
        align="end",
        width="100%",
        margin_bottom="16px",
    )
