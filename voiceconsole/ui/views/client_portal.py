"""The client page's card of what the client's viewers see in their portal (owners and admins switch it)."""

import reflex as rx

from voiceconsole.ui import styles
from voiceconsole.ui.components.feedback import error_callout
from voiceconsole.ui.state.client_portal import ClientPortalState as S


def _switch(label: str, hint: str, checked: rx.Var, on_change, testid: str) -> rx.Component:
    return rx.hstack(
        rx.switch(checked=checked, on_change=on_change, disabled=~S.can_manage, data_testid=testid, aria_label=label),
        rx.vstack(
            rx.text(label, size="2", weight="medium"),
            rx.text(hint, size="1", color=styles.MUTED_TEXT),
            spacing="0",
        ),
        align="start",
        spacing="3",
    )


def client_portal_card() -> rx.Component:
    return rx.cond(
        S.portal_client_id != "",
        rx.vstack(
            rx.vstack(
                rx.text("Client portal", size="3", weight="bold"),
                rx.text(
                    "The client's viewers see its calls, transcripts, recordings, scores and coaching. Besides:",
                    size="1",
                    color=styles.MUTED_TEXT,
                ),
                spacing="0",
            ),
            _switch("Show costs", "Call costs and cost figures", S.show_costs, S.set_show_costs, "portal-show-costs"),
            _switch(
                "Show agent configuration",
                "Prompts, voice and model of the client's agents",
                S.show_agent_config,
                S.set_show_agent_config,
                "portal-show-agent-config",
            ),
            error_callout(S.portal_error),
            spacing="3",
            padding="16px 18px",
            style=styles.card,
            width="100%",
            custom_attrs={"data-testid": "client-portal-card"},
        ),
    )
