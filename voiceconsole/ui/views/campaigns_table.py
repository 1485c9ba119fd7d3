"""The campaigns list: a status filter above a table of campaigns with their progress and results."""

import reflex as rx

from voiceconsole.ui import styles
from voiceconsole.ui.components.controls import select_filter
from voiceconsole.ui.components.feedback import empty_state
from voiceconsole.ui.state.campaigns import ALL, STATUS_LABELS, CampaignsState
from voiceconsole.ui.views.campaign_parts import campaign_status_badge, progress_bar


def status_filter() -> rx.Component:
    return rx.flex(
        select_filter(
            "Status",
            "campaign-status-filter",
            CampaignsState.status_filter,
            CampaignsState.set_status_filter,
            [(ALL, "All statuses"), *STATUS_LABELS.items()],
        ),
        margin_bottom="16px",
    )


def _header(label: str, align: str = "left") -> rx.Component:
    return rx.table.column_header_cell(label, white_space="nowrap", text_align=align)


def campaign_row(row: rx.Var) -> rx.Component:
    return rx.table.row(
        rx.table.cell(
            rx.link(
                row.name,
                href=row.href,
                class_name="vc-row-link",
                underline="none",
                color=rx.color("gray", 12),
                weight="medium",
                data_testid="campaign-link",
            ),
            min_width="180px",
        ),
        rx.table.cell(rx.text(row.client, size="2", color=styles.MUTED_TEXT, class_name="vc-ellipsis")),
        rx.table.cell(rx.text(row.agent, size="2", class_name="vc-ellipsis"), max_width="200px"),
        rx.table.cell(campaign_status_badge(row.status)),
        rx.table.cell(progress_bar(row.progress_pct, row.progress_text), min_width="180px"),
        rx.table.cell(row.connected, class_name="vc-num", text_align="right", data_testid="cell-connected"),
        rx.table.cell(row.conversions, class_name="vc-num", text_align="right", data_testid="cell-conversions"),
        rx.table.cell(row.created, class_name="vc-num", white_space="nowrap"),
        class_name="vc-row",
        align="center",
        custom_attrs={"data-testid": "campaign-row", "data-campaign-id": row.id},
    )


def campaigns_table() -> rx.Component:
    table = rx.table.root(
        rx.table.header(
            rx.table.row(
                _header("Name"),
                _header("Client"),
                _header("Agent"),
                _header("Status"),
                _header("Progress"),
                _header("Connected", "right"),
                _header("Conversions", "right"),
                _header("Created"),
            )
        ),
        rx.table.body(rx.foreach(CampaignsState.rows, campaign_row)),
        variant="ghost",
        size="2",
        width="100%",
    )
    empty = empty_state(
        "megaphone",
        "No campaigns yet",
        rx.cond(
            CampaignsState.status_filter == ALL,
            "A campaign has an agent call a set of leads within their calling hours.",
            "No campaign has this status.",
        ),
        data_testid="campaigns-empty",
    )
    return rx.box(
        rx.cond(CampaignsState.rows.length() > 0, rx.box(table, overflow_x="auto"), empty),
        style=styles.card,
        width="100%",
        padding="4px 8px",
    )
