"""Notification channel dialogs: add/edit, the one-time signing secret, rotate and delete confirmations."""

import reflex as rx

from voiceconsole.ui import styles
from voiceconsole.ui.components.confirm_dialog import confirm_dialog
from voiceconsole.ui.components.feedback import error_callout, inline_error
from voiceconsole.ui.state.channel_form import HOUR_OPTIONS
from voiceconsole.ui.state.channel_form import ChannelFormState as Form
from voiceconsole.ui.state.notification_channels import ALL_CLIENTS, EVENT_OPTIONS, KIND_OPTIONS
from voiceconsole.ui.state.notification_channels import NotificationChannelsState as State


def _field(label, control: rx.Component, error: rx.Var, testid: str, hint=None) -> rx.Component:
    """A label, the control, an optional hint and the field's error right under it."""
    return rx.vstack(
        rx.text(label, size="2", weight="medium", as_="label"),
        control,
        rx.text(hint, size="1", color=styles.MUTED_TEXT) if hint is not None else rx.fragment(),
        inline_error(error, data_testid=f"{testid}-error"),
        spacing="1",
        width="100%",
    )


def _kind_field() -> rx.Component:
    chooser = rx.segmented_control.root(
        *[
            rx.segmented_control.item(text, value=value, data_testid=f"channel-kind-{value}")
            for value, text in KIND_OPTIONS
        ],
        value=Form.kind,
        on_change=Form.set_kind,
        size="2",
        width="100%",
        data_testid="channel-kind-choice",
    )
    fixed = rx.hstack(
        rx.badge(Form.kind_label, variant="surface", size="2"),
        rx.text("The kind of a channel cannot change.", size="1", color=styles.MUTED_TEXT),
        spacing="2",
        align="center",
    )
    return _field("Kind", rx.cond(Form.editing, fixed, chooser), Form.kind_error, "channel-kind")


def _target_field() -> rx.Component:
    url_label = rx.match(
        Form.kind, ("slack", "Slack incoming webhook URL"), ("discord", "Discord webhook URL"), "Webhook URL"
    )
    url = _field(
        url_label,
        rx.input(
            value=Form.url,
            on_change=Form.set_url,
            placeholder=Form.url_placeholder,
            aria_label="URL",
            auto_complete="off",
            width="100%",
            data_testid="channel-url",
        ),
        Form.url_error,
        "channel-url",
        rx.match(
            Form.kind,
            ("webhook", "We POST signed JSON to it (X-VoiceConsole-Signature, Standard Webhooks)."),
            ("slack", "Slack: Apps → Incoming Webhooks → Add New Webhook to Workspace."),
            ("discord", "Discord: Channel settings → Integrations → Webhooks → Copy Webhook URL."),
            "",
        ),
    )
    email = _field(
        "Email address",
        rx.input(
            value=Form.email,
            on_change=Form.set_email,
            type="email",
            placeholder="alerts@youragency.com",
            aria_label="Email address",
            width="100%",
            data_testid="channel-email",
        ),
        Form.email_error,
        "channel-email",
    )
    return rx.cond(Form.kind == "email", email, url)


def _event_checkbox(key: str, label: str, description: str) -> rx.Component:
    return rx.el.label(
        rx.hstack(
            rx.checkbox(
                checked=Form.events.contains(key),
                on_change=lambda checked: Form.set_event(key, checked),
                aria_label=label,
                data_testid=f"channel-event-{key}",
                margin_top="3px",
            ),
            rx.vstack(
                rx.text(label, size="2", weight="medium"),
                rx.text(description, size="1", color=styles.MUTED_TEXT),
                spacing="0",
            ),
            spacing="2",
            align="start",
        ),
        cursor="pointer",
    )


def _events_field() -> rx.Component:
    boxes = rx.grid(*[_event_checkbox(*option) for option in EVENT_OPTIONS], columns="2", spacing="3", width="100%")
    return _field("Events", boxes, Form.events_error, "channel-events")


def _summary_hour_field() -> rx.Component:
    hour = rx.hstack(
        rx.select.root(
            rx.select.trigger(aria_label="Summary hour", data_testid="channel-summary-hour"),
            rx.select.content(*[rx.select.item(text, value=value) for value, text in HOUR_OPTIONS], position="popper"),
            value=Form.summary_hour,
            on_change=Form.set_summary_hour,
            size="2",
        ),
        rx.text("in ", Form.timezone, " (your organization's time zone)", size="2", color=styles.MUTED_TEXT),
        spacing="2",
        align="center",
    )
    return rx.cond(
        Form.wants_summary, _field("Daily summary at", hour, Form.hour_error, "channel-summary-hour"), rx.fragment()
    )


def _client_field() -> rx.Component:
    select = rx.select.root(
        rx.select.trigger(aria_label="Client", data_testid="channel-client", width="100%"),
        rx.select.content(
            rx.select.item("All clients", value=ALL_CLIENTS),
            rx.foreach(Form.clients, lambda c: rx.select.item(c["name"], value=c["id"])),
            position="popper",
        ),
        value=Form.client,
        on_change=Form.set_client,
        size="2",
    )
    return _field(
        "Client",
        select,
        Form.client_error,
        "channel-client",
        "Only this client's calls and agents (the daily summary covers only them too).",
    )


def _name_field() -> rx.Component:
    return _field(
        "Name (optional)",
        rx.input(
            value=Form.name,
            on_change=Form.set_name,
            max_length=200,
            placeholder="e.g. Ops alerts",
            aria_label="Name",
            width="100%",
            data_testid="channel-name-input",
        ),
        Form.name_error,
        "channel-name",
    )


def channel_form_dialog() -> rx.Component:
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title(rx.cond(Form.editing, "Edit channel", "Add a notification channel")),
            rx.dialog.description(
                "Choose where events go and which ones.", size="2", color=styles.MUTED_TEXT, margin_bottom="12px"
            ),
            rx.form(
                rx.vstack(
                    _kind_field(),
                    _target_field(),
                    _events_field(),
                    _summary_hour_field(),
                    _client_field(),
                    _name_field(),
                    error_callout(Form.form_error, size="1", data_testid="channel-form-error"),
                    rx.flex(
                        rx.dialog.close(rx.button("Cancel", variant="soft", color_scheme="gray", type="button")),
                        rx.button(
                            rx.cond(Form.editing, "Save changes", "Add channel"),
                            type="submit",
                            data_testid="channel-save",
                        ),
                        spacing="3",
                        justify="end",
                        width="100%",
                        margin_top="4px",
                    ),
                    spacing="4",
                    width="100%",
                ),
                on_submit=Form.save,
                width="100%",
            ),
            max_width="620px",
            data_testid="channel-form",
        ),
        open=Form.form_open,
        on_open_change=Form.set_form_open,
    )


def secret_dialog() -> rx.Component:
    """The signing secret right after adding or rotating a webhook channel; never shown again."""
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title(rx.cond(State.secret_rotated, "New signing secret", "Copy the signing secret")),
            rx.vstack(
                rx.callout.root(
                    rx.callout.icon(rx.icon("shield-alert")),
                    rx.callout.text(
                        "This is the only time the secret of “",
                        State.secret_channel,
                        "” is shown. We keep it encrypted and cannot show it again; if you lose it, rotate it.",
                        rx.cond(
                            State.secret_rotated,
                            " The old secret stays valid for 24 hours, so update your receiver within that time.",
                            "",
                        ),
                    ),
                    color_scheme="amber",
                    variant="surface",
                    width="100%",
                    data_testid="channel-secret-warning",
                ),
                rx.flex(
                    rx.code(
                        State.secret,
                        size="3",
                        variant="outline",
                        data_testid="channel-secret",
                        style={"word_break": "break-all", "padding": "6px 10px", "flex": "1"},
                    ),
                    rx.button(
                        rx.icon("copy", size=14), "Copy", on_click=State.copy_secret, data_testid="channel-secret-copy"
                    ),
                    spacing="2",
                    align="center",
                    width="100%",
                ),
                rx.text(
                    "Verify each request: X-VoiceConsole-Signature is the hex HMAC-SHA256 of the raw body, "
                    "keyed with this whole secret; the Standard Webhooks headers work with their libraries.",
                    size="1",
                    color=styles.MUTED_TEXT,
                ),
                rx.flex(
                    rx.dialog.close(
                        rx.button("Done", variant="soft", color_scheme="gray", data_testid="channel-secret-done")
                    ),
                    justify="end",
                    width="100%",
                ),
                spacing="3",
                width="100%",
            ),
            max_width="560px",
            data_testid="channel-secret-dialog",
        ),
        open=State.secret != "",
        on_open_change=State.set_secret_open,
    )


def rotate_secret_dialog() -> rx.Component:
    return confirm_dialog(
        State,
        "rotate-secret",
        title="Rotate signing secret",
        question=(
            "Create a new signing secret for “",
            State.confirm_label,
            "”? The current secret keeps signing alongside the new one for 24 hours, then stops.",
        ),
        confirm_label="Rotate secret",
        on_confirm=State.confirm_rotate_secret,
        confirm_testid="confirm-rotate-secret",
        color_scheme="amber",
    )


def delete_channel_dialog() -> rx.Component:
    return confirm_dialog(
        State,
        "delete-channel",
        title="Delete channel",
        question=(
            "Delete “",
            State.confirm_label,
            "”? It stops receiving events and its delivery log is removed. This cannot be undone.",
        ),
        confirm_label="Delete channel",
        on_confirm=State.confirm_delete_channel,
        confirm_testid="confirm-delete-channel",
    )
