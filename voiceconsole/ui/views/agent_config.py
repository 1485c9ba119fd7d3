"""The agent's platform configuration, as the last sync stored it: voice, model, version, the prompt."""

import reflex as rx

from voiceconsole.ui import styles
from voiceconsole.ui.state.agent_detail import AgentDetailState


def _fact(item: rx.Var) -> rx.Component:
    return rx.vstack(
        rx.text(item["label"], size="1", color=styles.MUTED_TEXT, weight="medium"),
        rx.text(item["value"], size="2", weight="medium", class_name="vc-ellipsis", title=item["value"]),
        spacing="1",
        min_width="0",
    )


def _prompt() -> rx.Component:
    return rx.cond(
        AgentDetailState.prompt_excerpt != "",
        rx.vstack(
            rx.hstack(
                rx.text("Prompt", size="1", color=styles.MUTED_TEXT, weight="medium"),
                rx.text(AgentDetailState.prompt_size, size="1", color=styles.MUTED_TEXT),
                justify="between",
                width="100%",
            ),
            rx.text(
                AgentDetailState.prompt_excerpt,
                size="2",
                padding="10px 12px",
                border_radius="8px",
                background=rx.color("gray", 2),
                border=styles.SUBTLE_BORDER,
                width="100%",
                data_testid="agent-prompt",
            ),
            spacing="1",
            width="100%",
        ),
        rx.text("The platform sent no prompt for this agent.", size="2", color=styles.MUTED_TEXT),
    )


def agent_config_card() -> rx.Component:
    """Shown to staff, and in a client portal only where the agency shows agents' configuration."""
    return rx.cond(AgentDetailState.sees_agent_config, _config_card())


def _config_card() -> rx.Component:
    return rx.vstack(
        rx.vstack(
            rx.text("Platform configuration", size="3", weight="bold"),
            rx.text("As the platform reported it at the last sync", size="1", color=styles.MUTED_TEXT),
            spacing="0",
        ),
        rx.grid(
            rx.foreach(AgentDetailState.config, _fact),
            columns=rx.breakpoints(initial="2", md="4", lg="7"),
            spacing="4",
            width="100%",
        ),
        _prompt(),
        spacing="4",
        padding="16px 18px",
        style=styles.card,
        width="100%",
        min_width="0",
        custom_attrs={"data-testid": "agent-config"},
    )
