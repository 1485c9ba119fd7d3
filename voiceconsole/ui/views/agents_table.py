"""The agents table."""

import reflex as rx

from voiceconsole.ui import styles
from voiceconsole.ui.components.badges import not_monitored_badge, platform_badge, score_badge, status_badge
from voiceconsole.ui.components.feedback import empty_state, error_callout
from voiceconsole.ui.state.agents import AgentsState

# Columns by priority, each shown from a card width (assets/styles.css `vc-min-N`): the agent, its calls and
# score always; then what tells agents apart (platform, client), then the rest.
PLATFORM_MIN, CLIENT_MIN, STATUS_MIN = "vc-min-480", "vc-min-640", "vc-min-720"
SUCCESS_MIN, COST_MIN, DURATION_MIN = "vc-min-800", "vc-min-880", "vc-min-1040"
MONITORING_MIN = "vc-min-640"  # on a phone, the agent's own page has the control


def _head(label: str, align: str = "left", class_name: str = "") -> rx.Component:
    return rx.table.column_header_cell(label, white_space="nowrap", text_align=align, class_name=class_name)


def _monitoring_control(agent: rx.Var) -> rx.Component:
    """Owners and admins: Monitor an agent the plan leaves out, or Stop monitoring one."""
    return rx.cond(
        agent["not_monitored"] != "",
        rx.button(
            "Monitor",
            size="1",
            variant="soft",
            on_click=AgentsState.set_agent_monitoring(agent["id"], True),
            data_testid="agent-monitor",
        ),
        rx.button(
            "Stop monitoring",
            size="1",
            variant="ghost",
            color_scheme="gray",
            on_click=AgentsState.set_agent_monitoring(agent["id"], False),
            data_testid="agent-stop-monitoring",
        ),
    )


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
                    display=["none", "flex"],
                ),
                rx.vstack(
                    rx.link(
                        agent["short_name"],
                        href=agent["href"],
                        class_name="vc-row-link vc-name",
                        underline="none",
                        color=rx.color("gray", 12),
                        weight="medium",
                        size="2",
                        title=agent["name"],
                        data_testid="agent-link",
                    ),
                    rx.text(
                        agent["id"],
                        size="1",
                        color=styles.MUTED_TEXT,
                        class_name="vc-num vc-ellipsis vc-fill",
                        title=agent["id"],
                    ),
                    rx.cond(agent["not_monitored"] != "", not_monitored_badge(agent["monitoring_reason"])),
                    spacing="0",
                    min_width="0",
                ),
                align="center",
                spacing="3",
            ),
            width="100%",
            min_width="120px",
            data_testid="agent-name",
        ),
        rx.table.cell(platform_badge(agent["platform"]), class_name=PLATFORM_MIN),
        rx.table.cell(
            rx.text(agent["client"], color=styles.MUTED_TEXT, size="2", class_name="vc-name", title=agent["client"]),
            min_width="130px",
            max_width="180px",
            class_name=CLIENT_MIN,
        ),
        rx.table.cell(status_badge(agent["status"]), class_name=STATUS_MIN),
        rx.table.cell(agent["calls"], class_name="vc-num", text_align="right"),
        rx.table.cell(score_badge(agent["score"], agent["band"], show_label=False)),
        rx.table.cell(agent["duration"], class_name=f"vc-num {DURATION_MIN}", text_align="right"),
        rx.cond(
            AgentsState.sees_costs, rx.table.cell(agent["cost"], class_name=f"vc-num {COST_MIN}", text_align="right")
        ),
        rx.table.cell(agent["success"], class_name=f"vc-num {SUCCESS_MIN}", text_align="right"),
        rx.cond(AgentsState.can_manage, rx.table.cell(_monitoring_control(agent), class_name=MONITORING_MIN)),
        class_name="vc-row",
        align="center",
        custom_attrs={"data-testid": "agent-row", "data-id": agent["id"]},
    )


def agents_table() -> rx.Component:
    return rx.vstack(
        error_callout(AgentsState.monitoring_error, data_testid="monitoring-error"),
        _table(),
        spacing="3",
        width="100%",
    )


def _table() -> rx.Component:
    return rx.box(
        rx.cond(
            AgentsState.agents.length() > 0,
            rx.box(
                rx.table.root(
                    rx.table.header(
                        rx.table.row(
                            _head("Agent"),
                            _head("Platform", class_name=PLATFORM_MIN),
                            _head("Client", class_name=CLIENT_MIN),
                            _head("Status", class_name=STATUS_MIN),
                            _head("Calls", "right"),
                            _head("Avg score"),
                            _head("Avg duration", "right", DURATION_MIN),
                            rx.cond(AgentsState.sees_costs, _head("Total cost", "right", COST_MIN)),
                            _head("Success", "right", SUCCESS_MIN),
                            rx.cond(AgentsState.can_manage, _head("Monitoring", class_name=MONITORING_MIN)),
                        )
                    ),
                    rx.table.body(rx.foreach(AgentsState.agents, agent_row)),
                    variant="ghost",
                    size="2",
                    width="100%",
                    data_testid="agents-table",
                ),
            ),
            empty_state(
                "bot",
                "No agents yet",
                "Connect a Retell or Vapi account and your agents show up here with their call volume, score and cost.",
            ),
        ),
        style=styles.card,
        class_name="vc-table-card",
        overflow="hidden",
        width="100%",  # in the vstack above: a container-type card would otherwise shrink to nothing
        custom_attrs={"data-table-card": "agents"},
    )
