"""Badges for our vocabularies: score bands, sentiment, status, platform, direction."""

import reflex as rx

from voiceconsole.ui import styles
from voiceconsole.ui.format import PLATFORM_LABELS


def score_badge(score: rx.Var, band: rx.Var, *, show_label: bool = True) -> rx.Component:
    """A call score (0–100) coloured by band; "—" when the call is not scored yet.

    With `show_label` the band's name follows the number, and an unscored call says so.
    """

    def _badge(key: str) -> rx.Component:
        text, colour = styles.SCORE_BANDS[key]
        children = [rx.text(score, as_="span", weight="bold")]
        if show_label:
            children.append(rx.text(text, as_="span", weight="regular"))
        return rx.badge(
            *children,
            color_scheme=colour,
            variant="soft",
            radius="full",
            size="2",
            title=text,
            gap="6px",
            data_testid="score-badge",
        )

    return rx.match(
        band,
        ("excellent", _badge("excellent")),
        ("good", _badge("good")),
        ("attention", _badge("attention")),
        ("poor", _badge("poor")),
        rx.badge("Not scored", color_scheme="gray", variant="soft", radius="full", size="2", data_testid="score-badge")
        if show_label
        else rx.text("—", color=styles.MUTED_TEXT, title="Not scored yet", data_testid="score-badge"),
    )


def sentiment_badge(sentiment: rx.Var) -> rx.Component:
    return rx.match(
        sentiment,
        ("Positive", rx.badge(rx.icon("smile", size=12), "Positive", color_scheme="green", variant="soft")),
        ("Neutral", rx.badge(rx.icon("meh", size=12), "Neutral", color_scheme="gray", variant="soft")),
        ("Negative", rx.badge(rx.icon("frown", size=12), "Negative", color_scheme="red", variant="soft")),
        rx.text("—", color=styles.MUTED_TEXT),
    )


def status_badge(status: rx.Var) -> rx.Component:
    return rx.match(
        status,
        ("ended", rx.badge("Ended", color_scheme="gray", variant="outline")),
        ("error", rx.badge("Error", color_scheme="red", variant="soft")),
        ("in_progress", rx.badge(rx.icon("radio", size=12), "Live", color_scheme="blue", variant="soft")),
        (
            "online",
            rx.badge(
                rx.box(width="6px", height="6px", border_radius="50%", background=rx.color("green", 9)),
                "Online",
                color_scheme="green",
                variant="soft",
            ),
        ),
        ("offline", rx.badge("Offline", color_scheme="gray", variant="soft")),
        rx.badge(status, color_scheme="gray", variant="outline"),
    )


def platform_badge(platform: rx.Var) -> rx.Component:
    return rx.match(
        platform,
        *[
            (key, rx.badge(PLATFORM_LABELS[key], color_scheme=colour, variant="surface"))
            for key, colour in styles.PLATFORM_COLORS.items()
        ],
        rx.badge(platform, color_scheme="gray", variant="surface"),
    )


def direction_label(direction: rx.Var) -> rx.Component:
    return rx.match(
        direction,
        (
            "inbound",
            rx.hstack(
                rx.icon("phone-incoming", size=14, color=rx.color("grass", 10)),
                rx.text("Inbound", size="2"),
                spacing="1",
                align="center",
            ),
        ),
        (
            "outbound",
            rx.hstack(
                rx.icon("phone-outgoing", size=14, color=rx.color("iris", 10)),
                rx.text("Outbound", size="2"),
                spacing="1",
                align="center",
            ),
        ),
        rx.text("—", color=styles.MUTED_TEXT),
    )


def not_monitored_badge(reason: rx.Var) -> rx.Component:
    """An agent whose calls the plan does not import; the reason (and the plan that lifts it) on hover."""
    return rx.tooltip(
        rx.badge(rx.icon("eye-off", size=12), "Not monitored", color_scheme="amber", variant="soft"),
        content=reason,
    )
