"""/leads: the people campaigns call, filtered and paginated; add one, or import a CSV file."""

import reflex as rx

from voiceconsole.ui.components.feedback import error_callout
from voiceconsole.ui.components.layout import app_shell
from voiceconsole.ui.components.page_header import page_header
from voiceconsole.ui.state.leads import LeadsState
from voiceconsole.ui.views.leads_add import add_lead_button
from voiceconsole.ui.views.leads_filters import leads_filters
from voiceconsole.ui.views.leads_table import leads_table


def _import_button() -> rx.Component:
    return rx.button(
        rx.link(
            rx.icon("upload", size=15), "Import CSV", href="/leads/import", underline="none", data_testid="leads-import"
        ),
        as_child=True,
        variant="surface",
    )


def leads_page() -> rx.Component:
    return app_shell(
        "leads",
        page_header("Leads", "The people your campaigns call, newest first.", _import_button(), add_lead_button()),
        leads_filters(),
        error_callout(LeadsState.error, margin_bottom="16px", data_testid="leads-error"),
        leads_table(),
    )
