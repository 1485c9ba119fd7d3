"""The campaign form's labelled controls: each has the test id `campaign-<field>` and shows the service's error
for that field (its wire name: callerNumber, window, …) right under it as `error-<field>`."""

import reflex as rx

from voiceconsole.ui import styles
from voiceconsole.ui.components.feedback import inline_error
from voiceconsole.ui.state.campaign_form import CampaignFormState as F


def field_error(key: str) -> rx.Component:
    return inline_error(F.errors.get(key, ""), custom_attrs={"data-testid": f"error-{key}"})


def labelled(text: str, key: str, control: rx.Component, hint=None, *, error: str | None = None) -> rx.Component:
    """A label for `campaign-<key>`, the control, an optional hint and the error of `error` (default: `key`;
    "" for a control the service never names on its own)."""
    return rx.vstack(
        rx.el.label(text, html_for=f"campaign-{key}", style={"font_size": "var(--font-size-2)", "font_weight": "500"}),
        control,
        rx.text(hint, size="1", color=styles.MUTED_TEXT) if hint is not None else rx.fragment(),
        field_error(key if error is None else error) if error != "" else rx.fragment(),
        spacing="1",
        width="100%",
        min_width="0",
    )


def text_input(key: str, field: str, value: rx.Var, **props) -> rx.Component:
    return rx.input(
        id=f"campaign-{key}",
        value=value,
        on_change=lambda v: F.set_field(field, v),
        width="100%",
        data_testid=f"campaign-{key}",
        **props,
    )


def select(key: str, value: rx.Var, on_change, options: list[tuple[str, str]], label: str, **props) -> rx.Component:
    """A Radix select; `props` may carry `dynamic=(list var, value key, text key)` for options from the state."""
    dynamic = props.pop("dynamic", None)
    items: list[rx.Component] = [rx.select.item(text, value=v) for v, text in options]
    if dynamic is not None:
        rows, value_key, text_key = dynamic
        items.append(rx.foreach(rows, lambda row: rx.select.item(row[text_key], value=row[value_key])))
    return rx.select.root(
        rx.select.trigger(id=f"campaign-{key}", aria_label=label, width="100%", data_testid=f"campaign-{key}", **props),
        rx.select.content(*items, position="popper"),
        value=value,
        on_change=on_change,
        size="2",
    )


def section(title: str, note, *children: rx.Component, testid: str) -> rx.Component:
    return rx.vstack(
        rx.vstack(
            rx.heading(title, size="3", as_="h2"),
            rx.text(note, size="2", color=styles.MUTED_TEXT) if note is not None else rx.fragment(),
            spacing="1",
        ),
        *children,
        spacing="3",
        width="100%",
        padding="18px 20px",
        style=styles.card,
        custom_attrs={"data-testid": testid},
    )


def two_columns(*children: rx.Component) -> rx.Component:
    return rx.grid(*children, columns=rx.breakpoints(initial="1", md="2"), spacing="4", width="100%")
