"""The filter bar above the calls table."""

import reflex as rx

from voiceconsole.ui import styles
from voiceconsole.ui.components.backend import api_url
from voiceconsole.ui.components.controls import date_filter, select_filter
from voiceconsole.ui.state.calls import ALL, CallsState


def _set(name: str):
    return lambda value: CallsState.set_filter(name, value)


def search_box() -> rx.Component:
    return rx.vstack(
        rx.text("Search", size="1", weight="medium", color=styles.MUTED_TEXT, as_="label"),
        rx.debounce_input(
            rx.input(
                placeholder="Search transcripts and summaries…",
                on_change=_set("search"),
                aria_label="Search calls",
                data_testid="filter-search",
                size="2",
                width="100%",
                type="search",
            ),
            value=CallsState.filters["search"],
            debounce_timeout=400,
        ),
        spacing="1",
        flex="1",
        min_width="240px",
    )


def export_button() -> rx.Component:
    """Download the filtered calls as CSV: a plain link, authenticated by the session cookie."""
    return rx.button(
        rx.el.a(
            rx.icon("download", size=14),
            "Export CSV",
            href=api_url(CallsState.export_path),
            download="",
            title="Download these calls as CSV",
            data_testid="export-csv",
        ),
        as_child=True,
        variant="surface",
        size="2",
    )


def calls_filters() -> rx.Component:
    f = CallsState.filters
    return rx.box(
        rx.flex(
            search_box(),
            select_filter(
                "Client",
                "filter-client",
                f["client"],
                _set("client"),
                [(ALL, "All clients")],
                dynamic=(CallsState.client_options, "id", "name"),
                width="170px",
            ),
            select_filter(
                "Agent",
                "filter-agent",
                f["agent"],
                _set("agent"),
                [(ALL, "All agents")],
                dynamic=(CallsState.agent_options, "id", "name"),
                width="190px",
            ),
            select_filter(
                "Status",
                "filter-status",
                f["status"],
                _set("status"),
                [(ALL, "Any status"), ("ended", "Ended"), ("error", "Error"), ("in_progress", "Live")],
            ),
            select_filter(
                "Sentiment",
                "filter-sentiment",
                f["sentiment"],
                _set("sentiment"),
                [(ALL, "Any sentiment"), ("Positive", "Positive"), ("Neutral", "Neutral"), ("Negative", "Negative")],
            ),
            spacing="3",
            wrap="wrap",
            align="end",
            width="100%",
        ),
        rx.flex(
            select_filter(
                "Direction",
                "filter-direction",
                f["direction"],
                _set("direction"),
                [(ALL, "Both directions"), ("inbound", "Inbound"), ("outbound", "Outbound")],
            ),
            select_filter(
                "Platform",
                "filter-platform",
                f["platform"],
                _set("platform"),
                [(ALL, "All platforms"), ("retell", "Retell"), ("vapi", "Vapi"), ("elevenlabs", "ElevenLabs")],
            ),
            select_filter(
                "Min score",
                "filter-min-score",
                f["min_score"],
                _set("min_score"),
                [(ALL, "Any score"), ("80", "80+ Excellent"), ("60", "60+ Good"), ("40", "40+ Needs attention")],
            ),
            date_filter("From", "filter-date-from", f["date_from"], _set("date_from")),
            date_filter("To", "filter-date-to", f["date_to"], _set("date_to")),
            rx.spacer(),
            rx.cond(
                CallsState.has_filters,
                rx.button(
                    rx.icon("x", size=14),
                    "Clear filters",
                    variant="ghost",
                    color_scheme="gray",
                    on_click=CallsState.clear_filters,
                    data_testid="clear-filters",
                ),
                rx.fragment(),
            ),
            export_button(),
            spacing="3",
            wrap="wrap",
            align="end",
            width="100%",
            margin_top="12px",
        ),
        style=styles.card,
        padding="16px",
        margin_bottom="16px",
    )
