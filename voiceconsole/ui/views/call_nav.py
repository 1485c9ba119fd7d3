"""Previous and next call in the list the call was opened from."""

import reflex as rx

from voiceconsole.ui import styles
from voiceconsole.ui.state.call_neighbours import CallNeighboursState


def _step(label: str, icon: str, href: rx.Var, hint: rx.Var, testid: str, icon_first: bool) -> rx.Component:
    parts = [rx.icon(icon, size=15), label] if icon_first else [label, rx.icon(icon, size=15)]
    disabled = rx.button(*parts, variant="soft", color_scheme="gray", size="2", disabled=True, data_testid=testid)
    return rx.cond(
        href != "",
        rx.link(
            rx.button(*parts, variant="soft", color_scheme="gray", size="2", title=hint, data_testid=testid),
            href=href,
            underline="none",
        ),
        disabled,
    )


def call_nav() -> rx.Component:
    s = CallNeighboursState
    return rx.hstack(
        rx.text(
            rx.cond(s.in_list, "In your calls list", "All calls, newest first"),
            size="1",
            color=styles.MUTED_TEXT,
            data_testid="call-nav-context",
        ),
        _step("Previous", "chevron-left", s.previous_href, s.previous_hint, "call-prev", True),
        _step("Next", "chevron-right", s.next_href, s.next_hint, "call-next", False),
        spacing="2",
        align="center",
        data_testid="call-nav",
    )
