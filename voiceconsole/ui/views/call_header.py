"""The facts at the top of a call: who, when, how long, what it cost, how it went."""

import reflex as rx

from voiceconsole.ui import styles
from voiceconsole.ui.components.badges import (
    direction_label,
    platform_badge,
    score_badge,
    sentiment_badge,
    status_badge,
)
from voiceconsole.ui.state.call_detail import CallDetailState


def fact(label: str, value, testid: str | None = None) -> rx.Component:
    body = value if isinstance(value, rx.Component) else rx.text(value, size="2", weight="medium")
    return rx.vstack(
        rx.text(label, size="1", color=styles.MUTED_TEXT, weight="medium"),
        body,
        spacing="1",
        min_width="120px",
        data_testid=testid,
    )


def call_header() -> rx.Component:
    c = CallDetailState.call
    return rx.box(
        rx.flex(
            rx.hstack(
                rx.center(
                    rx.icon("phone-call", size=20, color=rx.color("accent", 11)),
                    width="44px",
                    height="44px",
                    border_radius="12px",
                    background=rx.color("accent", 3),
                    flex_shrink="0",
                ),
                rx.vstack(
                    rx.hstack(
                        rx.cond(
                            c["agent_href"] != "",
                            rx.link(
                                rx.heading(c["agent"], size="5", data_testid="call-agent"),
                                href=c["agent_href"],
                                color=rx.color("gray", 12),
                                underline="hover",
                                data_testid="call-agent-link",
                            ),
                            rx.heading(c["agent"], size="5", data_testid="call-agent"),
                        ),
                        platform_badge(c["platform"]),
                        align="center",
                        spacing="2",
                    ),
                    rx.text(
                        rx.cond(
                            c["client_href"] != "",
                            rx.link(
                                c["client"],
                                href=c["client_href"],
                                color=styles.MUTED_TEXT,
                                underline="always",
                                data_testid="call-client-link",
                            ),
                            c["client"],
                        ),
                        " · ",
                        c["started"],
                        size="2",
                        color=styles.MUTED_TEXT,
                    ),
                    spacing="1",
                ),
                align="center",
                spacing="3",
            ),
            rx.hstack(
                rx.cond(
                    CallDetailState.no_transcript,
                    rx.badge(
                        rx.icon("file-x", size=12),
                        "No transcript",
                        color_scheme="gray",
                        variant="soft",
                        radius="full",
                        size="2",
                        title="Not scored: there was nothing to judge",
                        data_testid="score-badge",
                    ),
                    score_badge(c["score"], c["band"]),
                ),
                rx.cond(c["sentiment"] != "", sentiment_badge(c["sentiment"]), rx.fragment()),
                status_badge(c["status"]),
                align="center",
                spacing="2",
            ),
            justify="between",
            align="center",
            wrap="wrap",
            spacing="3",
        ),
        rx.separator(size="4", margin_y="16px"),
        rx.grid(
            fact("Started", c["started"], "fact-started"),
            fact("Duration", c["duration"], "fact-duration"),
            rx.cond(CallDetailState.sees_costs, fact("Cost", c["cost"], "fact-cost")),
            fact("Direction", direction_label(c["direction"])),
            fact("From", rx.text(c["from_number"], size="2", weight="medium", class_name="vc-num")),
            fact("To", rx.text(c["to_number"], size="2", weight="medium", class_name="vc-num")),
            fact("Ended because", c["end_reason"]),
            columns=rx.breakpoints(initial="2", sm="4", lg="7"),
            spacing="4",
            width="100%",
        ),
        style=styles.card,
        padding="20px",
        margin_bottom="16px",
        data_testid="call-header",
    )
