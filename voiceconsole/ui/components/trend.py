"""Change against the previous period: an arrow and a figure, green when good, red when bad."""

import reflex as rx

from voiceconsole.ui import styles

_TONE_COLORS = {"good": "green", "bad": "red", "neutral": "gray"}


def _arrow(direction: rx.Var) -> rx.Component:
    return rx.match(
        direction,
        ("up", rx.icon("arrow-up-right", size=14)),
        ("down", rx.icon("arrow-down-right", size=14)),
        ("flat", rx.icon("arrow-right", size=14)),
        rx.fragment(),
    )


def trend_badge(change: rx.Var, direction: rx.Var, tone: rx.Var, **props) -> rx.Component:
    """'↗ +12%' coloured by whether the move is good for the agency."""
    return rx.match(
        tone,
        *[
            (
                tone_,
                rx.badge(
                    _arrow(direction), change, color_scheme=colour, variant="soft", radius="full", size="1", **props
                ),
            )
            for tone_, colour in _TONE_COLORS.items()
        ],
        rx.text(change, size="1", color=styles.MUTED_TEXT, **props),
    )
