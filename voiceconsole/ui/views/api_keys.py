"""Settings → API keys: the create form, the one-time key callout, the list and the revoke dialog."""

import reflex as rx

from voiceconsole.ui import styles
from voiceconsole.ui.components.confirm_dialog import confirm_dialog
from voiceconsole.ui.components.feedback import empty_state, inline_error
from voiceconsole.ui.state.api_keys import ApiKeysState


def create_form() -> rx.Component:
    return rx.box(
        rx.heading("Create a key", size="3", margin_bottom="4px"),
        rx.text(
            "Keys act with your organization's permissions. Use one key per integration so you can revoke "
            "it on its own.",
            size="2",
            color=styles.MUTED_TEXT,
            margin_bottom="12px",
        ),
        rx.form(
            rx.flex(
                rx.input(
                    name="name",
                    placeholder="Key name, e.g. Zapier",
                    value=ApiKeysState.name_draft,
                    on_change=ApiKeysState.set_name_draft,
                    aria_label="Key name",
                    size="2",
                    flex="1",
                    min_width="220px",
                    max_length=100,
                    data_testid="key-name",
                ),
                rx.button(rx.icon("plus", size=15), "Create key", type="submit", size="2", data_testid="create-key"),
                spacing="2",
                wrap="wrap",
                width="100%",
            ),
            inline_error(ApiKeysState.create_error, margin_top="6px", data_testid="key-error"),
            on_submit=ApiKeysState.create_key,
            width="100%",
        ),
        style=styles.card,
        padding="20px",
        margin_bottom="16px",
    )


def new_key_callout() -> rx.Component:
    return rx.cond(
        ApiKeysState.new_key != "",
        rx.callout.root(
            rx.callout.icon(rx.icon("shield-alert")),
            rx.vstack(
                rx.text("Copy your new key “", ApiKeysState.new_key_name, "” now", weight="bold", size="2"),
                rx.text(
                    "This is the only time it is shown. We store only a hash, so it cannot be recovered; "
                    "if you lose it, revoke it and create another.",
                    size="2",
                ),
                rx.flex(
                    rx.code(
                        ApiKeysState.new_key,
                        size="3",
                        variant="outline",
                        data_testid="new-key",
                        style={"word_break": "break-all", "padding": "6px 10px"},
                    ),
                    rx.button(
                        rx.icon("copy", size=14),
                        "Copy",
                        size="2",
                        on_click=ApiKeysState.copy_new_key,
                        data_testid="copy-key",
                    ),
                    rx.button(
                        "Done",
                        size="2",
                        variant="soft",
                        color_scheme="gray",
                        on_click=ApiKeysState.dismiss_new_key,
                        data_testid="dismiss-key",
                    ),
                    spacing="2",
                    align="center",
                    wrap="wrap",
                ),
                spacing="2",
                width="100%",
            ),
            color_scheme="amber",
            variant="surface",
            margin_bottom="16px",
            width="100%",
            data_testid="new-key-callout",
        ),
        rx.fragment(),
    )


# Columns by priority, each shown from a card width (assets/styles.css `vc-min-N`): the name and Revoke always.
COLUMNS = (("Key", "vc-min-480"), ("Role", "vc-min-800"), ("Created", "vc-min-720"), ("Last used", "vc-min-560"))


def key_row(key: rx.Var) -> rx.Component:
    key_min, role_min, created_min, used_min = (cls for _, cls in COLUMNS)
    return rx.table.row(
        rx.table.cell(rx.text(key["name"], weight="medium", class_name="vc-name")),
        rx.table.cell(rx.code(key["prefix"], variant="ghost", color_scheme="gray"), class_name=key_min),
        rx.table.cell(rx.badge(key["role"], variant="soft", color_scheme="gray"), class_name=role_min),
        rx.table.cell(key["created"], white_space="nowrap", class_name=created_min),
        rx.table.cell(key["last_used"], white_space="nowrap", class_name=used_min),
        rx.table.cell(
            rx.button(
                rx.icon("trash-2", size=14),
                "Revoke",
                size="1",
                variant="soft",
                color_scheme="red",
                on_click=ApiKeysState.ask_revoke(key["id"], key["name"]),
                aria_label="Revoke " + key["name"],
                data_testid="revoke-key",
            ),
            text_align="right",
        ),
        align="center",
        custom_attrs={"data-testid": "key-row"},
    )


def keys_table() -> rx.Component:
    return rx.box(
        rx.cond(
            ApiKeysState.keys.length() > 0,
            rx.table.root(
                rx.table.header(
                    rx.table.row(
                        rx.table.column_header_cell("Name"),
                        *[rx.table.column_header_cell(h, class_name=cls) for h, cls in COLUMNS],
                        rx.table.column_header_cell(rx.text("Actions", class_name="vc-sr-only")),
                    )
                ),
                rx.table.body(rx.foreach(ApiKeysState.keys, key_row)),
                variant="ghost",
                size="2",
                width="100%",
                data_testid="keys-table",
            ),
            empty_state("key-round", "No API keys yet", "Create one above to use the REST API."),
        ),
        style=styles.card,
        class_name="vc-table-card",
        overflow="hidden",
        custom_attrs={"data-table-card": "api-keys"},
    )


def revoke_dialog() -> rx.Component:
    return confirm_dialog(
        ApiKeysState,
        "revoke",
        title="Revoke API key",
        question=(
            "Revoke “",
            ApiKeysState.confirm_label,
            "”? Anything using it stops working immediately. This cannot be undone.",
        ),
        confirm_label="Revoke key",
        on_confirm=ApiKeysState.confirm_revoke,
        confirm_testid="confirm-revoke",
    )
