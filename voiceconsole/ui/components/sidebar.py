"""The left navigation: logo, sections, and who is signed in (with log out)."""

import reflex as rx

from voiceconsole.ui import styles
from voiceconsole.ui.state.auth import AuthState

NAV = (
    # (section, [(key, label, icon, href)])
    (
        "Workspace",
        [
            ("dashboard", "Dashboard", "layout-dashboard", "/dashboard"),
            ("calls", "Calls", "phone-call", "/calls"),
            ("agents", "Agents", "bot", "/agents"),
            ("clients", "Clients", "building-2", "/clients"),
        ],
    ),
    (
        "Settings",
        [
            ("integrations", "Integrations", "plug", "/settings/integrations"),
            ("scoring", "Scoring", "sliders-horizontal", "/settings/scoring"),
            ("api-keys", "API keys", "key-round", "/settings/api-keys"),
        ],
    ),
)


def logo(size: str = "4") -> rx.Component:
    return rx.hstack(
        rx.center(
            rx.icon("audio-waveform", size=18, color="white"),
            width="32px",
            height="32px",
            border_radius="9px",
            flex_shrink="0",
            background=f"linear-gradient(135deg, {rx.color('accent', 9)}, {rx.color('iris', 11)})",
            box_shadow=f"0 2px 8px {rx.color('accent', 6)}",
        ),
        rx.text("VoiceConsole", size=size, weight="bold", letter_spacing="-0.01em"),
        align="center",
        spacing="2",
    )


def nav_item(label: str, icon: str, href: str, active: bool) -> rx.Component:
    return rx.link(
        rx.hstack(
            rx.icon(icon, size=17),
            rx.text(label, size="2", weight="medium"),
            align="center",
            spacing="3",
            padding="8px 10px",
            border_radius="8px",
            width="100%",
            background=rx.color("accent", 3) if active else "transparent",
            color=rx.color("accent", 11) if active else rx.color("gray", 11),
            _hover={
                "background": rx.color("accent", 3) if active else rx.color("gray", 3),
                "color": rx.color("accent", 11) if active else rx.color("gray", 12),
            },
        ),
        href=href,
        underline="none",
        width="100%",
        aria_current="page" if active else None,
        data_testid=f"nav-{label.lower().replace(' ', '-')}",
    )


def nav_section(title: str, items: list, active: str) -> rx.Component:
    return rx.vstack(
        rx.text(
            title.upper(), size="1", weight="bold", color=rx.color("gray", 9), letter_spacing="0.06em", padding_x="10px"
        ),
        *[nav_item(label, icon, href, key == active) for key, label, icon, href in items],
        spacing="1",
        width="100%",
    )


def logout_form(button: rx.Component, width: str = "auto") -> rx.Component:
    # A native POST: the API clears the HttpOnly cookie and redirects to /login (a full page
    # load, so the websocket reconnects without the session). on_submit=None stops Reflex
    # from adding its default preventDefault handler to the form.
    return rx.el.form(button, action="/api/auth/logout", method="post", on_submit=None, style={"width": width})


def account_box() -> rx.Component:
    return rx.vstack(
        rx.hstack(
            rx.avatar(fallback=AuthState.user_initial, size="2", radius="full", variant="soft"),
            rx.vstack(
                rx.text(
                    AuthState.org_name,
                    size="2",
                    weight="bold",
                    data_testid="org-name",
                    overflow="hidden",
                    text_overflow="ellipsis",
                    white_space="nowrap",
                    max_width="160px",
                ),
                rx.text(
                    AuthState.user_email,
                    size="1",
                    color=styles.MUTED_TEXT,
                    data_testid="user-email",
                    overflow="hidden",
                    text_overflow="ellipsis",
                    white_space="nowrap",
                    max_width="160px",
                ),
                spacing="1",
                min_width="0",
            ),
            align="center",
            spacing="2",
            width="100%",
        ),
        logout_form(
            rx.button(
                rx.icon("log-out", size=15),
                "Log out",
                type="submit",
                variant="soft",
                color_scheme="gray",
                size="2",
                width="100%",
                data_testid="logout",
            ),
            width="100%",
        ),
        spacing="3",
        width="100%",
        padding="12px",
        border_radius="10px",
        background=styles.SURFACE_BG,
        border=styles.SUBTLE_BORDER,
    )


def sidebar(active: str) -> rx.Component:
    return rx.flex(
        rx.box(logo(), padding="4px 6px 20px"),
        rx.vstack(*[nav_section(title, items, active) for title, items in NAV], spacing="5", width="100%"),
        rx.spacer(),
        rx.hstack(
            rx.color_mode.button(size="1", variant="ghost"),
            rx.text("Theme", size="1", color=styles.MUTED_TEXT),
            align="center",
            spacing="2",
            padding="0 6px 10px",
        ),
        account_box(),
        direction="column",
        width=styles.SIDEBAR_WIDTH,
        min_width=styles.SIDEBAR_WIDTH,
        height="100vh",
        position="sticky",
        top="0",
        padding="20px 14px",
        background=rx.color("gray", 1),
        border_right=styles.SUBTLE_BORDER,
        display=["none", "none", "flex"],
        as_="nav",
        aria_label="Main",
    )


def mobile_bar(active: str) -> rx.Component:
    """A compact top bar for narrow screens, where the sidebar is hidden."""
    links = [item for _, items in NAV for item in items]
    return rx.flex(
        logo("3"),
        rx.hstack(
            *[
                rx.link(
                    rx.icon(icon, size=18),
                    href=href,
                    title=label,
                    color=rx.color("accent", 11) if key == active else rx.color("gray", 11),
                )
                for key, label, icon, href in links
            ],
            logout_form(
                rx.icon_button(
                    rx.icon("log-out", size=16),
                    type="submit",
                    variant="ghost",
                    color_scheme="gray",
                    aria_label="Log out",
                    title="Log out",
                )
            ),
            spacing="4",
            align="center",
        ),
        justify="between",
        align="center",
        padding="12px 16px",
        border_bottom=styles.SUBTLE_BORDER,
        background=rx.color("gray", 1),
        display=["flex", "flex", "none"],
        width="100%",
    )
