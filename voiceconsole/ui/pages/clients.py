"""/clients: the agency's clients and which agents serve each."""

import reflex as rx

from voiceconsole.ui.components.feedback import error_callout
from voiceconsole.ui.components.layout import app_shell
from voiceconsole.ui.components.page_header import page_header
from voiceconsole.ui.state.clients import ClientsState
from voiceconsole.ui.views.clients import agents_assignment, clients_table, create_form, delete_dialog, rename_dialog


def clients_page() -> rx.Component:
    return app_shell(
        "clients",
        page_header("Clients", "The businesses you run agents for. Every chart and list can be filtered by client."),
        error_callout(ClientsState.error, margin_bottom="16px"),
        create_form(),
        clients_table(),
        agents_assignment(),
        rename_dialog(),
        delete_dialog(),
    )
