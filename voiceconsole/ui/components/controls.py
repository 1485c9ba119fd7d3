"""Small form controls with labels and test ids, shared by the filter bars and forms."""

import reflex as rx

from voiceconsole.ui import styles


def select_filter(
    label: str,
    testid: str,
    value: rx.Var,
    on_change,
    options: list[tuple[str, str]],
    dynamic: tuple[rx.Var, str, str] | None = None,
    width: str = "150px",
    class_name: str | rx.Var = "",
) -> rx.Component:
    """A labelled Radix select. `options` are (value, text); `dynamic` = (list var, value key, text key)."""
    items = [rx.select.item(text, value=value_) for value_, text in options]
    if dynamic is not None:
        rows, value_key, text_key = dynamic
        items.append(rx.foreach(rows, lambda row: rx.select.item(row[text_key], value=row[value_key])))
    return rx.vstack(
        rx.text(label, size="1", weight="medium", color=styles.MUTED_TEXT, as_="label"),
        rx.select.root(
            rx.select.trigger(aria_label=label, data_testid=testid, width="100%"),
            rx.select.content(*items, position="popper"),
            value=value,
            on_change=on_change,
            size="2",
        ),
        spacing="1",
        width=width,
        min_width=width,
        class_name=class_name,
    )


def date_filter(label: str, testid: str, value: rx.Var, on_change) -> rx.Component:
    return rx.vstack(
        rx.text(label, size="1", weight="medium", color=styles.MUTED_TEXT, as_="label"),
        rx.input(
            type="date", value=value, on_change=on_change, aria_label=label, data_testid=testid, size="2", width="150px"
        ),
        spacing="1",
    )


def range_picker(value: rx.Var, on_change, ranges: list[tuple[str, str]]) -> rx.Component:
    """The labelled "Period" segmented control (7, 30, 90 days) of the dashboard and the detail pages."""
    return rx.vstack(
        rx.text("Period", size="1", weight="medium", color=styles.MUTED_TEXT, as_="label"),
        rx.segmented_control.root(
            *[rx.segmented_control.item(label, value=key, data_testid=f"range-{key}") for key, label in ranges],
            value=value,
            on_change=on_change,
            size="2",
            aria_label="Period",
            data_testid="range-picker",
        ),
        spacing="1",
    )
