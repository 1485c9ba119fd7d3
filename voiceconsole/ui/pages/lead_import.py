"""/leads/import: the CSV import wizard (upload → map → preview → import with progress)."""

import reflex as rx

from voiceconsole.ui.components.layout import app_shell
from voiceconsole.ui.components.page_header import page_header
from voiceconsole.ui.state.lead_import import LeadImportState as S
from voiceconsole.ui.views.leads_import import map_step, upload_step
from voiceconsole.ui.views.leads_import_preview import preview_step, progress_step


def lead_import_page() -> rx.Component:
    return app_shell(
        "leads",
        page_header(
            "Import leads",
            "A CSV file: check it, map its columns, preview every row error, then import.",
            crumbs=[("Leads", "/leads"), ("Import", None)],
        ),
        rx.box(
            rx.match(
                S.step,
                ("upload", upload_step()),
                ("map", map_step()),
                ("preview", preview_step()),
                progress_step(),
            ),
            custom_attrs={"data-step": S.step},
            data_testid="import-wizard",
        ),
    )
