"""/dnc: the organization's do-not-call list (staff read and add; owners and admins remove)."""

import reflex as rx

from voiceconsole.ui.components.feedback import error_callout
from voiceconsole.ui.components.layout import app_shell
from voiceconsole.ui.components.page_header import page_header
from voiceconsole.ui.state.dnc import DncState
from voiceconsole.ui.views.dnc import add_button, dnc_table, export_button, import_card, remove_dialog


def dnc_page() -> rx.Component:
    return app_shell(
        "dnc",
        page_header(
            "Do-not-call", "Numbers no campaign ever dials, checked again at each dial.", export_button(), add_button()
        ),
        error_callout(DncState.error, margin_bottom="16px", data_testid="dnc-error"),
        import_card(),
        dnc_table(),
        remove_dialog(),
    )
