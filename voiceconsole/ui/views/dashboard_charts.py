"""Dashboard charts (recharts): calls and average score over time, sentiment, score distribution."""

import reflex as rx

from voiceconsole.ui import styles
from voiceconsole.ui.components.feedback import empty_state
from voiceconsole.ui.state.dashboard import DashboardState

# Y axes size themselves to their longest label (recharts' width="auto"): a fixed width clipped "1,400".
AXIS = {"stroke": rx.color("gray", 9), "font_size": 12}
SENTIMENT_COLORS = (rx.color("green", 9), rx.color("gray", 8), rx.color("red", 9))
BAND_COLORS = (rx.color("red", 9), rx.color("amber", 9), rx.color("blue", 9), rx.color("green", 9))


def chart_card(title: str, subtitle, chart: rx.Component, testid: str, **props) -> rx.Component:
    return rx.vstack(
        rx.vstack(
            rx.text(title, size="3", weight="bold"),
            rx.text(subtitle, size="1", color=styles.MUTED_TEXT) if subtitle is not None else rx.fragment(),
            spacing="0",
        ),
        chart,
        spacing="3",
        padding="16px 18px",
        style=styles.card,
        width="100%",
        min_width="0",
        custom_attrs={"data-testid": testid},
        **props,
    )


def _tooltip() -> rx.Component:
    return rx.recharts.graphing_tooltip(
        content_style={
            "background": rx.color("gray", 1),
            "border": styles.SUBTLE_BORDER,
            "border_radius": "8px",
            "font_size": "12px",
        },
        cursor={"fill": rx.color("gray", 3)},
    )


def volume_chart(points: rx.Var | None = None) -> rx.Component:
    """Calls per day as bars, the average score as a line; `points` from `state.dashboard.chart_points`."""
    chart = rx.recharts.composed_chart(
        rx.recharts.cartesian_grid(stroke_dasharray="3 3", vertical=False, stroke=rx.color("gray", 5)),
        rx.recharts.x_axis(data_key="label", tick_line=False, min_tick_gap=16, **AXIS),
        rx.recharts.y_axis(
            y_axis_id="calls", allow_decimals=False, tick_line=False, axis_line=False, width="auto", **AXIS
        ),
        rx.recharts.y_axis(
            y_axis_id="score",
            orientation="right",
            domain=[0, 100],
            tick_line=False,
            axis_line=False,
            width="auto",
            **AXIS,
        ),
        rx.recharts.bar(
            data_key="calls",
            name="Calls",
            y_axis_id="calls",
            fill=rx.color("accent", 8),
            radius=[3, 3, 0, 0],
            max_bar_size=28,
            is_animation_active=False,
        ),
        rx.recharts.line(
            data_key="avgScore",
            name="Avg score",
            y_axis_id="score",
            type_="monotone",
            stroke=rx.color("amber", 10),
            stroke_width=2,
            dot=False,
            connect_nulls=True,
            is_animation_active=False,
        ),
        _tooltip(),
        rx.recharts.legend(icon_size=10),
        data=DashboardState.points if points is None else points,
        height=280,
        margin={"top": 8, "right": 4, "left": 4, "bottom": 0},
    )
    return chart_card(
        "Calls and average score", "Per day (UTC); the line is the average call score (0–100)", chart, "chart-volume"
    )


def _bars(data, key: str, colors: tuple, testid: str, title: str, subtitle: str) -> rx.Component:
    chart = rx.recharts.bar_chart(
        rx.recharts.cartesian_grid(stroke_dasharray="3 3", vertical=False, stroke=rx.color("gray", 5)),
        rx.recharts.x_axis(data_key=key, tick_line=False, interval=0, **AXIS),
        rx.recharts.y_axis(allow_decimals=False, tick_line=False, axis_line=False, width="auto", **AXIS),
        rx.recharts.bar(
            *[rx.recharts.cell(fill=c) for c in colors],
            data_key="calls",
            name="Calls",
            radius=[4, 4, 0, 0],
            max_bar_size=56,
            is_animation_active=False,
        ),
        _tooltip(),
        data=data,
        height=220,
        margin={"top": 8, "right": 4, "left": 4, "bottom": 0},
    )
    return chart_card(title, subtitle, chart, testid)


def sentiment_chart() -> rx.Component:
    return _bars(
        DashboardState.sentiment, "name", SENTIMENT_COLORS, "chart-sentiment", "Sentiment", "Calls by caller sentiment"
    )


def distribution_chart() -> rx.Component:
    return _bars(
        DashboardState.distribution,
        "band",
        BAND_COLORS,
        "chart-distribution",
        "Score distribution",
        "Scored calls per band: poor 0–39, attention 40–59, good 60–79, excellent 80+ (calls without a "
        "transcript are left out)",
    )


def dashboard_charts() -> rx.Component:
    return rx.cond(
        DashboardState.total_calls > 0,
        rx.vstack(
            volume_chart(),
            rx.grid(
                sentiment_chart(),
                distribution_chart(),
                columns=rx.breakpoints(initial="1", md="2"),
                spacing="4",
                width="100%",
            ),
            spacing="4",
            width="100%",
            margin_bottom="16px",
        ),
        rx.box(
            empty_state(
                "chart-no-axes-column",
                "No calls in this period",
                "Pick a longer range, or clear the client and agent filters.",
            ),
            style=styles.card,
            width="100%",
            margin_bottom="16px",
        ),
    )
