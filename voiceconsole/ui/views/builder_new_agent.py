"""The agents page's "New agent" button and dialog (owners and admins): a platform account, a template, a
name; creating it opens the new agent's builder."""

import reflex as rx

from voiceconsole.ui import styles
from voiceconsole.ui.components.feedback import error_callout, inline_error
from voiceconsole.ui.state.new_agent import NewAgentState as N


def _template(t: rx.Var) -> rx.Component:
    picked = N.template_id == t.id
    return rx.el.button(
        rx.vstack(
            rx.hstack(
                rx.text(t.name, size="2", weight="bold"),
                rx.cond(picked, rx.icon("circle-check", size=16, color=rx.color("accent", 11))),
                justify="between",
                width="100%",
            ),
            rx.text(t.description, size="1", color=styles.MUTED_TEXT, text_align="left"),
            spacing="1",
            align="start",
            width="100%",
        ),
        type="button",
        on_click=N.pick_template(t.id),
        aria_pressed=rx.cond(picked, "true", "false"),
        style={
            "padding": "12px",
            "border_radius": "10px",
            "border": rx.cond(picked, f"2px solid {rx.color('accent', 8)}", styles.SUBTLE_BORDER),
            "background": rx.cond(picked, rx.color("accent", 2), "transparent"),
            "cursor": "pointer",
            "text_align": "left",
            "color": "inherit",
            "font": "inherit",
            "width": "100%",
            "height": "100%",
        },
        custom_attrs={"data-testid": "template-card", "data-template": t.id},
    )


def _dialog() -> rx.Component:
    return rx.dialog.content(
        rx.dialog.title("New agent"),
        rx.dialog.description(
            "Start from a template: it is created on the platform, monitored from its first call, and opens in "
            "the builder for you to adapt.",
            size="2",
            color=styles.MUTED_TEXT,
        ),
        rx.vstack(
            error_callout(N.form_error, data_testid="new-agent-error"),
            rx.vstack(
                rx.text("Platform account", size="2", weight="medium"),
                rx.cond(
                    N.integrations.length() > 0,
                    rx.select.root(
                        rx.select.trigger(
                            placeholder="Pick an integration",
                            aria_label="Platform account",
                            width="100%",
                            data_testid="new-agent-integration",
                        ),
                        rx.select.content(
                            rx.foreach(N.integrations, lambda i: rx.select.item(i.label, value=i.id)),
                            position="popper",
                        ),
                        value=N.integration_id,
                        on_change=N.set_integration,
                        size="2",
                    ),
                    rx.text(
                        "No platform is connected. ",
                        rx.link("Connect one", href="/settings/integrations"),
                        " first.",
                        size="2",
                        data_testid="new-agent-no-integration",
                    ),
                ),
                inline_error(N.integration_error, data_testid="new-agent-integration-error"),
                spacing="1",
                width="100%",
            ),
            rx.vstack(
                rx.text("Template", size="2", weight="medium"),
                rx.grid(
                    rx.foreach(N.templates, _template),
                    columns=rx.breakpoints(initial="1", sm="2"),
                    spacing="2",
                    width="100%",
                ),
                inline_error(N.template_error, data_testid="new-agent-template-error"),
                spacing="1",
                width="100%",
            ),
            rx.vstack(
                rx.el.label("Name (optional)", html_for="new-agent-name", style={"font_weight": "500"}),
                rx.input(
                    id="new-agent-name",
                    value=N.name,
                    on_change=N.set_name,
                    placeholder="The template's name",
                    max_length=200,
                    width="100%",
                    data_testid="new-agent-name",
                ),
                inline_error(N.name_error, data_testid="new-agent-name-error"),
                spacing="1",
                width="100%",
            ),
            rx.flex(
                rx.dialog.close(rx.button("Cancel", variant="soft", color_scheme="gray", type="button")),
                rx.button("Create agent", type="button", on_click=N.create, data_testid="new-agent-create"),
                spacing="3",
                justify="end",
                width="100%",
            ),
            spacing="4",
            width="100%",
            margin_top="12px",
        ),
        max_width="640px",
        data_testid="new-agent-dialog",
    )


def new_agent_button() -> rx.Component:
    """Owners and admins only (the service refuses anyone else)."""
    return rx.cond(
        N.can_manage,
        rx.dialog.root(
            rx.button(rx.icon("plus", size=15), "New agent", on_click=N.start, data_testid="new-agent"),
            _dialog(),
            open=N.open,
            on_open_change=N.set_open,
        ),
    )
