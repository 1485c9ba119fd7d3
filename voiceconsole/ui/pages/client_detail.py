"""/clients/[client_id]: one client's KPIs, score and volume, score by category, agents and worst calls."""

import reflex as rx

from voiceconsole.ui import styles
from voiceconsole.ui.components.controls import range_picker
from voiceconsole.ui.components.feedback import empty_state, loading_block
from voiceconsole.ui.components.layout import app_shell
from voiceconsole.ui.components.page_header import page_header
from voiceconsole.ui.state.client_detail import ClientDetailState
from voiceconsole.ui.state.dashboard import RANGES
from voiceconsole.ui.views.call_list_card import call_list_card
from voiceconsole.ui.views.category_scores import category_scores_card
from voiceconsole.ui.views.client_agents import client_agents_card
from voiceconsole.ui.views.client_portal import client_portal_card
from voiceconsole.ui.views.dashboard_charts import volume_chart
from voiceconsole.ui.views.dashboard_kpis import kpi_cards

S = ClientDetailState


def _subtitle() -> rx.Component:
    return rx.hstack(
        rx.text(S.client["agents"], size="2", color=styles.MUTED_TEXT),
        rx.text("·", color=styles.MUTED_TEXT),
        rx.text(S.period_label, size="2", color=styles.MUTED_TEXT, data_testid="period-label"),
        rx.text("·", color=styles.MUTED_TEXT),
        rx.link("All calls", href=S.calls_href, size="2", data_testid="client-calls-link"),
        spacing="2",
        align="center",
        wrap="wrap",
    )


def _client() -> rx.Component:
    return rx.vstack(
        kpi_cards(S.kpis),
        rx.grid(
            volume_chart(S.points),
            category_scores_card(S.categories),
            columns=rx.breakpoints(initial="1", lg="3fr 2fr"),
            spacing="4",
            width="100%",
        ),
        client_agents_card(),
        client_portal_card(),
        call_list_card(
            "Worst calls",
            "Lowest scores of the period, across the client's agents",
            S.worst,
            S.worst_href,
            "worst-calls",
            empty="No scored calls in this period.",
            show_agent=True,
        ),
        spacing="4",
        width="100%",
    )


def _not_found() -> rx.Component:
    return rx.box(
        empty_state(
            "search-x",
            "Client not found",
            "This client does not exist or belongs to another organization.",
            rx.link(rx.button("Back to clients", variant="soft"), href="/clients"),
        ),
        style=styles.card,
        data_testid="client-not-found",
    )


def client_detail_page() -> rx.Component:
    return app_shell(
        "clients",
        page_header(
            rx.cond(S.not_found, "Client", S.client["name"]),
            rx.cond(S.not_found | S.loading, rx.fragment(), _subtitle()),
            rx.cond(S.not_found, rx.fragment(), range_picker(S.range_key, S.set_range, RANGES)),
            crumbs=[("Clients", "/clients"), (rx.cond(S.not_found, "Not found", S.client["name"]), None)],
        ),
        rx.cond(S.loading, loading_block("Loading client…"), rx.cond(S.not_found, _not_found(), _client())),
    )
