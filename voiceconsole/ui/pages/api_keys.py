"""/settings/api-keys: keys for the REST API."""

import reflex as rx

from voiceconsole.ui.components.backend import api_url
from voiceconsole.ui.components.feedback import error_callout
from voiceconsole.ui.components.layout import app_shell
from voiceconsole.ui.components.page_header import page_header
from voiceconsole.ui.state.api_keys import ApiKeysState
from voiceconsole.ui.views.api_keys import create_form, keys_table, new_key_callout, revoke_dialog


def api_keys_page() -> rx.Component:
    return app_shell(
        "api-keys",
        page_header(
            "API keys",
            "Authenticate REST API requests with Authorization: Bearer viq_…",
            rx.link(
                rx.button(rx.icon("book-open", size=15), "API docs", variant="soft", color_scheme="gray"),
                href=api_url("/api/docs"),
                is_external=True,
            ),
        ),
        error_callout(ApiKeysState.error, margin_bottom="16px"),
        rx.cond(
            ApiKeysState.can_manage,
            rx.fragment(new_key_callout(), create_form(), keys_table(), revoke_dialog()),
            rx.fragment(),
        ),
    )
