"""/settings/scoring: how calls are scored, and when a low score raises an alert."""

import reflex as rx

from voiceconsole.ui.components.feedback import error_callout
from voiceconsole.ui.components.layout import app_shell
from voiceconsole.ui.components.page_header import page_header
from voiceconsole.ui.state.scoring_settings import ScoringSettingsState
from voiceconsole.ui.views.agent_thresholds import agent_threshold_dialog, agent_thresholds_card
from voiceconsole.ui.views.scoring_settings import (
    ai_card,
    override_dialog,
    overrides_card,
    read_only_note,
    weights_card,
)


def scoring_settings_page() -> rx.Component:
    return app_shell(
        "scoring",
        page_header("Scoring", "How each call's 0–100 score is weighted, and when a low score raises an alert."),
        error_callout(ScoringSettingsState.error, margin_bottom="16px"),
        rx.cond(
            ScoringSettingsState.error == "",
            rx.fragment(
                read_only_note(),
                rx.grid(
                    weights_card(),
                    rx.box(ai_card()),
                    columns=rx.breakpoints(initial="1", lg="3fr 2fr"),
                    gap="16px",
                    width="100%",
                    align_items="start",
                ),
                overrides_card(),
                agent_thresholds_card(),
                override_dialog(),
                agent_threshold_dialog(),
            ),
            rx.fragment(),
        ),
    )
