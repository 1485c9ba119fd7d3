"""The title row at the top of every page."""

import reflex as rx

from voiceconsole.ui import styles


def page_header(title, subtitle=None, *actions: rx.Component, back: tuple[str, str] | None = None) -> rx.Component:
    """Title, optional subtitle and back link on the left; action buttons on the right."""
    left = []
    if back is not None:
        href, text = back
        left.append(
            rx.link(
                rx.hstack(rx.icon("arrow-left", size=14), rx.text(text, size="2"), spacing="1", align="center"),
                href=href,
                color=styles.MUTED_TEXT,
                underline="none",
                data_testid="back-link",
            )
        )
    left.append(rx.heading(title, size="6", weight="bold", data_testid="page-title"))
    if subtitle is not None:
        left.append(rx.text(subtitle, size="2", color=styles.MUTED_TEXT))
    return rx.flex(
        rx.vstack(*left, spacing="1"),
        rx.hstack(*actions, spacing="2", align="center"),
        justify="between",
        align="end",
        wrap="wrap",
        spacing="3",
        width="100%",
        margin_bottom="20px",
    )
