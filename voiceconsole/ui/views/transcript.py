"""The transcript as a conversation: agent bubbles on the left, the caller's on the right."""

import reflex as rx

from voiceconsole.ui import styles
from voiceconsole.ui.components.feedback import empty_state
from voiceconsole.ui.state.call_detail import CallDetailState


def _bubble(turn: rx.Var, *, caller: bool) -> rx.Component:
    return rx.flex(
        rx.vstack(
            rx.hstack(
                rx.text(
                    turn["speaker"],
                    size="1",
                    weight="bold",
                    color=rx.color("accent", 11) if caller else rx.color("gray", 11),
                ),
                rx.text(turn["at"], size="1", color=styles.MUTED_TEXT, class_name="vc-num", data_testid="turn-time"),
                spacing="2",
                align="center",
                direction="row-reverse" if caller else "row",
            ),
            rx.box(
                rx.text(turn["text"], size="2", line_height="1.55"),
                padding="10px 14px",
                border_radius="14px 14px 14px 4px" if not caller else "14px 14px 4px 14px",
                background=rx.color("accent", 3) if caller else rx.color("gray", 3),
                border=f"1px solid {rx.color('accent', 5) if caller else rx.color('gray', 4)}",
            ),
            spacing="1",
            align="end" if caller else "start",
            class_name="vc-transcript-turn",
        ),
        justify="end" if caller else "start",
        width="100%",
        id=turn["id"],
        custom_attrs={"data-testid": "transcript-turn", "data-side": "caller" if caller else "agent"},
    )


def _system_line(turn: rx.Var) -> rx.Component:
    return rx.center(
        rx.text(
            turn["speaker"],
            ": ",
            turn["text"],
            " ",
            turn["at"],
            size="1",
            color=styles.MUTED_TEXT,
            font_style="italic",
        ),
        width="100%",
        id=turn["id"],
        custom_attrs={"data-testid": "transcript-turn", "data-side": "system"},
    )


def turn_view(turn: rx.Var) -> rx.Component:
    return rx.match(
        turn["side"],
        ("agent", _bubble(turn, caller=False)),
        ("caller", _bubble(turn, caller=True)),
        _system_line(turn),
    )


def _system_prompt() -> rx.Component:
    """The prompt the agent ran with (Vapi transcripts open with it), folded away above the conversation."""
    return rx.cond(
        CallDetailState.system_prompt != "",
        rx.el.details(
            rx.el.summary(
                rx.text("System prompt", as_="span", size="1", weight="medium", color=rx.color("gray", 11)),
                style={"cursor": "pointer"},
            ),
            rx.text(
                CallDetailState.system_prompt,
                size="1",
                color=rx.color("gray", 11),
                white_space="pre-wrap",
                line_height="1.55",
                margin_top="8px",
            ),
            style={
                "padding": "8px 12px",
                "border_radius": "8px",
                "background": rx.color("gray", 2),
                "border": styles.SUBTLE_BORDER,
                "margin_bottom": "12px",
            },
            custom_attrs={"data-testid": "system-prompt"},
        ),
        rx.fragment(),
    )


def transcript() -> rx.Component:
    return rx.box(
        rx.hstack(
            rx.icon("messages-square", size=17, color=styles.MUTED_TEXT),
            rx.heading("Transcript", size="3"),
            rx.spacer(),
            rx.text(CallDetailState.turns.length(), " turns", size="1", color=styles.MUTED_TEXT),
            align="center",
            spacing="2",
            margin_bottom="14px",
        ),
        _system_prompt(),
        rx.cond(
            CallDetailState.turns.length() > 0,
            rx.vstack(
                rx.foreach(CallDetailState.turns, turn_view), spacing="3", width="100%", data_testid="transcript"
            ),
            empty_state("message-square-dashed", "No transcript for this call"),
        ),
        style=styles.card,
        padding="20px",
    )
