"""The filter bar above the calls table."""

import reflex as rx

from voiceconsole.ui import styles
from voiceconsole.ui.components.backend import api_url
from voiceconsole.ui.components.controls import date_filter, select_filter
from voiceconsole.ui.state.calls import ALL, CallsState


def _set(name: str):
    return lambda value: CallsState.set_filter(name, value)


def _text_filter(label: str, name: str, placeholder: str, aria_label: str, *, input_props=None, **box) -> rx.Component:
    """A typed filter, applied once typing pauses."""
    return rx.vstack(
        rx.text(label, size="1", weight="medium", color=styles.MUTED_TEXT, as_="label"),
        rx.debounce_input(
            rx.input(
                placeholder=placeholder,
                on_change=_set(name),
                aria_label=aria_label,
                data_testid=f"filter-{name}",
                size="2",
                width="100%",
                type="search",
                **(input_props or {}),
            ),
            value=CallsState.filters[name],
            debounce_timeout=400,
        ),
        spacing="1",
        **box,
    )


def search_box() -> rx.Component:
    # `/` anywhere on the page focuses it (components/layout.py), as on GitHub or Slack.
    return _text_filter(
        "Search",
        "search",
        "Search transcripts and summaries…  ( / )",
        "Search calls",
        input_props={"custom_attrs": {"data-search-shortcut": "", "aria-keyshortcuts": "/"}},
        flex="1",
        min_width=["60%", "220px"],  # on a phone: the search and the Filters button share the first line
        width=["100%", "auto"],
    )


def filters_toggle() -> rx.Component:
    """On phones the filters fold away behind this button (with the number of filters in use)."""
    return rx.button(
        rx.icon("sliders-horizontal", size=15),
        rx.cond(CallsState.active_filters > 0, rx.text("Filters (", CallsState.active_filters, ")"), "Filters"),
        variant="surface",
        color_scheme="gray",
        size="2",
        on_click=CallsState.toggle_filters,
        aria_expanded=rx.cond(CallsState.filters_open, "true", "false"),
        aria_controls="calls-more-filters",
        display=["flex", "flex", "none"],
        data_testid="toggle-filters",
    )


def tags_box() -> rx.Component:
    """Calls with any of the tags typed, comma-separated."""
    return _text_filter("Tags", "tags", "follow-up, vip", "Filter by tags (any of them)", width="170px")


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
    folding = rx.cond(CallsState.filters_open, "vc-folding vc-open", "vc-folding")
    return rx.box(
        rx.flex(
            search_box(),
            filters_toggle(),
            select_filter(
                "Client",
                "filter-client",
                f["client"],
                _set("client"),
                [(ALL, "All clients")],
                dynamic=(CallsState.client_options, "id", "name"),
                width="160px",
                class_name=folding,
            ),
            select_filter(
                "Agent",
                "filter-agent",
                f["agent"],
                _set("agent"),
                [(ALL, "All agents")],
                dynamic=(CallsState.agent_options, "id", "name"),
                width="180px",
                class_name=folding,
            ),
            select_filter(
                "Status",
                "filter-status",
                f["status"],
                _set("status"),
                [(ALL, "Any status"), ("ended", "Ended"), ("error", "Error"), ("in_progress", "Live")],
                class_name=folding,
            ),
            select_filter(
                "Sentiment",
                "filter-sentiment",
                f["sentiment"],
                _set("sentiment"),
                [(ALL, "Any sentiment"), ("Positive", "Positive"), ("Neutral", "Neutral"), ("Negative", "Negative")],
                class_name=folding,
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
            select_filter(
                "Max score",
                "filter-max-score",
                f["max_score"],
                _set("max_score"),
                [(ALL, "Any score"), ("39", "≤ 39 Poor"), ("59", "≤ 59 Needs attention"), ("79", "≤ 79 Good")],
            ),
            tags_box(),
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
            class_name=folding,
            id="calls-more-filters",
        ),
        style=styles.card,
        padding=["12px", "12px", "16px"],
        margin_bottom="16px",
    )
