"""Reflex configuration. Database and Redis come from VoiceConsole's own settings."""

import reflex as rx

from voiceconsole.settings import get_settings

_settings = get_settings()

config = rx.Config(
    app_name="voiceconsole",
    db_url=_settings.database_url,
    # Reflex keeps UI state on disk for one process by default; set REFLEX_REDIS_URL to share it
    # between several web processes (then Reflex runs one granian worker per core).
    telemetry_enabled=False,
    show_built_with_reflex=False,
    # Reflex's CORS and its websocket (/_event) accept only these origins (VOICECONSOLE_ALLOWED_ORIGINS,
    # default: the base URL's); the API's CORS is voiceconsole/api/security_headers.py.
    cors_allowed_origins=list(_settings.allowed_origins),
    plugins=[
        rx.plugins.SitemapPlugin(),
        rx.plugins.RadixThemesPlugin(
            theme=rx.theme(accent_color="violet", gray_color="slate", radius="medium", scaling="100%"),
        ),
    ],
)
