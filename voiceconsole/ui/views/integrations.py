"""Settings → Integrations: the connect form, one card per connected account (with its "Re-enter API key"
form), the disconnect dialog."""

import reflex as rx

from voiceconsole.ui import styles
from voiceconsole.ui.components.badges import platform_badge
from voiceconsole.ui.components.confirm_dialog import confirm_dialog
from voiceconsole.ui.components.feedback import empty_state, error_callout, inline_error
from voiceconsole.ui.components.secret import masked_secret
from voiceconsole.ui.state.integrations import (
    API_KEY_INPUT_ID,
    PLATFORM_OPTIONS,
    WEBHOOK_SECRET_INPUT_ID,
    IntegrationsState,
)

API_KEY_ERROR_ID = "integration-api-key-error"


def _field(label: str, control: rx.Component, hint: str | None = None, **props) -> rx.Component:
    return rx.vstack(
        rx.text(label, size="1", weight="medium", color=styles.MUTED_TEXT, as_="label"),
        control,
        rx.text(hint, size="1", color=styles.MUTED_TEXT) if hint else rx.fragment(),
        spacing="1",
        **props,
    )


def connect_form() -> rx.Component:
    return rx.box(
        rx.heading("Connect a platform", size="3", margin_bottom="4px"),
        rx.text(
            "Paste an API key from Retell, Vapi or ElevenLabs. The platform is asked whether it accepts the key "
            "before it is saved; it is stored encrypted and never shown again. Agents and calls start arriving "
            "with the first sync.",
            size="2",
            color=styles.MUTED_TEXT,
            margin_bottom="12px",
        ),
        rx.form(
            rx.flex(
                _field(
                    "Platform",
                    rx.select.root(
                        rx.select.trigger(aria_label="Platform", data_testid="integration-platform", width="100%"),
                        rx.select.content(
                            *[rx.select.item(text, value=value) for value, text in PLATFORM_OPTIONS], position="popper"
                        ),
                        value=IntegrationsState.platform,
                        on_change=IntegrationsState.set_platform,
                        size="2",
                    ),
                    width="160px",
                ),
                _field(
                    "Label",
                    rx.input(
                        name="label",
                        placeholder="e.g. Bright Smile – Retell",
                        value=IntegrationsState.label_draft,
                        on_change=IntegrationsState.set_label_draft,
                        max_length=200,
                        aria_label="Label",
                        data_testid="integration-label",
                        size="2",
                        width="100%",
                    ),
                    flex="1",
                    min_width="200px",
                ),
                rx.vstack(
                    _field(
                        "API key",
                        rx.input(
                            name="api_key",
                            id=API_KEY_INPUT_ID,
                            type="password",
                            placeholder="The platform's API key",
                            aria_label="API key",
                            aria_invalid=IntegrationsState.api_key_error != "",
                            aria_describedby=API_KEY_ERROR_ID,
                            data_testid="integration-api-key",
                            size="2",
                            width="100%",
                            auto_complete="off",
                            max_length=500,
                            color_scheme=rx.cond(IntegrationsState.api_key_error != "", "red", "gray"),
                        ),
                        width="100%",
                    ),
                    inline_error(IntegrationsState.api_key_error, id=API_KEY_ERROR_ID, data_testid=API_KEY_ERROR_ID),
                    spacing="1",
                    flex="1",
                    min_width="220px",
                ),
                spacing="3",
                wrap="wrap",
                width="100%",
            ),
            rx.cond(
                IntegrationsState.platform == "elevenlabs",
                _field(
                    "Webhook secret (optional)",
                    rx.input(
                        name="webhook_secret",
                        id=WEBHOOK_SECRET_INPUT_ID,
                        type="password",
                        placeholder="The HMAC secret ElevenLabs shows",
                        aria_label="Webhook secret",
                        data_testid="integration-webhook-secret",
                        size="2",
                        width="100%",
                        auto_complete="off",
                    ),
                    "ElevenLabs creates the secret when you add the webhook; you can also paste it later.",
                    margin_top="12px",
                    width="100%",
                ),
                rx.fragment(),
            ),
            rx.cond(
                IntegrationsState.base_url_allowed,
                _field(
                    "Base URL (simulator and tests only)",
                    rx.input(
                        name="base_url",
                        placeholder="http://127.0.0.1:8765/retell",
                        value=IntegrationsState.base_url_draft,
                        on_change=IntegrationsState.set_base_url_draft,
                        aria_label="Base URL",
                        data_testid="integration-base-url",
                        size="2",
                        width="100%",
                    ),
                    "Leave empty for the platform's own API.",
                    margin_top="12px",
                    width="100%",
                ),
                rx.fragment(),
            ),
            rx.cond(
                IntegrationsState.unreachable_error != "",
                rx.callout(
                    IntegrationsState.unreachable_error,
                    icon="cloud-off",
                    color_scheme="amber",
                    variant="soft",
                    size="1",
                    role="alert",
                    margin_top="14px",
                    width="100%",
                    data_testid="integration-unreachable",
                ),
                rx.fragment(),
            ),
            rx.flex(
                rx.button(
                    rx.icon("plug", size=15),
                    "Connect",
                    type="submit",
                    size="2",
                    loading=IntegrationsState.connecting,
                    data_testid="integration-connect",
                ),
                rx.cond(
                    IntegrationsState.connecting,
                    rx.text(
                        "Checking the key with the platform…",
                        size="2",
                        color=styles.MUTED_TEXT,
                        role="status",
                        data_testid="integration-checking",
                    ),
                    rx.fragment(),
                ),
                inline_error(IntegrationsState.form_error, data_testid="integration-error"),
                spacing="3",
                align="center",
                margin_top="14px",
                wrap="wrap",
            ),
            on_submit=IntegrationsState.connect,
            # Not reset: what was typed stays after a failure; the state empties the key and secret fields
            # once connected (and the key field when the platform refused the key).
            reset_on_submit=False,
            width="100%",
        ),
        style=styles.card,
        padding="20px",
        margin_bottom="16px",
    )


def status_badge(status: rx.Var) -> rx.Component:
    return rx.match(
        status,
        (
            "active",
            rx.badge(
                rx.box(width="6px", height="6px", border_radius="50%", background=rx.color("green", 9)),
                "Active",
                color_scheme="green",
                variant="soft",
                data_testid="integration-status",
            ),
        ),
        (
            "error",
            rx.badge(
                rx.icon("circle-alert", size=12),
                "Error",
                color_scheme="red",
                variant="soft",
                data_testid="integration-status",
            ),
        ),
        (
            "stale",
            rx.badge(
                rx.icon("clock", size=12),
                "Stale",
                color_scheme="amber",
                variant="soft",
                data_testid="integration-status",
            ),
        ),
        rx.badge(status, color_scheme="gray", variant="soft", data_testid="integration-status"),
    )


def _line_label(label: str) -> rx.Component:
    return rx.text(label, size="1", weight="medium", color=styles.MUTED_TEXT, width="110px", flex_shrink="0")


def _copy_line(label: str, value: rx.Var, what: str, testid: str) -> rx.Component:
    return rx.flex(
        _line_label(label),
        rx.code(
            value,
            size="2",
            variant="ghost",
            data_testid=testid,
            style={"word_break": "break-all", "flex": "1", "min_width": "0"},
        ),
        rx.icon_button(
            rx.icon("copy", size=13),
            size="1",
            variant="ghost",
            color_scheme="gray",
            on_click=IntegrationsState.copy(value, what),
            aria_label=f"Copy {what}",
            title=f"Copy {what}",
        ),
        align="center",
        spacing="2",
        width="100%",
    )


def _fact(label: str, value: rx.Var, testid: str) -> rx.Component:
    return rx.vstack(
        rx.text(label, size="1", color=styles.MUTED_TEXT),
        rx.text(value, size="2", weight="medium", data_testid=testid),
        spacing="0",
    )


def key_form(item: rx.Var) -> rx.Component:
    """Re-enter the account's API key: the platform checks it before it replaces the stored one."""
    return rx.form(
        rx.vstack(
            rx.text("Re-enter the API key", size="2", weight="bold"),
            rx.text(
                "Paste the account's current key (after rotating it, or when the platform stopped accepting the "
                "old one). It is checked with the platform first: if the platform refuses it, nothing changes. "
                "Agents and calls are kept, and a sync starts once it is saved.",
                rx.cond(
                    item["platform"] == "retell",
                    " Retell signs webhooks with this key: use one with the webhook badge.",
                    "",
                ),
                size="1",
                color=styles.MUTED_TEXT,
            ),
            rx.flex(
                rx.input(
                    name="api_key",
                    type="password",
                    placeholder="The new API key",
                    aria_label="New API key",
                    data_testid="integration-new-key",
                    auto_complete="off",
                    auto_focus=True,
                    max_length=500,
                    size="2",
                    flex="1",
                    min_width="220px",
                    disabled=IntegrationsState.key_checking,
                ),
                rx.button(
                    rx.icon("key-round", size=14),
                    "Check and save",
                    type="submit",
                    size="2",
                    loading=IntegrationsState.key_checking,
                    data_testid="integration-key-save",
                ),
                rx.button(
                    "Cancel",
                    type="button",
                    size="2",
                    variant="soft",
                    color_scheme="gray",
                    on_click=IntegrationsState.close_key_form,
                    disabled=IntegrationsState.key_checking,
                ),
                spacing="2",
                align="center",
                wrap="wrap",
                width="100%",
            ),
            inline_error(IntegrationsState.key_error, data_testid="integration-key-error"),
            error_callout(IntegrationsState.key_form_error, size="1", data_testid="integration-key-form-error"),
            spacing="2",
            width="100%",
        ),
        on_submit=IntegrationsState.save_key,
        reset_on_submit=True,  # the key does not linger in the page
        width="100%",
        margin_top="14px",
        padding="12px",
        border_radius="8px",
        border=styles.SUBTLE_BORDER,
        data_testid="integration-key-form",
    )


def integration_card(item: rx.Var) -> rx.Component:
    manage = IntegrationsState.can_manage
    return rx.box(
        rx.flex(
            rx.hstack(
                platform_badge(item["platform"]),
                rx.text(item["label"], weight="bold", size="3", data_testid="integration-label-text"),
                status_badge(item["status"]),
                rx.cond(
                    item["sync_waiting"] != "",
                    rx.badge(
                        rx.icon("hourglass", size=12),
                        "Sync waiting",
                        color_scheme="amber",
                        variant="soft",
                        title=item["sync_waiting"],
                        data_testid="integration-sync-waiting",
                    ),
                    rx.fragment(),
                ),
                spacing="2",
                align="center",
                wrap="wrap",
            ),
            rx.cond(
                manage,
                rx.hstack(
                    rx.button(
                        rx.icon("plug-zap", size=14),
                        "Test",
                        size="1",
                        variant="soft",
                        on_click=IntegrationsState.test(item["id"]),
                        data_testid="integration-test",
                    ),
                    rx.button(
                        rx.icon("refresh-cw", size=14),
                        "Sync now",
                        size="1",
                        variant="soft",
                        on_click=IntegrationsState.sync_now(item["id"]),
                        data_testid="integration-sync",
                    ),
                    rx.button(
                        rx.icon("key-round", size=14),
                        "Re-enter API key",
                        size="1",
                        variant="soft",
                        on_click=IntegrationsState.open_key_form(item["id"]),
                        data_testid="integration-rekey",
                    ),
                    rx.button(
                        rx.icon("unplug", size=14),
                        "Disconnect",
                        size="1",
                        variant="soft",
                        color_scheme="red",
                        on_click=IntegrationsState.ask_disconnect(item["id"], item["label"]),
                        data_testid="integration-disconnect",
                    ),
                    spacing="2",
                    wrap="wrap",
                ),
                rx.fragment(),
            ),
            justify="between",
            align="center",
            wrap="wrap",
            spacing="3",
            width="100%",
        ),
        rx.flex(
            _fact("API key", item["key"], "integration-key"),
            _fact("Agents", item["agents"], "integration-agents"),
            _fact("Last sync", item["last_sync"], "integration-last-sync"),
            _fact("Last good sync", item["last_good_sync"], "integration-last-good-sync"),
            spacing="6",
            wrap="wrap",
            margin_top="14px",
        ),
        rx.cond(manage & (IntegrationsState.key_for == item["id"]), key_form(item), rx.fragment()),
        rx.cond(
            item["sync_waiting"] != "",
            rx.callout(
                item["sync_waiting"],
                icon="hourglass",
                color_scheme="amber",
                variant="soft",
                size="1",
                margin_top="12px",
                data_testid="integration-sync-waiting-text",
            ),
            rx.fragment(),
        ),
        rx.cond(
            item["last_error"] != "",
            rx.callout(
                item["last_error"],
                icon="triangle-alert",
                color_scheme="red",
                variant="soft",
                size="1",
                margin_top="12px",
                data_testid="integration-last-error",
            ),
            rx.fragment(),
        ),
        rx.vstack(
            _copy_line("Webhook URL", item["webhook_url"], "Webhook URL", "integration-webhook-url"),
            rx.cond(
                item["has_webhook_secret"] != "",
                rx.flex(
                    _line_label("Webhook secret"),
                    masked_secret(
                        item["webhook_secret"],
                        revealed=item["secret_revealed"] != "",
                        on_toggle=IntegrationsState.toggle_secret(item["id"]),
                        on_copy=IntegrationsState.copy_secret(item["id"]),
                        what="webhook secret",
                        testid="integration-webhook-secret-value",
                    ),
                    align="center",
                    spacing="2",
                    width="100%",
                ),
                rx.fragment(),
            ),
            rx.text(item["webhook_note"], size="1", color=styles.MUTED_TEXT),
            spacing="2",
            width="100%",
            margin_top="14px",
            padding="12px",
            border_radius="8px",
            background=rx.color("gray", 2),
        ),
        style=styles.card,
        padding="18px",
        width="100%",
        custom_attrs={"data-testid": "integration-card", "data-integration-id": item["id"]},
    )


def integrations_list() -> rx.Component:
    return rx.cond(
        IntegrationsState.integrations.length() > 0,
        rx.vstack(rx.foreach(IntegrationsState.integrations, integration_card), spacing="3", width="100%"),
        rx.box(
            empty_state(
                "plug",
                "No platforms connected",
                "Connect Retell, Vapi or ElevenLabs above to bring in your agents and calls.",
            ),
            style=styles.card,
        ),
    )


def disconnect_dialog() -> rx.Component:
    return confirm_dialog(
        IntegrationsState,
        "disconnect",
        title="Disconnect integration",
        question=(
            "Disconnect “",
            IntegrationsState.confirm_label,
            "”? Syncing stops and its webhooks are refused. Its agents and calls stay in VoiceConsole.",
        ),
        confirm_label="Disconnect",
        on_confirm=IntegrationsState.confirm_disconnect,
        confirm_testid="confirm-disconnect",
    )
