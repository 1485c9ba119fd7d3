"""The import wizard's last steps: the dry run's preview and row errors, then the job's progress and summary."""

import reflex as rx

from voiceconsole.ui import styles
from voiceconsole.ui.components.backend import api_url
from voiceconsole.ui.components.feedback import error_callout
from voiceconsole.ui.state.lead_import import LeadImportState as S
from voiceconsole.ui.views.leads_import import busy_note
from voiceconsole.ui.views.leads_table import lead_status_badge


def _card(*children, **props) -> rx.Component:
    return rx.vstack(*children, spacing="4", padding="20px", width="100%", style=styles.card, **props)


def _stat(label: str, value, testid: str) -> rx.Component:
    return rx.vstack(
        rx.text(label, size="1", color=styles.MUTED_TEXT),
        rx.text(value, size="5", weight="bold", class_name="vc-num", data_testid=testid),
        spacing="0",
        min_width="110px",
    )


def _table(headers: list[str], rows: rx.Var, render, testid: str) -> rx.Component:
    return rx.box(
        rx.table.root(
            rx.table.header(rx.table.row(*[rx.table.column_header_cell(h, white_space="nowrap") for h in headers])),
            rx.table.body(rx.foreach(rows, render)),
            variant="ghost",
            size="1",
            width="100%",
            data_testid=testid,
        ),
        width="100%",
        overflow_x="auto",
    )


def _preview_row(r: rx.Var) -> rx.Component:
    return rx.table.row(
        *[rx.table.cell(r[k], class_name="vc-num" if k == "row" else "") for k in ("row", "action", "name", "phone")],
        *[rx.table.cell(r[k]) for k in ("email", "company", "tags", "custom")],
        rx.table.cell(lead_status_badge(r["status"])),
        custom_attrs={"data-testid": "preview-row"},
    )


def _error_row(e: rx.Var) -> rx.Component:
    return rx.table.row(
        rx.table.cell(e["row"], class_name="vc-num", data_testid="error-row-number"),
        rx.table.cell(rx.code(e["field"])),
        rx.table.cell(e["message"]),
        custom_attrs={"data-testid": "error-row"},
    )


def _errors() -> rx.Component:
    return rx.cond(
        S.errors_total > 0,
        rx.vstack(
            rx.heading("Rows that would be refused (", S.errors_total, ")", size="3", data_testid="errors-heading"),
            rx.text("Row = the line of the file; the header is line 1.", size="1", color=styles.MUTED_TEXT),
            _table(["Row", "Field", "Problem"], S.shown_errors, _error_row, "import-errors"),
            rx.cond(
                S.errors_pages > 1,
                rx.hstack(
                    rx.button(
                        "Previous",
                        size="1",
                        variant="surface",
                        on_click=S.show_errors_page(S.errors_page - 1),
                        disabled=S.errors_page <= 1,
                        data_testid="errors-prev",
                    ),
                    rx.text("Page ", S.errors_page, " of ", S.errors_pages, size="1"),
                    rx.button(
                        "Next",
                        size="1",
                        variant="surface",
                        on_click=S.show_errors_page(S.errors_page + 1),
                        disabled=S.errors_page >= S.errors_pages,
                        data_testid="errors-next",
                    ),
                    align="center",
                ),
            ),
            spacing="2",
            width="100%",
        ),
        rx.callout("No row errors.", icon="circle-check", color_scheme="green", data_testid="import-no-errors"),
    )


def preview_step() -> rx.Component:
    sm = S.summary
    return _card(
        rx.heading("3. Preview", size="3"),
        rx.flex(
            _stat("Rows", sm["total_rows"], "preview-total"),
            _stat("Valid", sm["valid_rows"], "preview-valid"),
            _stat("New leads", sm["would_create"], "preview-create"),
            _stat("Updated leads", sm["would_update"], "preview-update"),
            _stat("Row errors", sm["errors_total"], "preview-errors"),
            spacing="5",
            wrap="wrap",
        ),
        rx.text("The first rows as they would be stored:", size="2", color=styles.MUTED_TEXT),
        _table(
            ["Row", "", "Name", "Phone", "Email", "Company", "Tags", "Custom fields", "Status"],
            S.preview,
            _preview_row,
            "import-preview-table",
        ),
        _errors(),
        rx.hstack(
            rx.button(
                "Back to mapping",
                variant="soft",
                color_scheme="gray",
                on_click=S.back,
                disabled=S.busy,
                data_testid="import-back",
            ),
            rx.button(
                "Import ",
                sm["valid_rows"],
                " rows",
                on_click=S.start,
                loading=S.busy,
                disabled=S.busy | (sm["valid_rows"] == 0),
                data_testid="import-start",
            ),
            busy_note(),
            align="center",
            spacing="3",
        ),
        error_callout(S.mapping_error),
    )


def progress_step() -> rx.Component:
    job = S.job
    return _card(
        rx.heading(rx.cond(S.step == "done", "Import finished", "4. Importing…"), size="3"),
        rx.progress(value=S.progress, max=100, width="100%", data_testid="import-progress"),
        rx.text(
            job["rowsDone"].to(int),
            " of ",
            job["totalRows"].to(int),
            " rows",
            size="2",
            color=styles.MUTED_TEXT,
            data_testid="import-rows-done",
        ),
        rx.cond(
            S.step == "done",
            rx.vstack(
                rx.text("Status: ", rx.code(job["status"].to(str)), size="2", data_testid="import-status"),
                rx.flex(
                    _stat("Created", job["created"].to(int), "import-created"),
                    _stat("Updated", job["updated"].to(int), "import-updated"),
                    _stat("Refused", job["errors"].to(int), "import-refused"),
                    spacing="5",
                ),
                error_callout(S.failure, data_testid="import-failure"),
                rx.hstack(
                    rx.cond(
                        S.error_report != "",
                        rx.el.a(
                            rx.icon("download", size=14, style={"display": "inline", "vertical_align": "-2px"}),
                            " Download the refused rows (CSV)",
                            href=api_url(S.error_report),
                            download="",
                            data_testid="import-error-report",
                        ),
                    ),
                    rx.link("See the leads", href=S.leads_href, data_testid="import-see-leads"),
                    spacing="4",
                ),
                spacing="3",
                width="100%",
            ),
        ),
    )
