"""Names in narrow table columns: the full name where the card is wide, the distinguishing part where not."""

import reflex as rx


def fitted_name(full: rx.Var, short: rx.Var, wide_from: int) -> rx.Component:
    """`full` when the table's card (a `vc-table-card`) is at least `wide_from` px wide, else `short` (e.g. an
    agent's name without its client's, which the row shows anyway). `wide_from` must be one of the widths in
    assets/styles.css. Both stay in the page, so the text is found whichever is on screen."""
    return rx.fragment(
        rx.el.span(full, class_name=f"vc-min-{wide_from}"),
        rx.el.span(short, class_name=f"vc-below-{wide_from}"),
    )
