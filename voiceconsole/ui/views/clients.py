"""Clients page: add a client, the clients list (rename, delete), and which client each agent serves."""

import reflex as rx

from voiceconsole.ui import styles
from voiceconsole.ui.components.badges import platform_badge
from voiceconsole.ui.components.confirm_dialog import confirm_dialog
from voiceconsole.ui.components.feedback import empty_state, inline_error
from voiceconsole.ui.state.clients import NONE, ClientsState

# The assignment table's columns by priority (assets/styles.css `vc-min-N`): the agent and its client always.
CALLS_MIN, PLATFORM_MIN = "vc-min-480", "vc-min-560"


def create_form() -> rx.Component:
    return rx.cond(
        ClientsState.can_manage,
        rx.box(
            rx.form(
                rx.flex(
                    rx.input(
                        name="name",
                        placeholder="Client name, e.g. Bright Smile Dental",
                        value=ClientsState.name_draft,
                        on_change=ClientsState.set_name_draft,
                        aria_label="Client name",
                        size="2",
                        flex="1",
                        min_width="240px",
                        max_length=200,
                        data_testid="client-name",
                    ),
                    rx.button(
                        rx.icon("plus", size=15), "Add client", type="submit", size="2", data_testid="create-client"
                    ),
                    spacing="2",
                    wrap="wrap",
                    width="100%",
                ),
                inline_error(ClientsState.create_error, margin_top="6px", data_testid="client-error"),
                on_submit=ClientsState.create_client,
                width="100%",
            ),
            style=styles.card,
            padding="16px",
            margin_bottom="16px",
        ),
        rx.fragment(),
    )


def client_row(client: rx.Var) -> rx.Component:
    actions = rx.cond(
        ClientsState.can_manage,
        rx.hstack(
            rx.button(
                rx.icon("pencil", size=14),
                "Rename",
                size="1",
                variant="soft",
                color_scheme="gray",
                on_click=ClientsState.start_edit(client["id"], client["name"]),
                data_testid="rename-client",
            ),
            rx.button(
                rx.icon("trash-2", size=14),
                "Delete",
                size="1",
                variant="soft",
                color_scheme="red",
                on_click=ClientsState.ask_delete(client["id"], client["name"]),
                data_testid="delete-client",
            ),
            spacing="2",
            justify="end",
        ),
        rx.fragment(),
    )
    return rx.table.row(
        rx.table.cell(
            rx.link(
                client["name"],
                href=client["href"],
                weight="medium",
                underline="hover",
                color=rx.color("gray", 12),
                data_testid="client-link",
            )
        ),
        rx.table.cell(client["agents"], class_name="vc-num", text_align="right"),
        rx.table.cell(actions, text_align="right"),
        align="center",
        custom_attrs={"data-testid": "client-row", "data-id": client["id"]},
    )


def clients_table() -> rx.Component:
    return rx.box(
        rx.cond(
            ClientsState.clients.length() > 0,
            rx.table.root(
                rx.table.header(
                    rx.table.row(
                        rx.table.column_header_cell("Client"),
                        rx.table.column_header_cell("Agents", text_align="right"),
                        rx.table.column_header_cell(rx.text("Actions", class_name="vc-sr-only")),
                    )
                ),
                rx.table.body(rx.foreach(ClientsState.clients, client_row)),
                variant="ghost",
                size="2",
                width="100%",
                data_testid="clients-table",
            ),
            empty_state(
                "building-2",
                "No clients yet",
                "Add the businesses you build agents for, then assign each agent to its client.",
            ),
        ),
        style=styles.card,
        class_name="vc-table-card",
        overflow="hidden",
        margin_bottom="16px",
        custom_attrs={"data-table-card": "clients"},
    )


def agent_row(agent: rx.Var) -> rx.Component:
    return rx.table.row(
        rx.table.cell(rx.text(agent["name"], weight="medium", size="2", class_name="vc-name", title=agent["name"])),
        rx.table.cell(platform_badge(agent["platform"]), class_name=PLATFORM_MIN),
        rx.table.cell(agent["calls"], class_name=f"vc-num {CALLS_MIN}", text_align="right"),
        rx.table.cell(
            rx.select.root(
                rx.select.trigger(
                    aria_label="Client of " + agent["name"],
                    width=["150px", "220px"],
                    data_testid="agent-client",
                ),
                rx.select.content(
                    rx.select.item("No client", value=NONE),
                    rx.foreach(ClientsState.clients, lambda c: rx.select.item(c["name"], value=c["id"])),
                    position="popper",
                ),
                value=agent["client"],
                on_change=lambda value: ClientsState.assign(agent["id"], value),
                disabled=~ClientsState.can_manage,
                size="2",
            ),
        ),
        align="center",
        custom_attrs={"data-testid": "assign-row", "data-id": agent["id"]},
    )


def agents_assignment() -> rx.Component:
    return rx.box(
        rx.box(
            rx.heading("Agents", size="3"),
            rx.text(
                "An agent's calls belong to its client, history included: moving an agent moves its calls.",
                size="2",
                color=styles.MUTED_TEXT,
            ),
            padding="16px 16px 4px",
        ),
        rx.cond(
            ClientsState.agents.length() > 0,
            rx.table.root(
                rx.table.header(
                    rx.table.row(
                        rx.table.column_header_cell("Agent"),
                        rx.table.column_header_cell("Platform", class_name=PLATFORM_MIN),
                        rx.table.column_header_cell("Calls", text_align="right", class_name=CALLS_MIN),
                        rx.table.column_header_cell("Client"),
                    )
                ),
                rx.table.body(rx.foreach(ClientsState.agents, agent_row)),
                variant="ghost",
                size="2",
                width="100%",
                data_testid="assign-table",
            ),
            empty_state("bot", "No agents yet", "Connect a platform account to see your agents here."),
        ),
        style=styles.card,
        class_name="vc-table-card",
        overflow="hidden",
        custom_attrs={"data-table-card": "assign"},
    )


def rename_dialog() -> rx.Component:
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title("Rename client"),
            rx.form(
                rx.input(
                    name="name",
                    value=ClientsState.edit_name,
                    on_change=ClientsState.set_edit_name,
                    aria_label="New name",
                    max_length=200,
                    data_testid="rename-input",
                ),
                inline_error(ClientsState.edit_error, margin_top="6px"),
                rx.flex(
                    rx.dialog.close(rx.button("Cancel", variant="soft", color_scheme="gray", type="button")),
                    rx.button("Save", type="submit", data_testid="save-rename"),
                    spacing="3",
                    justify="end",
                    margin_top="16px",
                ),
                on_submit=ClientsState.save_edit,
            ),
            max_width="420px",
        ),
        open=ClientsState.edit_open,
        on_open_change=ClientsState.set_edit_open,
    )


def delete_dialog() -> rx.Component:
    return confirm_dialog(
        ClientsState,
        "delete",
        title="Delete client",
        question=(
            "Delete “",
            ClientsState.confirm_label,
            "”? Its agents and their calls stay, without a client; its "
            "client viewers lose access and its score overrides are removed.",
        ),
        confirm_label="Delete client",
        on_confirm=ClientsState.confirm_delete,
        confirm_testid="confirm-delete",
        max_width="460px",
    )
