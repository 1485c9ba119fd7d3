"""The score by category: each category's average over the period as a bar, with its change in points."""

import reflex as rx

from voiceconsole.ui import styles
from voiceconsole.ui.components.trend import trend_badge
from voiceconsole.ui.views.dashboard_charts import chart_card


def _bar(width: rx.Var, band: rx.Var) -> rx.Component:
    fill = rx.match(
        band,
        *[(key, rx.color(colour, 9)) for key, (_, colour) in styles.SCORE_BANDS.items()],
        rx.color("gray", 8),
    )
    return rx.box(
        rx.box(width=width, height="100%", background=fill, border_radius="4px"),
        width="100%",
        height="8px",
        background=rx.color("gray", 4),
        border_radius="4px",
        overflow="hidden",
    )


def _category(row: rx.Var) -> rx.Component:
    return rx.vstack(
        rx.hstack(
            rx.vstack(
                rx.text(row["name"], size="2", weight="medium"),
                rx.text(row["question"], size="1", color=styles.MUTED_TEXT),
                spacing="0",
            ),
            rx.spacer(),
            trend_badge(row["change"], row["direction"], row["tone"]),
            rx.text(row["score"], size="5", weight="bold", class_name="vc-num", data_testid="category-score"),
            align="center",
            spacing="3",
            width="100%",
        ),
        _bar(row["width"], row["band"]),
        spacing="2",
        width="100%",
        custom_attrs={"data-testid": "category-row", "data-category": row["key"]},
    )


def category_scores_card(rows: rx.Var) -> rx.Component:
    return chart_card(
        "Score by category",
        "Average of each part of the score (0–100); change in points against the previous period",
        rx.vstack(rx.foreach(rows, _category), spacing="4", width="100%"),
        "category-scores",
    )
