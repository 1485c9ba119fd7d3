"""A lead's page: the edit form (fields, tags, status, client, custom fields), delete, and its attempts."""

import reflex as rx

from voiceconsole.ui import styles
from voiceconsole.ui.components.confirm_dialog import confirm_dialog
from voiceconsole.ui.components.feedback import inline_error
from voiceconsole.ui.state.lead_detail import LeadDetailState as D
from voiceconsole.ui.state.leads import NO_CLIENT, STATUS_OPTIONS


def _label(text: str, html_for: str) -> rx.Component:
    return rx.el.label(text, html_for=html_for, style={"font_weight": "500", "font_size": "14px"})


def _input(label: str, name: str, placeholder: str = "") -> rx.Component:
    return rx.vstack(
        _label(label, f"lead-edit-{name}"),
        rx.input(
            id=f"lead-edit-{name}",
            name=name,
            default_value=D.lead[name],
            placeholder=placeholder,
            width="100%",
            read_only=~D.can_edit,
            data_testid=f"lead-edit-{name}",
        ),
        inline_error(D.form_errors.get(name, ""), data_testid=f"lead-edit-{name}-error"),
        spacing="1",
        width="100%",
    )


def _select(label: str, name: str, items: list, testid: str) -> rx.Component:
    return rx.vstack(
        rx.text(label, size="2", weight="medium"),
        rx.select.root(
            rx.select.trigger(aria_label=label, width="100%", data_testid=testid),
            rx.select.content(*items, position="popper"),
            name=name,
            default_value=D.lead[name],
            disabled=~D.can_edit,
        ),
        inline_error(D.form_errors.get(name, ""), data_testid=f"{testid}-error"),
        spacing="1",
        width="100%",
    )


def lead_form() -> rx.Component:
    client_items = [
        rx.select.item("No client", value=NO_CLIENT),
        rx.foreach(D.client_options, lambda c: rx.select.item(c["name"], value=c["id"])),
    ]
    status_items = [rx.select.item(text, value=key) for key, text in STATUS_OPTIONS]
    return rx.form(
        rx.vstack(
            rx.grid(
                _input("First name", "first_name"),
                _input("Last name", "last_name"),
                _input("Phone", "phone"),
                _input("Email", "email"),
                _input("Company", "company"),
                _input("Time zone", "timezone", "America/New_York"),
                _select("Status", "status", status_items, "lead-edit-status"),
                _select("Client", "client_id", client_items, "lead-edit-client"),
                columns=rx.breakpoints(initial="1", sm="2"),
                spacing="3",
                width="100%",
            ),
            _input("Tags", "tags", "spring-promo, vip"),
            rx.vstack(
                _label("Custom fields (one name = value per line)", "lead-edit-custom_fields"),
                rx.text_area(
                    id="lead-edit-custom_fields",
                    name="custom_fields",
                    default_value=D.lead["custom_fields"],
                    placeholder="plan = gold",
                    rows="3",
                    width="100%",
                    read_only=~D.can_edit,
                    data_testid="lead-edit-custom_fields",
                ),
                inline_error(D.form_errors.get("custom_fields", ""), data_testid="lead-edit-custom_fields-error"),
                spacing="1",
                width="100%",
            ),
            rx.cond(
                D.can_edit,
                rx.hstack(
                    rx.button("Save", type="submit", data_testid="lead-save"),
                    rx.button(
                        rx.icon("trash-2", size=15),
                        "Delete",
                        type="button",
                        variant="soft",
                        color_scheme="red",
                        on_click=D.ask_delete,
                        data_testid="lead-delete",
                    ),
                    rx.text(D.saved, size="2", color=rx.color("green", 11), data_testid="lead-saved"),
                    spacing="3",
                    align="center",
                ),
            ),
            spacing="4",
            width="100%",
        ),
        on_submit=D.save,
        reset_on_submit=False,
        # A fresh form per lead: default values apply when the form mounts.
        key=D.lead["id"],
        style=styles.card,
        padding="20px",
        width="100%",
        margin_bottom="20px",
        data_testid="lead-form",
    )


def _attempt(row: rx.Var) -> rx.Component:
    return rx.table.row(
        rx.table.cell(row["when"], class_name="vc-num", white_space="nowrap"),
        rx.table.cell(row["campaign"]),
        rx.table.cell(row["n"], class_name="vc-num"),
        rx.table.cell(row["status"]),
        rx.table.cell(
            rx.text(row["outcome"], title=row["reason"]),
            rx.cond(row["converted"] != "", rx.badge("Converted", color_scheme="green", variant="soft")),
            data_testid="attempt-outcome",
        ),
        rx.table.cell(
            rx.cond(
                row["call_href"] != "",
                rx.link("Open call", href=row["call_href"], data_testid="attempt-call"),
                rx.text("—", color=styles.MUTED_TEXT),
            )
        ),
        custom_attrs={"data-testid": "attempt-row"},
    )


def attempts_card() -> rx.Component:
    return rx.box(
        rx.heading("Call attempts", size="3", padding="16px 16px 8px"),
        rx.cond(
            D.attempts.length() > 0,
            rx.table.root(
                rx.table.header(
                    rx.table.row(
                        *[
                            rx.table.column_header_cell(h)
                            for h in ("When", "Campaign", "Attempt", "Status", "Outcome", "Call")
                        ]
                    )
                ),
                rx.table.body(rx.foreach(D.attempts, _attempt)),
                variant="ghost",
                size="2",
                width="100%",
            ),
            rx.text(
                "No campaign has called this lead yet.",
                size="2",
                color=styles.MUTED_TEXT,
                padding="0 16px 16px",
                data_testid="attempts-empty",
            ),
        ),
        style=styles.card,
        overflow="hidden",
        data_testid="lead-attempts",
    )


def delete_dialog() -> rx.Component:
    return confirm_dialog(
        D,
        "delete",
        title="Delete this lead?",
        question=("“", D.confirm_label, "” and its tags are deleted. A number on the do-not-call list stays there."),
        confirm_label="Delete lead",
        on_confirm=D.delete,
        confirm_testid="lead-delete-confirm",
    )
