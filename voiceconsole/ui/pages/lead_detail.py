"""/leads/[lead_id]: one lead's fields (edit, delete) and every call attempt made to it."""

import reflex as rx

from voiceconsole.ui.components.feedback import empty_state, error_callout
from voiceconsole.ui.components.layout import app_shell
from voiceconsole.ui.components.page_header import page_header
from voiceconsole.ui.state.lead_detail import LeadDetailState as D
from voiceconsole.ui.views.leads_detail import attempts_card, delete_dialog, lead_form
from voiceconsole.ui.views.leads_table import lead_status_badge


def lead_detail_page() -> rx.Component:
    return app_shell(
        "leads",
        rx.cond(
            D.not_found,
            empty_state("contact", "Lead not found", "It may have been deleted.", data_testid="lead-not-found"),
            rx.fragment(
                page_header(
                    D.lead["name"],
                    rx.hstack(lead_status_badge(D.lead["status"]), rx.text(D.lead["phone"], size="2"), spacing="2"),
                    crumbs=[("Leads", "/leads"), (D.lead["name"], None)],
                ),
                error_callout(D.error, margin_bottom="16px", data_testid="lead-error"),
                rx.cond(D.lead.contains("id"), rx.fragment(lead_form(), attempts_card())),
                delete_dialog(),
            ),
        ),
    )
