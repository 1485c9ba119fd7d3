"""/login: request a magic link by email."""

import reflex as rx

from voiceconsole.ui import styles
from voiceconsole.ui.components.backend import api_url
from voiceconsole.ui.components.feedback import inline_error
from voiceconsole.ui.components.sidebar import logo
from voiceconsole.ui.state.login import LoginState


def _form() -> rx.Component:
    return rx.form(
        rx.vstack(
            rx.text("Work email", size="2", weight="medium", as_="label", html_for="login-email"),
            rx.input(
                id="login-email",
                name="email",
                type="email",
                placeholder="you@agency.com",
                value=LoginState.email,
                on_change=LoginState.set_email,
                size="3",
                width="100%",
                auto_complete="email",
                auto_focus=True,
                required=True,
                aria_label="Email",
                data_testid="login-email",
            ),
            inline_error(LoginState.error, data_testid="login-error"),
            rx.button(
                rx.icon("mail", size=16),
                "Email me a login link",
                type="submit",
                size="3",
                width="100%",
                margin_top="6px",
                data_testid="login-submit",
            ),
            spacing="2",
            width="100%",
        ),
        on_submit=LoginState.send_link,
        width="100%",
        # Let the service validate, so a bad address gets our inline message, not the browser's bubble.
        no_validate=True,
    )


def _provider_button(provider: rx.Var) -> rx.Component:
    # A native GET form, as the sidebar's log out (a POST): the browser leaves for the provider with a full page
    # load. A link would be turned into a client-side route change that never reaches the API. on_submit=None
    # stops Reflex from adding its default preventDefault handler to the form.
    return rx.el.form(
        rx.button(
            rx.icon("log-in", size=16),
            provider["label"],
            type="submit",
            variant="outline",
            color_scheme="gray",
            size="3",
            width="100%",
            data_testid="sign-in-" + provider["name"].to(str),
        ),
        action=api_url(provider["href"]),
        method="get",
        on_submit=None,
        style={"width": "100%"},
    )


def _providers() -> rx.Component:
    """ "Sign in with Google" / the configured OpenID Connect provider, only when configured."""
    return rx.cond(
        LoginState.providers.length() > 0,
        rx.vstack(
            rx.foreach(LoginState.providers, _provider_button),
            rx.hstack(
                rx.separator(size="4"),
                rx.text("or", size="1", color=styles.MUTED_TEXT),
                rx.separator(size="4"),
                align="center",
                width="100%",
            ),
            spacing="2",
            width="100%",
            data_testid="sign-in-providers",
        ),
        rx.fragment(),
    )


def _sent() -> rx.Component:
    return rx.vstack(
        rx.center(
            rx.icon("mail-check", size=26, color=rx.color("green", 11)),
            width="52px",
            height="52px",
            border_radius="14px",
            background=rx.color("green", 3),
        ),
        rx.heading("Check your inbox", size="5"),
        rx.text(
            "We sent a single-use login link to ",
            rx.text(LoginState.sent_to, weight="bold", as_="span"),
            ". It expires in 15 minutes. Running VoiceConsole yourself without email set up? The link is "
            "printed in the server console.",
            size="2",
            color=styles.MUTED_TEXT,
            text_align="center",
        ),
        rx.button("Use a different email", variant="ghost", on_click=LoginState.start_over, margin_top="4px"),
        align="center",
        spacing="3",
        data_testid="login-sent",
    )


def login_page() -> rx.Component:
    return rx.center(
        rx.vstack(
            rx.box(logo("5"), margin_bottom="8px"),
            rx.box(
                rx.cond(
                    LoginState.sent_to != "",
                    _sent(),
                    rx.vstack(
                        rx.heading("Sign in", size="6"),
                        rx.text(
                            "Monitor every call your voice agents take: transcripts, scores and costs "
                            "across Retell and Vapi.",
                            size="2",
                            color=styles.MUTED_TEXT,
                        ),
                        rx.cond(
                            LoginState.notice != "",
                            rx.callout(
                                LoginState.notice,
                                icon="clock-alert",
                                color_scheme="amber",
                                size="1",
                                width="100%",
                                data_testid="login-notice",
                            ),
                            rx.fragment(),
                        ),
                        _providers(),
                        _form(),
                        rx.text(
                            "No password needed: we email you a single-use link. A new email address gets "
                            "its own organization.",
                            size="1",
                            color=styles.MUTED_TEXT,
                        ),
                        spacing="4",
                        width="100%",
                    ),
                ),
                style=styles.card,
                padding="32px",
                width="100%",
                box_shadow="0 12px 32px rgba(16, 24, 40, 0.08)",
            ),
            align="center",
            spacing="4",
            width="100%",
            max_width="420px",
            padding="16px",
        ),
        min_height="100vh",
        width="100%",
        background=f"radial-gradient(1200px 500px at 50% -10%, {rx.color('accent', 4)}, {rx.color('gray', 2)} 70%)",
    )
