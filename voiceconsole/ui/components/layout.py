"""The signed-in shell: sidebar + content area. Content appears only once the session is known."""

import reflex as rx

from voiceconsole.ui import styles
from voiceconsole.ui.components.feedback import loading_block
from voiceconsole.ui.components.sidebar import mobile_bar, sidebar
from voiceconsole.ui.state.auth import AuthState


def app_shell(active: str, *children: rx.Component) -> rx.Component:
    """Wrap a protected page. `active` is the nav key to highlight (calls, agents, api-keys).

    The page's content shows only after this page's on_load handlers ran (Reflex sets `is_hydrated`
    back to False on every navigation), so neither another user's nor the previous page's data can
    flash. The sidebar stays in place between pages once someone is signed in.
    """
    content = rx.cond(
        rx.State.is_hydrated & AuthState.is_authenticated,
        rx.fragment(*children),
        loading_block(),
    )
    return rx.cond(
        AuthState.is_authenticated,
        rx.flex(
            sidebar(active),
            rx.box(
                mobile_bar(active),
                rx.box(
                    content,
                    width="100%",
                    max_width=styles.CONTENT_MAX_WIDTH,
                    margin="0 auto",
                    padding=["20px 16px", "24px 24px", "28px 36px"],
                ),
                flex="1",
                min_width="0",
                as_="main",
            ),
            min_height="100vh",
            background=styles.APP_BG,
            width="100%",
        ),
        rx.box(loading_block("Checking your session…"), min_height="100vh", background=styles.APP_BG),
    )
