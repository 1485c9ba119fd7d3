"""The calls table with sortable columns and prev/next pagination."""

import reflex as rx

from voiceconsole.ui import styles
from voiceconsole.ui.components.badges import direction_label, score_badge, sentiment_badge, status_badge
from voiceconsole.ui.components.feedback import empty_state
from voiceconsole.ui.state.calls import CallsState

# Columns by priority, each shown from a card width (assets/styles.css `vc-min-N`): when, who, the score,
# the sentiment and the summary always; duration, cost, status and direction as room allows. Phones get
# cards instead of the table.
DURATION_MIN, COST_MIN, STATUS_MIN, DIRECTION_MIN = "vc-min-840", "vc-min-920", "vc-min-1040", "vc-min-1200"
TABLE_FROM = ["none", "none", "block"]  # Reflex breakpoints: the table from 768px (48em) up…
CARDS_UNTIL = ["block", "block", "none"]  # …cards below


def _header(label: str, class_name: str = "") -> rx.Component:
    return rx.table.column_header_cell(label, white_space="nowrap", class_name=class_name)


def _sortable(label: str, column: str, align: str = "left", class_name: str = "") -> rx.Component:
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
        class_name=class_name,
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
                rx.text(row["agent_short"], weight="medium", size="2", class_name="vc-name", title=row["agent"]),
                rx.text(
                    row["client"],
                    size="1",
                    color=styles.MUTED_TEXT,
                    class_name="vc-ellipsis vc-fill",
                    title=row["client"],
                ),
                spacing="0",
                min_width="0",
            ),
            min_width="190px",
            max_width="220px",
            data_testid="cell-agent",
        ),
        rx.table.cell(direction_label(row["direction"]), class_name=DIRECTION_MIN, data_testid="cell-direction"),
        rx.table.cell(row["duration"], class_name=f"vc-num {DURATION_MIN}", text_align="right"),
        rx.cond(  # no cost column in a client portal that is not shown costs
            CallsState.sees_costs, rx.table.cell(row["cost"], class_name=f"vc-num {COST_MIN}", text_align="right")
        ),
        rx.table.cell(score_badge(row["score"], row["band"], show_label=False), data_testid="cell-score"),
        rx.table.cell(sentiment_badge(row["sentiment"]), data_testid="cell-sentiment"),
        rx.table.cell(status_badge(row["status"]), class_name=STATUS_MIN, data_testid="cell-status"),
        rx.table.cell(
            rx.text(
                row["summary"],
                size="2",
                color=styles.MUTED_TEXT,
                title=row["summary_full"],
                class_name="vc-clamp-2",
                min_width="160px",
            ),
            width="100%",
            data_testid="cell-summary",
        ),
        class_name="vc-row",
        align="center",
        custom_attrs={"data-testid": "call-row", "data-call-id": row["id"]},
    )


def call_card(row: rx.Var) -> rx.Component:
    """One call on a phone: when and the score, the agent and client, sentiment and duration, the summary.
    The whole card opens the call."""
    return rx.box(
        rx.hstack(
            rx.link(
                row["started"],
                href=row["href"],
                class_name="vc-row-link vc-num",
                underline="none",
                color=rx.color("gray", 12),
                weight="bold",
                size="2",
                data_testid="call-card-link",
            ),
            rx.spacer(),
            rx.cond(row["status"] == "ended", rx.fragment(), status_badge(row["status"])),
            score_badge(row["score"], row["band"], show_label=False),
            align="center",
            spacing="2",
            width="100%",
        ),
        rx.text(
            row["agent_short"], size="2", weight="medium", class_name="vc-name", title=row["agent"], margin_top="4px"
        ),
        rx.text(row["client"], size="1", color=styles.MUTED_TEXT, class_name="vc-ellipsis"),
        rx.hstack(
            sentiment_badge(row["sentiment"]),
            rx.text(row["duration"], size="1", color=styles.MUTED_TEXT, class_name="vc-num"),
            rx.cond(
                CallsState.sees_costs, rx.text(row["cost"], size="1", color=styles.MUTED_TEXT, class_name="vc-num")
            ),
            spacing="3",
            align="center",
            margin_top="6px",
        ),
        rx.cond(
            row["summary"] != "",
            rx.text(row["summary"], size="2", color=styles.MUTED_TEXT, class_name="vc-clamp-2", margin_top="6px"),
            rx.fragment(),
        ),
        class_name="vc-row",
        padding="12px 14px",
        border_bottom=styles.SUBTLE_BORDER,
        custom_attrs={"data-testid": "call-card", "data-call-id": row["id"]},
    )


def pagination() -> rx.Component:
    return rx.flex(
        rx.text(CallsState.range_label, size="2", color=styles.MUTED_TEXT, data_testid="range-label"),
        rx.hstack(
            rx.text(CallsState.page_label, size="2", color=styles.MUTED_TEXT, display=["none", "block"]),
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
                _header("Direction", DIRECTION_MIN),
                _sortable("Duration", "duration", "right", DURATION_MIN),
                rx.cond(CallsState.sees_costs, _sortable("Cost", "cost", "right", COST_MIN)),
                _sortable("Score", "callScore"),
                _header("Sentiment"),
                _header("Status", STATUS_MIN),
                _header("Summary"),
            ),
        ),
        rx.table.body(rx.foreach(CallsState.rows, call_row)),
        variant="ghost",
        size="2",
        width="100%",
        data_testid="calls-table",
    )
    cards = rx.box(rx.foreach(CallsState.rows, call_card), data_testid="call-cards")
    return rx.box(
        rx.cond(
            CallsState.total > 0,
            rx.fragment(
                rx.box(table, width="100%", display=TABLE_FROM),
                rx.box(cards, width="100%", display=CARDS_UNTIL),
            ),
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
        class_name="vc-table-card",
        overflow="hidden",
        custom_attrs={"data-table-card": "calls"},
    )
