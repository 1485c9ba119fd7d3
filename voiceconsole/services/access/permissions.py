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


def require_writer(actor: Actor) -> None:
    """Anyone but a client viewer: annotating calls (notes, tags)."""
    if is_client_viewer(actor):
        raise Forbidden("Client viewers have read-only access")
