"""/settings/security: where you are signed in, and signing out."""

import reflex as rx

from voiceconsole.ui.components.feedback import error_callout
from voiceconsole.ui.components.layout import app_shell
from voiceconsole.ui.components.page_header import page_header
from voiceconsole.ui.state.security import SecurityState
from voiceconsole.ui.views.sessions import sessions_table, sign_out_everywhere


def security_page() -> rx.Component:
    return app_shell(
        "security",
        page_header("Security", "Where you are signed in: every active session of your account."),
        error_callout(SecurityState.error, margin_bottom="16px"),
        rx.cond(
            SecurityState.message != "",
            rx.callout(SecurityState.message, icon="check", color_scheme="green", size="1", margin_bottom="16px"),
        ),
        sessions_table(),
        sign_out_everywhere(),
    )
