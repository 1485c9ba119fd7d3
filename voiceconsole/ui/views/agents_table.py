"""The agents table."""

import reflex as rx

from voiceconsole.ui import styles
from voiceconsole.ui.components.badges import platform_badge, score_badge, status_badge
from voiceconsole.ui.components.feedback import empty_state
from voiceconsole.ui.state.agents import AgentsState


def _head(label: str, align: str = "left") -> rx.Component:
    return rx.table.column_header_cell(label, white_space="nowrap", text_align=align)


def agent_row(agent: rx.Var) -> rx.Component:
    return rx.table.row(
        rx.table.cell(
            rx.hstack(
                rx.center(
                    rx.icon("bot", size=16, color=rx.color("accent", 11)),
                    width="30px",
                    height="30px",
                    border_radius="8px",
                    background=rx.color("accent", 3),
                    flex_shrink="0",
                ),
                rx.vstack(
                    rx.text(agent["name"], weight="medium", size="2", class_name="vc-ellipsis", title=agent["name"]),
                    rx.text(
                        agent["id"],
                        size="1",
                        color=styles.MUTED_TEXT,
                        class_name="vc-num vc-ellipsis",
                        title=agent["id"],
                    ),
                    spacing="0",
                    min_width="0",
                    max_width="210px",
                ),
                align="center",
                spacing="3",
            ),
            data_testid="agent-name",
        ),
        rx.table.cell(platform_badge(agent["platform"])),
        rx.table.cell(rx.text(agent["client"], color=styles.MUTED_TEXT, size="2"), max_width="160px"),
        rx.table.cell(status_badge(agent["status"])),
        rx.table.cell(agent["calls"], class_name="vc-num", text_align="right"),
        rx.table.cell(score_badge(agent["score"], agent["band"], show_label=False)),
        rx.table.cell(agent["duration"], class_name="vc-num", text_align="right"),
        rx.table.cell(agent["cost"], class_name="vc-num", text_align="right"),
        rx.table.cell(agent["success"], class_name="vc-num", text_align="right"),
        align="center",
        custom_attrs={"data-testid": "agent-row"},
    )


def agents_table() -> rx.Component:
    return rx.box(
        rx.cond(
            AgentsState.agents.length() > 0,
            rx.box(
                rx.table.root(
                    rx.table.header(
                        rx.table.row(
                            _head("Agent"),
                            _head("Platform"),
                            _head("Client"),
                            _head("Status"),
                            _head("Calls", "right"),
                            _head("Avg score"),
                            _head("Avg duration", "right"),
                            _head("Total cost", "right"),
                            _head("Success", "right"),
                        )
                    ),
                    rx.table.body(rx.foreach(AgentsState.agents, agent_row)),
                    variant="ghost",
                    size="2",
                    width="100%",
                    data_testid="agents-table",
                ),
                overflow_x="auto",
            ),
            empty_state(
                "bot",
                "No agents yet",
                "Connect a Retell or Vapi account and your agents show up here with their call volume, score and cost.",
            ),
        ),
        style=styles.card,
        overflow="hidden",
    )
