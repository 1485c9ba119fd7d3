"""The leads page's "Add lead" button and dialog: the service's refusals are shown under each field."""

import reflex as rx

from voiceconsole.ui import styles
from voiceconsole.ui.components.feedback import error_callout, inline_error
from voiceconsole.ui.state.leads import NO_CLIENT
from voiceconsole.ui.state.leads import LeadsState as L


def _field(label: str, name: str, placeholder: str = "", **input_props) -> rx.Component:
    return rx.vstack(
        rx.el.label(label, html_for=f"lead-{name}", style={"font_weight": "500", "font_size": "14px"}),
        rx.input(
            id=f"lead-{name}",
            name=name,
            placeholder=placeholder,
            width="100%",
            data_testid=f"lead-{name}",
            **input_props,
        ),
        inline_error(L.add_errors.get(name, ""), data_testid=f"lead-{name}-error"),
        spacing="1",
        width="100%",
    )


def _client_select() -> rx.Component:
    return rx.vstack(
        rx.text("Client", size="2", weight="medium"),
        rx.select.root(
            rx.select.trigger(aria_label="Client", width="100%", data_testid="lead-client"),
            rx.select.content(
                rx.select.item("No client", value=NO_CLIENT),
                rx.foreach(L.client_options, lambda c: rx.select.item(c["name"], value=c["id"])),
                position="popper",
            ),
            name="client",
            default_value=NO_CLIENT,
        ),
        inline_error(L.add_errors.get("client_id", ""), data_testid="lead-client-error"),
        spacing="1",
        width="100%",
    )


def _dialog() -> rx.Component:
    return rx.dialog.content(
        rx.dialog.title("Add lead"),
        rx.dialog.description(
            "Any phone format: national numbers are read in your organization's region.",
            size="2",
            color=styles.MUTED_TEXT,
        ),
        rx.form(
            rx.vstack(
                error_callout(L.add_error, data_testid="lead-add-error"),
                rx.grid(
                    _field("First name", "first_name"),
                    _field("Last name", "last_name"),
                    columns="2",
                    spacing="3",
                    width="100%",
                ),
                _field("Phone", "phone", "+1 415 555 2671"),
                _field("Email", "email", "ada@example.com"),
                _field("Company", "company"),
                _field("Tags", "tags", "spring-promo, vip"),
                _client_select(),
                rx.flex(
                    rx.dialog.close(rx.button("Cancel", variant="soft", color_scheme="gray", type="button")),
                    rx.button("Add lead", type="submit", data_testid="lead-add-submit"),
                    spacing="3",
                    justify="end",
                    width="100%",
                ),
                spacing="3",
                width="100%",
                margin_top="12px",
            ),
            on_submit=L.add_lead,
            reset_on_submit=False,
        ),
        max_width="520px",
        data_testid="lead-add-dialog",
    )


def add_lead_button() -> rx.Component:
    """Staff only (client viewers never reach this page; the service refuses them anyway)."""
    return rx.cond(
        L.can_edit,
        rx.dialog.root(
            rx.button(rx.icon("plus", size=15), "Add lead", on_click=L.set_add_open(True), data_testid="lead-add"),
            _dialog(),
            open=L.add_open,
            on_open_change=L.set_add_open,
        ),
    )
