"""The import wizard's steps: choose a file, map its columns, preview (every row error), follow the job."""

import reflex as rx

from voiceconsole.services.campaigns.imports import MAX_IMPORT_BYTES
from voiceconsole.ui import styles
from voiceconsole.ui.components.feedback import error_callout, inline_error
from voiceconsole.ui.components.file_picker import file_picker
from voiceconsole.ui.state.lead_import import FIELDS, UNMAPPED
from voiceconsole.ui.state.lead_import import LeadImportState as S
from voiceconsole.ui.state.leads import NO_CLIENT

UPLOAD_ID = "lead-csv"


def _card(*children, **props) -> rx.Component:
    return rx.vstack(*children, spacing="4", padding="20px", width="100%", style=styles.card, **props)


def busy_note() -> rx.Component:
    """While a slow step runs in the background: what it is doing ("Checking 12 MB…"), with a spinner."""
    return rx.cond(
        S.busy,
        rx.hstack(
            rx.spinner(size="2"),
            rx.text(S.busy_text, size="2", color=styles.MUTED_TEXT),
            align="center",
            spacing="2",
            role="status",
            data_testid="import-busy",
        ),
    )


def _column_select(value: rx.Var, on_change, testid: str, label: str) -> rx.Component:
    return rx.select.root(
        rx.select.trigger(aria_label=label, width="100%", data_testid=testid),
        rx.select.content(
            rx.select.item("— not imported —", value=UNMAPPED),
            rx.foreach(S.named_columns, lambda c: rx.select.item(c, value=c)),
            position="popper",
        ),
        value=value,
        on_change=on_change,
    )


def upload_step() -> rx.Component:
    return _card(
        rx.heading("1. Choose a CSV file", size="3"),
        rx.text(
            "UTF-8, the column names on the first line, at most 50 MB. Rows merge into the lead that has their "
            "phone number.",
            size="2",
            color=styles.MUTED_TEXT,
        ),
        file_picker(
            rx.vstack(
                rx.button("Choose a file", variant="soft", type="button"),
                rx.text(rx.selected_files(UPLOAD_ID), size="1", color=styles.MUTED_TEXT),
                spacing="1",
            ),
            id=UPLOAD_ID,
            accept={"text/csv": [".csv"], "text/plain": [".txt"]},
            max_files=1,
            multiple=False,
            max_size=MAX_IMPORT_BYTES,  # refused in the browser, with the reason, rather than sent for nothing
            on_drop_rejected=S.file_rejected,
            border=styles.SUBTLE_BORDER,
            padding="12px",
            border_radius="8px",
            data_testid="import-upload",
            label="CSV file of leads to import",
        ),
        inline_error(S.file_error, data_testid="import-file-error"),
        rx.hstack(
            rx.button(
                "Upload and check",
                on_click=S.upload(rx.upload_files(upload_id=UPLOAD_ID)),
                loading=S.busy,
                disabled=S.busy,
                data_testid="import-upload-submit",
            ),
            busy_note(),
            align="center",
            spacing="3",
        ),
    )


def _field_row(field: str, label: str) -> rx.Component:
    return rx.table.row(
        rx.table.cell(rx.text(label, size="2", weight="medium")),
        rx.table.cell(
            _column_select(S.mapping[field], lambda v: S.set_mapping(field, v), f"map-{field}", label), width="60%"
        ),
    )


def _custom_row(item: rx.Var, index: rx.Var) -> rx.Component:
    return rx.table.row(
        rx.table.cell(
            rx.hstack(
                rx.text("custom.", size="2", color=styles.MUTED_TEXT),
                rx.input(
                    value=item["name"],
                    on_change=lambda v: S.set_custom(index, "name", v),
                    aria_label="Custom field name",
                    size="2",
                    data_testid="map-custom-name",
                ),
                align="center",
                spacing="1",
            )
        ),
        rx.table.cell(
            rx.hstack(
                _column_select(
                    item["column"], lambda v: S.set_custom(index, "column", v), "map-custom-column", "Column"
                ),
                rx.icon_button(
                    rx.icon("x", size=14),
                    variant="ghost",
                    color_scheme="gray",
                    on_click=S.remove_custom(index),
                    aria_label="Do not import this custom field",
                    data_testid="map-custom-remove",
                ),
                align="center",
                width="100%",
            )
        ),
    )


def map_step() -> rx.Component:
    return _card(
        rx.hstack(
            rx.heading("2. Map the columns of ", rx.code(S.filename), size="3"),
            rx.spacer(),
            rx.button(
                "Choose another file",
                variant="ghost",
                on_click=S.back,
                disabled=S.busy,
                data_testid="import-other-file",
            ),
            width="100%",
            align="center",
        ),
        rx.table.root(
            rx.table.header(
                rx.table.row(rx.table.column_header_cell("Our field"), rx.table.column_header_cell("Your column"))
            ),
            rx.table.body(
                *[_field_row(field, label) for field, label in FIELDS],
                rx.foreach(S.custom, _custom_row),
            ),
            variant="ghost",
            size="1",
            width="100%",
        ),
        rx.button(
            rx.icon("plus", size=14),
            "Add custom field",
            variant="soft",
            size="1",
            on_click=S.add_custom,
            data_testid="map-custom-add",
        ),
        rx.grid(
            rx.vstack(
                rx.el.label("Tags for every lead", html_for="import-tags", style={"font_weight": "500"}),
                rx.input(
                    id="import-tags",
                    value=S.tags,
                    on_change=S.set_tags,
                    placeholder="spring-promo",
                    width="100%",
                    data_testid="import-tags",
                ),
                spacing="1",
            ),
            rx.vstack(
                rx.text("Client of every lead", size="2", weight="medium"),
                rx.select.root(
                    rx.select.trigger(aria_label="Client", width="100%", data_testid="import-client"),
                    rx.select.content(
                        rx.select.item("No client", value=NO_CLIENT),
                        rx.foreach(S.client_options, lambda c: rx.select.item(c["name"], value=c["id"])),
                        position="popper",
                    ),
                    value=S.client_id,
                    on_change=S.set_client,
                ),
                spacing="1",
            ),
            columns=rx.breakpoints(initial="1", sm="2"),
            spacing="3",
            width="100%",
        ),
        error_callout(S.mapping_error, data_testid="import-mapping-error"),
        rx.hstack(
            rx.button("Preview", on_click=S.run_preview, loading=S.busy, disabled=S.busy, data_testid="import-preview"),
            busy_note(),
            align="center",
            spacing="3",
        ),
    )
