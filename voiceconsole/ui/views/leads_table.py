"""The leads table (each row opens the lead), the lead status badge and prev/next pagination."""

import reflex as rx

from voiceconsole.ui import styles
from voiceconsole.ui.components.feedback import empty_state
from voiceconsole.ui.state.leads import STATUS_OPTIONS, LeadsState

_STATUS_COLOURS = {
    "new": "gray",
    "queued": "blue",
    "in_progress": "blue",
    "contacted": "iris",
    "converted": "green",
    "not_interested": "orange",
    "do_not_call": "red",
    "invalid": "amber",
}


def lead_status_badge(status: rx.Var) -> rx.Component:
    return rx.match(
        status,
        *[
            (key, rx.badge(text, color_scheme=_STATUS_COLOURS[key], variant="soft", data_testid="lead-status"))
            for key, text in STATUS_OPTIONS
        ],
        rx.badge(status, color_scheme="gray", variant="outline", data_testid="lead-status"),
    )


def tag_badges(tags: rx.Var) -> rx.Component:
    """Tags given as one comma-separated string (table rows are plain strings)."""
    return rx.cond(
        tags != "",
        rx.flex(
            rx.foreach(tags.to(str).split(", "), lambda t: rx.badge(t, variant="surface", color_scheme="gray")),
            spacing="1",
            wrap="wrap",
        ),
        rx.text("—", color=styles.MUTED_TEXT),
    )


def _muted(value: rx.Var, **props) -> rx.Component:
    return rx.text(rx.cond(value != "", value, "—"), size="2", color=styles.MUTED_TEXT, **props)


def lead_row(row: rx.Var) -> rx.Component:
    return rx.table.row(
        rx.table.cell(
            rx.link(
                row["name"],
                href=row["href"],
                class_name="vc-row-link",
                underline="none",
                color=rx.color("gray", 12),
                weight="medium",
                data_testid="lead-link",
            ),
            white_space="nowrap",
        ),
        rx.table.cell(rx.text(row["phone"], class_name="vc-num", size="2"), white_space="nowrap"),
        rx.table.cell(_muted(row["email"], class_name="vc-ellipsis", max_width="220px")),
        rx.table.cell(_muted(row["company"])),
        rx.table.cell(_muted(row["client"])),
        rx.table.cell(tag_badges(row["tags"]), data_testid="cell-tags"),
        rx.table.cell(lead_status_badge(row["status"])),
        rx.table.cell(row["attempts"], class_name="vc-num", text_align="right", data_testid="cell-attempts"),
        rx.table.cell(_muted(row["last_attempt"], class_name="vc-num"), white_space="nowrap"),
        class_name="vc-row",
        align="center",
        custom_attrs={"data-testid": "lead-row", "data-lead-id": row["id"]},
    )


def pagination() -> rx.Component:
    return rx.flex(
        rx.text(LeadsState.range_label, size="2", color=styles.MUTED_TEXT, data_testid="range-label"),
        rx.hstack(
            rx.text(LeadsState.page_label, size="2", color=styles.MUTED_TEXT, display=["none", "block"]),
            rx.button(
                rx.icon("chevron-left", size=15),
                "Previous",
                variant="surface",
                color_scheme="gray",
                size="2",
                on_click=LeadsState.prev_page,
                disabled=LeadsState.page <= 1,
                data_testid="prev-page",
            ),
            rx.button(
                "Next",
                rx.icon("chevron-right", size=15),
                variant="surface",
                color_scheme="gray",
                size="2",
                on_click=LeadsState.next_page,
                disabled=LeadsState.page >= LeadsState.page_count,
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


def leads_table() -> rx.Component:
    headers = ["Name", "Phone", "Email", "Company", "Client", "Tags", "Status", "Attempts", "Last attempt"]
    table = rx.table.root(
        rx.table.header(
            rx.table.row(*[rx.table.column_header_cell(h, white_space="nowrap") for h in headers]),
        ),
        rx.table.body(rx.foreach(LeadsState.rows, lead_row)),
        variant="ghost",
        size="2",
        width="100%",
        data_testid="leads-table",
    )
    return rx.box(
        rx.cond(
            LeadsState.total > 0,
            rx.box(table, width="100%", overflow_x="auto"),
            empty_state(
                "contact",
                "No leads match these filters",
                "Add leads one by one or import a CSV file; campaigns call them.",
                rx.cond(
                    LeadsState.has_filters,
                    rx.button("Clear filters", variant="soft", on_click=LeadsState.clear_filters),
                    rx.fragment(),
                ),
                data_testid="leads-empty",
            ),
        ),
        pagination(),
        style=styles.card,
        class_name="vc-table-card",
        overflow="hidden",
    )
