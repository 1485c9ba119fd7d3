"""The campaign page's charts (recharts, styled as the dashboard's): the funnel from leads to conversions, and
the dials started per hour."""

import reflex as rx

from voiceconsole.ui.components.feedback import empty_state
from voiceconsole.ui.state.campaign_detail import CampaignDetailState as D
from voiceconsole.ui.views.dashboard_charts import AXIS, _tooltip, chart_card

FUNNEL_COLOURS = (rx.color("gray", 8), rx.color("accent", 8), rx.color("blue", 9), rx.color("green", 9))


def funnel_chart() -> rx.Component:
    """Leads → dialed → connected → converted as narrowing horizontal bars."""
    chart = rx.recharts.bar_chart(
        rx.recharts.cartesian_grid(stroke_dasharray="3 3", horizontal=False, stroke=rx.color("gray", 5)),
        rx.recharts.x_axis(type_="number", allow_decimals=False, tick_line=False, **AXIS),
        rx.recharts.y_axis(data_key="stage", type_="category", tick_line=False, axis_line=False, width=100, **AXIS),
        rx.recharts.bar(
            *[rx.recharts.cell(fill=c) for c in FUNNEL_COLOURS],
            rx.recharts.label_list(data_key="value", position="right", font_size=12),
            data_key="value",
            name="Leads",
            radius=[0, 4, 4, 0],
            max_bar_size=36,
            is_animation_active=False,
        ),
        _tooltip(),
        data=D.funnel,
        layout="vertical",
        height=220,
        margin={"top": 4, "right": 36, "left": 4, "bottom": 0},
    )
    return chart_card(
        "Funnel", "Leads, dials placed, calls answered and leads converted", chart, "chart-campaign-funnel"
    )


def hourly_chart() -> rx.Component:
    chart = rx.cond(
        D.per_hour.length() > 0,
        rx.recharts.bar_chart(
            rx.recharts.cartesian_grid(stroke_dasharray="3 3", vertical=False, stroke=rx.color("gray", 5)),
            rx.recharts.x_axis(data_key="hour", tick_line=False, min_tick_gap=16, **AXIS),
            rx.recharts.y_axis(allow_decimals=False, tick_line=False, axis_line=False, width="auto", **AXIS),
            rx.recharts.bar(
                data_key="calls",
                name="Dials",
                fill=rx.color("accent", 8),
                radius=[3, 3, 0, 0],
                max_bar_size=28,
                is_animation_active=False,
            ),
            _tooltip(),
            data=D.per_hour,
            height=220,
            margin={"top": 8, "right": 4, "left": 4, "bottom": 0},
        ),
        empty_state("chart-no-axes-column", "No dials yet", "Dials show here by the hour they started."),
    )
    return chart_card(
        "Calls per hour",
        rx.text("Dials started each hour (", D.timezone, ")"),
        chart,
        "chart-campaign-hourly",
    )


def campaign_charts() -> rx.Component:
    return rx.grid(
        funnel_chart(),
        hourly_chart(),
        columns=rx.breakpoints(initial="1", md="2"),
        spacing="4",
        width="100%",
        margin_bottom="16px",
        style={"min_width": "0"},
        custom_attrs={"data-testid": "campaign-charts"},
    )
