"""The browser session cookie (`cp_session`): set once a sign-in succeeds (magic link, invitation link, Google
or OpenID Connect) and cleared on sign-out, always with the same attributes — a cookie deleted with other
`SameSite`/`Secure` attributes than it was set with is kept by cross-site browsers."""

from __future__ import annotations

from starlette.responses import Response

from voiceconsole.services import accounts
from voiceconsole.settings import get_settings

SESSION_COOKIE = "cp_session"


def start_browser_session(response: Response, token: str) -> Response:
    settings = get_settings()
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=int(accounts.SESSION_TTL.total_seconds()),
        httponly=True,  # never readable by page scripts
        samesite=settings.cookie_samesite,
        secure=settings.secure_cookies,
        path="/",
    )
    return response


def end_browser_session(response: Response) -> Response:
    settings = get_settings()
    response.delete_cookie(SESSION_COOKIE, path="/", samesite=settings.cookie_samesite, secure=settings.secure_cookies)
    return response
