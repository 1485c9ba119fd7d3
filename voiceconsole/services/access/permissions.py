"""What each role may do. One family of checks, used by every service (and so by the API, the UI and jobs).

- owner, admin ("managers"): change the organization's settings: API keys, clients, integrations,
  notification channels, scoring settings.
- member: reads everything and annotates calls (notes, tags).
- client_viewer: reads only their own client's calls and figures; never the organization's settings.
A failed check raises `Forbidden` (403) with a message that names what was refused.
"""

from __future__ import annotations

from voiceconsole.services.access.actor import Actor
from voiceconsole.services.errors import Forbidden

MANAGER_ROLES = ("owner", "admin")
# Who outranks whom: nobody may grant (or take away) more than their own role allows.
ROLE_RANK = {"client_viewer": 0, "member": 1, "admin": 2, "owner": 3}


def is_client_viewer(actor: Actor) -> bool:
    return actor.client_id is not None or actor.role == "client_viewer"


def is_manager(actor: Actor) -> bool:
    return actor.role in MANAGER_ROLES and actor.client_id is None


def require_manager(actor: Actor, what: str) -> None:
    """Owners and admins only: changing `what` (e.g. "API keys")."""
    if not is_manager(actor):
        raise Forbidden(f"Only owners and admins manage {what}.")


def require_staff(actor: Actor, what: str) -> None:
    """Anyone but a client viewer: seeing organization-wide `what` (e.g. "platform integrations")."""
    if is_client_viewer(actor):
        raise Forbidden(f"Client viewers cannot see {what}")


def require_rank(actor: Actor, role: str, what: str) -> None:
    """`actor` may give or take away `role` (an API key's, later a member's): not above their own."""
    if ROLE_RANK.get(role, len(ROLE_RANK)) > ROLE_RANK.get(actor.role, -1):
        raise Forbidden(f"You cannot {what} with the {role} role: it is above your own ({actor.role}).")


def require_writer(actor: Actor) -> None:
    """Anyone but a client viewer: annotating calls (notes, tags)."""
    if is_client_viewer(actor):
        raise Forbidden("Client viewers have read-only access")
