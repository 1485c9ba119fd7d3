"""Settings → Scoring: agents' own alert thresholds, and the dialog that sets one."""

import reflex as rx

from voiceconsole.ui import styles
from voiceconsole.ui.components.badges import platform_badge
from voiceconsole.ui.components.feedback import empty_state, inline_error
from voiceconsole.ui.state.agent_thresholds import AgentThresholdState

A = AgentThresholdState


def _add_threshold() -> rx.Component:
    return rx.cond(
        A.can_manage & (A.agents_without_threshold.length() > 0),
        rx.select.root(
            rx.select.trigger(
                placeholder="Set one for an agent…",
                aria_label="Set an alert threshold for an agent",
                data_testid="add-agent-threshold",
            ),
            rx.select.content(
                rx.foreach(A.agents_without_threshold, lambda a: rx.select.item(a["name"], value=a["id"])),
                position="popper",
            ),
            value="",
            on_change=A.open_agent_editor,
            size="2",
        ),
        rx.fragment(),
    )


def _row(row: rx.Var) -> rx.Component:
    return rx.table.row(
        rx.table.row_header_cell(
            rx.hstack(
                rx.text(row["short_name"], weight="medium", class_name="vc-name", title=row["name"]),
                platform_badge(row["platform"]),
                spacing="2",
                align="center",
                wrap="wrap",
            ),
        ),
        rx.table.cell(rx.text(row["threshold"], class_name="vc-num"), text_align="right"),
        rx.table.cell(
            rx.cond(
                A.can_manage,
                rx.hstack(
                    rx.button(
                        rx.icon("pencil", size=13),
                        "Edit",
                        size="1",
                        variant="soft",
                        on_click=A.open_agent_editor(row["id"]),
                        aria_label="Edit the alert threshold of " + row["name"],
                        data_testid="edit-agent-threshold",
                    ),
                    rx.button(
                        rx.icon("eraser", size=13),
                        "Clear",
                        size="1",
                        variant="soft",
                        color_scheme="red",
                        on_click=A.clear_agent_threshold(row["id"], row["name"]),
                        aria_label="Clear the alert threshold of " + row["name"],
                        title="Follow the client's (or the organization's) threshold again",
                        data_testid="clear-agent-threshold",
                    ),
                    spacing="2",
                    justify="end",
                ),
                rx.fragment(),
            ),
            text_align="right",
        ),
        align="center",
        custom_attrs={"data-testid": "agent-threshold-row", "data-id": row["id"]},
    )


def agent_thresholds_card() -> rx.Component:
    return rx.box(
        rx.box(
            rx.hstack(
                rx.icon("bot", size=17, color=styles.MUTED_TEXT),
                rx.heading("Agent thresholds", size="3"),
                rx.spacer(),
                _add_threshold(),
                align="center",
                spacing="2",
                width="100%",
                wrap="wrap",
            ),
            rx.text(
                "An agent's own threshold replaces its client's and the organization's for its alerts. "
                "Scores do not change, so nothing is rescored.",
                size="2",
                color=styles.MUTED_TEXT,
                margin_top="4px",
            ),
            padding="20px 20px 8px",
        ),
        rx.cond(
            A.agent_thresholds.length() > 0,
            rx.box(
                rx.table.root(
                    rx.table.header(
                        rx.table.row(
                            rx.table.column_header_cell("Agent"),
                            rx.table.column_header_cell("Alert below", text_align="right", white_space="nowrap"),
                            rx.table.column_header_cell(rx.text("Actions", class_name="vc-sr-only")),
                        )
                    ),
                    rx.table.body(rx.foreach(A.agent_thresholds, _row)),
                    variant="ghost",
                    size="2",
                    width="100%",
                    data_testid="agent-thresholds-table",
                ),
                padding="0 8px 8px",
            ),
            empty_state(
                "bot", "No agent thresholds", "Every agent alerts at its client's or the organization's threshold."
            ),
        ),
        style=styles.card,
        class_name="vc-table-card",
        margin_top="16px",
        data_testid="agent-thresholds-card",
        custom_attrs={"data-table-card": "agent-thresholds"},
    )


def agent_threshold_dialog() -> rx.Component:
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title("Alert threshold for ", A.edit_agent_name),
            rx.dialog.description(
                "Alert when one of this agent's calls scores below this (0–100).", size="2", color=styles.MUTED_TEXT
            ),
            rx.hstack(
                rx.text("Alert below", size="2", as_="label", html_for="agent-threshold-input"),
                rx.spacer(),
                rx.input(
                    id="agent-threshold-input",
                    value=A.edit_agent_threshold,
                    on_change=A.set_edit_agent_threshold,
                    type="number",
                    min="0",
                    max="100",
                    step="1",
                    input_mode="numeric",
                    size="2",
                    width="84px",
                    text_align="right",
                    class_name="vc-num",
                    data_testid="agent-threshold-input",
                ),
                align="center",
                spacing="2",
                width="100%",
                margin_top="16px",
            ),
            inline_error(A.edit_agent_error, margin_top="6px", data_testid="agent-threshold-error"),
            rx.flex(
                rx.dialog.close(rx.button("Cancel", variant="soft", color_scheme="gray")),
                rx.button("Save", on_click=A.save_agent_threshold, data_testid="save-agent-threshold"),
                spacing="2",
                justify="end",
                margin_top="18px",
            ),
            max_width="420px",
        ),
        open=A.agent_editor_open,
        on_open_change=A.set_agent_editor_open,
    )
