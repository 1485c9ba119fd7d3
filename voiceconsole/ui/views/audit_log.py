"""Settings → Audit log: filters, the entries table and paging."""

import reflex as rx

from voiceconsole.ui import styles
from voiceconsole.ui.components.feedback import empty_state, inline_error
from voiceconsole.ui.state.audit_log import AuditLogState


def filters() -> rx.Component:
    return rx.form(
        rx.flex(
            rx.input(
                name="actor",
                placeholder="Who: an email, a key id (key_…) or system",
                aria_label="Filter by actor",
                size="2",
                flex="1",
                min_width="220px",
                data_testid="audit-actor",
            ),
            rx.input(
                name="action",
                placeholder="Action: integration.created, or integration",
                aria_label="Filter by action",
                size="2",
                flex="1",
                min_width="220px",
                data_testid="audit-action",
            ),
            rx.button(rx.icon("filter", size=15), "Filter", type="submit", size="2", data_testid="audit-filter"),
            spacing="2",
            wrap="wrap",
            width="100%",
        ),
        inline_error(AuditLogState.filter_error, margin_top="6px", data_testid="audit-filter-error"),
        on_submit=AuditLogState.apply_filters,
        width="100%",
        margin_bottom="16px",
    )


def entry_row(e: rx.Var) -> rx.Component:
    return rx.table.row(
        rx.table.cell(e["when"], white_space="nowrap"),
        rx.table.cell(rx.code(e["action"], variant="soft")),
        rx.table.cell(e["actor"]),
        rx.table.cell(e["target"], class_name="vc-min-800"),
        rx.table.cell(rx.text(e["source"], size="1", color=styles.MUTED_TEXT), class_name="vc-min-560"),
        align="center",
        custom_attrs={"data-testid": "audit-row"},
    )


def entries_table() -> rx.Component:
    return rx.box(
        rx.cond(
            AuditLogState.entries.length() > 0,
            rx.table.root(
                rx.table.header(
                    rx.table.row(
                        rx.table.column_header_cell("When"),
                        rx.table.column_header_cell("Action"),
                        rx.table.column_header_cell("Who"),
                        rx.table.column_header_cell("Target", class_name="vc-min-800"),
                        rx.table.column_header_cell("From", class_name="vc-min-560"),
                    )
                ),
                rx.table.body(rx.foreach(AuditLogState.entries, entry_row)),
                variant="ghost",
                size="2",
                width="100%",
                data_testid="audit-table",
            ),
            empty_state("scroll-text", "No entries", "Changes to the organization's settings are recorded here."),
        ),
        rx.hstack(
            rx.text(AuditLogState.page_label, size="2", color=styles.MUTED_TEXT),
            rx.spacer(),
            rx.icon_button(
                rx.icon("chevron-left", size=16),
                variant="soft",
                color_scheme="gray",
                disabled=AuditLogState.page <= 1,
                on_click=AuditLogState.previous_page,
                aria_label="Previous page",
            ),
            rx.icon_button(
                rx.icon("chevron-right", size=16),
                variant="soft",
                color_scheme="gray",
                disabled=~AuditLogState.has_next,
                on_click=AuditLogState.next_page,
                aria_label="Next page",
            ),
            align="center",
            padding="12px 16px",
            width="100%",
        ),
        style=styles.card,
        class_name="vc-table-card",
        overflow="hidden",
    )
