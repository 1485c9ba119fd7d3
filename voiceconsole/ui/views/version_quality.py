"""The agent page's "Versions" card: each version's calls side by side (average score, success rate, average
duration, cost per call, sentiment mix), every figure with the number of calls behind it."""

import reflex as rx

from voiceconsole.ui import styles
from voiceconsole.ui.components.badges import score_badge
from voiceconsole.ui.state.agent_detail import AgentDetailState as S


def _figure(value: rx.Var, basis: rx.Var, testid: str) -> rx.Component:
    return rx.vstack(
        rx.text(value, size="2", weight="medium", class_name="vc-num", data_testid=testid),
        rx.text(basis, size="1", color=styles.MUTED_TEXT, white_space="nowrap"),
        spacing="0",
    )


def _sentiment(row: rx.Var) -> rx.Component:
    def part(share: rx.Var, colour: str) -> rx.Component:
        return rx.box(height="8px", width=share.to_string() + "%", background=rx.color(colour, 9))

    return rx.vstack(
        rx.hstack(
            part(row.positive, "green"),
            part(row.neutral, "gray"),
            part(row.negative, "red"),
            spacing="0",
            width="100px",
            border_radius="4px",
            overflow="hidden",
            background=rx.color("gray", 4),
            aria_hidden="true",
        ),
        rx.text(
            row.positive,
            "% positive · ",
            row.negative,
            "% negative",
            size="1",
            class_name="vc-num",
            data_testid="version-sentiment",
        ),
        rx.text(row.sentiments, size="1", color=styles.MUTED_TEXT, white_space="nowrap"),
        spacing="1",
    )


def _row(row: rx.Var) -> rx.Component:
    return rx.table.row(
        rx.table.row_header_cell(
            rx.vstack(
                rx.hstack(
                    rx.text("v", row.version, weight="bold", class_name="vc-num"),
                    rx.cond(row.live, rx.badge("Live", color_scheme="green", variant="soft", size="1")),
                    spacing="2",
                    align="center",
                ),
                rx.cond(
                    row.note != "",
                    rx.text(row.note, size="1", color=styles.MUTED_TEXT, class_name="vc-ellipsis", max_width="220px"),
                ),
                spacing="0",
            )
        ),
        rx.table.cell(rx.text(row.calls, class_name="vc-num", data_testid="version-calls")),
        rx.table.cell(
            rx.vstack(
                score_badge(row.score, row.band, show_label=False),
                rx.text(row.scored, size="1", color=styles.MUTED_TEXT, white_space="nowrap"),
                spacing="1",
            ),
            data_testid="version-score",
        ),
        rx.table.cell(_figure(row.success, row.outcomes, "version-success")),
        rx.table.cell(_figure(row.duration, row.outcomes, "version-duration")),
        rx.table.cell(_figure(row.cost, row.costed, "version-cost")),
        rx.table.cell(_sentiment(row)),
        align="center",
        custom_attrs={"data-testid": "version-quality-row", "data-version": row.version},
    )


def version_quality_card() -> rx.Component:
    """Staff only (client viewers never see the agent's versions)."""
    return rx.cond(S.sees_versions, _card())


def _card() -> rx.Component:
    return rx.box(
        rx.flex(
            rx.vstack(
                rx.heading("Versions", size="3", as_="h2"),
                rx.text(
                    "Each call counts for the version live when it started: did an edit help?",
                    size="1",
                    color=styles.MUTED_TEXT,
                ),
                spacing="0",
            ),
            rx.link(
                rx.button(rx.icon("wrench", size=14), "Open builder", variant="soft", size="2"),
                href=S.builder_href,
                data_testid="open-builder-from-versions",
            ),
            justify="between",
            align="center",
            wrap="wrap",
            spacing="2",
            padding="16px 18px 8px",
        ),
        rx.cond(
            S.version_figures.length() > 0,
            rx.box(
                rx.table.root(
                    rx.table.header(
                        rx.table.row(
                            rx.table.column_header_cell("Version"),
                            rx.table.column_header_cell("Calls"),
                            rx.table.column_header_cell("Avg score"),
                            rx.table.column_header_cell("Success"),
                            rx.table.column_header_cell("Avg duration"),
                            rx.table.column_header_cell("Cost / call"),
                            rx.table.column_header_cell("Sentiment"),
                        )
                    ),
                    rx.table.body(rx.foreach(S.version_figures, _row)),
                    variant="ghost",
                    size="2",
                    width="100%",
                ),
                overflow_x="auto",
                width="100%",
            ),
            rx.text(
                "No calls are attributed to a version yet: versions made in the builder count calls from their "
                "deploy on.",
                size="2",
                color=styles.MUTED_TEXT,
                padding="4px 18px 16px",
                data_testid="versions-empty",
            ),
        ),
        style=styles.card,
        width="100%",
        min_width="0",
        # Versions side by side scroll sideways inside the card on a phone (no data-table-card: a comparison,
        # not a list that folds into cards).
        custom_attrs={"data-testid": "version-quality"},
    )
