"""Settings → Security: the signed-in person's sessions, with sign-out buttons."""

import reflex as rx

from voiceconsole.ui import styles
from voiceconsole.ui.components.feedback import empty_state
from voiceconsole.ui.state.security import SecurityState

COLUMNS = (("Signed in with", "vc-min-800"), ("IP address", "vc-min-560"), ("Signed in", "vc-min-720"))


def session_row(s: rx.Var) -> rx.Component:
    method_min, ip_min, created_min = (cls for _, cls in COLUMNS)
    return rx.table.row(
        rx.table.cell(
            rx.hstack(
                rx.text(s["device"], weight="medium"),
                rx.cond(s["current"] != "", rx.badge("This browser", color_scheme="green", variant="soft")),
                spacing="2",
                align="center",
            )
        ),
        rx.table.cell(s["method"], class_name=method_min),
        rx.table.cell(rx.code(s["ip"], variant="ghost", color_scheme="gray"), class_name=ip_min),
        rx.table.cell(s["created"], white_space="nowrap", class_name=created_min),
        rx.table.cell(s["last_seen"], white_space="nowrap"),
        rx.table.cell(
            rx.button(
                rx.icon("log-out", size=14),
                "Sign out",
                size="1",
                variant="soft",
                color_scheme="red",
                on_click=SecurityState.sign_out_session(s["id"]),
                aria_label="Sign out " + s["device"],
                data_testid="sign-out-session",
            ),
            text_align="right",
        ),
        align="center",
        custom_attrs={"data-testid": "session-row"},
    )


def sessions_table() -> rx.Component:
    return rx.box(
        rx.cond(
            SecurityState.sessions.length() > 0,
            rx.table.root(
                rx.table.header(
                    rx.table.row(
                        rx.table.column_header_cell("Device"),
                        *[rx.table.column_header_cell(h, class_name=cls) for h, cls in COLUMNS],
                        rx.table.column_header_cell("Last seen"),
                        rx.table.column_header_cell(rx.text("Actions", class_name="vc-sr-only")),
                    )
                ),
                rx.table.body(rx.foreach(SecurityState.sessions, session_row)),
                variant="ghost",
                size="2",
                width="100%",
                data_testid="sessions-table",
            ),
            empty_state("monitor-smartphone", "No active sessions"),
        ),
        style=styles.card,
        class_name="vc-table-card",
        overflow="hidden",
        margin_bottom="16px",
    )


def sign_out_everywhere() -> rx.Component:
    return rx.box(
        rx.heading("Sign out everywhere", size="3", margin_bottom="4px"),
        rx.text(
            "Lost a device, or signed in on a shared computer? End every other session at once; this browser stays "
            "signed in unless you sign it out too.",
            size="2",
            color=styles.MUTED_TEXT,
            margin_bottom="12px",
        ),
        rx.flex(
            rx.button(
                rx.icon("shield-x", size=15),
                "Sign out all other sessions",
                color_scheme="red",
                variant="soft",
                on_click=SecurityState.sign_out_everywhere(True),
                data_testid="sign-out-others",
            ),
            rx.button(
                "Sign out everywhere, this browser too",
                color_scheme="red",
                variant="outline",
                on_click=SecurityState.sign_out_everywhere(False),
                data_testid="sign-out-all",
            ),
            spacing="2",
            wrap="wrap",
        ),
        style=styles.card,
        padding="20px",
    )
