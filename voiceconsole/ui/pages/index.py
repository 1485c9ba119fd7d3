"""/: straight to the dashboard (or the login page)."""

import reflex as rx

from voiceconsole.ui.components.feedback import loading_block


def index_page() -> rx.Component:
    return loading_block("Opening VoiceConsole…")
