"""/dashboard: the agency's KPIs, trends and portfolio at a glance."""

import reflex as rx

from voiceconsole.ui.components.feedback import error_callout
from voiceconsole.ui.components.layout import app_shell
from voiceconsole.ui.components.page_header import page_header
from voiceconsole.ui.state.dashboard import DashboardState
from voiceconsole.ui.views.dashboard_charts import dashboard_charts
from voiceconsole.ui.views.dashboard_filters import dashboard_filters
from voiceconsole.ui.views.dashboard_kpis import kpi_cards
from voiceconsole.ui.views.portfolio import portfolio_board


def dashboard_page() -> rx.Component:
    return app_shell(
        "dashboard",
        page_header(
            "Dashboard",
            "How every client and agent is doing, against the period before.",
            rx.link(
                rx.button(rx.icon("phone-call", size=15), "Open these calls", variant="soft", size="2"),
                href=DashboardState.calls_href,
                data_testid="open-calls",
            ),
        ),
        dashboard_filters(),
        error_callout(DashboardState.error, margin_bottom="16px"),
        kpi_cards(),
        dashboard_charts(),
        portfolio_board(),
    )
