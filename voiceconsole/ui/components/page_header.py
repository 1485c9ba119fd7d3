"""The title row at the top of every page."""

from __future__ import annotations

from collections.abc import Sequence

import reflex as rx

from voiceconsole.ui import styles

# A breadcrumb: (label, href). The page itself comes last with no href; a crumb whose label is a Var that
# turns out empty (a call without a client) is left out.
Crumb = tuple[str | rx.Var, str | rx.Var | None]


def _crumb(label: str | rx.Var, href: str | rx.Var | None, first: bool) -> rx.Component:
    separator = (
        rx.fragment()
        if first
        else rx.icon("chevron-right", size=13, color=rx.color("gray", 9), flex_shrink="0", aria_hidden="true")
    )
    if href is None:
        item = rx.text(
            label,
            size="2",
            color=rx.color("gray", 12),
            weight="medium",
            class_name="vc-ellipsis",
            max_width=["100%", "280px"],
            aria_current="page",
            data_testid="crumb-current",
        )
    else:
        item = rx.link(
            label,
            href=href,
            size="2",
            color=styles.MUTED_TEXT,
            underline="hover",
            class_name="vc-ellipsis",
            max_width=["100%", "240px"],
            data_testid="crumb",
        )
    shown = rx.fragment(separator, item)
    return rx.cond(label != "", shown, rx.fragment()) if isinstance(label, rx.Var) else shown


def breadcrumbs(crumbs: Sequence[Crumb]) -> rx.Component:
    return rx.el.nav(
        rx.flex(
            *[_crumb(label, href, i == 0) for i, (label, href) in enumerate(crumbs)],
            spacing="2",
            align="center",
            wrap="wrap",  # a call's trail (calls › client › agent › id) wraps on a phone
        ),
        aria_label="Breadcrumb",
        data_testid="breadcrumbs",
    )


def page_header(
    title,
    subtitle=None,
    *actions: rx.Component,
    back: tuple[str, str] | None = None,
    crumbs: Sequence[Crumb] | None = None,
) -> rx.Component:
    """Title, optional subtitle and back link (or breadcrumbs, on detail pages) on the left; action
    buttons on the right."""
    left = []
    if crumbs:
        left.append(breadcrumbs(crumbs))
    elif back is not None:
        href, text = back
        left.append(
            rx.link(
                rx.hstack(rx.icon("arrow-left", size=14), rx.text(text, size="2"), spacing="1", align="center"),
                href=href,
                color=styles.MUTED_TEXT,
                underline="none",
                data_testid="back-link",
            )
        )
    left.append(rx.heading(title, size="6", weight="bold", data_testid="page-title"))
    if subtitle is not None:
        left.append(rx.text(subtitle, size="2", color=styles.MUTED_TEXT))
    return rx.flex(
        rx.vstack(*left, spacing="1", min_width="0"),
        rx.hstack(*actions, spacing="2", align="center"),
        justify="between",
        align="end",
        wrap="wrap",
        spacing="3",
        width="100%",
        margin_bottom="20px",
    )
