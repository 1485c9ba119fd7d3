"""/settings/integrations: connected Retell, Vapi and ElevenLabs accounts, then notification channels."""

import reflex as rx

from voiceconsole.ui.components.feedback import error_callout
from voiceconsole.ui.components.layout import app_shell
from voiceconsole.ui.components.page_header import page_header
from voiceconsole.ui.state.integrations import IntegrationsState
from voiceconsole.ui.views.integrations import connect_form, disconnect_dialog, integrations_list
from voiceconsole.ui.views.notification_channels import notification_channels_section

REFRESH_MS = 5000  # tests and syncs run as jobs: show their outcome without a reload


def integrations_page() -> rx.Component:
    return app_shell(
        "integrations",
        page_header(
            "Integrations",
            "Platform accounts VoiceConsole syncs agents and calls from, every 4 hours "
            "and in real time through their webhooks.",
            rx.button(
                rx.icon("refresh-cw", size=15),
                "Refresh",
                variant="soft",
                color_scheme="gray",
                on_click=IntegrationsState.refresh,
                data_testid="integrations-refresh",
            ),
        ),
        error_callout(IntegrationsState.error, margin_bottom="16px"),
        rx.cond(IntegrationsState.can_manage, connect_form(), rx.fragment()),
        integrations_list(),
        disconnect_dialog(),
        rx.moment(interval=REFRESH_MS, on_change=IntegrationsState.refresh, display="none"),
        notification_channels_section(),
    )
