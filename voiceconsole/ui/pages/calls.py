"""/calls: every call of the organization, filtered and paginated."""

import reflex as rx

from voiceconsole.ui.components.feedback import error_callout
from voiceconsole.ui.components.layout import app_shell
from voiceconsole.ui.components.page_header import page_header
from voiceconsole.ui.state.calls import CallsState
from voiceconsole.ui.views.calls_filters import calls_filters
from voiceconsole.ui.views.calls_table import calls_table


def calls_page() -> rx.Component:
    return app_shell(
        "calls",
        page_header("Calls", "Every conversation your agents handled, newest first."),
        calls_filters(),
        error_callout(CallsState.error, margin_bottom="16px"),
        calls_table(),
    )
