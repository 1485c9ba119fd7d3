"""The campaign page's top: what the campaign is, the lifecycle buttons, the system's pause reason, the progress
bar and the KPI tiles."""

import reflex as rx

from voiceconsole.ui import styles
from voiceconsole.ui.components.confirm_dialog import confirm_dialog
from voiceconsole.ui.components.feedback import error_callout
from voiceconsole.ui.state.campaign_detail import CampaignDetailState as D
from voiceconsole.ui.views.campaign_parts import campaign_status_badge, progress_bar


def _button(label: str, icon: str, on_click, testid: str, **props) -> rx.Component:
    return rx.button(
        rx.icon(icon, size=15), label, on_click=on_click, disabled=D.busy != "", size="2", data_testid=testid, **props
    )


def actions() -> rx.Component:
    """The transitions the status allows (the service still decides: a stale page gets its 409 message)."""
    status = D.status
    return rx.cond(
        D.can_manage,
        rx.hstack(
            rx.cond(
                status == "draft",
                rx.fragment(
                    rx.link(
                        rx.button(rx.icon("pencil", size=15), "Edit", variant="soft", size="2"),
                        href=D.campaign["edit_href"],
                        data_testid="campaign-edit",
                    ),
                    _button("Start", "play", D.start, "campaign-start"),
                ),
            ),
            rx.cond(
                (status == "running") | (status == "scheduled"),
                _button("Pause", "pause", D.pause, "campaign-pause", variant="soft"),
            ),
            rx.cond(status == "paused", _button("Resume", "play", D.resume, "campaign-resume")),
            rx.cond(
                (status != "completed") & (status != "cancelled"),
                _button("Cancel", "square", D.ask_cancel, "campaign-cancel", variant="soft", color_scheme="red"),
            ),
            spacing="2",
            wrap="wrap",
        ),
    )


def cancel_dialog() -> rx.Component:
    return confirm_dialog(
        D,
        "cancel",
        title="Cancel this campaign?",
        question=(
            "Nothing more is dialed for ",
            rx.text.strong(D.confirm_label),
            ". Calls in progress end on their own.",
        ),
        confirm_label="Cancel campaign",
        on_confirm=D.cancel,
        confirm_testid="confirm-cancel",
    )


def _fact(label: str, value: rx.Var, testid: str) -> rx.Component:
    return rx.vstack(
        rx.text(label, size="1", color=styles.MUTED_TEXT, weight="medium"),
        rx.text(value, size="2", data_testid=testid),
        spacing="0",
        min_width="0",
    )


def summary() -> rx.Component:
    c = D.campaign
    return rx.vstack(
        error_callout(D.action_error, data_testid="campaign-action-error"),
        rx.cond(
            D.paused_by_system,
            rx.callout(
                rx.text(rx.text.strong("Paused by VoiceConsole: "), c["reason"]),
                icon="circle-pause",
                color_scheme="amber",
                variant="soft",
                width="100%",
                data_testid="campaign-paused-reason",
            ),
            rx.cond(
                (D.status == "paused") & (c["reason"] != ""),
                rx.text(c["reason"], size="2", color=styles.MUTED_TEXT, data_testid="campaign-paused-by"),
            ),
        ),
        rx.vstack(
            rx.hstack(
                campaign_status_badge(D.status),
                rx.text(D.settled, " of ", D.leads, " leads done", size="2", data_testid="campaign-done-text"),
                align="center",
                spacing="3",
            ),
            progress_bar(D.progress_pct, D.progress_pct.to_string() + "%"),
            rx.grid(
                _fact("Agent", c["agent"], "campaign-agent"),
                _fact("Caller number", c["caller"], "campaign-caller"),
                _fact("Audience", c["audience"], "campaign-audience"),
                _fact("Created", c["created"], "campaign-created"),
                columns=rx.breakpoints(initial="1", sm="2", lg="4"),
                spacing="4",
                width="100%",
            ),
            rx.hstack(
                rx.icon("clock", size=14, color=styles.MUTED_TEXT),
                rx.text(c["window"], size="2", color=styles.MUTED_TEXT, data_testid="campaign-window"),
                spacing="2",
                align="center",
            ),
            spacing="3",
            width="100%",
            padding="16px 18px",
            style=styles.card,
        ),
        spacing="3",
        width="100%",
        margin_bottom="16px",
    )


def _tile(item: rx.Var) -> rx.Component:
    return rx.vstack(
        rx.text(item["label"], size="2", color=styles.MUTED_TEXT, weight="medium"),
        rx.text(item["value"], size="6", weight="bold", class_name="vc-num", data_testid="kpi-value"),
        rx.text(item["note"], size="1", color=styles.MUTED_TEXT),
        spacing="1",
        padding="12px 14px",
        style=styles.card,
        min_width="0",
        custom_attrs={"data-testid": "campaign-kpi", "data-kpi": item["key"]},
    )


def kpi_tiles() -> rx.Component:
    return rx.grid(
        rx.foreach(D.kpis, _tile),
        columns=rx.breakpoints(initial="2", md="3", lg="5"),
        spacing="3",
        width="100%",
        margin_bottom="16px",
    )
