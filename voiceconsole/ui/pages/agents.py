"""/agents: every voice agent with its call volume, score and cost."""

import reflex as rx

from voiceconsole.ui.components.layout import app_shell
from voiceconsole.ui.components.page_header import page_header
from voiceconsole.ui.state.agents import AgentsState
from voiceconsole.ui.views.agents_table import agents_table


def agents_page() -> rx.Component:
    return app_shell(
        "agents",
        page_header("Agents", rx.text(AgentsState.total, " agents across your connected platforms.")),
        agents_table(),
    )
