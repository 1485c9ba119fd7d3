"""Domain errors, translated to HTTP by the API and to messages by the UI."""

from __future__ import annotations

from dataclasses import dataclass, field


class DomainError(Exception):
    status_code = 400

    def __init__(self, message: str, details: list[dict[str, str]] | None = None):
        super().__init__(message)
        self.message = message
        self.details = details or []


class NotFound(DomainError):
    """Also used for other organizations' resources: never reveal that they exist."""

    status_code = 404


class Forbidden(DomainError):
    status_code = 403


class Conflict(DomainError):
    status_code = 409


class ValidationFailed(DomainError):
    status_code = 422

    @classmethod
    def field(cls, name: str, message: str) -> "ValidationFailed":
        return cls("Validation failed", [{"field": name, "message": message}])


class InvalidToken(DomainError):
    status_code = 401


@dataclass
class Actor:
    """Who is acting, for audit logs and note authorship."""

    kind: str  # "user" | "api_key" | "system"
    id: str
    display: str
    role: str = "owner"
    user_id: int | None = None
    client_id: int | None = None  # set for client viewers: they see only this client
    extra: dict = field(default_factory=dict)

    @property
    def ref(self) -> str:
        return f"{self.kind}:{self.id}"


SYSTEM = Actor(kind="system", id="system", display="VoiceConsole")

# Who changes an organization's settings (API keys, clients, integrations, channels, scoring); the
# other members read them, and client viewers see only their client's calls.
MANAGER_ROLES = ("owner", "admin")


def require_manager(actor: Actor, what: str) -> None:
    if actor.role not in MANAGER_ROLES or actor.client_id is not None:
        raise Forbidden(f"Only owners and admins manage {what}.")


def require_org_reader(actor: Actor, what: str) -> None:
    """Organization-wide settings are not for client viewers (they see only their client's calls)."""
    if actor.client_id is not None or actor.role == "client_viewer":
        raise Forbidden(f"Client viewers cannot see {what}")
