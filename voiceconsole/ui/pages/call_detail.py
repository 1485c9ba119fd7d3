"""/calls/[call_id]: one call in full."""

import reflex as rx

from voiceconsole.ui.components.feedback import empty_state, loading_block
from voiceconsole.ui.components.layout import app_shell
from voiceconsole.ui.components.page_header import Crumb, page_header
from voiceconsole.ui.state.call_detail import CallDetailState
from voiceconsole.ui.state.call_neighbours import CallNeighboursState
from voiceconsole.ui.views.call_cost import cost_card
from voiceconsole.ui.views.call_header import call_header
from voiceconsole.ui.views.call_nav import call_nav
from voiceconsole.ui.views.call_side import notes_card, score_card, summary_card, tags_card
from voiceconsole.ui.views.coaching import coaching_panel
from voiceconsole.ui.views.transcript import transcript
from voiceconsole.ui.views.voice_metrics import voice_metrics_card


def _call() -> rx.Component:
    return rx.fragment(
        call_header(),
        rx.grid(
            # Coaching sits above the transcript its time chips jump to.
            rx.vstack(
                summary_card(),
                coaching_panel(),
                transcript(),
                spacing="0",
                width="100%",
                min_width="0",
                align="stretch",
            ),
            # Not sticky: with the breakdown and metrics the column is taller than most screens.
            rx.vstack(
                score_card(),
                voice_metrics_card(),
                cost_card(),
                tags_card(),
                notes_card(),
                spacing="0",
                width="100%",
                min_width="0",
                align="stretch",
                align_self="start",
            ),
            columns=rx.breakpoints(initial="1", lg="3fr 2fr"),
            gap="16px",
            width="100%",
        ),
    )


def _not_found() -> rx.Component:
    return rx.box(
        empty_state(
            "search-x",
            "Call not found",
            "This call does not exist or belongs to another organization.",
            rx.link(rx.button("Back to calls", variant="soft"), href="/calls"),
        ),
        style={"background": rx.color("gray", 1), "border_radius": "12px"},
        data_testid="call-not-found",
    )


def _crumbs() -> list[Crumb]:
    """Calls (the list it came from) › client › agent › this call; the client and agent when known."""
    c = CallDetailState.call
    return [
        ("Calls", CallNeighboursState.list_href),
        (c["client_name"].to(str), c["client_href"].to(str)),
        (c["agent_name"].to(str), c["agent_href"].to(str)),
        (rx.cond(CallDetailState.not_found, "Not found", c["id"]), None),
    ]


def call_detail_page() -> rx.Component:
    return app_shell(
        "calls",
        page_header(
            rx.cond(CallDetailState.not_found, "Call", "Call details"),
            rx.cond(CallDetailState.not_found, "", CallDetailState.call["platform_call_id"]),
            rx.cond(CallDetailState.not_found, rx.fragment(), call_nav()),
            crumbs=_crumbs(),
        ),
        rx.cond(
            CallDetailState.loading,
            loading_block("Loading call…"),
            rx.cond(CallDetailState.not_found, _not_found(), _call()),
        ),
    )
