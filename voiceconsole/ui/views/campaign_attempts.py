"""The campaign page's attempts: every dial, newest first, with its lead, outcome, call and score."""

import reflex as rx

from voiceconsole.ui import styles
from voiceconsole.ui.components.badges import score_badge
from voiceconsole.ui.components.feedback import empty_state
from voiceconsole.ui.state.campaign_detail import CampaignDetailState as D

OUTCOME_COLOURS = {
    "answered": "green",
    "voicemail": "iris",
    "no_answer": "gray",
    "busy": "amber",
    "failed": "red",
    "placed": "blue",
    "dialing": "blue",
    "claimed": "gray",
    "unknown": "amber",
}


def outcome_badge(state: rx.Var, label: rx.Var) -> rx.Component:
    return rx.match(
        state,
        *[
            (key, rx.badge(label, color_scheme=colour, variant="soft", data_testid="attempt-outcome"))
            for key, colour in OUTCOME_COLOURS.items()
        ],
        rx.badge(label, color_scheme="gray", variant="outline", data_testid="attempt-outcome"),
    )


def _row(a: rx.Var) -> rx.Component:
    return rx.table.row(
        rx.table.cell(
            rx.link(a.lead, href=a.lead_href, size="2", weight="medium", data_testid="attempt-lead"),
        ),
        rx.table.cell(a.n, class_name="vc-num", text_align="right"),
        rx.table.cell(
            rx.hstack(
                outcome_badge(a.state, a.state_label),
                rx.cond(a.converted, rx.badge(rx.icon("check", size=12), "Converted", color_scheme="green")),
                spacing="1",
            )
        ),
        rx.table.cell(a.started, class_name="vc-num", white_space="nowrap"),
        rx.table.cell(a.duration, class_name="vc-num", text_align="right"),
        rx.table.cell(score_badge(a.score, a.band, show_label=False)),
        rx.table.cell(
            rx.cond(
                a.call_href != "",
                rx.link("Open call", href=a.call_href, size="2", data_testid="attempt-call"),
                rx.text("—", color=styles.MUTED_TEXT),
            )
        ),
        align="center",
        custom_attrs={"data-testid": "attempt-row", "data-attempt-id": a.id},
    )


def _pager() -> rx.Component:
    return rx.flex(
        rx.text(D.attempts_total, " attempts", size="2", color=styles.MUTED_TEXT, data_testid="attempts-total"),
        rx.hstack(
            rx.button(
                rx.icon("chevron-left", size=15),
                "Previous",
                variant="surface",
                color_scheme="gray",
                size="1",
                on_click=D.prev_page,
                disabled=D.page <= 1,
            ),
            rx.button(
                "Next",
                rx.icon("chevron-right", size=15),
                variant="surface",
                color_scheme="gray",
                size="1",
                on_click=D.next_page,
                disabled=~D.has_next_page,
            ),
            spacing="2",
        ),
        justify="between",
        align="center",
        padding="10px 12px",
        border_top=styles.SUBTLE_BORDER,
        width="100%",
    )


def attempts_table() -> rx.Component:
    header = rx.table.header(
        rx.table.row(
            *[
                rx.table.column_header_cell(label, white_space="nowrap", text_align=align)
                for label, align in (
                    ("Lead", "left"),
                    ("Attempt", "right"),
                    ("Outcome", "left"),
                    ("Started", "left"),
                    ("Duration", "right"),
                    ("Score", "left"),
                    ("Call", "left"),
                )
            ]
        )
    )
    return rx.vstack(
        rx.text("Attempts", size="3", weight="bold", padding="14px 16px 0"),
        rx.cond(
            D.attempts_total > 0,
            rx.box(
                rx.table.root(header, rx.table.body(rx.foreach(D.attempts, _row)), variant="ghost", size="2"),
                overflow_x="auto",
                width="100%",
            ),
            empty_state("phone-outgoing", "No dials yet", "Each dial shows here as soon as it is placed."),
        ),
        rx.cond(D.attempts_total > 0, _pager()),
        spacing="2",
        width="100%",
        style=styles.card,
        data_testid="campaign-attempts",
    )
