"""The do-not-call page's parts: search, the list (remove for owners and admins), add, import and export."""

import reflex as rx

from voiceconsole.services.campaigns.dnc import MAX_DNC_IMPORT_BYTES
from voiceconsole.ui import styles
from voiceconsole.ui.components.backend import api_url
from voiceconsole.ui.components.confirm_dialog import confirm_dialog
from voiceconsole.ui.components.feedback import empty_state, error_callout, inline_error
from voiceconsole.ui.components.file_picker import file_picker
from voiceconsole.ui.state.dnc import DncState as S

UPLOAD_ID = "dnc-csv"
EXPORT_PATH = "/api/v1/dnc/export.csv"


def export_button() -> rx.Component:
    """The whole list as CSV: a plain link, authenticated by the session cookie."""
    return rx.button(
        rx.el.a(
            rx.icon("download", size=14), "Export CSV", href=api_url(EXPORT_PATH), download="", data_testid="dnc-export"
        ),
        as_child=True,
        variant="surface",
    )


def _add_dialog() -> rx.Component:
    def field(label: str, name: str, placeholder: str) -> rx.Component:
        return rx.vstack(
            rx.el.label(label, html_for=f"dnc-{name}", style={"font_weight": "500", "font_size": "14px"}),
            rx.input(id=f"dnc-{name}", name=name, placeholder=placeholder, width="100%", data_testid=f"dnc-{name}"),
            inline_error(S.add_errors.get(name, ""), data_testid=f"dnc-{name}-error"),
            spacing="1",
            width="100%",
        )

    return rx.dialog.content(
        rx.dialog.title("Add a number"),
        rx.dialog.description(
            "Its leads become do-not-call, and no campaign dials it.", size="2", color=styles.MUTED_TEXT
        ),
        rx.form(
            rx.vstack(
                error_callout(S.add_error),
                field("Phone", "phone", "+1 415 555 2671"),
                field("Reason (optional)", "reason", "Asked not to be called"),
                rx.flex(
                    rx.dialog.close(rx.button("Cancel", variant="soft", color_scheme="gray", type="button")),
                    rx.button("Add number", type="submit", data_testid="dnc-add-submit"),
                    spacing="3",
                    justify="end",
                    width="100%",
                ),
                spacing="3",
                margin_top="12px",
            ),
            on_submit=S.add,
            reset_on_submit=False,
        ),
        max_width="460px",
        data_testid="dnc-add-dialog",
    )


def add_button() -> rx.Component:
    return rx.dialog.root(
        rx.button(rx.icon("plus", size=15), "Add number", on_click=S.set_add_open(True), data_testid="dnc-add"),
        _add_dialog(),
        open=S.add_open,
        on_open_change=S.set_add_open,
    )


def import_card() -> rx.Component:
    return rx.vstack(
        rx.text("Import numbers", size="2", weight="bold"),
        rx.text(
            "A CSV file with a phone column (or numbers in the first column) and an optional reason column.",
            size="1",
            color=styles.MUTED_TEXT,
        ),
        rx.hstack(
            file_picker(
                rx.hstack(
                    rx.button("Choose a file", variant="soft", size="2", type="button"),
                    rx.text(rx.selected_files(UPLOAD_ID), size="1", color=styles.MUTED_TEXT),
                    align="center",
                ),
                id=UPLOAD_ID,
                accept={"text/csv": [".csv"], "text/plain": [".txt"]},
                max_files=1,
                multiple=False,
                max_size=MAX_DNC_IMPORT_BYTES,  # refused in the browser, with the reason, rather than sent
                on_drop_rejected=S.file_rejected,
                data_testid="dnc-upload",
                label="CSV file of numbers to add to the do-not-call list",
            ),
            rx.button(
                "Import",
                size="2",
                on_click=S.import_file(rx.upload_files(upload_id=UPLOAD_ID)),
                data_testid="dnc-import",
            ),
            align="center",
            wrap="wrap",
        ),
        inline_error(S.import_error, data_testid="dnc-import-error"),
        rx.cond(S.import_summary != "", rx.text(S.import_summary, size="2", data_testid="dnc-import-summary")),
        rx.cond(
            S.import_errors.length() > 0,
            rx.vstack(
                rx.foreach(
                    S.import_errors,
                    lambda e: rx.text("Line ", e["row"], ": ", e["message"], size="1", color=rx.color("red", 11)),
                ),
                spacing="0",
                max_height="160px",
                overflow_y="auto",
                data_testid="dnc-import-errors",
            ),
        ),
        spacing="2",
        padding="16px",
        width="100%",
        style=styles.card,
        margin_bottom="16px",
    )


def _row(row: rx.Var) -> rx.Component:
    return rx.table.row(
        rx.table.cell(rx.text(row["phone"], class_name="vc-num", weight="medium"), data_testid="dnc-row-phone"),
        rx.table.cell(rx.text(rx.cond(row["reason"] != "", row["reason"], "—"), size="2", color=styles.MUTED_TEXT)),
        rx.table.cell(row["source"]),
        rx.table.cell(rx.text(row["added_by"], size="2", class_name="vc-ellipsis", max_width="200px")),
        rx.table.cell(row["added"], class_name="vc-num", white_space="nowrap"),
        rx.cond(
            S.can_manage,
            rx.table.cell(
                rx.button(
                    "Remove",
                    size="1",
                    variant="soft",
                    color_scheme="red",
                    on_click=S.ask_remove(row["phone"]),
                    data_testid="dnc-remove",
                ),
            ),
        ),
        custom_attrs={"data-testid": "dnc-row", "data-phone": row["phone"]},
    )


def dnc_table() -> rx.Component:
    headers = ["Number", "Reason", "Source", "Added by", "Added"]
    return rx.box(
        rx.box(
            rx.debounce_input(
                rx.input(
                    placeholder="Search digits…",
                    on_change=S.set_search,
                    type="search",
                    aria_label="Search numbers",
                    data_testid="dnc-search",
                    width="260px",
                ),
                value=S.search,
                debounce_timeout=400,
            ),
            padding="12px 16px",
        ),
        rx.cond(
            S.total > 0,
            rx.table.root(
                rx.table.header(
                    rx.table.row(
                        *[rx.table.column_header_cell(h) for h in headers],
                        rx.cond(S.can_manage, rx.table.column_header_cell("")),
                    )
                ),
                rx.table.body(rx.foreach(S.rows, _row)),
                variant="ghost",
                size="2",
                width="100%",
                data_testid="dnc-table",
            ),
            empty_state(
                "phone-off", "No numbers on the list", "Numbers added here are never dialed.", data_testid="dnc-empty"
            ),
        ),
        rx.flex(
            rx.text(S.range_label, size="2", color=styles.MUTED_TEXT, data_testid="dnc-range"),
            rx.hstack(
                rx.button(
                    "Previous",
                    variant="surface",
                    color_scheme="gray",
                    size="2",
                    on_click=S.prev_page,
                    disabled=S.page <= 1,
                    data_testid="dnc-prev",
                ),
                rx.button(
                    "Next",
                    variant="surface",
                    color_scheme="gray",
                    size="2",
                    on_click=S.next_page,
                    disabled=S.page >= S.page_count,
                    data_testid="dnc-next",
                ),
            ),
            justify="between",
            align="center",
            padding="12px 16px",
            border_top=styles.SUBTLE_BORDER,
        ),
        style=styles.card,
        overflow="hidden",
    )


def remove_dialog() -> rx.Component:
    return confirm_dialog(
        S,
        "remove",
        title="Remove this number?",
        question=(S.confirm_label, " may be called again: its do-not-call leads become new."),
        confirm_label="Remove number",
        on_confirm=S.remove,
        confirm_testid="dnc-remove-confirm",
    )
