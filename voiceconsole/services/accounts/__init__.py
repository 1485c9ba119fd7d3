"""Accounts: organizations (agencies), users and memberships (`organizations`), and signing in with
magic links and browser sessions (`login`)."""

from voiceconsole.services.accounts.login import (
    FIRST_LINK_TTL,
    MAGIC_LINK_TTL,
    SESSION_TTL,
    LoginResult,
    SessionContext,
    consume_magic_link,
    create_magic_link,
    logout,
    magic_link_url,
    request_login_link,
    resolve_session,
)
from voiceconsole.services.accounts.organizations import (
    create_organization,
    ensure_membership,
    get_or_create_user,
    get_organization_by_slug,
    normalise_email,
    slugify,
)

__all__ = [
    "FIRST_LINK_TTL",
    "MAGIC_LINK_TTL",
    "SESSION_TTL",
    "LoginResult",
    "SessionContext",
    "consume_magic_link",
    "create_magic_link",
    "create_organization",
    "ensure_membership",
    "get_or_create_user",
    "get_organization_by_slug",
    "logout",
    "magic_link_url",
    "normalise_email",
    "request_login_link",
    "resolve_session",
    "slugify",
]
