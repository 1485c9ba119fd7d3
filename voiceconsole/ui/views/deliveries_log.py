"""The deliveries log dialog: one row per event sent to the channel, its attempts folded underneath."""

import reflex as rx

from voiceconsole.ui import styles
from voiceconsole.ui.components.feedback import empty_state, error_callout
from voiceconsole.ui.state.deliveries_log import PER_PAGE, STATUS_OPTIONS
from voiceconsole.ui.state.deliveries_log import DeliveriesLogState as Log

REFRESH_MS = 3000  # while open: a queued delivery's outcome appears on its own
COLUMNS = ("Event", "Status", "Attempts", "Last code", "Latency", "Time")


def delivery_status_badge(status: rx.Var) -> rx.Component:
    def badge(text: str, colour: str, icon: str | None = None) -> rx.Component:
        return rx.badge(
            rx.icon(icon, size=12) if icon else rx.fragment(),
            text,
            color_scheme=colour,
            variant="soft",
            data_testid="delivery-status",
        )

    return rx.match(
        status,
        ("succeeded", badge("Succeeded", "green", "circle-check")),
        ("failed", badge("Failed", "red", "circle-x")),
        ("pending", badge("Pending", "gray", "clock")),
        ("delivering", badge("Delivering", "blue", "loader")),
        ("held", badge("Held", "amber", "circle-pause")),
        rx.badge(status, color_scheme="gray", variant="soft", data_testid="delivery-status"),
    )


def _attempt(attempt: rx.Var) -> rx.Component:
    return rx.box(
        rx.hstack(
            rx.text(attempt.attempt, weight="bold", size="1"),
            rx.cond(
                attempt.succeeded,
                rx.icon("circle-check", size=14, color=rx.color("green", 10)),
                rx.icon("circle-x", size=14, color=rx.color("red", 10)),
            ),
            rx.text(attempt.time, size="1", color=styles.MUTED_TEXT),
            rx.text("HTTP ", attempt.status_code, size="1", data_testid="attempt-code"),
            rx.text(attempt.latency, size="1", color=styles.MUTED_TEXT),
            spacing="3",
            align="center",
            wrap="wrap",
        ),
        rx.cond(
            attempt.error != "",
            rx.text(attempt.error, size="1", color=rx.color("red", 11), data_testid="attempt-error"),
            rx.fragment(),
        ),
        rx.cond(
            attempt.response != "",
            rx.code(
                attempt.response,
                size="1",
                variant="ghost",
                color_scheme="gray",
                data_testid="attempt-response",
                style={"white_space": "pre-wrap", "word_break": "break-all", "display": "block"},
            ),
            rx.fragment(),
        ),
        padding="8px 10px",
        border_radius="6px",
        background=rx.color("gray", 2),
        width="100%",
        custom_attrs={"data-testid": "delivery-attempt"},
    )


def _delivery_rows(row: rx.Var) -> rx.Component:
    expanded = Log.expanded.contains(row.id)
    main = rx.table.row(
        rx.table.cell(
            rx.vstack(
                rx.text(row.event, weight="medium", size="2", data_testid="delivery-event"),
                rx.code(row.event_id, size="1", variant="ghost", color_scheme="gray"),
                spacing="0",
            )
        ),
        rx.table.cell(
            rx.vstack(
                delivery_status_badge(row.status),
                rx.cond(row.detail != "", rx.text(row.detail, size="1", color=styles.MUTED_TEXT), rx.fragment()),
                spacing="1",
            )
        ),
        rx.table.cell(row.attempts, data_testid="delivery-attempts"),
        rx.table.cell(row.status_code, data_testid="delivery-code"),
        rx.table.cell(row.latency, white_space="nowrap", data_testid="delivery-latency"),
        rx.table.cell(row.time, white_space="nowrap"),
        rx.table.cell(
            rx.cond(
                row.attempt_log.length() > 0,
                rx.button(
                    rx.cond(expanded, rx.icon("chevron-down", size=14), rx.icon("chevron-right", size=14)),
                    "Attempts",
                    size="1",
                    variant="ghost",
                    color_scheme="gray",
                    on_click=Log.toggle_attempts(row.id),
                    data_testid="delivery-toggle-attempts",
                ),
                rx.fragment(),
            ),
            text_align="right",
        ),
        align="center",
        custom_attrs={"data-testid": "delivery-row", "data-delivery-id": row.id},
    )
    details = rx.table.row(
        rx.table.cell(
            rx.vstack(
                rx.cond(
                    row.error != "",
                    rx.text("Last error: ", row.error, size="1", color=rx.color("red", 11)),
                    rx.fragment(),
                ),
                rx.foreach(row.attempt_log, _attempt),
                spacing="2",
                width="100%",
            ),
            col_span=len(COLUMNS) + 1,
        ),
        custom_attrs={"data-testid": "delivery-attempts-panel"},
    )
    return rx.fragment(main, rx.cond(expanded, details, rx.fragment()))


def _toolbar() -> rx.Component:
    return rx.flex(
        rx.select.root(
            rx.select.trigger(aria_label="Status", data_testid="deliveries-status-filter"),
            rx.select.content(
                *[rx.select.item(text, value=value) for value, text in STATUS_OPTIONS], position="popper"
            ),
            value=Log.log_status,
            on_change=Log.set_log_status,
            size="1",
        ),
        rx.spacer(),
        rx.text(Log.log_range, size="1", color=styles.MUTED_TEXT, data_testid="deliveries-range"),
        rx.cond(
            Log.log_total > PER_PAGE,
            rx.hstack(
                rx.icon_button(
                    rx.icon("chevron-left", size=14),
                    size="1",
                    variant="soft",
                    color_scheme="gray",
                    on_click=Log.log_previous,
                    disabled=Log.log_page <= 1,
                    aria_label="Previous page",
                    data_testid="deliveries-previous",
                ),
                rx.text(Log.log_page, " / ", Log.log_pages, size="1"),
                rx.icon_button(
                    rx.icon("chevron-right", size=14),
                    size="1",
                    variant="soft",
                    color_scheme="gray",
                    on_click=Log.log_next,
                    disabled=Log.log_page >= Log.log_pages,
                    aria_label="Next page",
                    data_testid="deliveries-next",
                ),
                spacing="2",
                align="center",
            ),
            rx.fragment(),
        ),
        rx.button(
            rx.icon("refresh-cw", size=14),
            "Refresh",
            size="1",
            variant="soft",
            color_scheme="gray",
            on_click=Log.refresh_log,
            data_testid="deliveries-refresh",
        ),
        spacing="3",
        align="center",
        width="100%",
    )


def deliveries_dialog() -> rx.Component:
    table = rx.table.root(
        rx.table.header(
            rx.table.row(*[rx.table.column_header_cell(c) for c in COLUMNS], rx.table.column_header_cell(""))
        ),
        rx.table.body(rx.foreach(Log.deliveries, _delivery_rows)),
        variant="ghost",
        size="1",
        width="100%",
        data_testid="deliveries-table",
    )
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title("Deliveries · ", Log.log_channel_name),
            rx.dialog.description(
                "Every event sent to this channel, newest first, with each attempt's HTTP status, "
                "latency and the start of the response.",
                size="2",
                color=styles.MUTED_TEXT,
                margin_bottom="12px",
            ),
            rx.vstack(
                _toolbar(),
                error_callout(Log.log_error, size="1"),
                rx.cond(
                    Log.deliveries.length() > 0,
                    table,
                    empty_state(
                        "inbox",
                        "Nothing delivered yet",
                        "Send a test event, or wait for the next call, agent change or daily summary.",
                        data_testid="deliveries-empty",
                    ),
                ),
                rx.flex(
                    rx.dialog.close(rx.button("Close", variant="soft", color_scheme="gray")),
                    justify="end",
                    width="100%",
                ),
                spacing="3",
                width="100%",
            ),
            rx.moment(interval=REFRESH_MS, on_change=Log.refresh_log, display="none"),
            max_width="980px",
            width="95vw",
            data_testid="deliveries-dialog",
        ),
        open=Log.log_open,
        on_open_change=Log.set_log_open,
    )
