"""A client's agents with their figures of the period, each opening its agent page."""

import reflex as rx

from voiceconsole.ui import styles
from voiceconsole.ui.components.badges import platform_badge, score_badge, status_badge
from voiceconsole.ui.components.names import fitted_name
from voiceconsole.ui.components.trend import trend_badge
from voiceconsole.ui.state.client_detail import ClientDetailState

# Columns by priority, each shown from a card width (assets/styles.css `vc-min-N`).
CALLS_MIN, PLATFORM_MIN, SUCCESS_MIN, COST_MIN, STATUS_MIN = (
    "vc-min-480",
    "vc-min-560",
    "vc-min-640",
    "vc-min-720",
    "vc-min-800",
)


def _head(label: str, align: str = "left", class_name: str = "") -> rx.Component:
    return rx.table.column_header_cell(label, white_space="nowrap", text_align=align, class_name=class_name)


def _row(agent: rx.Var) -> rx.Component:
    return rx.table.row(
        rx.table.cell(
            rx.link(
                fitted_name(agent["full_name"], agent["short_name"], 560),
                href=agent["href"],
                class_name="vc-row-link vc-name",
                underline="none",
                color=rx.color("gray", 12),
                weight="medium",
                size="2",
                title=agent["name"],
                data_testid="client-agent-link",
            ),
            width="100%",
            min_width="110px",
        ),
        rx.table.cell(platform_badge(agent["platform"]), class_name=PLATFORM_MIN),
        rx.table.cell(status_badge(agent["status"]), class_name=STATUS_MIN),
        rx.table.cell(agent["calls"], class_name=f"vc-num {CALLS_MIN}", text_align="right"),
        rx.table.cell(score_badge(agent["score"], agent["band"], show_label=False)),
        rx.table.cell(trend_badge(agent["change"], agent["direction"], agent["tone"])),
        rx.table.cell(agent["success"], class_name=f"vc-num {SUCCESS_MIN}", text_align="right"),
        rx.table.cell(agent["cost"], class_name=f"vc-num {COST_MIN}", text_align="right"),
        class_name="vc-row",
        align="center",
        custom_attrs={"data-testid": "client-agent-row", "data-id": agent["id"]},
    )


def client_agents_card() -> rx.Component:
    return rx.vstack(
        rx.vstack(
            rx.text("Agents", size="3", weight="bold"),
            rx.text(
                "Figures of the period; score change in points against the period before",
                size="1",
                color=styles.MUTED_TEXT,
            ),
            spacing="0",
        ),
        rx.cond(
            ClientDetailState.agents.length() > 0,
            rx.box(
                rx.table.root(
                    rx.table.header(
                        rx.table.row(
                            _head("Agent"),
                            _head("Platform", class_name=PLATFORM_MIN),
                            _head("Status", class_name=STATUS_MIN),
                            _head("Calls", "right", CALLS_MIN),
                            _head("Avg score"),
                            _head("Change"),
                            _head("Success", "right", SUCCESS_MIN),
                            _head("Cost", "right", COST_MIN),
                        )
                    ),
                    rx.table.body(rx.foreach(ClientDetailState.agents, _row)),
                    variant="ghost",
                    size="1",
                    width="100%",
                ),
                width="100%",
            ),
            rx.text(
                "No agent serves this client yet: assign one on the Clients page.", size="2", color=styles.MUTED_TEXT
            ),
        ),
        spacing="3",
        padding="16px 18px",
        style=styles.card,
        class_name="vc-table-card",
        width="100%",
        min_width="0",
        custom_attrs={"data-testid": "client-agents", "data-table-card": "client-agents"},
    )
