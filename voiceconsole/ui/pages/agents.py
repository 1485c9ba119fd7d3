"""/agents: every voice agent with its call volume, score and cost; "New agent" from a template."""

import reflex as rx

from voiceconsole.ui.components.layout import app_shell
from voiceconsole.ui.components.page_header import page_header
from voiceconsole.ui.state.agents import AgentsState
from voiceconsole.ui.views.agents_table import agents_table
from voiceconsole.ui.views.builder_new_agent import new_agent_button


def agents_page() -> rx.Component:
    return app_shell(
        "agents",
        page_header(
            "Agents", rx.text(AgentsState.total, " agents across your connected platforms."), new_agent_button()
        ),
        agents_table(),
    )
