"""Loading, empty and error states shared by the pages."""

import reflex as rx

from voiceconsole.ui import styles


def loading_block(label: str = "Loading…") -> rx.Component:
    return rx.center(
        rx.hstack(rx.spinner(size="3"), rx.text(label, color=styles.MUTED_TEXT, size="2"), align="center", spacing="3"),
        width="100%",
        min_height="40vh",
        data_testid="loading",
    )


def empty_state(icon: str, title: str, body=None, *actions: rx.Component, **props) -> rx.Component:
    return rx.center(
        rx.vstack(
            rx.center(
                rx.icon(icon, size=22, color=rx.color("accent", 11)),
                width="44px",
                height="44px",
                border_radius="12px",
                background=rx.color("accent", 3),
            ),
            rx.text(title, weight="bold", size="3"),
            rx.text(body, size="2", color=styles.MUTED_TEXT, text_align="center", max_width="420px")
            if body is not None
            else rx.fragment(),
            rx.hstack(*actions, spacing="2"),
            align="center",
            spacing="2",
        ),
        width="100%",
        padding="48px 16px",
        **props,
    )


def inline_error(message: rx.Var, **props) -> rx.Component:
    """A short red message under a field; renders nothing when the message is empty."""
    return rx.cond(
        message != "",
        rx.text(
            rx.icon("circle-alert", size=14, style={"display": "inline", "vertical_align": "-2px"}),
            " ",
            message,
            color=rx.color("red", 11),
            size="2",
            role="alert",
            **props,
        ),
        rx.fragment(),
    )


def error_callout(message: rx.Var, **props) -> rx.Component:
    return rx.cond(
        message != "",
        rx.callout(
            message, icon="triangle-alert", color_scheme="red", variant="soft", role="alert", width="100%", **props
        ),
        rx.fragment(),
    )
