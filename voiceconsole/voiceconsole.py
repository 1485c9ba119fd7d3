"""The Reflex app: UI pages, with the REST API mounted under /api."""

import reflex as rx

from voiceconsole.api.main import api
from voiceconsole.ui.pages import register_pages

app = rx.App(api_transformer=api, stylesheets=["/styles.css"])
register_pages(app)
