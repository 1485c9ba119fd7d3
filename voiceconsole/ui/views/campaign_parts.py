"""Small pieces the campaign pages share: the status badge and the progress bar."""

import reflex as rx

from voiceconsole.ui import styles

STATUS_COLOURS = {
    "draft": "gray",
    "scheduled": "iris",
    "running": "blue",
    "paused": "amber",
    "completed": "green",
    "cancelled": "red",
}


def campaign_status_badge(status: rx.Var) -> rx.Component:
    return rx.match(
        status,
        *[
            (
                key,
                rx.badge(
                    rx.icon("radio", size=12) if key == "running" else rx.fragment(),
                    key.capitalize(),
                    color_scheme=colour,
                    variant="soft",
                    data_testid="campaign-status",
                    custom_attrs={"data-status": key},
                ),
            )
            for key, colour in STATUS_COLOURS.items()
        ],
        rx.badge(status, color_scheme="gray", variant="outline", data_testid="campaign-status"),
    )


def progress_bar(
    percent: rx.Var, text: rx.Var, *, width: str = "100%", testid: str = "campaign-progress"
) -> rx.Component:
    """Leads settled of the campaign's leads: a bar and "12 / 40" beside it."""
    return rx.hstack(
        rx.progress(value=percent, max=100, size="2", width=width, min_width="80px", aria_label="Leads done"),
        rx.text(text, size="1", color=styles.MUTED_TEXT, class_name="vc-num", white_space="nowrap"),
        align="center",
        spacing="2",
        width="100%",
        custom_attrs={"data-testid": testid, "data-percent": percent},
    )
