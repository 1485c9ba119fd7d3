"""Accounts: organizations (agencies), users and memberships (`organizations`), signing in with magic links
and browser sessions (`login`), the team: members, roles, ownership, switching organizations (`members`) and
invitations (`invitations`), and the emails they send (`mail`)."""

from voiceconsole.services.accounts.invitations import (
    INVITATION_TTL,
    accept_invitation,
    create_invitation,
    list_invitations,
    resend_invitation,
    revoke_invitation,
)
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
    start_session,
)
from voiceconsole.services.accounts.members import (
    LAST_OWNER,
    change_role,
    list_members,
    my_organizations,
    remove_client_viewers,
    remove_member,
    switch_organization,
    transfer_ownership,
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
    "INVITATION_TTL",
    "LAST_OWNER",
    "MAGIC_LINK_TTL",
    "SESSION_TTL",
    "LoginResult",
    "SessionContext",
    "accept_invitation",
    "change_role",
    "consume_magic_link",
    "create_invitation",
    "create_magic_link",
    "create_organization",
    "ensure_membership",
    "get_or_create_user",
    "get_organization_by_slug",
    "list_invitations",
    "list_members",
    "logout",
    "magic_link_url",
    "my_organizations",
    "normalise_email",
    "remove_client_viewers",
    "remove_member",
    "request_login_link",
    "resend_invitation",
    "resolve_session",
    "revoke_invitation",
    "slugify",
    "start_session",
    "switch_organization",
    "transfer_ownership",
]
