"""/agents/[agent_id]: one agent's KPIs, score and volume, score by category, calls and configuration."""

import reflex as rx

from voiceconsole.ui import styles
from voiceconsole.ui.components.badges import not_monitored_badge, platform_badge, status_badge
from voiceconsole.ui.components.controls import range_picker
from voiceconsole.ui.components.feedback import empty_state, error_callout, loading_block
from voiceconsole.ui.components.layout import app_shell
from voiceconsole.ui.components.page_header import page_header
from voiceconsole.ui.state.agent_detail import AgentDetailState
from voiceconsole.ui.state.dashboard import RANGES
from voiceconsole.ui.views.agent_config import agent_config_card
from voiceconsole.ui.views.call_list_card import call_list_card
from voiceconsole.ui.views.category_scores import category_scores_card
from voiceconsole.ui.views.dashboard_charts import volume_chart
from voiceconsole.ui.views.dashboard_kpis import kpi_cards
from voiceconsole.ui.views.version_quality import version_quality_card

S = AgentDetailState


def _subtitle() -> rx.Component:
    return rx.hstack(
        platform_badge(S.agent["platform"]),
        status_badge(S.agent["status"]),
        rx.cond(~S.monitored, not_monitored_badge(S.monitoring_reason)),
        rx.cond(
            S.agent["client"] != "",
            rx.link(S.agent["client"], href=S.agent["client_href"], size="2", data_testid="agent-client-link"),
            rx.text("No client", size="2", color=styles.MUTED_TEXT),
        ),
        rx.text("·", color=styles.MUTED_TEXT),
        rx.text(S.period_label, size="2", color=styles.MUTED_TEXT, data_testid="period-label"),
        spacing="2",
        align="center",
        wrap="wrap",
    )


def _monitoring() -> rx.Component:
    """Why the agent's calls are not imported, and (owners and admins) Monitor / Stop monitoring."""
    control = rx.cond(
        S.monitored,
        rx.button(
            "Stop monitoring",
            variant="soft",
            color_scheme="gray",
            on_click=S.set_agent_monitoring(False),
            data_testid="agent-stop-monitoring",
        ),
        rx.button("Monitor", on_click=S.set_agent_monitoring(True), data_testid="agent-monitor"),
    )
    return rx.vstack(
        rx.cond(
            ~S.monitored,
            rx.callout(S.monitoring_reason, icon="eye-off", color_scheme="amber", variant="soft", width="100%"),
        ),
        error_callout(S.monitoring_error, data_testid="monitoring-error"),
        rx.cond(S.can_manage, rx.hstack(control, justify="end", width="100%")),
        spacing="2",
        width="100%",
        data_testid="agent-monitoring",
    )


def _agent() -> rx.Component:
    return rx.vstack(
        _monitoring(),
        kpi_cards(S.kpis),
        rx.grid(
            volume_chart(S.points),
            category_scores_card(S.categories),
            columns=rx.breakpoints(initial="1", lg="3fr 2fr"),
            spacing="4",
            width="100%",
        ),
        rx.grid(
            call_list_card(
                "Recent calls", "Newest first", S.recent, S.calls_href, "recent-calls", empty="No calls yet."
            ),
            call_list_card(
                "Worst calls",
                "Lowest scores of the period",
                S.worst,
                S.worst_href,
                "worst-calls",
                empty="No scored calls in this period.",
            ),
            columns=rx.breakpoints(initial="1", lg="2"),
            spacing="4",
            width="100%",
        ),
        version_quality_card(),
        agent_config_card(),
        spacing="4",
        width="100%",
    )


def _builder_button() -> rx.Component:
    """The Agent Builder of this agent (staff: client viewers never see configurations there)."""
    return rx.cond(
        S.not_found | S.is_client_viewer,
        rx.fragment(),
        rx.link(
            rx.button(rx.icon("wrench", size=15), "Builder", variant="soft", size="2"),
            href=S.builder_href,
            align_self="end",
            data_testid="open-builder",
        ),
    )


def _not_found() -> rx.Component:
    return rx.box(
        empty_state(
            "search-x",
            "Agent not found",
            "This agent does not exist or belongs to another organization.",
            rx.link(rx.button("Back to agents", variant="soft"), href="/agents"),
        ),
        style=styles.card,
        data_testid="agent-not-found",
    )


def agent_detail_page() -> rx.Component:
    return app_shell(
        "agents",
        page_header(
            rx.cond(S.not_found, "Agent", S.agent["name"]),
            rx.cond(S.not_found | S.loading, rx.fragment(), _subtitle()),
            rx.cond(S.not_found, rx.fragment(), range_picker(S.range_key, S.set_range, RANGES)),
            _builder_button(),
            crumbs=[("Agents", "/agents"), (rx.cond(S.not_found, "Not found", S.agent["name"]), None)],
        ),
        rx.cond(S.loading, loading_block("Loading agent…"), rx.cond(S.not_found, _not_found(), _agent())),
    )
