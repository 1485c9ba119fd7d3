"""A secret shown masked, with a button to reveal or hide it and one to copy it."""

import reflex as rx

from voiceconsole.ui import styles

MASK = "•" * 24


def masked_secret(
    value: rx.Var,
    *,
    revealed: rx.Var,
    on_toggle: rx.EventHandler | rx.event.EventSpec,
    on_copy: rx.EventHandler | rx.event.EventSpec,
    what: str,
    testid: str,
) -> rx.Component:
    """`value` (the secret, which the state sends only while `revealed`) masked until revealed.

    The icon-only buttons are named for assistive technology ("Show …"/"Hide …", "Copy …") and carry the
    same words as a tooltip. Copying does not need the secret shown: `on_copy` reads it on the server.
    Test ids: `testid` (the value), `testid-toggle`, `testid-copy`.
    """
    return rx.flex(
        rx.code(
            rx.cond(revealed, value, MASK),
            size="2",
            variant="ghost",
            aria_label=rx.cond(revealed, what, f"{what} (hidden)"),
            data_testid=testid,
            custom_attrs={"data-revealed": rx.cond(revealed, "true", "false")},
            style={
                "word_break": "break-all",
                "flex": "1",
                "min_width": "0",
                "color": rx.cond(revealed, "inherit", styles.MUTED_TEXT),
            },
        ),
        rx.icon_button(
            rx.cond(revealed, rx.icon("eye-off", size=13), rx.icon("eye", size=13)),
            type="button",
            size="1",
            variant="ghost",
            color_scheme="gray",
            on_click=on_toggle,
            aria_label=rx.cond(revealed, f"Hide {what}", f"Show {what}"),
            title=rx.cond(revealed, f"Hide {what}", f"Show {what}"),
            data_testid=f"{testid}-toggle",
        ),
        rx.icon_button(
            rx.icon("copy", size=13),
            type="button",
            size="1",
            variant="ghost",
            color_scheme="gray",
            on_click=on_copy,
            aria_label=f"Copy {what}",
            title=f"Copy {what}",
            data_testid=f"{testid}-copy",
        ),
        align="center",
        spacing="2",
        flex="1",
        min_width="0",
    )
