import reflex as rx


def login_page() -> rx.Component:
    return rx.center(rx.heading("VoiceConsole"), height="100vh")
