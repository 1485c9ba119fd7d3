"""Page registration. Each page module exposes its page function; routes are declared here."""

import reflex as rx


def register_pages(app: rx.App) -> None:
    from voiceconsole.ui.pages import login

    app.add_page(login.login_page, route="/login", title="Sign in · VoiceConsole")
