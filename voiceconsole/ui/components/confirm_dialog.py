"""The "are you sure?" dialog of destructive actions (revoke, disconnect, delete, rotate).

Bound to a state that mixes in `ConfirmationMixin`: it is open while that state's pending
confirmation is `action`, and closing it (Cancel, Escape, a click outside) clears the confirmation.
"""

import reflex as rx


def confirm_dialog(
    state,
    action: str,
    *,
    title: str,
    question: tuple,
    confirm_label: str,
    on_confirm,
    confirm_testid: str,
    color_scheme: str = "red",
    max_width: str = "440px",
) -> rx.Component:
    """`question` = the description's parts (strings and Vars, e.g. the item's name)."""
    return rx.alert_dialog.root(
        rx.alert_dialog.content(
            rx.alert_dialog.title(title),
            rx.alert_dialog.description(*question, size="2"),
            rx.flex(
                rx.alert_dialog.cancel(rx.button("Cancel", variant="soft", color_scheme="gray")),
                rx.alert_dialog.action(
                    rx.button(confirm_label, color_scheme=color_scheme, on_click=on_confirm, data_testid=confirm_testid)
                ),
                spacing="3",
                justify="end",
                margin_top="16px",
            ),
            max_width=max_width,
        ),
        open=state.confirm_action == action,
        on_open_change=state.set_confirm_open,
    )
