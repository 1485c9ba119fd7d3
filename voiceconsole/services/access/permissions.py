"""What each role may do: one table (`PERMISSIONS`, action → roles), used by every service and so by every
door (the API, the UI states, jobs and the command line).

- owner: everything, and alone: billing, ownership (making owners, transferring ownership).
- admin: members (except owners), invitations, integrations, notification channels, API keys, clients,
  scoring settings.
- member: reads everything, annotates calls (notes, tags), runs syncs; sees the team read-only.
- client_viewer: reads only their own client's calls, agents and figures; never the organization's
  settings or its team.

An API key acts as the member who created it, never above that member's current role (see
`services.api_keys`); the actor a check receives already carries that role. A failed check raises
`Forbidden` (403) with a message that names what was refused. Whether a resource belongs to the
actor's organization (or a client viewer's client) is decided where it is looked up: 404, never 403.
"""

from __future__ import annotations

from voiceconsole.services.access.actor import Actor
from voiceconsole.services.errors import Forbidden

OWNERS = frozenset({"owner"})
MANAGERS = frozenset({"owner", "admin"})
STAFF = frozenset({"owner", "admin", "member"})
EVERYONE = frozenset({"owner", "admin", "member", "client_viewer"})

# action → the roles allowed to do it, with the words a refusal uses ("Only owners and admins manage …").
PERMISSIONS: dict[str, frozenset[str]] = {
    # reading (client viewers: their own client only, narrowed by the services)
    "calls.read": EVERYONE,
    "agents.read": EVERYONE,
    "analytics.read": EVERYONE,
    "clients.read": EVERYONE,
    "coaching.read": EVERYONE,
    "account.read": EVERYONE,  # who am I (`/auth/me`), my organizations and sessions, switching organization
    "account.manage": EVERYONE,  # signing my own sessions out
    "branding.read": EVERYONE,  # the agency's name, colour and logo (shown in client portals)
    # organization-wide reading
    "integrations.read": STAFF,
    "channels.read": STAFF,
    "scoring.read": STAFF,
    "team.read": STAFF,  # members and pending invitations
    "audit.read": MANAGERS,  # the audit log
    "billing.read": MANAGERS,  # plan, usage, invoices (admins read-only)
    "builder.read": STAFF,  # agent configs, versions, diffs (client viewers too where their client shows configs)
    "builder.manage": MANAGERS,  # create agents, save versions, deploy, roll back, import drift
    # work
    "calls.annotate": STAFF,  # notes, tags
    "integrations.sync": STAFF,  # sync now, connection test
    # settings
    "api_keys.manage": MANAGERS,
    "clients.manage": MANAGERS,
    "integrations.manage": MANAGERS,
    "channels.manage": MANAGERS,
    "scoring.manage": MANAGERS,
    "members.manage": MANAGERS,  # roles and removal; owners only by owners
    "invitations.manage": MANAGERS,
    "branding.manage": MANAGERS,
    "agents.monitoring": MANAGERS,  # which agents the plan's monitored agents are (services/billing/monitoring)
    # leads and the do-not-call list (services/campaigns): members work leads day to day (import, edit,
    # qualify), as they annotate calls; anyone on the staff may add a number not to call (it only ever stops
    # calls), only owners and admins remove one (that lets calls resume to someone who asked not to be called)
    "leads.read": STAFF,
    "leads.manage": STAFF,
    "dnc.read": STAFF,
    "dnc.add": STAFF,
    "dnc.manage": MANAGERS,
    # campaigns (services/campaigns): the staff follows them; owners and admins create, start and stop them
    # (they spend the agency's platform minutes and call people in its name)
    "campaigns.read": STAFF,
    "campaigns.manage": MANAGERS,
    # owners alone
    "ownership.manage": OWNERS,  # make someone an owner, transfer ownership
    "billing.manage": OWNERS,
}

_WHAT = {
    "integrations.read": "platform integrations",
    "channels.read": "notification channels",
    "scoring.read": "the agency's scoring settings",
    "team.read": "the team",
    "api_keys.manage": "API keys",
    "clients.manage": "clients",
    "integrations.manage": "integrations",
    "channels.manage": "notification channels",
    "scoring.manage": "scoring settings",
    "members.manage": "members",
    "invitations.manage": "invitations",
    "branding.manage": "branding",
    "agents.monitoring": "which agents are monitored",
    "audit.read": "the audit log",
    "ownership.manage": "ownership",
    "billing.manage": "billing",
    "billing.read": "billing",
    "builder.manage": "agents in the builder",
    "builder.read": "agent configurations",
    "leads.read": "leads",
    "leads.manage": "leads",
    "dnc.read": "the do-not-call list",
    "dnc.add": "the do-not-call list",
    "dnc.manage": "removals from the do-not-call list",
    "campaigns.read": "campaigns",
    "campaigns.manage": "campaigns",
}

MANAGER_ROLES = ("owner", "admin")
# Who outranks whom: nobody may grant (or take away) more than their own role allows.
ROLE_RANK = {"client_viewer": 0, "member": 1, "admin": 2, "owner": 3}


def roles_for(action: str) -> frozenset[str]:
    """The roles allowed `action` (KeyError for an action nobody declared: a typo must not grant)."""
    return PERMISSIONS[action]


def can(actor: Actor, action: str) -> bool:
    """May `actor` do `action`? A client viewer (an actor scoped to one client) is only ever a client viewer."""
    role = "client_viewer" if is_client_viewer(actor) else actor.role
    return role in roles_for(action)


def require(actor: Actor, action: str) -> None:
    """Raise Forbidden unless `actor` may do `action`."""
    if can(actor, action):
        return
    what = _WHAT.get(action, action)
    allowed = roles_for(action)
    if is_client_viewer(actor) and "client_viewer" not in allowed and action.endswith(".read"):
        raise Forbidden(f"Client viewers cannot see {what}")
    if is_client_viewer(actor) and "member" in allowed:
        raise Forbidden("Client viewers have read-only access")
    if allowed == OWNERS:
        raise Forbidden(f"Only owners manage {what}.")
    raise Forbidden(f"Only owners and admins manage {what}.")


def lower_role(a: str, b: str) -> str:
    """The lesser of two roles (what a key may do: its own role, capped by its creator's)."""
    return a if ROLE_RANK.get(a, -1) <= ROLE_RANK.get(b, -1) else b


def is_client_viewer(actor: Actor) -> bool:
    return actor.client_id is not None or actor.role == "client_viewer"


def is_manager(actor: Actor) -> bool:
    return can(actor, "members.manage")


def require_rank(actor: Actor, role: str, what: str) -> None:
    """`actor` may give or take away `role` (an API key's, a member's): not above their own."""
    if ROLE_RANK.get(role, len(ROLE_RANK)) > ROLE_RANK.get(actor.role, -1):
        raise Forbidden(f"You cannot {what} with the {role} role: it is above your own ({actor.role}).")


# The older names, kept for code written against them; each is one row of the table.
def require_manager(actor: Actor, what: str) -> None:
    """Owners and admins only: changing `what` (prefer `require(actor, "<thing>.manage")`)."""
    if not can(actor, "clients.manage"):
        raise Forbidden(f"Only owners and admins manage {what}.")


def require_staff(actor: Actor, what: str) -> None:
    """Anyone but a client viewer: seeing organization-wide `what` (prefer `require(actor, "<thing>.read")`)."""
    if not can(actor, "team.read"):
        raise Forbidden(f"Client viewers cannot see {what}")


def require_writer(actor: Actor) -> None:
    """Anyone but a client viewer: annotating calls (notes, tags)."""
    require(actor, "calls.annotate")
