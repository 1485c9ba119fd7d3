"""Settings → Team: the members table (role select, remove, make owner), pending invitations (resend, revoke)
and the invite form (email, role, and the client of a client viewer)."""

import reflex as rx

from voiceconsole.ui import styles
from voiceconsole.ui.components.confirm_dialog import confirm_dialog
from voiceconsole.ui.components.feedback import empty_state, inline_error
from voiceconsole.ui.state.team import TeamState

STAFF_ROLES = ["admin", "member"]


def invite_form() -> rx.Component:
    return rx.box(
        rx.heading("Invite someone", size="3", margin_bottom="4px"),
        rx.text(
            "They get an email with a link that signs them in and joins them to this organization "
            "(it works once, for 24 hours).",
            size="2",
            color=styles.MUTED_TEXT,
            margin_bottom="12px",
        ),
        rx.form(
            rx.flex(
                rx.input(
                    name="email",
                    type="text",
                    placeholder="colleague@agency.com",
                    value=TeamState.invite_email,
                    on_change=TeamState.set_invite_email,
                    aria_label="Email",
                    size="2",
                    flex="1",
                    min_width="220px",
                    max_length=320,
                    data_testid="invite-email",
                ),
                rx.select.root(
                    rx.select.trigger(aria_label="Role", data_testid="invite-role"),
                    rx.select.content(
                        rx.cond(TeamState.is_owner, rx.select.item("Owner", value="owner")),
                        rx.select.item("Admin", value="admin"),
                        rx.select.item("Member", value="member"),
                        rx.select.item("Client viewer", value="client_viewer", data_testid="invite-role-client-viewer"),
                    ),
                    value=TeamState.invite_role,
                    on_change=TeamState.set_invite_role,
                    size="2",
                ),
                rx.cond(
                    TeamState.invite_needs_client,
                    rx.select.root(
                        rx.select.trigger(placeholder="Client", aria_label="Client", data_testid="invite-client"),
                        rx.select.content(
                            rx.foreach(TeamState.clients, lambda c: rx.select.item(c["name"], value=c["id"]))
                        ),
                        value=TeamState.invite_client,
                        on_change=TeamState.set_invite_client,
                        size="2",
                    ),
                ),
                rx.button(rx.icon("send", size=15), "Send invitation", type="submit", size="2", data_testid="invite"),
                spacing="2",
                wrap="wrap",
                width="100%",
            ),
            inline_error(TeamState.invite_error, margin_top="6px", data_testid="invite-error"),
            on_submit=TeamState.invite,
            width="100%",
        ),
        style=styles.card,
        padding="20px",
        margin_bottom="16px",
        data_testid="invite-form",
    )


def _role_cell(member: rx.Var) -> rx.Component:
    badge = rx.badge(member["role_label"], variant="soft", color_scheme="gray", data_testid="member-role")
    editable = (
        TeamState.can_manage_team
        & (member["role"] != "client_viewer")
        & (TeamState.is_owner | (member["role"] != "owner"))
    )
    return rx.cond(
        editable,
        rx.select.root(
            rx.select.trigger(aria_label="Role of " + member["email"], data_testid="member-role-select"),
            rx.select.content(
                rx.cond(TeamState.is_owner, rx.select.item("Owner", value="owner")),
                *[rx.select.item(r.capitalize(), value=r) for r in STAFF_ROLES],
            ),
            value=member["role"],
            on_change=lambda role: TeamState.change_role(member["id"], member["email"], role),
            size="1",
        ),
        rx.hstack(badge, rx.cond(member["client"] != "", rx.text(member["client"], size="1")), align="center"),
    )


def member_row(member: rx.Var) -> rx.Component:
    may_remove = (TeamState.can_manage_team & (TeamState.is_owner | (member["role"] != "owner"))) | (member["me"] != "")
    return rx.table.row(
        rx.table.cell(
            rx.text(member["email"], weight="medium", class_name="vc-name"),
            rx.cond(member["me"] != "", rx.text(" (you)", size="1", color=styles.MUTED_TEXT, as_="span")),
        ),
        rx.table.cell(_role_cell(member)),
        rx.table.cell(member["joined"], white_space="nowrap", class_name="vc-min-720"),
        rx.table.cell(
            rx.hstack(
                rx.cond(
                    TeamState.is_owner & (member["role"] != "owner"),
                    rx.button(
                        "Make sole owner",
                        size="1",
                        variant="soft",
                        color_scheme="gray",
                        on_click=TeamState.ask_transfer(member["id"], member["email"]),
                        data_testid="transfer-ownership",
                    ),
                ),
                rx.cond(
                    may_remove,
                    rx.button(
                        rx.icon("user-minus", size=14),
                        rx.cond(member["me"] != "", "Leave", "Remove"),
                        size="1",
                        variant="soft",
                        color_scheme="red",
                        on_click=TeamState.ask_remove(member["id"], member["email"]),
                        aria_label="Remove " + member["email"],
                        data_testid="remove-member",
                    ),
                ),
                justify="end",
                spacing="2",
            ),
            text_align="right",
        ),
        align="center",
        custom_attrs={"data-testid": "member-row"},
    )


def members_table() -> rx.Component:
    return rx.box(
        rx.table.root(
            rx.table.header(
                rx.table.row(
                    rx.table.column_header_cell("Member"),
                    rx.table.column_header_cell("Role"),
                    rx.table.column_header_cell("Joined", class_name="vc-min-720"),
                    rx.table.column_header_cell(rx.text("Actions", class_name="vc-sr-only")),
                )
            ),
            rx.table.body(rx.foreach(TeamState.members, member_row)),
            variant="ghost",
            size="2",
            width="100%",
            data_testid="members-table",
        ),
        style=styles.card,
        class_name="vc-table-card",
        overflow="hidden",
        margin_bottom="16px",
    )


def invitation_row(inv: rx.Var) -> rx.Component:
    return rx.table.row(
        rx.table.cell(rx.text(inv["email"], weight="medium", class_name="vc-name")),
        rx.table.cell(
            rx.hstack(
                rx.badge(inv["role_label"], variant="soft", color_scheme="gray"),
                rx.cond(inv["client"] != "", rx.text(inv["client"], size="1")),
                align="center",
            )
        ),
        rx.table.cell(
            rx.badge(inv["status"], color_scheme=rx.cond(inv["status"] == "Expired", "amber", "blue"), variant="soft"),
            class_name="vc-min-560",
        ),
        rx.table.cell(inv["sent"], white_space="nowrap", class_name="vc-min-720"),
        rx.table.cell(
            rx.cond(
                TeamState.can_manage_team,
                rx.hstack(
                    rx.button(
                        "Resend",
                        size="1",
                        variant="soft",
                        on_click=TeamState.resend(inv["id"], inv["email"]),
                        data_testid="resend-invitation",
                    ),
                    rx.button(
                        "Revoke",
                        size="1",
                        variant="soft",
                        color_scheme="red",
                        on_click=TeamState.revoke(inv["id"], inv["email"]),
                        data_testid="revoke-invitation",
                    ),
                    justify="end",
                    spacing="2",
                ),
            ),
            text_align="right",
        ),
        align="center",
        custom_attrs={"data-testid": "invitation-row"},
    )


def invitations_table() -> rx.Component:
    return rx.box(
        rx.heading("Pending invitations", size="3", padding="16px 16px 4px"),
        rx.cond(
            TeamState.invitations.length() > 0,
            rx.table.root(
                rx.table.body(rx.foreach(TeamState.invitations, invitation_row)),
                variant="ghost",
                size="2",
                width="100%",
                data_testid="invitations-table",
            ),
            empty_state("mail", "No pending invitations"),
        ),
        style=styles.card,
        class_name="vc-table-card",
        overflow="hidden",
    )


def dialogs() -> rx.Component:
    return rx.fragment(
        confirm_dialog(
            TeamState,
            "remove",
            title="Remove from the organization",
            question=(
                "Remove “",
                TeamState.confirm_label,
                "”? Their sessions and API keys here stop working at once.",
            ),
            confirm_label="Remove",
            on_confirm=TeamState.confirm_remove,
            confirm_testid="confirm-remove",
        ),
        confirm_dialog(
            TeamState,
            "transfer",
            title="Transfer ownership",
            question=("Make “", TeamState.confirm_label, "” an owner? You become an admin."),
            confirm_label="Transfer ownership",
            on_confirm=TeamState.confirm_transfer,
            confirm_testid="confirm-transfer",
            color_scheme="amber",
        ),
    )
