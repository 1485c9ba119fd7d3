"""A short list of calls in a card (an agent's recent calls, the worst calls of a period), with a link to
the full list."""

import reflex as rx

from voiceconsole.ui import styles
from voiceconsole.ui.components.badges import score_badge, sentiment_badge

# Columns by priority, each shown from a card width (assets/styles.css `vc-min-N`): when, the score and the
# summary always; the sentiment and the agent as room allows.
SENTIMENT_MIN, AGENT_MIN = "vc-min-480", "vc-min-640"


def _row(row: rx.Var, show_agent: bool) -> rx.Component:
    return rx.table.row(
        rx.table.cell(
            rx.link(
                row["started"],
                href=row["href"],
                class_name="vc-row-link vc-num",
                underline="none",
                color=rx.color("gray", 12),
                weight="medium",
                size="2",
                data_testid="call-link",
            ),
            white_space="nowrap",
        ),
        rx.table.cell(
            rx.text(row["agent_short"], size="2", class_name="vc-name", title=row["agent"]),
            max_width="180px",
            class_name=AGENT_MIN,
        )
        if show_agent
        else rx.fragment(),
        rx.table.cell(score_badge(row["score"], row["band"], show_label=False)),
        rx.table.cell(sentiment_badge(row["sentiment"]), class_name=SENTIMENT_MIN),
        rx.table.cell(
            rx.text(
                row["summary"], size="2", color=styles.MUTED_TEXT, title=row["summary_full"], class_name="vc-clamp-2"
            ),
            min_width="120px",
            width="100%",
        ),
        class_name="vc-row",
        align="center",
        custom_attrs={"data-testid": "call-row", "data-call-id": row["id"]},
    )


def call_list_card(
    title: str,
    subtitle: str,
    rows: rx.Var,
    more_href: rx.Var,
    testid: str,
    *,
    empty: str,
    show_agent: bool = False,
) -> rx.Component:
    heads = [
        ("Started", ""),
        *([("Agent", AGENT_MIN)] if show_agent else []),
        ("Score", ""),
        ("Sentiment", SENTIMENT_MIN),
        ("Summary", ""),
    ]
    return rx.vstack(
        rx.hstack(
            rx.vstack(
                rx.text(title, size="3", weight="bold"),
                rx.text(subtitle, size="1", color=styles.MUTED_TEXT),
                spacing="0",
            ),
            rx.link(
                rx.hstack(rx.text("See all", size="2"), rx.icon("arrow-right", size=14), spacing="1", align="center"),
                href=more_href,
                underline="none",
                data_testid=f"{testid}-more",
            ),
            justify="between",
            align="start",
            width="100%",
        ),
        rx.cond(
            rows.length() > 0,
            rx.box(
                rx.table.root(
                    rx.table.header(
                        rx.table.row(
                            *[rx.table.column_header_cell(h, white_space="nowrap", class_name=cls) for h, cls in heads]
                        )
                    ),
                    rx.table.body(rx.foreach(rows, lambda r: _row(r, show_agent))),
                    variant="ghost",
                    size="1",
                    width="100%",
                ),
                width="100%",
            ),
            rx.text(empty, size="2", color=styles.MUTED_TEXT, padding_y="8px"),
        ),
        spacing="3",
        padding="16px 18px",
        style=styles.card,
        class_name="vc-table-card",
        width="100%",
        min_width="0",
        custom_attrs={"data-testid": testid, "data-table-card": testid},
    )
