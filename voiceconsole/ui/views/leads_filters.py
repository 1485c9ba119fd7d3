"""The filter bar above the leads table: search, status, tag and client."""

import reflex as rx

from voiceconsole.ui import styles
from voiceconsole.ui.components.controls import select_filter
from voiceconsole.ui.state.leads import ALL, STATUS_OPTIONS, LeadsState


def _set(name: str):
    return lambda value: LeadsState.set_filter(name, value)


def _text_filter(label: str, name: str, placeholder: str, **box) -> rx.Component:
    """A typed filter, applied once typing pauses."""
    return rx.vstack(
        rx.text(label, size="1", weight="medium", color=styles.MUTED_TEXT, as_="label"),
        rx.debounce_input(
            rx.input(
                placeholder=placeholder,
                on_change=_set(name),
                aria_label=label,
                data_testid=f"leads-filter-{name}",
                size="2",
                width="100%",
                type="search",
            ),
            value=LeadsState.filters[name],
            debounce_timeout=400,
        ),
        spacing="1",
        **box,
    )


def leads_filters() -> rx.Component:
    f = LeadsState.filters
    return rx.flex(
        _text_filter("Search", "search", "Name, email, company or phone", flex="1", min_width="220px"),
        select_filter(
            "Status",
            "leads-filter-status",
            f["status"],
            _set("status"),
            [(ALL, "Any status"), *STATUS_OPTIONS],
        ),
        _text_filter("Tag", "tag", "spring-promo", width="170px"),
        select_filter(
            "Client",
            "leads-filter-client",
            f["client"],
            _set("client"),
            [(ALL, "All clients")],
            dynamic=(LeadsState.client_options, "id", "name"),
            width="170px",
        ),
        spacing="3",
        wrap="wrap",
        align="end",
        width="100%",
        margin_bottom="16px",
    )
