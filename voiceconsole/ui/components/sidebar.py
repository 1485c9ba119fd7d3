"""The left navigation: logo, sections, and who is signed in (with log out); on phones, a top bar whose
menu button opens the same navigation in a drawer."""

import reflex as rx

from voiceconsole.ui import styles
from voiceconsole.ui.components.backend import api_url
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
            ("leads", "Leads", "contact", "/leads"),
            ("dnc", "Do-not-call", "phone-off", "/dnc"),
            ("campaigns", "Campaigns", "megaphone", "/campaigns"),
        ],
    ),
    (
        "Settings",
        [
            ("integrations", "Integrations", "plug", "/settings/integrations"),
            ("scoring", "Scoring", "sliders-horizontal", "/settings/scoring"),
            ("api-keys", "API keys", "key-round", "/settings/api-keys"),
            ("team", "Team", "users", "/settings/team"),
            ("branding", "Branding", "palette", "/settings/branding"),
            ("security", "Security", "shield-check", "/settings/security"),
            ("audit-log", "Audit log", "scroll-text", "/settings/audit-log"),
            ("billing", "Billing", "credit-card", "/billing"),
        ],
    ),
)
# Shown to owners and admins only (the services refuse the others these pages' data anyway).
MANAGERS_ONLY = {"billing"}

# A client viewer's portal: their client's calls, agents and figures, nothing of the agency's settings.
PORTAL_NAV = (
    (
        "Portal",
        [
            ("dashboard", "Dashboard", "layout-dashboard", "/dashboard"),
            ("calls", "Calls", "phone-call", "/calls"),
            ("agents", "Agents", "bot", "/agents"),
            ("report", "Weekly report", "file-text", "/report"),
        ],
    ),
)


def logo(size: str = "4") -> rx.Component:
    """VoiceConsole's mark, or in a client viewer's portal the agency's logo (when uploaded) and name."""
    return rx.cond(AuthState.is_client_viewer, agency_logo(size), _voiceconsole_logo(size))


def agency_logo(size: str = "4") -> rx.Component:
    return rx.hstack(
        rx.cond(
            AuthState.brand_logo_url != "",
            rx.image(
                src=api_url(AuthState.brand_logo_url),
                alt="",
                height="32px",
                max_width="120px",
                object_fit="contain",
                data_testid="brand-logo",
            ),
        ),
        rx.text(AuthState.org_name, size=size, weight="bold", data_testid="brand-name"),
        align="center",
        spacing="2",
    )


def _voiceconsole_logo(size: str = "4") -> rx.Component:
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
            title.upper(), size="1", weight="bold", color=styles.MUTED_TEXT, letter_spacing="0.06em", padding_x="10px"
        ),
        *[
            rx.cond(AuthState.can_manage, item, rx.fragment()) if key in MANAGERS_ONLY else item
            for key, label, icon, href in items
            for item in [nav_item(label, icon, href, key == active)]
        ],
        spacing="1",
        width="100%",
    )


def logout_form(button: rx.Component, width: str = "auto") -> rx.Component:
    # A native POST: the API clears the HttpOnly cookie and redirects to /login (a full page
    # load, so the websocket reconnects without the session). on_submit=None stops Reflex
    # from adding its default preventDefault handler to the form.
    # The backend's URL: a static frontend (`reflex export`) may be served from another origin.
    return rx.el.form(button, action=api_url("/api/auth/logout"), method="post", on_submit=None, style={"width": width})


def account_placeholder() -> rx.Component:
    """The account box while the session is being checked: the same size, nothing personal yet."""
    return rx.vstack(
        rx.hstack(
            rx.skeleton(rx.box(width="32px", height="32px"), loading=True, border_radius="50%"),
            rx.vstack(
                rx.skeleton(rx.box(width="120px", height="14px"), loading=True),
                rx.skeleton(rx.box(width="150px", height="12px"), loading=True),
                spacing="2",
            ),
            align="center",
            spacing="2",
            width="100%",
        ),
        rx.skeleton(rx.box(width="100%", height="32px"), loading=True),
        spacing="3",
        width="100%",
        padding="12px",
        border_radius="10px",
        background=styles.SURFACE_BG,
        border=styles.SUBTLE_BORDER,
        aria_hidden="true",
        data_testid="account-placeholder",
    )


def account_box() -> rx.Component:
    """Who is signed in and the log-out button; a placeholder until the session is known."""
    return rx.cond(AuthState.is_authenticated, _account(), account_placeholder())


def org_switcher() -> rx.Component:
    """For people in several organizations: which one this session works in (the session remembers it)."""
    return rx.cond(
        AuthState.organizations.length() > 1,
        rx.select.root(
            rx.select.trigger(aria_label="Switch organization", width="100%", data_testid="org-switcher"),
            rx.select.content(
                rx.foreach(AuthState.organizations, lambda o: rx.select.item(o["name"], value=o["slug"]))
            ),
            value=AuthState.org_slug,
            on_change=AuthState.switch_organization,
            size="2",
        ),
    )


def _account() -> rx.Component:
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
        org_switcher(),
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


def theme_toggle() -> rx.Component:
    return rx.hstack(
        rx.color_mode.button(size="1", variant="ghost", aria_label="Switch between light and dark theme"),
        rx.text("Theme", size="1", color=styles.MUTED_TEXT, aria_hidden="true"),
        align="center",
        spacing="2",
        padding="0 6px 10px",
    )


def _nav_body(active: str) -> rx.Component:
    def body(nav: tuple) -> rx.Component:
        return rx.vstack(*[nav_section(title, items, active) for title, items in nav], spacing="5", width="100%")

    return rx.cond(AuthState.is_client_viewer, body(PORTAL_NAV), body(NAV))


def sidebar(active: str) -> rx.Component:
    """The navigation landmark (`<nav aria-label="Main navigation">`), from 992px (Reflex's 62em step) up."""
    return rx.el.nav(
        rx.el.style(AuthState.brand_css),  # the agency's accent colour, in a client viewer's portal
        rx.flex(
            rx.box(logo(), padding="4px 6px 20px"),
            _nav_body(active),
            rx.spacer(),
            theme_toggle(),
            account_box(),
            direction="column",
            height="100%",
            padding="20px 14px",
        ),
        aria_label="Main navigation",
        width=styles.SIDEBAR_WIDTH,
        min_width=styles.SIDEBAR_WIDTH,
        height="100vh",
        overflow_y="auto",  # a short window scrolls the navigation, not the page
        position="sticky",
        top="0",
        background=rx.color("gray", 1),
        border_right=styles.SUBTLE_BORDER,
        display=["none", "none", "none", "block"],
        data_testid="sidebar",
    )


def _drawer(active: str) -> rx.Component:
    """The navigation in a sheet from the left (a Radix dialog): every section, the theme and the account."""
    return rx.dialog.content(
        rx.dialog.title("Navigation", class_name="vc-sr-only"),
        rx.dialog.description("Pages of VoiceConsole and your account", class_name="vc-sr-only"),
        rx.el.nav(
            rx.flex(
                rx.hstack(
                    logo(),
                    rx.dialog.close(
                        rx.icon_button(
                            rx.icon("x", size=18),
                            variant="ghost",
                            color_scheme="gray",
                            aria_label="Close navigation",
                            data_testid="close-nav",
                        )
                    ),
                    justify="between",
                    align="center",
                    width="100%",
                    padding="0 6px 20px",
                ),
                # The pages scroll; the theme and the account (log out) stay at the bottom of a short screen.
                rx.box(_nav_body(active), flex="1", min_height="0", overflow_y="auto", padding_bottom="16px"),
                theme_toggle(),
                account_box(),
                direction="column",
                height="100%",
            ),
            aria_label="Main navigation",
            height="100%",
        ),
        position="fixed",
        top="0",
        left="0",
        bottom="0",
        width="min(300px, 85vw)",
        max_width="none",
        max_height="none",
        height="100dvh",
        margin="0",
        border_radius="0",
        padding="20px 14px",
        overflow_y="auto",
        data_testid="nav-drawer",
    )


def mobile_bar(active: str) -> rx.Component:
    """The top bar below 992px, where the sidebar is hidden: the logo and a menu button opening the
    navigation drawer (every page, the theme, the account and log out)."""
    return rx.el.header(
        rx.flex(
            logo("3"),
            rx.dialog.root(
                rx.dialog.trigger(
                    rx.icon_button(
                        rx.icon("menu", size=20),
                        variant="ghost",
                        color_scheme="gray",
                        size="3",
                        aria_label="Open navigation",
                        data_testid="open-nav",
                    )
                ),
                _drawer(active),
            ),
            justify="between",
            align="center",
            padding="10px 16px",
            width="100%",
        ),
        border_bottom=styles.SUBTLE_BORDER,
        background=rx.color("gray", 1),
        display=["block", "block", "block", "none"],
        position="sticky",
        top="0",
        z_index="10",
        width="100%",
        data_testid="mobile-bar",
    )
