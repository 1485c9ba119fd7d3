"""Settings → Integrations → Notification channels: the section, one card per channel, the empty state.

Owners and admins get the actions; members see the same cards read-only (and the deliveries log);
client viewers do not see the section at all.
"""

import reflex as rx

from voiceconsole.ui import styles
from voiceconsole.ui.components.feedback import empty_state, error_callout
from voiceconsole.ui.state.channel_form import ChannelFormState
from voiceconsole.ui.state.deliveries_log import DeliveriesLogState
from voiceconsole.ui.state.notification_channels import NotificationChannelsState as State
from voiceconsole.ui.views.channel_dialogs import (
    channel_form_dialog,
    delete_channel_dialog,
    rotate_secret_dialog,
    secret_dialog,
)
from voiceconsole.ui.views.deliveries_log import deliveries_dialog

REFRESH_MS = 5000  # deliveries happen in workers: keep status, failures and last delivery current
WHAT_CHANNELS_DO = (
    "Channels send your events (a low call score, a completed or new call, an agent going offline, "
    "the daily summary) to a signed webhook, a Slack or Discord channel, or an email address, "
    "for all clients or just one."
)


def kind_badge(kind: rx.Var, label: rx.Var) -> rx.Component:
    def badge(icon: str | None, colour: str) -> rx.Component:
        return rx.badge(
            rx.icon(icon, size=12) if icon else rx.fragment(),
            label,
            color_scheme=colour,
            variant="surface",
            data_testid="channel-kind",
        )

    return rx.match(
        kind,
        ("webhook", badge("webhook", "iris")),
        ("slack", badge("hash", "plum")),
        ("discord", badge("message-square", "indigo")),
        ("email", badge("mail", "teal")),
        badge(None, "gray"),
    )


def channel_status(row: rx.Var) -> rx.Component:
    return rx.cond(
        row.paused,
        rx.badge(
            rx.icon("circle-pause", size=12),
            "Paused",
            color_scheme="amber",
            variant="soft",
            data_testid="channel-status",
        ),
        rx.badge(
            rx.box(width="6px", height="6px", border_radius="50%", background=rx.color("green", 9)),
            "Active",
            color_scheme="green",
            variant="soft",
            data_testid="channel-status",
        ),
    )


def _fact(label: str, value: rx.Component, testid: str) -> rx.Component:
    return rx.vstack(
        rx.text(label, size="1", color=styles.MUTED_TEXT),
        rx.box(value, data_testid=testid),
        spacing="1",
        min_width="0",
    )


def _action(icon: str, text: str, handler, testid: str, **props) -> rx.Component:
    return rx.button(
        rx.icon(icon, size=14), text, size="1", variant="soft", on_click=handler, data_testid=testid, **props
    )


def _icon_action(icon: str, label: str, handler, testid: str, color_scheme: str = "gray") -> rx.Component:
    return rx.icon_button(
        rx.icon(icon, size=14),
        size="1",
        variant="soft",
        color_scheme=color_scheme,
        on_click=handler,
        aria_label=label,
        title=label,
        data_testid=testid,
    )


def channel_actions(row: rx.Var) -> rx.Component:
    manager_actions = rx.fragment(
        _action(
            "send",
            "Send test",
            State.send_test(row.id, row.name),
            "channel-send-test",
            disabled=row.paused,
            title=rx.cond(row.paused, "Resume the channel to send a test event", "Send a sample event now"),
        ),
        rx.cond(
            row.paused,
            _action("play", "Resume", State.resume(row.id, row.name), "channel-resume", color_scheme="green"),
            rx.fragment(),
        ),
        _icon_action("pencil", "Edit channel", ChannelFormState.open_edit(row.id), "channel-edit"),
        rx.cond(
            row.is_webhook,
            _icon_action(
                "key-round", "Rotate signing secret", State.ask_rotate_secret(row.id, row.name), "channel-rotate-secret"
            ),
            rx.fragment(),
        ),
        _icon_action(
            "trash-2",
            "Delete channel",
            State.ask_delete_channel(row.id, row.name),
            "channel-delete",
            color_scheme="red",
        ),
    )
    return rx.hstack(
        _action(
            "history",
            "Deliveries",
            DeliveriesLogState.open_log(row.id, row.name),
            "channel-deliveries",
            color_scheme="gray",
        ),
        rx.cond(State.can_manage_channels, manager_actions, rx.fragment()),
        spacing="2",
        align="center",
        wrap="wrap",
    )


def _paused_callout(row: rx.Var) -> rx.Component:
    return rx.cond(
        row.paused,
        rx.callout.root(
            rx.callout.icon(rx.icon("circle-pause")),
            rx.vstack(
                rx.text(
                    "Paused since ",
                    row.paused_since,
                    ". New events are held and sent when you resume; fix the receiver (or the URL) first.",
                    size="2",
                    weight="medium",
                ),
                rx.cond(
                    row.pause_reason != "",
                    rx.text(row.pause_reason, size="1", data_testid="channel-pause-reason"),
                    rx.fragment(),
                ),
                spacing="1",
            ),
            color_scheme="amber",
            variant="soft",
            size="1",
            margin_top="12px",
            data_testid="channel-paused",
        ),
        rx.fragment(),
    )


def channel_card(row: rx.Var) -> rx.Component:
    return rx.box(
        rx.flex(
            rx.hstack(
                kind_badge(row.kind, row.kind_label),
                rx.text(row.name, weight="bold", size="3", data_testid="channel-name"),
                channel_status(row),
                rx.cond(
                    row.failures_label != "",
                    rx.badge(
                        rx.icon("triangle-alert", size=12),
                        row.failures_label,
                        color_scheme="red",
                        variant="soft",
                        data_testid="channel-failures",
                    ),
                    rx.fragment(),
                ),
                spacing="2",
                align="center",
                wrap="wrap",
            ),
            channel_actions(row),
            justify="between",
            align="center",
            wrap="wrap",
            spacing="3",
            width="100%",
        ),
        rx.flex(
            _fact(
                "Sends to",
                rx.code(row.target, variant="ghost", size="2", style={"word_break": "break-all"}),
                "channel-target",
            ),
            _fact(
                "Events",
                rx.flex(
                    rx.foreach(row.events, lambda e: rx.badge(e, variant="outline", color_scheme="gray")),
                    spacing="1",
                    wrap="wrap",
                ),
                "channel-events",
            ),
            _fact("Client", rx.text(row.client, size="2", weight="medium"), "channel-client"),
            _fact("Last delivery", rx.text(row.last_delivery, size="2", weight="medium"), "channel-last-delivery"),
            spacing="6",
            wrap="wrap",
            margin_top="14px",
        ),
        rx.cond(
            row.summary != "",
            rx.text(row.summary, size="1", color=styles.MUTED_TEXT, margin_top="10px", data_testid="channel-summary"),
            rx.fragment(),
        ),
        rx.cond(
            row.secret_note != "",
            rx.text(
                row.secret_note, size="1", color=styles.MUTED_TEXT, margin_top="6px", data_testid="channel-secret-note"
            ),
            rx.fragment(),
        ),
        _paused_callout(row),
        style=styles.card,
        padding="18px",
        width="100%",
        custom_attrs={"data-testid": "channel-card", "data-channel-id": row.id},
    )


def _add_button(**props) -> rx.Component:
    return rx.button(
        rx.icon("plus", size=15), "Add channel", on_click=ChannelFormState.open_add, data_testid="channel-add", **props
    )


def channels_list() -> rx.Component:
    return rx.cond(
        State.channels.length() > 0,
        rx.vstack(rx.foreach(State.channels, channel_card), spacing="3", width="100%", data_testid="channels"),
        rx.box(
            empty_state(
                "bell",
                "No notification channels yet",
                WHAT_CHANNELS_DO,
                rx.cond(State.can_manage_channels, _add_button(size="2"), rx.fragment()),
                data_testid="channels-empty",
            ),
            style=styles.card,
        ),
    )


def notification_channels_section() -> rx.Component:
    header = rx.flex(
        rx.vstack(
            rx.heading("Notification channels", size="5", weight="bold"),
            rx.text(
                "Where VoiceConsole tells you about calls and agents. Webhooks are signed with the channel's "
                "secret; failed deliveries are retried, and after 5 failures in a row the channel pauses.",
                size="2",
                color=styles.MUTED_TEXT,
                max_width="760px",
            ),
            spacing="1",
        ),
        rx.cond(State.can_manage_channels & (State.channels.length() > 0), _add_button(size="2"), rx.fragment()),
        justify="between",
        align="end",
        wrap="wrap",
        spacing="3",
        width="100%",
        margin_bottom="14px",
    )
    return rx.cond(
        State.channels_visible,
        rx.box(
            header,
            error_callout(State.channels_error, margin_bottom="12px"),
            rx.cond(
                State.can_manage_channels,
                rx.fragment(),
                rx.text(
                    "Only owners and admins can add or change channels.",
                    size="1",
                    color=styles.MUTED_TEXT,
                    margin_bottom="10px",
                    data_testid="channels-read-only",
                ),
            ),
            channels_list(),
            channel_form_dialog(),
            secret_dialog(),
            rotate_secret_dialog(),
            delete_channel_dialog(),
            deliveries_dialog(),
            rx.moment(interval=REFRESH_MS, on_change=State.refresh_channels, display="none"),
            margin_top="36px",
            width="100%",
            as_="section",
            aria_label="Notification channels",
            data_testid="channels-section",
        ),
        rx.fragment(),
    )
