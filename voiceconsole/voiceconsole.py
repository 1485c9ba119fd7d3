"""The Reflex app: UI pages, with the REST API mounted under /api."""

import reflex as rx
from starlette.types import ASGIApp

from voiceconsole.api.main import api
from voiceconsole.api.security_headers import SecurityHeaders
from voiceconsole.ui.pages import TITLE, register_pages
from voiceconsole.ui.pages.billing import billing_page
from voiceconsole.ui.state.auth import AuthState
from voiceconsole.ui.state.billing import BillingState


def _mount_api(reflex_app: ASGIApp) -> ASGIApp:
    """The API first, Reflex's routes (pages, /_event, /ping) as the fallback: what `api_transformer=api`
    does, minus the extra CORS middleware Reflex adds to an app passed that way."""
    api.mount("", reflex_app)
    return api


class _App(rx.App):
    def __call__(self) -> ASGIApp:
        # Outside Reflex's own CORS middleware, so CORS and `Vary` are settled once, for pages and API alike
        # (api/security_headers.py); an api_transformer only ever runs inside it.
        return SecurityHeaders(super().__call__())


app = _App(
    api_transformer=_mount_api,
    stylesheets=["/styles.css"],
    # assets/favicon.svg for browsers that take SVG icons, assets/favicon.ico (what others ask for) otherwise.
    head_components=[
        rx.el.link(rel="icon", href="/favicon.svg", type="image/svg+xml"),
        rx.el.link(rel="icon", href="/favicon.ico", sizes="32x32"),
    ],
)
register_pages(app)
# Billing (issue 18): owners manage, admins read; members and client viewers are told they cannot see it.
app.add_page(
    billing_page,
    route="/billing",
    title=TITLE.format("Billing"),
    on_load=[AuthState.require_login, BillingState.load],
)
