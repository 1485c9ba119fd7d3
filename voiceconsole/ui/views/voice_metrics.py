"""The call page's voice-metrics card: how responsive and balanced the conversation was."""

import reflex as rx

from voiceconsole.ui import styles
from voiceconsole.ui.state.call_detail import CallDetailState

TONES = {
    "good": ("green", "Within the good range"),
    "warn": ("amber", "Outside the good range"),
    "neutral": ("gray", "Acceptable"),
    "unknown": ("gray", "Not known for this call"),
}


def _tone_dot(tone: rx.Var) -> rx.Component:
    def dot(colour: str, shade: int, title: str) -> rx.Component:
        return rx.box(
            width="8px",
            height="8px",
            border_radius="50%",
            background=rx.color(colour, shade),
            flex_shrink="0",
            title=title,
        )

    return rx.match(
        tone,
        ("good", dot("green", 9, TONES["good"][1])),
        ("warn", dot("amber", 9, TONES["warn"][1])),
        ("neutral", dot("gray", 8, TONES["neutral"][1])),
        dot("gray", 5, TONES["unknown"][1]),
    )


def _metric(item: rx.Var) -> rx.Component:
    return rx.vstack(
        rx.hstack(
            rx.text(item["label"], size="1", weight="medium", color=styles.MUTED_TEXT),
            rx.spacer(),
            _tone_dot(item["tone"]),
            align="center",
            spacing="2",
            width="100%",
        ),
        rx.text(
            item["value"],
            size="5",
            weight="bold",
            class_name="vc-num",
            letter_spacing="-0.01em",
            color=rx.cond(item["tone"] == "warn", rx.color("amber", 11), rx.color("gray", 12)),
            data_testid="metric-value",
        ),
        rx.text(item["hint"], size="1", color=styles.MUTED_TEXT, line_height="1.4"),
        spacing="1",
        padding="10px 12px",
        border_radius="10px",
        background=rx.color("gray", 2),
        border=styles.SUBTLE_BORDER,
        min_width="0",
        grid_column=rx.cond(item["key"] == "longest-silence", "span 2", "auto"),  # five tiles: the last spans
        custom_attrs={"data-testid": "voice-metric", "data-metric": item["key"]},
    )


def _stage_row(row: rx.Var) -> rx.Component:
    return rx.table.row(
        rx.table.cell(row["stage"]),
        rx.table.cell(row["p50"], class_name="vc-num"),
        rx.table.cell(row["p90"], class_name="vc-num"),
        rx.table.cell(row["max"], class_name="vc-num"),
        custom_attrs={"data-testid": "latency-stage", "data-stage": row["key"]},
    )


def _latency_stages() -> rx.Component:
    """The platform's own measurement, stage by stage, where the caller's wait comes from."""
    return rx.cond(
        CallDetailState.latency_stages.length() > 0,
        rx.table.root(
            rx.table.header(
                rx.table.row(
                    rx.table.column_header_cell("Stage"),
                    rx.table.column_header_cell("p50"),
                    rx.table.column_header_cell("p90"),
                    rx.table.column_header_cell("Max"),
                )
            ),
            rx.table.body(rx.foreach(CallDetailState.latency_stages, _stage_row)),
            size="1",
            variant="ghost",
            width="100%",
            margin_top="12px",
            data_testid="latency-stages",
        ),
        rx.fragment(),
    )


def voice_metrics_card() -> rx.Component:
    return rx.box(
        rx.hstack(
            rx.icon("audio-lines", size=17, color=styles.MUTED_TEXT),
            rx.heading("Voice metrics", size="3"),
            align="center",
            spacing="2",
            margin_bottom="12px",
        ),
        rx.grid(rx.foreach(CallDetailState.voice_metrics, _metric), columns="2", spacing="2", width="100%"),
        rx.cond(
            CallDetailState.latency_source != "",
            rx.text(
                CallDetailState.latency_source,
                size="1",
                color=styles.MUTED_TEXT,
                margin_top="10px",
                data_testid="latency-source",
            ),
            rx.fragment(),
        ),
        rx.cond(
            CallDetailState.estimate_note != "",
            rx.text(CallDetailState.estimate_note, size="1", color=styles.MUTED_TEXT, data_testid="latency-estimate"),
            rx.fragment(),
        ),
        _latency_stages(),
        style=styles.card,
        padding="20px",
        margin_bottom="16px",
        data_testid="voice-metrics",
    )
