"""The calls table with sortable columns and prev/next pagination."""

import reflex as rx

from voiceconsole.ui import styles
from voiceconsole.ui.components.badges import direction_label, score_badge, sentiment_badge, status_badge
from voiceconsole.ui.components.feedback import empty_state
from voiceconsole.ui.state.calls import CallsState


def _header(label: str) -> rx.Component:
    return rx.table.column_header_cell(label, white_space="nowrap")


def _sortable(label: str, column: str, align: str = "left") -> rx.Component:
    icon = rx.cond(
        CallsState.sort_by == column,
        rx.cond(CallsState.sort_order == "desc", rx.icon("arrow-down", size=13), rx.icon("arrow-up", size=13)),
        rx.icon("chevrons-up-down", size=13, opacity="0.45"),
    )
    return rx.table.column_header_cell(
        rx.el.button(
            rx.hstack(rx.text(label), icon, spacing="1", align="center"),
            on_click=CallsState.sort(column),
            type="button",
            aria_label=f"Sort by {label.lower()}",
            data_testid=f"sort-{column}",
            style={"all": "unset", "cursor": "pointer", "font_weight": "inherit"},
        ),
        white_space="nowrap",
        text_align=align,
    )


def call_row(row: rx.Var) -> rx.Component:
    return rx.table.row(
        rx.table.cell(
            rx.link(
                row["started"],
                href=row["href"],
                class_name="vc-row-link vc-num",
                underline="none",
                color=rx.color("gray", 12),
                weight="medium",
                data_testid="call-link",
            ),
            white_space="nowrap",
        ),
        rx.table.cell(
            rx.vstack(
                rx.text(row["agent"], weight="medium", size="2", class_name="vc-ellipsis", title=row["agent"]),
                rx.text(row["client"], size="1", color=styles.MUTED_TEXT, class_name="vc-ellipsis"),
                spacing="0",
                max_width="220px",
            ),
            white_space="nowrap",
            data_testid="cell-agent",
        ),
        rx.table.cell(direction_label(row["direction"]), data_testid="cell-direction"),
        rx.table.cell(row["duration"], class_name="vc-num", text_align="right"),
        rx.table.cell(row["cost"], class_name="vc-num", text_align="right"),
        rx.table.cell(score_badge(row["score"], row["band"], show_label=False), data_testid="cell-score"),
        rx.table.cell(sentiment_badge(row["sentiment"]), data_testid="cell-sentiment"),
        rx.table.cell(status_badge(row["status"]), data_testid="cell-status"),
        rx.table.cell(
            rx.text(
                row["summary"],
                size="2",
                color=styles.MUTED_TEXT,
                title=row["summary_full"],
                class_name="vc-clamp-2",
                min_width="180px",
            ),
            data_testid="cell-summary",
        ),
        class_name="vc-row",
        align="center",
        custom_attrs={"data-testid": "call-row", "data-call-id": row["id"]},
    )


def pagination() -> rx.Component:
    return rx.flex(
        rx.text(CallsState.range_label, size="2", color=styles.MUTED_TEXT, data_testid="range-label"),
        rx.hstack(
            rx.text(CallsState.page_label, size="2", color=styles.MUTED_TEXT),
            rx.button(
                rx.icon("chevron-left", size=15),
                "Previous",
                variant="surface",
                color_scheme="gray",
                size="2",
                on_click=CallsState.prev_page,
                disabled=CallsState.page <= 1,
                aria_label="Previous page",
                data_testid="prev-page",
            ),
            rx.button(
                "Next",
                rx.icon("chevron-right", size=15),
                variant="surface",
                color_scheme="gray",
                size="2",
                on_click=CallsState.next_page,
                disabled=~CallsState.has_next_page,
                aria_label="Next page",
                data_testid="next-page",
            ),
            spacing="3",
            align="center",
        ),
        justify="between",
        align="center",
        padding="12px 16px",
        border_top=styles.SUBTLE_BORDER,
        wrap="wrap",
        spacing="2",
    )


def calls_table() -> rx.Component:
    table = rx.table.root(
        rx.table.header(
            rx.table.row(
                _sortable("Started", "startedAt"),
                _header("Agent · Client"),
                _header("Direction"),
                _sortable("Duration", "duration", "right"),
                _sortable("Cost", "cost", "right"),
                _sortable("Score", "callScore"),
                _header("Sentiment"),
                _header("Status"),
                _header("Summary"),
            ),
        ),
        rx.table.body(rx.foreach(CallsState.rows, call_row)),
        variant="ghost",
        size="2",
        width="100%",
        data_testid="calls-table",
    )
    return rx.box(
        rx.cond(
            CallsState.total > 0,
            rx.box(table, overflow_x="auto", width="100%"),
            empty_state(
                "phone-off",
                "No calls match these filters",
                "Try a wider date range or clear the filters. Calls appear here as soon as a platform "
                "integration syncs them.",
                rx.cond(
                    CallsState.has_filters,
                    rx.button("Clear filters", variant="soft", on_click=CallsState.clear_filters),
                    rx.fragment(),
                ),
                data_testid="calls-empty",
            ),
        ),
        pagination(),
        style=styles.card,
        overflow="hidden",
    )
